/*
 * _czone: the hot loops of zonefile/reader.py and zonefile/workers.py in C (optional;
 * the Python code is the reference and the fallback). This file is the module; the
 * work is in the parts _czone.h lists: reading records (_czone_read.c, whose opening
 * comment tells how C and reader.py share a zone file), building signed data
 * (_czone_signed.c) and judging signatures (_czone_judge.c).
 */
#include "_czone.h"

static PyMethodDef methods[] = {
    {"scan", czone_scan, METH_VARARGS,
     "scan(lines, pos, lineno, origin, last_owner, last_ttl, last_ttl_known, default_ttl,\n"
     "     default_ttl_known, default_ttl_from_soa)\n"
     "-> (records, pos, lineno, last_owner, last_ttl, last_ttl_known)\n\n"
     "Read records from lines[pos:] until one this module does not vouch for."},
    {"signed_data", czone_signed_data, METH_VARARGS,
     "signed_data(wire, owner, rdtype, rdatas, origin, labels)\n"
     "-> (algorithm, key_tag, original_ttl, expiration, inception, signature, data) | None"},
    {"judge", czone_judge, METH_VARARGS,
     "judge(items, origin, now, horizon, keys, limit_exceeded, max_records)\n"
     "-> (others, plain_count, days, soon, latest)"},
    {"configure", czone_configure, METH_VARARGS,
     "configure(record_type, [(type word, value), ...], [other class words])"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_czone", "The zone-file reader's hot loop in C (see reader.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__czone(void)
{
    czone_init_tables();
    czone_init_char_class();
    PyObject *m = PyModule_Create(&module);
    if (m && (PyModule_AddIntMacro(m, FACT_TYPE) < 0 ||
              PyModule_AddIntMacro(m, MAX_LOGICAL_LINE) < 0 || PyModule_AddIntMacro(m, FACT_LABELS) < 0 ||
              PyModule_AddIntMacro(m, FACT_RECORDS) < 0 ||
              PyModule_AddIntMacro(m, FACT_NEVER_VALID) < 0 ||
              PyModule_AddIntMacro(m, FACT_SIGNATURE) < 0 ||
              PyModule_AddIntMacro(m, FACT_UNDECIDED) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
