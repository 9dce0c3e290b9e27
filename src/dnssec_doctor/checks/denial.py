"""The NSEC3 parameters a zone's denial proofs use, as the servers serve them (issue 12
class 4, RFC 9276): extra iterations are a warning, iterations above what validators
accept make the denials insecure although the zone is signed, a salt and opt-out are
noted. The rule is validate/nsec3.py's ``parameter_issues``, which verify reads too."""

from __future__ import annotations

import dns.rdatatype

from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.validate.limits import MAX_NSEC3_ITERATIONS
from dnssec_doctor.validate.nsec3 import Nsec3ParamIssue, nsec3_records, parameter_issues

T = dns.rdatatype.RdataType
Params = tuple[int, bytes]  # (iterations, salt)


@register(
    "denial.nsec3_parameters",
    set="denial",
    codes=(F.NSEC3_ITERATIONS, F.NSEC3_ITERATIONS_TOO_HIGH, F.NSEC3_SALT, F.NSEC3_OPT_OUT),
    rfc="RFC 9276 3.1, 3.2, RFC 5155 6",
    summary="the NSEC3 parameters the servers' denials use: iterations, salt, opt-out",
)
def nsec3_parameter_findings(context: ChainContext) -> list[Finding]:
    seen: dict[str, tuple[set[Params], bool]] = {}
    for reply in _replies(context):
        if reply.message is None:
            continue
        records, _unknown = nsec3_records(reply.message.authority)
        for record in records:
            zone = record.zone.to_text()
            params, opt_out = seen.get(zone, (set(), False))
            params.add((record.iterations, record.salt))
            seen[zone] = (params, opt_out or record.opt_out)
    found: list[Finding] = []
    for zone, (params, opt_out) in seen.items():
        iterations = max(i for i, _ in params)
        salt = next((s for _, s in sorted(params) if s), b"")
        for issue in parameter_issues(iterations, salt, opt_out):
            if issue is Nsec3ParamIssue.ITERATIONS_TOO_HIGH:
                found.append(
                    Finding.of(
                        F.NSEC3_ITERATIONS_TOO_HIGH,
                        zone,
                        zone=zone,
                        iterations=iterations,
                        limit=MAX_NSEC3_ITERATIONS,
                    )
                )
            elif issue is Nsec3ParamIssue.EXTRA_ITERATIONS:
                found.append(Finding.of(F.NSEC3_ITERATIONS, zone, iterations=iterations))
            elif issue is Nsec3ParamIssue.SALT:
                found.append(Finding.of(F.NSEC3_SALT, zone, salt=salt.hex().upper()))
            else:
                found.append(Finding.of(F.NSEC3_OPT_OUT, zone))
    return found


def _replies(context: ChainContext) -> list[Reply]:
    """Every reply that can carry a denial: the answers, and the parents' DS answers."""
    replies = [r for answer in context.collection.answers for r in answer.replies.values()]
    for cut in context.collection.zones.values():
        replies += cut.ds.values()
    return replies
