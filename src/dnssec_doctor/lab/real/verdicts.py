"""What the reference validators conclude: Unbound (via its AD bit) and BIND's delv."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from dnssec_doctor.lab.manifest import RECURSOR_ADDRESS, UNBOUND_ADDRESS, LabManifest, Outcome
from dnssec_doctor.lab.real.errors import RealLabError, find_binary
from dnssec_doctor.lab.real.layout import TRUST_ANCHORS_CONF

UNBOUND_TIMEOUT = 20.0  # a lab with silent servers makes Unbound wait out their timeouts
UNBOUND_RETRY = 3.0  # like a stub resolver, ask again if no answer came within this time
DELV_TIMEOUT = 60.0


@dataclass(frozen=True)
class Verdict:
    """A validator's conclusion, the line it was read from, and everything it printed."""

    outcome: Outcome
    summary: str
    raw: str


DelvVerdict = Verdict
UnboundVerdict = Verdict


def ask_unbound(
    manifest: LabManifest, qname: str, qtype: str, port: int = 53, cd: bool = False
) -> Verdict:
    """NOERROR/NXDOMAIN with AD: secure; without AD: insecure; SERVFAIL: bogus.

    With *cd* (Checking Disabled, RFC 4035 3.2.2) Unbound answers without validating:
    an answer then means the servers are fine and DNSSEC alone fails the name."""
    del manifest  # the address is fixed (manifest.UNBOUND_ADDRESS); kept for a uniform API
    query = dns.message.make_query(qname, dns.rdatatype.from_text(qtype), want_dnssec=True)
    query.flags |= dns.flags.AD  # RFC 6840 5.7: ask for AD without needing the records
    if cd:
        query.flags |= dns.flags.CD
    response = _ask_with_retries(query, port, f"{qname} {qtype}")
    rcode = response.rcode()
    ad = bool(response.flags & dns.flags.AD)
    summary = f"{dns.rcode.to_text(rcode)}{' AD' if ad else ''}{' (CD)' if cd else ''}"
    if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        outcome = Outcome.SECURE if ad else Outcome.INSECURE
    elif rcode == dns.rcode.SERVFAIL:
        outcome = Outcome.BOGUS
    else:
        raise RealLabError(f"Unbound answered {qname} {qtype} with {summary}: no verdict")
    return Verdict(outcome, summary, response.to_text())


def _ask_with_retries(query: dns.message.Message, port: int, what: str) -> dns.message.Message:
    deadline = time.monotonic() + UNBOUND_TIMEOUT
    while True:
        try:
            response, _ = dns.query.udp_with_fallback(
                query, UNBOUND_ADDRESS, port=port, timeout=UNBOUND_RETRY
            )
            return response
        except dns.exception.Timeout as exc:
            if time.monotonic() >= deadline:
                raise RealLabError(
                    f"Unbound at {UNBOUND_ADDRESS}:{port} did not answer {what} "
                    f"within {UNBOUND_TIMEOUT:g} s"
                ) from exc
        except OSError as exc:
            raise RealLabError(f"Unbound at {UNBOUND_ADDRESS}:{port}: {what}: {exc}") from exc


def run_delv(
    manifest: LabManifest,
    qname: str,
    qtype: str,
    port: int = 53,
    trace: bool = False,
    anchors: Path | None = None,
) -> Verdict:
    """delv through the lab's non-validating recursor, validating with the lab's root anchor
    (or the BIND ``trust-anchors`` file *anchors*: an operator's old or wrong one).

    *trace* adds +vtrace (validation steps, on stderr) to the raw output.
    """
    anchors = anchors or Path(manifest.directory) / TRUST_ANCHORS_CONF
    argv = [
        find_binary("delv"),
        f"@{RECURSOR_ADDRESS}",
        "-p",
        str(port),
        "-4",
        "-a",
        str(anchors),
        "+root=.",
        qname,
        qtype,
    ]
    if trace:
        argv.append("+vtrace")
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=DELV_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RealLabError(f"delv {qname} {qtype} took longer than {DELV_TIMEOUT:g} s") from exc
    raw = result.stdout + result.stderr
    return parse_delv(raw, f"delv {qname} {qtype}")


def parse_delv(output: str, what: str = "delv") -> Verdict:
    """Read delv 9.18's verdict from its comment lines.

    A failure anywhere wins: for a CNAME into a bogus zone delv prints the CNAME as
    "; fully validated" and then ";; resolution failed" for the target, and the answer as a
    whole is bogus (a validating resolver answers SERVFAIL).  "resolution failed: ncache
    nxdomain" (or nxrrset) is no failure: delv says so for every negative answer, then
    whether the negative response validated.
    """
    lines = [line.strip() for line in output.splitlines()]
    for text in lines:
        if text.startswith(";; resolution failed") and ": ncache " not in text:
            return Verdict(Outcome.BOGUS, text, output)
    for text in lines:
        if text in ("; fully validated", "; negative response, fully validated"):
            return Verdict(Outcome.SECURE, text, output)
        if text in ("; unsigned answer", "; negative response, unsigned answer"):
            return Verdict(Outcome.INSECURE, text, output)
    last = " | ".join(output.strip().splitlines()[-3:]) or "no output"
    raise RealLabError(f"{what}: no verdict in delv's output: {last}")
