"""The real-server lab: a built lab served by named, NSD and Knot on 127.53.0.0/16, with
Unbound and delv (through a non-validating recursive named) as reference validators."""

from dnssec_doctor.lab.real.errors import RealLabError
from dnssec_doctor.lab.real.lab import RealLab, plan, start_real_lab, stop_real_lab
from dnssec_doctor.lab.real.state import RealLabState
from dnssec_doctor.lab.real.verdicts import (
    DelvVerdict,
    UnboundVerdict,
    Verdict,
    ask_unbound,
    parse_delv,
    run_delv,
)

__all__ = [
    "DelvVerdict",
    "RealLab",
    "RealLabError",
    "RealLabState",
    "UnboundVerdict",
    "Verdict",
    "ask_unbound",
    "parse_delv",
    "plan",
    "run_delv",
    "start_real_lab",
    "stop_real_lab",
]
