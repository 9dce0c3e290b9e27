"""Offline verification of a signed zone file (``dnssec-doctor verify``).

One module per family of checks, each a pure function from a loaded zone (and the
time) to findings; :func:`dnssec_doctor.zonefile.verify.verify_zone` runs them all.
``load`` is the one place that parses zone files.
"""
