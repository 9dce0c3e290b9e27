/*
 * _czone_signed.c: the data an RRSIG signs over its RRset (RFC 4034 3.1.8.1), built as
 * workers.fast_facts would build it (see _czone.h for the parts of the extension).
 */
#include "_czone.h"

#include <string.h>

/* ---- signed data (workers.fast_facts) ---- */

typedef struct {
    const unsigned char *p;
    Py_ssize_t n;
} Span;

/* RFC 4034 6.3 canonical RR order: RDATA as left-justified octet strings, as
 * Python's bytes comparison (a prefix sorts first). */
static int
cmp_span(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    Py_ssize_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, (size_t)n);
    if (c)
        return c;
    return (x->n > y->n) - (x->n < y->n);
}

#define MAX_SIGNED_RRS 4096 /* more: None, and workers.py builds it */

/* The RFC 4034 3.1.8.1 data the RRSIG RDATA ``w`` signs over an RRset: the RRSIG
 * RDATA up to the signature (``start`` octets: fields and signer), then each distinct
 * RR of ``rdatas`` (canonical RDATA wire, a PySequence_Fast) in canonical order, as
 * ``owner`` (the signed form), ``rdtype``, class IN, Original TTL, RDLENGTH, RDATA.
 * NULL with no error set when it is not built here (more RRs than MAX_SIGNED_RRS,
 * an RDATA longer than 65535 octets, which no RDLENGTH can state): the caller's
 * Python path decides. */
PyObject *
czone_build_signed_data(const unsigned char *w, Py_ssize_t start, const unsigned char *owner,
                  Py_ssize_t owner_len, int rdtype, PyObject *seq)
{
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    if (count > MAX_SIGNED_RRS) /* beyond limits.MAX_RECORDS_PER_RRSET */
        return NULL;
    Span one, *spans = &one;
    if (count > 1) {
        spans = PyMem_Malloc(sizeof(Span) * (size_t)count);
        if (!spans)
            return PyErr_NoMemory();
    }
    PyObject *data = NULL;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "signed data: rdatas must be bytes");
            goto done;
        }
        if (PyBytes_GET_SIZE(item) > 0xFFFF)
            goto done; /* declined, no error */
        spans[k].p = (const unsigned char *)PyBytes_AS_STRING(item);
        spans[k].n = PyBytes_GET_SIZE(item);
    }
    if (count > 1)
        qsort(spans, (size_t)count, sizeof(Span), cmp_span);
    /* the size: RRSIG fields and signer, then per distinct RR owner, type, class,
     * TTL, RDLENGTH, RDATA */
    Py_ssize_t fixed = owner_len + 10, size = start;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k && cmp_span(&spans[k - 1], &spans[k]) == 0)
            continue;
        size += fixed + spans[k].n;
    }
    data = PyBytes_FromStringAndSize(NULL, size);
    if (!data)
        goto done;
    unsigned char *d = (unsigned char *)PyBytes_AS_STRING(data);
    memcpy(d, w, (size_t)start);
    d += start;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k && cmp_span(&spans[k - 1], &spans[k]) == 0)
            continue;
        memcpy(d, owner, (size_t)owner_len);
        d += owner_len;
        *d++ = (unsigned char)(rdtype >> 8);
        *d++ = (unsigned char)rdtype;
        *d++ = 0;
        *d++ = 1; /* class IN */
        memcpy(d, w + 4, 4); /* Original TTL */
        d += 4;
        *d++ = (unsigned char)(spans[k].n >> 8);
        *d++ = (unsigned char)spans[k].n;
        memcpy(d, spans[k].p, (size_t)spans[k].n);
        d += spans[k].n;
    }
done:
    if (spans != &one)
        PyMem_Free(spans);
    return data;
}

/* Does the RRSIG RDATA ``w`` cover ``rdtype`` with ``labels`` labels, signed by
 * exactly ``origin`` (canonical wire, ending in the root label)?  The signature
 * then starts at 18 + origin_len. */
int
czone_rrsig_by_zone(const unsigned char *w, Py_ssize_t wlen, int rdtype, int labels,
              const unsigned char *origin, Py_ssize_t origin_len)
{
    return wlen >= 19 && wlen >= 18 + origin_len && origin_len >= 1 &&
           (w[0] << 8 | w[1]) == rdtype && w[3] == labels &&
           memcmp(w + 18, origin, (size_t)origin_len) == 0;
}

/* signed_data(wire, owner, rdtype, rdatas, origin, labels)
 *   -> (algorithm, key tag, original TTL, expiration, inception, signature, data) | None
 * The fields of the RRSIG RDATA ``wire`` and the RFC 4034 3.1.8.1 data it signs over
 * the RRset (owner, rdtype, rdatas: canonical wire), as workers.fast_facts builds them;
 * None unless the RRSIG covers rdtype, has ``labels`` labels, and its signer is
 * exactly ``origin`` (canonical wire). */
PyObject *
czone_signed_data(PyObject *self, PyObject *args)
{
    Py_buffer wire, owner, origin;
    int rdtype, labels;
    PyObject *rdatas, *result = NULL, *seq = NULL;
    if (!PyArg_ParseTuple(args, "y*y*iOy*i", &wire, &owner, &rdtype, &rdatas, &origin, &labels))
        return NULL;
    const unsigned char *w = wire.buf;
    Py_ssize_t start = 18 + origin.len;
    if (!czone_rrsig_by_zone(w, wire.len, rdtype, labels, origin.buf, origin.len)) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    seq = PySequence_Fast(rdatas, "signed_data: rdatas must be a sequence");
    if (!seq)
        goto done;
    PyObject *data = czone_build_signed_data(w, start, owner.buf, owner.len, rdtype, seq);
    if (!data) {
        if (!PyErr_Occurred())
            result = Py_NewRef(Py_None);
        goto done;
    }
    result = Py_BuildValue("(iikkky#N)", w[2], w[16] << 8 | w[17], (unsigned long)U32(w, 4),
                           (unsigned long)U32(w, 8), (unsigned long)U32(w, 12),
                           (const char *)w + start, wire.len - start, data);
done:
    Py_XDECREF(seq);
    PyBuffer_Release(&wire);
    PyBuffer_Release(&owner);
    PyBuffer_Release(&origin);
    return result;
}

