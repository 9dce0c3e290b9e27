"""Waiting until every daemon answers, with a bounded total time."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor.lab.real.errors import RealLabError
from dnssec_doctor.lab.real.process import DaemonSpec, Started, failed_to_start, log_tail
from dnssec_doctor.lab.real.sinkd import READY as SINK_READY

POLL_TIMEOUT = 0.05  # one query; local servers answer within a millisecond once up
POLL_INTERVAL = 0.05


@dataclass
class Pending:
    spec: DaemonSpec
    started: Started
    proc: subprocess.Popen[bytes]
    spawned_at: float
    last: str = "no answer yet"
    ready_after: float | None = None


def wait_ready(pending: list[Pending], port: int, timeout: float) -> dict[str, float]:
    """Poll until each daemon is ready; return seconds from spawn to ready per daemon."""
    deadline = time.monotonic() + timeout
    todo = {p.spec.name: _checks(p.spec) for p in pending}
    while True:
        for p in pending:
            if p.ready_after is not None:
                continue
            code = p.proc.poll()
            if code is not None:
                raise failed_to_start(p.started, f"exited with status {code} while starting")
            checks = todo[p.spec.name]
            while checks and _passes(p, checks[0], port):
                checks.pop(0)
            if not checks:
                p.ready_after = time.monotonic() - p.spawned_at
        if all(p.ready_after is not None for p in pending):
            return {p.spec.name: p.ready_after or 0.0 for p in pending}
        if time.monotonic() > deadline:
            late = next(p for p in pending if p.ready_after is None)
            address, what = todo[late.spec.name][0]
            raise RealLabError(
                f"{address} ({late.spec.name}) did not answer {what} within {timeout:g} s "
                f"(last: {late.last}; config {late.spec.config}, log {late.spec.log}): "
                f"{log_tail(late.spec.log)}"
            )
        time.sleep(POLL_INTERVAL)


def _checks(spec: DaemonSpec) -> list[tuple[str, str]]:
    """(address, what) pairs: "SOA zone" for authoritative servers, else a liveness probe."""
    if spec.kind == "sink":
        return [(a, "sink") for a in spec.addresses]
    if spec.zones:
        return [(address, f"SOA {origin}") for address, origin in spec.zones]
    return [(a, "version.bind CH TXT") for a in spec.addresses]


def _passes(p: Pending, check: tuple[str, str], port: int) -> bool:
    address, what = check
    if what == "sink":
        ok = SINK_READY in p.spec.log.read_text(errors="replace")
        p.last = "sink not bound yet" if not ok else "ok"
        return ok
    if what.startswith("SOA "):
        query = dns.message.make_query(what[4:], dns.rdatatype.SOA)
        query.flags &= ~dns.flags.RD
    else:
        query = dns.message.make_query("version.bind", dns.rdatatype.TXT, dns.rdataclass.CH)
    try:
        response = dns.query.udp(query, address, port=port, timeout=POLL_TIMEOUT)
    except (dns.exception.Timeout, OSError) as exc:
        p.last = type(exc).__name__
        return False
    rcode = dns.rcode.to_text(response.rcode())
    if what.startswith("SOA "):
        # a zone that failed to load draws SERVFAIL or REFUSED: not ready (yet)
        ok = rcode == "NOERROR" and bool(response.flags & dns.flags.AA) and bool(response.answer)
        p.last = "ok" if ok else f"{rcode}{' AA' if response.flags & dns.flags.AA else ''}"
        return ok
    p.last = rcode
    return True
