/*
 * _czone_judge.c: the fast path of workers.judge_items, a batch of RRSIGs judged at
 * once (see _czone.h for the parts of the extension).
 */
#include "_czone.h"

#include <string.h>

/* ---- judging RRSIGs: the fast path of workers.judge_items ---- */

#define HALF_SERIAL ((int64_t)1 << 31)
#define FULL_SERIAL ((int64_t)1 << 32)
#define SAFE_TIME ((int64_t)1 << 60) /* beyond: Python's integers decide */

/* RFC 1982 / RFC 4034 3.1.5: the time closest to ``at`` with these low 32 bits, as
 * validate.timeutil.serial_time. */
static int64_t
serial_time(uint32_t field, int64_t at)
{
    int64_t t = (int64_t)((uint64_t)at & ~(uint64_t)(FULL_SERIAL - 1)) | (int64_t)field;
    if (t - at > HALF_SERIAL)
        t -= FULL_SERIAL;
    else if (at - t > HALF_SERIAL)
        t += FULL_SERIAL;
    return t;
}

/* Labels of a wire name without the root and without a leading "*" (RFC 4034
 * 3.1.3); -1 if it is not a well-formed uncompressed name. */
static int
rrsig_labels(const unsigned char *name, Py_ssize_t len)
{
    int count = 0;
    Py_ssize_t at = 0;
    while (at < len && name[at]) {
        if (name[at] > 63)
            return -1;
        count++;
        at += 1 + name[at];
    }
    if (at >= len)
        return -1;
    return count - (len >= 2 && name[0] == 1 && name[1] == '*');
}

#define WARN_ORIGINAL_TTL 1 /* the RRset's TTL above Original TTL */
#define WARN_RRSIG_TTL 2    /* the RRSIG's own TTL above Original TTL */
#define WARN_TTL_BEYOND 4   /* cached past the expiration */
#define WARN_DEPRECATED 8   /* an algorithm not to sign with */

typedef struct {
    int algorithm, tag;
    PyObject *check; /* borrowed from the caller's list */
    int deprecated;
} Key;

#define MAX_FAST_KEYS 64

typedef struct {
    int64_t now, horizon;
    const unsigned char *origin;
    Py_ssize_t origin_len;
    Key keys[MAX_FAST_KEYS];
    int key_count;
    int limit_exceeded; /* the DNSKEY RRset itself is over the record limit */
    Py_ssize_t max_records;
} Judge;

/* One RRSIG by the fast path: 1 VALID (times and warning flags set), 0 not VALID
 * (*facts: the failed or undecided fact), -1 on an error to raise. It reads and
 * computes; the verdict is the rule's (rrsig_verdict in Python). */
