"""Unit tests: one module at a time, no lab.

Pure functions and modules fed recorded or hand-made data: validate (RFC vectors,
limits), collect's wire, transport, anchors and walk (scripted loopback servers),
evidence, dnsfeatures, the CLI's argument handling, the zone reader (Python and C) and
verify's units, the lab responder on in-memory zones, the architecture's import rules.
"""
