"""What every check of ``verify`` reads: the zone file as the read gathered it.

The read (zonefile/verify.py: one stream, sorted, or byte ranges in the workers) places
every name and judges every signature; what it gathered is the :class:`ZoneContext`
that verify's registered checks (zonefile/checks.py) run over.  What more than one
reader needs (the key check, the kind of denial chain) is made once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import dns.name
import dns.rrset
from dns.rdata import Rdata

from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.zone_report import Expiry
from dnssec_doctor.zonefile.chain_nsec3 import Nsec3Record
from dnssec_doctor.zonefile.keys import KeyCheck, check_keys
from dnssec_doctor.zonefile.structure import ZoneShape
from dnssec_doctor.zonefile.workers import Tally


@dataclass
class ZoneContext:
    """The input of a check of ``verify``: the zone's shape, its apex, the judged
    signatures, the moment, the DS records given and what was found about them."""

    origin: dns.name.Name
    shape: ZoneShape  # every name placed (the apex's only, when ``nsec`` is given)
    signed_zone: bool  # the apex has a DNSKEY RRset
    dnskeys: dns.rrset.RRset | None
    dnskey_sigs: dns.rrset.RRset | None
    nsec3param: list[bytes]  # the RDATA of the apex NSEC3PARAM RRset
    tally: Tally  # every signature judged (by the workers)
    expiry: Expiry
    at: int
    ds: Sequence[Rdata]
    ds_findings: Sequence[Finding]  # about the DS source (--ds-from-parent)
    nsec3: list[Nsec3Record] | None = None  # nsec3_records(shape), when already made
    nsec: list[Finding] | None = None  # the NSEC chain's findings, when already made

    @property
    def z(self) -> str:
        return self.origin.to_text()

    @cached_property
    def key_check(self) -> KeyCheck | None:
        """The DNSKEY RRset judged (the keys table of the report, and its findings)."""
        if not self.signed_zone or self.dnskeys is None:
            return None
        return check_keys(self.origin, self.dnskeys, self.dnskey_sigs, self.at, self.ds)

    @cached_property
    def denial(self) -> str:
        """The zone's denial chain: NSEC, NSEC3, NSEC+NSEC3 (both: an error) or none."""
        if not self.signed_zone:
            return "none"
        shape = self.shape
        has_nsec = any(n in shape.types for n in shape.nsec)
        has_nsec3 = bool(shape.nsec3) or bool(self.nsec3param)
        if not has_nsec:
            return "NSEC3" if has_nsec3 else "none"
        return "NSEC+NSEC3" if has_nsec3 else "NSEC"


__all__ = ["ZoneContext"]
