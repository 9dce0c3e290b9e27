"""The check registry: every check declared once, with its id, set, codes and RFC.

A check is a function from a context to findings. ``@register(...)`` is its one
registry line; the analysis runs :func:`run_checks` over the registry (by set, then id:
:func:`ordered`), leaving out the disabled ones. A check may emit only the codes it
declares: a finding with another code is a programming error, refused where it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Generic, NamedTuple, TypeVar

from dnssec_doctor.model.findings import REGISTRY as CODES
from dnssec_doctor.model.findings import Finding

Context = TypeVar("Context")
CheckFunction = Callable[[Context], Iterable[Finding]]

#: The sets a check belongs to: what part of the chain it looks at.
SETS = {
    "chain": "the links DS → DNSKEY → RRSIG from the trust anchor to the answer",
    "servers": "each authoritative server against its peers",
    "signatures": "signature lifetimes: what expires, and when",
    "walk": "the walk itself: referrals, limits, what could not be asked",
    "resolver": "the compared validating resolver, with and without checking disabled",
}


class CheckError(Exception):
    """A check broke its declaration (a programming error, not bad input)."""


class Check(NamedTuple, Generic[Context]):
    id: str  # family.name, stable: a public interface (docs/checks.md)
    set: str  # one of SETS
    codes: frozenset[str]  # the finding codes it may emit
    rfc: str
    summary: str
    run: Callable[[Context], Iterable[Finding]]


REGISTRY: dict[str, Check[object]] = {}


def register(
    id: str, *, set: str, codes: Iterable[str], rfc: str, summary: str
) -> Callable[[CheckFunction[Context]], CheckFunction[Context]]:
    """Declare the decorated function as the check *id*."""
    claimed = frozenset(codes)

    def add(function: CheckFunction[Context]) -> CheckFunction[Context]:
        if id in REGISTRY:
            raise CheckError(f"check {id} registered twice")
        if set not in SETS:
            raise CheckError(f"check {id}: unknown set {set!r}")
        unknown = sorted(c for c in claimed if c not in CODES)
        if unknown or not claimed:
            raise CheckError(f"check {id}: unregistered or no finding codes {unknown}")
        REGISTRY[id] = Check(id, set, claimed, rfc, summary, function)  # type: ignore[arg-type]  # the registry holds checks of every context
        return function

    return add


def selected(disabled: Collection[str] = ()) -> list[Check[object]]:
    """The registered checks in order, without *disabled* (ids or sets)."""
    unknown = sorted(d for d in disabled if d not in REGISTRY and d not in SETS)
    if unknown:
        raise CheckError(f"no such check or set: {', '.join(unknown)}")
    return [c for c in ordered() if c.id not in disabled and c.set not in disabled]


def ordered() -> list[Check[object]]:
    """The registered checks by set (in SETS order, the chain first), then by id."""
    rank = {name: i for i, name in enumerate(SETS)}
    return sorted(REGISTRY.values(), key=lambda c: (rank[c.set], c.id))


def run_checks(context: object, disabled: Collection[str] = ()) -> list[Finding]:
    """Every enabled check over *context*, its findings in check order."""
    found: list[Finding] = []
    for check in selected(disabled):
        for finding in check.run(context):
            if finding.code not in check.codes:
                raise CheckError(f"check {check.id} emitted {finding.code}, not declared")
            found.append(finding)
    return found
