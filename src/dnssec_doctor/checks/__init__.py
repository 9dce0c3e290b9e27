"""Registered checks: each one function, declared once with its id, the set it belongs
to, the finding codes it may emit and the RFC it rests on (registry.py). The analysis
runs the registry (analyze/core.py); `dnssec-doctor checks` lists it; docs/checks.md
says how to add one. One module per family.

Importing this package registers every check of `check` (the network walk).
"""

from collections.abc import Collection

from dnssec_doctor.checks import expiry, links, resolver, servers, walk
from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.checks.registry import run_checks
from dnssec_doctor.model.findings import Finding

__all__ = ["expiry", "links", "resolver", "run_chain_checks", "servers", "walk"]


def run_chain_checks(context: ChainContext, disabled: Collection[str] = ()) -> list[Finding]:
    """Every enabled check of the network walk over *context*."""
    return run_checks(context, disabled)
