"""The check registry: every check declared once, with its id, command, set, codes, RFC.

A check is a function from a context to findings. ``@register(...)`` is its one
registry line; each command runs :func:`run_checks` over its own checks (by set, then
id: :func:`ordered`), leaving out the disabled ones.  ``check``'s checks take the
chain's :class:`~dnssec_doctor.checks.context.ChainContext` (``checks/``);
``verify``'s take the zone file's
:class:`~dnssec_doctor.zonefile.context.ZoneContext` (``zonefile/checks.py``).

A check that runs inside ``verify``'s streaming read (in the worker processes, node by
node) is a *stage*: :func:`declare` registers it without a function, and the read
hands what it found to :func:`admit`.  Either way a check may emit only the codes it
declares: a finding with another code is a programming error, refused where it is
made.

The registry lives in ``model`` because both ``checks`` (analysis) and ``zonefile``
declare checks in it, and neither may import the other (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Generic, NamedTuple, TypeVar

from dnssec_doctor.model.findings import REGISTRY as CODES
from dnssec_doctor.model.findings import Finding, FindingCode

Context = TypeVar("Context")
CheckFunction = Callable[[Context], Iterable[Finding]]

#: The commands that run registered checks, and each one's sets: what part of the
#: chain, or of the zone file, a check looks at.  Set names are per command.
SETS: dict[str, dict[str, str]] = {
    "check": {
        "chain": "the links DS → DNSKEY → RRSIG from the trust anchor to the answer",
        "servers": "each authoritative server against its peers",
        "signatures": "signature lifetimes: what expires, and when",
        "walk": "the walk itself: referrals, limits, what could not be asked",
        "resolver": "the compared validating resolver, with and without checking disabled",
        "keys": "the DS set at the parent and the keys: leftovers, digest types, algorithms, "
        "rollovers in progress",
        "denial": "the NSEC3 parameters the servers' denial proofs use (RFC 9276)",
    },
    "verify": {
        "structure": "the zone's shape: signed at all, data below zone cuts",
        "signatures": "every authoritative RRset signed, every RRSIG judged, expiry",
        "keys": "the DNSKEY RRset: who signs it, the DS, algorithms and key sizes",
        "denial": "the NSEC or NSEC3 chain and its parameters",
        "parent": "the DS the parent publishes (--ds-from-parent)",
    },
}


class CheckError(Exception):
    """A check broke its declaration (a programming error, not bad input), or a name to
    leave out names no check or set (bad input: :func:`selected`)."""


class Check(NamedTuple, Generic[Context]):
    id: str  # family.name, stable: a public interface (docs/checks.md)
    command: str  # the command that runs it: a key of SETS
    set: str  # one of SETS[command]
    codes: frozenset[FindingCode]  # the finding codes it may emit
    rfc: str
    summary: str
    #: the function over the command's context; None: a stage of verify's read
    run: Callable[[Context], Iterable[Finding]] | None


REGISTRY: dict[str, Check[object]] = {}


def _add(
    id: str,
    command: str,
    set: str,
    codes: Iterable[FindingCode],
    rfc: str,
    summary: str,
    run: Callable[[Context], Iterable[Finding]] | None,
) -> Check[object]:
    claimed = frozenset(codes)
    if id in REGISTRY:
        raise CheckError(f"check {id} registered twice")
    if command not in SETS:
        raise CheckError(f"check {id}: unknown command {command!r}")
    if set not in SETS[command]:
        raise CheckError(f"check {id}: unknown set {set!r} of {command}")
    unknown = sorted(c for c in claimed if c not in CODES)
    if unknown or not claimed:
        raise CheckError(f"check {id}: unregistered or no finding codes {unknown}")
    check = Check(id, command, set, claimed, rfc, summary, run)
    REGISTRY[id] = check  # type: ignore[assignment]  # the registry holds checks of every context
    return check  # type: ignore[return-value]


def register(
    id: str,
    *,
    set: str,
    codes: Iterable[FindingCode],
    rfc: str,
    summary: str,
    command: str = "check",
) -> Callable[[CheckFunction[Context]], CheckFunction[Context]]:
    """Declare the decorated function as the check *id* of *command*."""

    def add(function: CheckFunction[Context]) -> CheckFunction[Context]:
        _add(id, command, set, codes, rfc, summary, function)
        return function

    return add


def declare(
    id: str,
    *,
    set: str,
    codes: Iterable[FindingCode],
    rfc: str,
    summary: str,
    command: str = "verify",
) -> Check[object]:
    """Declare the stage *id*: a check that runs inside a command's read, not over its
    context; what it finds goes through :func:`admit`."""
    return _add(id, command, set, codes, rfc, summary, None)


def selected(disabled: Collection[str] = (), command: str = "check") -> list[Check[object]]:
    """The registered checks of *command* in order, without *disabled* (ids or sets)."""
    own = ordered(command)
    names = {c.id for c in own} | set(SETS[command])
    unknown = sorted(d for d in disabled if d not in names)
    if unknown:
        raise CheckError(f"no such check or set of {command}: {', '.join(unknown)}")
    return [c for c in own if c.id not in disabled and c.set not in disabled]


def ordered(command: str | None = None) -> list[Check[object]]:
    """The registered checks of *command* (every command: in SETS order) by set (in
    SETS order, the chain first), then by id."""
    commands = list(SETS)
    rank = {(name, s): i for name in commands for i, s in enumerate(SETS[name])}
    chosen = [c for c in REGISTRY.values() if command is None or c.command == command]
    return sorted(chosen, key=lambda c: (commands.index(c.command), rank[c.command, c.set], c.id))


def admit(check: Check[object], found: Iterable[Finding]) -> list[Finding]:
    """*found*, every finding's code declared by *check* (else :class:`CheckError`)."""
    out = list(found)
    for finding in out:
        if finding.code not in check.codes:
            raise CheckError(f"check {check.id} emitted {finding.code}, not declared")
    return out


def run_checks(
    context: object, disabled: Collection[str] = (), command: str = "check"
) -> list[Finding]:
    """Every enabled check of *command* that runs over *context*, its findings in check
    order (stages, which run inside the read, are not run here)."""
    found: list[Finding] = []
    for check in selected(disabled, command):
        if check.run is not None:
            found += admit(check, check.run(context))
    return found
