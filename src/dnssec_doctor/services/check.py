"""One check, end to end: options in, Report out (collect → analyze → diagnose).

The command line only parses and renders; everything a check does lives here, so the
demo, the tests and later the monitor run exactly the same procedure.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import dns.exception
import dns.name
import dns.rdatatype

from dnssec_doctor import defaults
from dnssec_doctor.collect.anchors import (
    DEFAULT_ROOT_HINTS,
    DEFAULT_TRUST_ANCHORS,
    AnchorFileError,
    load_root_hints,
    load_trust_anchors,
)
from dnssec_doctor.collect.transport import (
    DEFAULT_TIMEOUT,
    NetworkTransport,
    public_only,
    refusal_reason,
    sendable,
)
from dnssec_doctor.collect.walk import collect_from_evidence, collect_sync
from dnssec_doctor.model import evidence as ev
from dnssec_doctor.model.collection import Collection

if TYPE_CHECKING:
    from dnssec_doctor.collect.shared import SharedWalks
    from dnssec_doctor.model.report import Report

DEFAULT_WARN_DAYS = defaults.WARN_DAYS
_RELATIVE = re.compile(r"^([+-])(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

#: What the analysis needs beyond the walk (cryptography, our validators), leaves first
#: so that each step is short. A check loads them while the walk waits for answers.
ANALYSIS_MODULES = (
    "cryptography.hazmat.primitives.asymmetric.ec",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "cryptography.hazmat.primitives.asymmetric.ed448",
    "dnssec_doctor.validate.fastsig",
    "dnssec_doctor.validate.rrsig",
    "dnssec_doctor.validate.ds",
    "dnssec_doctor.validate.nsec3",
    "dnssec_doctor.analyze.answers",
    "dnssec_doctor.checks",
    "dnssec_doctor.analyze.core",
    "dnssec_doctor.diagnose",
    "dnssec_doctor.model.report",
)


class CheckError(Exception):
    """Bad input or an unreadable file: the message is one line that says what to fix."""


class AddressRefused(CheckError):
    """The check would start at addresses its address policy refuses (a lab's, for a
    public checker): nothing was asked."""


#: Which server addresses a check may send to (collect/transport.py: ``sendable``, the
#: command line's; ``public_only``, a public checker's).
AddressPolicy = Callable[[str], bool]


def address_policy(*, allow_private: bool) -> AddressPolicy:
    """A public checker's policy (public addresses only), or a lab's (any unicast)."""
    return sendable if allow_private else public_only


class CheckOptions(NamedTuple):
    name: str
    qtype: str = "A"
    trust_anchor_file: Path | None = None
    root_hints_file: Path | None = None
    resolver: str | None = None
    at: str | None = None  # ISO 8601, or relative to now/the evidence: +3d, -12h
    warn_days: float = DEFAULT_WARN_DAYS
    port: int = 53
    timeout: float = DEFAULT_TIMEOUT
    stubs: tuple[ev.Stub, ...] = ()
    disabled: tuple[str, ...] = ()  # check ids or sets left out (model/checks.py)
    addresses: AddressPolicy = sendable  # every server address is asked only if it passes
    shared: SharedWalks | None = None  # a run's shared answers and server limits


def parse_name(text: str) -> dns.name.Name:
    if not text:
        raise CheckError("an empty name is not a domain name (the root is '.')")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise CheckError(f"a domain name has no control characters: {text[:100]!r}")
    try:
        name = dns.name.from_text(text)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise CheckError(f"not a valid domain name: {text[:100]!r} ({error})") from error
    return name


def parse_type(text: str) -> dns.rdatatype.RdataType:
    try:
        rdtype = dns.rdatatype.from_text(text)
    except (dns.exception.DNSException, ValueError) as error:
        raise CheckError(f"not a DNS record type: {text!r}") from error
    if dns.rdatatype.is_metatype(rdtype) or rdtype in (
        dns.rdatatype.RRSIG,
        dns.rdatatype.NSEC,
        dns.rdatatype.NSEC3,
    ):
        raise CheckError(f"{text} cannot be checked as an answer type")
    return rdtype


def parse_at(text: str | None, base: datetime) -> datetime:
    """An absolute ISO 8601 time, or +N/-N with a unit (s m h d w) relative to *base*."""
    if text is None or text == "now":
        return base
    span = f"--at must lie within {ev.EARLIEST_AT.year}-{ev.LATEST_AT.year}: {text[:100]!r}"
    relative = _RELATIVE.match(text.strip())
    try:
        if relative:
            sign, amount, unit = relative.groups()
            delta = timedelta(seconds=float(amount) * _UNITS[unit])
            moment = base + delta if sign == "+" else base - delta
        else:
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError as error:
                raise CheckError(
                    f"--at wants ISO 8601 (2026-12-01T00:00Z) or +3d/-12h: {text[:100]!r}"
                ) from error
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
    except OverflowError as error:  # beyond what a datetime holds
        raise CheckError(span) from error
    if not ev.in_time_range(moment):
        raise CheckError(span)
    return moment


def anchors_and_hints(options: CheckOptions) -> tuple[list[str], list[ev.RootHint]]:
    """The trust anchors and root hints a check starts from (CheckError: a file that
    does not load)."""
    try:
        anchors = (
            load_trust_anchors(options.trust_anchor_file)
            if options.trust_anchor_file
            else list(DEFAULT_TRUST_ANCHORS)
        )
        hints = (
            load_root_hints(options.root_hints_file)
            if options.root_hints_file
            else list(DEFAULT_ROOT_HINTS)
        )
    except AnchorFileError as error:
        raise CheckError(str(error)) from error
    return anchors, hints


SYSTEM = "system"


def parse_resolver(text: str) -> tuple[str, int | None]:
    """``--resolver``: ``ADDR`` (IPv4 or IPv6), ``ADDR:PORT`` (IPv4), ``[V6]:PORT`` or
    ``system``; the address and the port (None: the walk's own). Raises ValueError with
    one line for anything else (a name, a missing or bad port, stray brackets)."""
    import ipaddress

    def address(part: str, version: int | None = None) -> str:
        try:
            ip = ipaddress.ip_address(part)
        except ValueError:
            raise ValueError(
                f"--resolver {text[:100]!r}: {part[:100]!r} is not an IP address"
            ) from None
        if version is not None and ip.version != version:
            raise ValueError(f"--resolver {text[:100]!r}: write IPv6 with a port as [V6]:PORT")
        return str(ip)

    def port(part: str) -> int:
        if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= 65535:
            raise ValueError(f"--resolver {text[:100]!r}: the port must be 1-65535")
        return int(part)

    if text == SYSTEM:
        return SYSTEM, None
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise ValueError(f"--resolver {text[:100]!r}: expected [V6]:PORT")
        return address(inside, 6), port(rest[1:])
    if text.count(":") == 1:
        host, _, tail = text.partition(":")
        return address(host, 4), port(tail)
    return address(text), None


def system_resolver(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """The first nameserver of resolv.conf: what `--resolver system` asks."""
    try:
        lines = resolv_conf.read_text().splitlines()
    except OSError as error:
        raise CheckError(
            f"--resolver system: cannot read {resolv_conf}: {error.strerror}"
        ) from error
    for line in lines:
        fields = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            return fields[1].split("%", 1)[0]  # drop an IPv6 zone index
    raise CheckError(f"--resolver system: no nameserver line in {resolv_conf}")


def check_shared_inputs(options: CheckOptions) -> None:
    """What every check of a run reads alike (the trust anchor and root hints files,
    --resolver, --at, --disable): bad input is one CheckError before any walk."""
    parse_at(options.at, datetime.now(UTC))
    known_checks(options.disabled)
    anchors_and_hints(options)
    if options.resolver is not None:
        try:
            parse_resolver(options.resolver)
        except ValueError as error:
            raise CheckError(str(error)) from error


def probe(options: CheckOptions, *, analysis_next: bool = False) -> Collection:
    """Collect the evidence for a check from the network (*analysis_next*: load the
    analysis while the walk waits for answers)."""
    name = parse_name(options.name)
    rdtype = parse_type(options.qtype)
    anchors, hints = anchors_and_hints(options)
    resolver, resolver_port = (None, None)
    if options.resolver is not None:
        try:
            resolver, resolver_port = parse_resolver(options.resolver)
        except ValueError as error:
            raise CheckError(str(error)) from error
        if resolver == SYSTEM:
            resolver = system_resolver()
    _start_allowed(options, hints, resolver)
    shared = options.shared
    network = NetworkTransport(
        port=options.port,
        timeout=options.timeout,
        resolver_port=resolver_port,
        allow=options.addresses,
        limiter=shared.limiter if shared is not None else None,
    )
    transport = shared.transport(network, options.port) if shared is not None else network
    try:
        return collect_sync(
            name,
            rdtype,
            root_hints=hints,
            trust_anchors=anchors,
            transport=transport,
            resolver=resolver,
            stubs=options.stubs,
            meanwhile=_loading(ANALYSIS_MODULES) if analysis_next else (),
        )
    except ValueError as error:  # a trust anchor that does not parse
        raise CheckError(str(error)) from error


def _start_allowed(options: CheckOptions, hints: list[ev.RootHint], resolver: str | None) -> None:
    """Refuse, before asking anything, a check whose start the policy forbids: no root
    hint it may ask, or a resolver it may not (deeper servers the walk meets are not
    asked and named in the report's problems instead)."""
    policy = options.addresses
    starts = [a for s in options.stubs for a in s.addresses] or [h.address for h in hints]
    if starts and not any(policy(address) for address in starts):
        shown = ", ".join(f"{a} ({refusal_reason(a)})" for a in starts[:3])
        raise AddressRefused(
            f"refused: the walk would start at {shown}; this checker asks only public "
            "addresses (a lab needs --allow-private)"
        )
    if resolver is not None and not policy(resolver):
        raise AddressRefused(
            f"refused: --resolver {resolver} is {refusal_reason(resolver)}; this checker asks "
            "only public addresses (a lab needs --allow-private)"
        )


def _loading(modules: tuple[str, ...]) -> list[Callable[[], object]]:
    return [functools.partial(importlib.import_module, module) for module in modules]


def report_for(collection: Collection, options: CheckOptions, began: float) -> Report:
    from dnssec_doctor.analyze.core import analyze
    from dnssec_doctor.diagnose import diagnose
    from dnssec_doctor.model.report import Report

    at = parse_at(options.at, collection.evidence.at)
    analysis = analyze(collection, int(at.timestamp()), options.warn_days, options.disabled)
    return Report(collection, analysis, diagnose(analysis, collection), time.monotonic() - began)


def known_checks(disabled: tuple[str, ...]) -> None:
    """A --disable that names no check or set is bad input: say so before the walk."""
    from dnssec_doctor import checks
    from dnssec_doctor.model.checks import CheckError as RegistryError

    try:
        checks.registered(disabled)
    except RegistryError as error:
        raise CheckError(f"--disable: {error} (see: dnssec-doctor checks)") from error


def run_check(options: CheckOptions) -> Report:
    began = time.monotonic()
    parse_at(options.at, datetime.now(UTC))  # a bad --at is bad input: say so before the walk
    known_checks(options.disabled)
    return report_for(probe(options, analysis_next=True), options, began)


def load_evidence(path: Path) -> ev.Evidence:
    try:
        return ev.load(path)
    except FileNotFoundError as error:
        raise CheckError(f"no such evidence file: {path}") from error
    except OSError as error:
        raise CheckError(f"cannot read {path}: {error.strerror}") from error
    except ev.EvidenceError as error:
        raise CheckError(f"{path}: {error}") from error


def _same_question(query: ev.Query, options: CheckOptions) -> None:
    """Evidence answers only its own question: another name or type is refused, not
    silently replaced by the evidence's."""
    asked = (parse_name(options.name), parse_type(options.qtype))
    if asked != (query.qname, query.rdtype):
        raise CheckError(
            f"the evidence holds {query.name} {query.type}, not "
            f"{asked[0]} {dns.rdatatype.to_text(asked[1])}: check that name and type"
        )


def check_evidence(path: Path, options: CheckOptions) -> Report:
    """Analyse saved evidence instead of the network (the same walk, replayed)."""
    began = time.monotonic()
    parse_at(options.at, datetime.now(UTC))
    known_checks(options.disabled)
    evidence = load_evidence(path)
    _same_question(evidence.query, options)
    collection = asyncio.run(collect_from_evidence(evidence))
    return report_for(collection, options, began)
