"""DS and CDS: the child's side, the DS of a zone's keys (``ds show``), the parent's DS
judged against them (``ds compare``), the emergency plan (``ds disable-plan``); and the
parent's side, CDS/CDNSKEY processing (``cds parent``) and the DS pushed to the parent
(``ds push``).

Each module calls ``services`` (the walk and its analysis are `check`'s) and ``model``;
the DNSSEC rules it applies are ``validate``'s (the digest and DS↔DNSKEY matching in
validate/ds.py, the keys a DS should name in validate/keyset.py, CDS acceptance in
validate/cds.py).
"""
