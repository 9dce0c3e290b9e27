"""Registered checks of ``check``: each one function, declared once with its id, the set
it belongs to, the finding codes it may emit and the RFC it rests on (model/checks.py).
The analysis runs them (analyze/core.py); `dnssec-doctor checks` lists them;
docs/checks.md says how to add one. One module per family.

Importing this package registers every check of `check` (the network walk).
"""

from collections.abc import Collection

from dnssec_doctor.checks import denial, expiry, keys, links, resolver, rollover, servers, walk
from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.model.checks import Check, run_checks, selected
from dnssec_doctor.model.findings import Finding

__all__ = [
    "denial",
    "expiry",
    "keys",
    "links",
    "registered",
    "resolver",
    "rollover",
    "run_chain_checks",
    "servers",
    "walk",
]


def registered(disabled: Collection[str] = ()) -> list[Check[object]]:
    """check's checks in order, without *disabled* (ids or sets; a name that is neither
    raises model.checks.CheckError)."""
    return selected(disabled, "check")


def run_chain_checks(context: ChainContext, disabled: Collection[str] = ()) -> list[Finding]:
    """Every enabled check of the network walk over *context*."""
    return run_checks(context, disabled, "check")