static int
judge_one(const Judge *j, const unsigned char *owner, Py_ssize_t owner_len, int rdtype,
          int labels, int64_t ttl, int64_t rrsig_ttl, PyObject *rdatas, PyObject *wire,
          int64_t *inception, int64_t *expiration, int *algorithm, int *tag, int *flags,
          int *facts)
{
    const unsigned char *w = (const unsigned char *)PyBytes_AS_STRING(wire);
    Py_ssize_t wlen = PyBytes_GET_SIZE(wire);
    *facts = FACT_UNDECIDED;
    if (wlen < 19)
        return 0;
    if ((w[0] << 8 | w[1]) != rdtype) {
        *facts = FACT_TYPE;
        return 0;
    }
    if (w[3] > labels) {
        *facts = FACT_LABELS;
        return 0;
    }
    if (!czone_rrsig_by_zone(w, wlen, rdtype, labels, j->origin, j->origin_len))
        return 0; /* fewer labels (a wildcard), or another signer */
    int is_origin = owner_len == j->origin_len && memcmp(owner, j->origin, (size_t)owner_len) == 0;
    if ((rdtype == 48 && !is_origin) || (rdtype == 43 && is_origin))
        return 0; /* a DNSKEY RRset below the apex; DS at the apex is the parent's */
    int alg = w[2], keytag = w[16] << 8 | w[17];
    const Key *key = NULL;
    for (int k = 0; k < j->key_count; k++)
        if (j->keys[k].algorithm == alg && j->keys[k].tag == keytag) {
            key = &j->keys[k];
            break;
        }
    if (!key) /* no key, revoked, a tag collision, does not load, ... */
        return 0;
    if (j->limit_exceeded || PySequence_Fast_GET_SIZE(rdatas) > j->max_records) {
        *facts = FACT_RECORDS;
        return 0;
    }
    uint32_t exp_field = U32(w, 8), inc_field = U32(w, 12);
    int64_t inc = serial_time(inc_field, j->now), exp = serial_time(exp_field, j->now);
    if (exp < inc || exp_field < inc_field) {
        *facts = FACT_NEVER_VALID;
        return 0;
    }
    if (inc > j->now || j->now > exp)
        return 0; /* the signature comes first in the rule: not checked here */
    Py_ssize_t start = 18 + j->origin_len;
    PyObject *data = czone_build_signed_data(w, start, owner, owner_len, rdtype, rdatas);
    if (!data)
        return PyErr_Occurred() ? -1 : 0;
    PyObject *signature = PyBytes_FromStringAndSize((const char *)w + start, wlen - start);
    if (!signature) {
        Py_DECREF(data);
        return -1;
    }
    PyObject *verdict = PyObject_CallFunctionObjArgs(key->check, signature, data, NULL);
    Py_DECREF(signature);
    Py_DECREF(data);
    if (!verdict) {
        /* what workers.fast_facts leaves undecided */
        if (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError) ||
            PyErr_ExceptionMatches(PyExc_IndexError)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    int good = PyObject_IsTrue(verdict);
    Py_DECREF(verdict);
    if (good <= 0) {
        *facts = FACT_SIGNATURE;
        return good;
    }
    *facts = 0;
    int64_t original = U32(w, 4);
    int f = 0;
    if (ttl > original)
        f |= WARN_ORIGINAL_TTL;
    if (rrsig_ttl > original)
        f |= WARN_RRSIG_TTL;
    if (j->now + (ttl < original ? ttl : original) > exp)
        f |= WARN_TTL_BEYOND;
    if (key->deprecated)
        f |= WARN_DEPRECATED;
    *inception = inc;
    *expiration = exp;
    *algorithm = alg;
    *tag = keytag;
    *flags = f;
    return 1;
}

/* The counts of the VALID signatures without warnings, which Python only counts. */
typedef struct {
    Py_ssize_t count, soon;
    int64_t latest;
    PyObject *days; /* dict: UTC day number -> signatures expiring that day */
    int64_t run_day;
    Py_ssize_t run; /* signatures of run_day not yet added to days */
} Plain;

static int
flush_day(Plain *p)
{
    if (!p->run)
        return 0;
    PyObject *day = PyLong_FromLongLong(p->run_day);
    if (!day)
        return -1;
    PyObject *old = PyDict_GetItemWithError(p->days, day);
    Py_ssize_t before = old ? PyLong_AsSsize_t(old) : 0;
    PyObject *total = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(before + p->run);
    int failed = !total || PyDict_SetItem(p->days, day, total) < 0;
    Py_XDECREF(total);
    Py_DECREF(day);
    p->run = 0;
    return failed ? -1 : 0;
}

static int
count_plain(const Judge *j, Plain *p, int64_t exp)
{
    /* floor division, as Python's expiration // 86400 */
    int64_t day = exp / 86400 - (exp % 86400 < 0);
    if (p->run && day != p->run_day && flush_day(p) < 0)
        return -1;
    p->run_day = day;
    p->run++;
    if (!p->count++ || exp > p->latest)
        p->latest = exp;
    if (j->now <= exp && exp <= j->horizon)
        p->soon++;
    return 0;
}

static int
parse_keys(Judge *j, PyObject *keys)
{
    PyObject *seq = PySequence_Fast(keys, "judge: keys must be a sequence");
    if (!seq)
        return -1;
    j->key_count = 0;
    /* more keys than fit are left to the reference path */
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(seq) && j->key_count < MAX_FAST_KEYS;
         k++) {
        Key *key = &j->keys[j->key_count];
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, k), "iiOp", &key->algorithm,
                              &key->tag, &key->check, &key->deprecated)) {
            Py_DECREF(seq);
            return -1;
        }
        j->key_count++;
    }
    Py_DECREF(seq);
    return 0;
}

/* What the fast path made of one RRSIG of a batch. */
typedef struct {
    Py_ssize_t item, sig;
    int valid, flags, algorithm, tag, facts;
    int64_t inception, expiration;
} Outcome;

