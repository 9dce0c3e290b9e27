/*
 * _czone.h: what the parts of the _czone extension share (see _czone.c).
 *
 *   _czone_read.c    lines to tokens to records: scan(), configure()
 *   _czone_signed.c  the RFC 4034 3.1.8.1 signed data: signed_data()
 *   _czone_judge.c   judging a batch of RRSIGs: judge()
 *   _czone.c         the module: its methods and constants
 *
 * Functions one part gives another are hidden outside the extension.
 */
#ifndef DNSSEC_DOCTOR_CZONE_H
#define DNSSEC_DOCTOR_CZONE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#if defined(__GNUC__)
#define CZONE_INTERNAL __attribute__((visibility("hidden")))
#else
#define CZONE_INTERNAL
#endif

/* reader.MAX_LOGICAL_LINE: a record's text (its lines) at most; a longer one is handed
 * back at once, and reader.py refuses it */
#define MAX_LOGICAL_LINE (1 << 20)

/* Facts of validate.rrsig's acceptance rule (RrsigFact, the same bits): the first
 * failed check, in the rule's order; UNDECIDED where this path cannot tell (then
 * judge_rrsig decides). No failed fact is VALID. */
#define FACT_TYPE (1 << 0)
#define FACT_LABELS (1 << 1)
#define FACT_RECORDS (1 << 4)
#define FACT_NEVER_VALID (1 << 9)
#define FACT_SIGNATURE (1 << 12)
#define FACT_UNDECIDED (1 << 15)

#define U32(w, at) ((uint32_t)(w)[at] << 24 | (uint32_t)(w)[(at) + 1] << 16 | \
                    (uint32_t)(w)[(at) + 2] << 8 | (uint32_t)(w)[(at) + 3])

/* _czone_read.c */
CZONE_INTERNAL void czone_init_tables(void);
CZONE_INTERNAL void czone_init_char_class(void);
CZONE_INTERNAL PyObject *czone_scan(PyObject *self, PyObject *args);
CZONE_INTERNAL PyObject *czone_configure(PyObject *self, PyObject *args);

/* _czone_signed.c */
CZONE_INTERNAL PyObject *czone_build_signed_data(const unsigned char *w, Py_ssize_t start,
                                                 const unsigned char *owner,
                                                 Py_ssize_t owner_len, int rdtype,
                                                 PyObject *seq);
CZONE_INTERNAL int czone_rrsig_by_zone(const unsigned char *w, Py_ssize_t wlen, int rdtype,
                                       int labels, const unsigned char *origin,
                                       Py_ssize_t origin_len);
CZONE_INTERNAL PyObject *czone_signed_data(PyObject *self, PyObject *args);

/* _czone_judge.c */
CZONE_INTERNAL PyObject *czone_judge(PyObject *self, PyObject *args);

#endif
