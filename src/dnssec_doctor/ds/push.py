"""``ds push``: replace the DS RRset at the parent, after checking that it cannot break
the delegation, then watch every parent server until it serves the new set.

The check is ``validate.cds.ds_set_problem`` (the rule ``cds parent`` applies), run on
the DNSKEY RRset of every server of the child's parent-side NS set. The push is an RFC
2136 UPDATE signed with TSIG to the primary, or a registrar script (``--command``,
contract in docs/ds-push.md).
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.name
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.ds.cds_parent import CdsInputError, read_dsset
from dnssec_doctor.render.cds import ds_lines
from dnssec_doctor.services.check import CheckOptions
from dnssec_doctor.validate.cds import child_data, ds_set_problem, ds_text

#: Bytes of a --command's stdout and stderr kept for the report.
MAX_COMMAND_OUTPUT = 4096
JSON_VERSION = 1


class PushInputError(Exception):
    """Bad input or a failed push (exit 3); one line."""


class PushRefused(Exception):
    """The new DS set would break the delegation (exit 2); one line."""


@dataclass
class PushRequest:
    zone: dns.name.Name
    ds_file: Path
    options: CheckOptions  # the walk: --trust-anchor, --root-hints, --port, --timeout
    server: str | None = None
    server_port: int = 53
    tsig: Path | None = None
    command: list[str] | None = None
    ttl: int | None = None
    timeout_total: float = 60.0
    interval: float = 1.0
    check_only: bool = False  # --check-only: the check, no push, no watch


@dataclass
class PushOutcome:
    zone: dns.name.Name
    parent: dns.name.Name
    ds: tuple[DS, ...]
    ttl: int
    checked: tuple[str, ...]  # child servers whose DNSKEY RRset the set validates
    method: str  # "update" or "command"
    pushed_to: str
    served: dict[str, float | None] = field(default_factory=dict)  # seconds after the push
    command_output: str = ""

    @property
    def in_effect(self) -> float | None:
        """Seconds after the push when every parent server served the new set."""
        if self.method == "none":
            return 0.0
        times = list(self.served.values())
        if not times or any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)


def _new_ds(request: PushRequest) -> tuple[tuple[DS, ...], int]:
    try:
        records, ttl = read_dsset(request.ds_file, request.zone)
    except CdsInputError as error:
        raise PushInputError(str(error).replace("-d ", "--ds ", 1)) from error
    if not records:
        raise PushInputError(f"--ds {request.ds_file}: no DS records (removing the DS set is "
                             "not a push: see ds disable-plan)")  # fmt: skip
    return records, request.ttl or ttl or 3600


def check_against_child(
    request: PushRequest, records: tuple[DS, ...]
) -> tuple[dns.name.Name, tuple[str, ...], tuple[str, ...]]:
    """The rule, on every child server's DNSKEY RRset: the parent's name, the child
    servers checked and every parent server address (to watch)."""
    from dnssec_doctor.services.cds import CdsLiveError, fetch_child_signals

    try:
        signals = fetch_child_signals(request.zone, request.options)
    except CdsLiveError as error:
        raise PushInputError(str(error)) from error
    if signals.silent:
        raise PushRefused(
            f"child server {', '.join(signals.silent)} did not answer: the new DS set cannot be "
            "checked against its DNSKEY RRset"
        )
    if not signals.child:
        raise PushRefused("no server of the child's parent-side NS set answered")
    now = int(time.time())
    for server, rrsets in sorted(signals.child.items()):
        data = child_data(request.zone, rrsets)
        if data.dnskey is None:
            raise PushRefused(f"child server {server} serves no DNSKEY RRset")
        problem = ds_set_problem(request.zone, records, data.dnskey, data.dnskey_sigs, now)
        if problem:
            raise PushRefused(f"not pushed: on child server {server}, {problem}")
    return signals.parent, tuple(sorted(signals.child)), signals.parent_servers


def _payload(zone: dns.name.Name, parent: dns.name.Name, records: tuple[DS, ...], ttl: int) -> str:
    return json.dumps({
        "version": JSON_VERSION, "zone": zone.to_text(), "parent": parent.to_text(), "ttl": ttl,
        "ds": ds_lines(zone, records, ttl),
        "records": [
            {"key_tag": d.key_tag, "algorithm": int(d.algorithm),
             "digest_type": int(d.digest_type), "digest": bytes(d.digest).hex().upper()}
            for d in records
        ],
    })  # fmt: skip


def _run_command(request: PushRequest, payload: str) -> str:
    assert request.command is not None
    try:
        done = subprocess.run(
            request.command, input=payload, capture_output=True, text=True,
            timeout=request.timeout_total, check=False,
        )  # fmt: skip
    except FileNotFoundError as error:
        raise PushInputError(f"--command {request.command[0]}: not found") from error
    except PermissionError as error:
        raise PushInputError(f"--command {request.command[0]}: not executable") from error
    except subprocess.TimeoutExpired as error:
        raise PushInputError(
            f"--command {request.command[0]} did not finish within {request.timeout_total:g} s"
        ) from error
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or [""])[0]
        raise PushInputError(
            f"--command {request.command[0]} exited {done.returncode}: {said[:200] or 'no message'}"
        )
    return done.stdout[:MAX_COMMAND_OUTPUT]


def push(request: PushRequest) -> PushOutcome:
    """Read, check, push, watch."""
    from dnssec_doctor.services.ds_push import PushError, load_tsig_key, push_ds

    records, ttl = _new_ds(request)
    key = None
    if request.command is None and not request.check_only:
        if request.server is None or request.tsig is None:
            raise PushInputError("ds push needs --server PRIMARY and --tsig KEYFILE, or --command")
        try:
            key = load_tsig_key(request.tsig)
        except PushError as error:
            raise PushInputError(str(error)) from error
    parent, checked, parent_servers = check_against_child(request, records)
    if request.check_only:
        return PushOutcome(request.zone, parent, records, ttl, checked, "none", "nowhere")
    output = ""
    if key is not None:
        assert request.server is not None
        outcome = push_ds(
            server=request.server, port=request.server_port, parent=parent, zone=request.zone,
            records=list(records), ttl=ttl, key=key, timeout=request.options.timeout * 4,
        )  # fmt: skip
        if outcome.error:
            raise PushInputError(f"the update was not applied: {outcome.error}")
        method, target = "update", f"{request.server} port {request.server_port}"
    else:
        output = _run_command(request, _payload(request.zone, parent, records, ttl))
        method, target = "command", " ".join(request.command or [])
    result = PushOutcome(request.zone, parent, records, ttl, checked, method, target,
                         command_output=output)  # fmt: skip
    watch(request, result, list(parent_servers))
    return result


def watch(request: PushRequest, outcome: PushOutcome, servers: list[str]) -> None:
    """Ask every parent server until each serves exactly the new set, at most
    --timeout-total seconds; each server's time is when it was first seen serving it."""
    from dnssec_doctor.services.ds_push import served_ds

    wanted = frozenset(ds_text(d) for d in outcome.ds)
    began = time.monotonic()
    outcome.served = {s: None for s in servers}
    while True:
        waiting = [s for s, t in outcome.served.items() if t is None]
        if not waiting:
            return
        answers = served_ds(waiting, request.zone, request.options.port, request.options.timeout)
        elapsed = time.monotonic() - began
        for server, served in answers.items():
            if served == wanted:
                outcome.served[server] = round(elapsed, 3)
        if all(t is not None for t in outcome.served.values()):
            return
        if elapsed + request.interval > request.timeout_total:
            return
        time.sleep(request.interval)