/* Every RRSIG of ``items`` through judge_one, into *out (PyMem, *count of them). */
static int
judge_all(const Judge *j, PyObject *items, int usable_times, Outcome **out, Py_ssize_t *count)
{
    Py_ssize_t cap = 0, n = 0;
    Outcome *all = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 6 ||
            !PyBytes_Check(PyTuple_GET_ITEM(item, 0)) || !PyTuple_Check(PyTuple_GET_ITEM(item, 3)) ||
            !PyTuple_Check(PyTuple_GET_ITEM(item, 5))) {
            PyErr_SetString(PyExc_TypeError, "judge: items must be WorkItems");
            goto fail;
        }
        PyObject *owner = PyTuple_GET_ITEM(item, 0), *rdatas = PyTuple_GET_ITEM(item, 3);
        PyObject *rrsigs = PyTuple_GET_ITEM(item, 5);
        long long rdtype = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 1));
        long long ttl = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 2));
        long long rrsig_ttl = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 4));
        if (PyErr_Occurred())
            goto fail;
        const unsigned char *o = (const unsigned char *)PyBytes_AS_STRING(owner);
        Py_ssize_t olen = PyBytes_GET_SIZE(owner);
        int labels = rrsig_labels(o, olen);
        Py_INCREF(item); /* the verifiers run Python code: keep what we point into */
        int usable = usable_times && labels >= 0 && rdtype >= 0 && rdtype <= 0xFFFF;
        for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(rrsigs); s++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 512;
                Outcome *grown = PyMem_Realloc(all, sizeof(Outcome) * (size_t)cap);
                if (!grown) {
                    Py_DECREF(item);
                    PyErr_NoMemory();
                    goto fail;
                }
                all = grown;
            }
            Outcome *r = &all[n++];
            memset(r, 0, sizeof(*r));
            r->item = i;
            r->sig = s;
            r->facts = FACT_UNDECIDED;
            PyObject *wire = PyTuple_GET_ITEM(rrsigs, s);
            if (usable && PyBytes_Check(wire)) {
                r->valid = judge_one(j, o, olen, (int)rdtype, labels, ttl, rrsig_ttl, rdatas, wire,
                                     &r->inception, &r->expiration, &r->algorithm, &r->tag,
                                     &r->flags, &r->facts);
                if (r->valid < 0) {
                    Py_DECREF(item);
                    goto fail;
                }
            }
        }
        Py_DECREF(item);
    }
    *out = all;
    *count = n;
    return 0;
fail:
    PyMem_Free(all);
    return -1;
}

/* judge(items, origin, now, horizon, keys, limit_exceeded, max_records)
 *   -> (others, plain_count, days, soon, latest)
 * workers.fast_facts and the counting of workers.judge_items for a batch of WorkItems
 * (a list). keys: (algorithm, key tag, verify(signature, data) -> bool, deprecated)
 * for each key workers.fast_keys accepts. Each VALID signature without warnings is
 * only counted (plain_count, days: {UTC day: count}, soon: expiring by horizon,
 * latest expiration or None), except the first with the batch's earliest expiration
 * among them, which could be the batch's earliest signature. It and every other
 * RRSIG are in ``others``, in order, as (item index, RRSIG index, facts or (algorithm,
 * key tag, inception, expiration, warning flags)): facts (an int, RrsigFact bits)
 * means not VALID, and the reference path judges it. */
PyObject *
czone_judge(PyObject *self, PyObject *args)
{
    PyObject *items, *keys, *origin;
    long long now, horizon;
    int limit_exceeded;
    Py_ssize_t max_records;
    if (!PyArg_ParseTuple(args, "O!SLLOpn", &PyList_Type, &items, &origin, &now, &horizon, &keys,
                          &limit_exceeded, &max_records))
        return NULL;
    Judge j;
    j.now = now;
    j.horizon = horizon;
    j.origin = (const unsigned char *)PyBytes_AS_STRING(origin);
    j.origin_len = PyBytes_GET_SIZE(origin);
    j.limit_exceeded = limit_exceeded;
    j.max_records = max_records;
    if (parse_keys(&j, keys) < 0)
        return NULL;
    /* far from the epoch the serial arithmetic is left to Python's integers */
    int usable_times =
        now > -SAFE_TIME && now < SAFE_TIME && horizon > -SAFE_TIME && horizon < SAFE_TIME;
    Outcome *all = NULL;
    Py_ssize_t n = 0;
    if (judge_all(&j, items, usable_times, &all, &n) < 0)
        return NULL;
    Py_ssize_t earliest = -1;
    for (Py_ssize_t k = 0; k < n; k++)
        if (all[k].valid && !all[k].flags &&
            (earliest < 0 || all[k].expiration < all[earliest].expiration))
            earliest = k;
    Plain p = {0, 0, 0, PyDict_New(), 0, 0};
    PyObject *others = PyList_New(0), *result = NULL;
    if (!p.days || !others)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Outcome *r = &all[k];
        if (r->valid && !r->flags && k != earliest) {
            if (count_plain(&j, &p, r->expiration) < 0)
                goto done;
            continue;
        }
        PyObject *entry = r->valid ? Py_BuildValue("(nn(iiLLi))", r->item, r->sig, r->algorithm,
                                                   r->tag, (long long)r->inception,
                                                   (long long)r->expiration, r->flags)
                                   : Py_BuildValue("(nni)", r->item, r->sig, r->facts);
        if (!entry || PyList_Append(others, entry) < 0) {
            Py_XDECREF(entry);
            goto done;
        }
        Py_DECREF(entry);
    }
    if (flush_day(&p) < 0)
        goto done;
    if (p.count)
        result = Py_BuildValue("(OnOnL)", others, p.count, p.days, p.soon, (long long)p.latest);
    else
        result = Py_BuildValue("(OnOnO)", others, p.count, p.days, p.soon, Py_None);
done:
    PyMem_Free(all);
    Py_XDECREF(others);
    Py_XDECREF(p.days);
    return result;
}

