"""Pure, offline DNSSEC validation primitives: no network, no clock.

One module per idea:

- ``algorithms``: which algorithms and digest types we validate (RFC 8624/9904).
- ``limits``: named caps that protect against hostile answers.
- ``rrsig``: judge one RRSIG; the security of one RRset.
- ``ds``: DS against DNSKEY matching; DS records to publish.
- ``denial``, ``nsec``, ``nsec3``: denial-of-existence proofs.
- ``records``, ``timeutil``: small shared helpers.

Time is always a parameter (``at``: POSIX seconds or a datetime).
"""
