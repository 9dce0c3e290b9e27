"""The DS lifecycle for the child: the DS of a zone's keys (``ds show``), the parent's DS
judged against them (``ds compare``), and the emergency plan (``ds disable-plan``).

Each module calls ``services`` (the walk and its analysis are `check`'s) and ``model``;
the DNSSEC rules it applies are ``validate``'s (the digest and DS↔DNSKEY matching in
validate/ds.py, the keys a DS should name in validate/keyset.py).
"""