def render_text(outcome: PushOutcome) -> str:
    z = outcome.zone.to_text()
    lines = [
        f"{z}: the new DS set validates the DNSKEY RRset of every child server "
        f"({', '.join(outcome.checked)}) for every algorithm in it",
    ]
    if outcome.method == "none":
        return "\n".join([*lines, f"{z}: --check-only: nothing pushed"]) + "\n"
    lines += [
        f"{z}: pushed to {outcome.pushed_to} ({outcome.method}):",
        *(f"  {line}" for line in ds_lines(outcome.zone, outcome.ds, outcome.ttl)),
    ]
    if outcome.command_output.strip():
        lines += [f"  command: {line}" for line in outcome.command_output.strip().splitlines()]
    for server, seconds in sorted(outcome.served.items()):
        state = f"serves it after {seconds:.1f} s" if seconds is not None else "NOT serving it yet"
        lines.append(f"  parent server {server}: {state}")
    if outcome.in_effect is not None:
        lines.append(f"{z}: in effect on every parent server after {outcome.in_effect:.1f} s; "
                     "resolvers that cached the old DS keep it up to its TTL")  # fmt: skip
    else:
        lines.append(f"{z}: not served by every parent server within --timeout-total")
    return "\n".join(lines) + "\n"


def render_json(outcome: PushOutcome) -> str:
    return json.dumps({
        "version": JSON_VERSION, "zone": outcome.zone.to_text(), "parent": outcome.parent.to_text(),
        "ds": ds_lines(outcome.zone, outcome.ds, outcome.ttl), "method": outcome.method,
        "pushed_to": outcome.pushed_to, "checked": list(outcome.checked),
        "served": outcome.served, "in_effect_after": outcome.in_effect,
        "command_output": outcome.command_output,
    }, indent=2) + "\n"  # fmt: skip


__all__ = [
    "PushInputError",
    "PushOutcome",
    "PushRefused",
    "PushRequest",
    "check_against_child",
    "push",
    "render_json",
    "render_text",
]
