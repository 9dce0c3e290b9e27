"""`ds push ZONE`: replace the DS RRset at the parent (TSIG UPDATE, or a registrar
script), after checking it cannot break the delegation; watch it take effect."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    PORT,
    Subcommands,
    add_command,
    add_walk_options,
    fail,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode

#: --timeout-total beyond an hour: a parent that slow is watched by the monitor, not here.
MAX_TIMEOUT_TOTAL = 3600.0


def _total(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not 0 <= value <= MAX_TIMEOUT_TOTAL:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range (0-{MAX_TIMEOUT_TOTAL:g})")
    return value


def _server(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:100]!r} is not an IP address") from None


def add_parser(subparsers: Subcommands) -> None:
    push = add_command(
        subparsers, "push",
        "replace the DS RRset at the parent (TSIG UPDATE or a registrar script), checked first",
    )  # fmt: skip
    push.add_argument("zone", metavar="ZONE", help="the child zone whose DS set is replaced")
    push.add_argument("--ds", type=Path, required=True, metavar="FILE",
                      help="the new DS set in zone-file lines (as cds parent prints)")  # fmt: skip
    push.add_argument("--server", type=_server, metavar="PRIMARY",
                      help="the parent's primary (IP address): where the UPDATE goes")  # fmt: skip
    push.add_argument("--server-port", type=PORT, metavar="PORT",
                      help="the primary's port [default: --port]")  # fmt: skip
    push.add_argument("--tsig", type=Path, metavar="KEYFILE",
                      help="the TSIG key, as tsig-keygen writes it")  # fmt: skip
    push.add_argument("--command", metavar="PROG",
                      help="instead of an UPDATE: run PROG (words split as by a shell) with the "
                      "JSON DS set on stdin (docs/ds-push.md)")  # fmt: skip
    push.add_argument("--ttl", type=int, metavar="TTL",
                      help="TTL of the DS records [default: the file's, else 3600]")  # fmt: skip
    push.add_argument("--timeout-total", type=_total, default=60.0, metavar="SECONDS",
                      help="how long to watch the parent servers [default: 60]")  # fmt: skip
    push.add_argument("--check-only", action="store_true",
                      help="check the set against the child's servers; push nothing")  # fmt: skip
    push.add_argument("--json", action="store_true", help="print the JSON report")
    add_walk_options(push, timeout=defaults.QUERY_TIMEOUT)
    push.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.ds import push as p
    from dnssec_doctor.services.check import CheckError, CheckOptions, parse_name

    if args.command is not None and (args.server is not None or args.tsig is not None):
        fail("--command replaces --server and --tsig: give one or the other")
    if args.ttl is not None and not 0 <= args.ttl <= 0x7FFFFFFF:
        fail(f"--ttl {args.ttl}: a TTL is 0-2147483647")
    try:
        zone = parse_name(args.zone)
        command = shlex.split(args.command) if args.command is not None else None
        if command == []:
            fail("--command is empty")
        request = p.PushRequest(
            zone=zone, ds_file=args.ds,
            options=CheckOptions(
                name=zone.to_text(), qtype="SOA", trust_anchor_file=args.trust_anchor,
                root_hints_file=args.root_hints, port=args.port, timeout=args.timeout,
            ),
            server=args.server, server_port=args.server_port or args.port, tsig=args.tsig,
            command=command, ttl=args.ttl, timeout_total=args.timeout_total,
            check_only=args.check_only,
        )  # fmt: skip
        outcome = p.push(request)
    except ValueError as error:  # shlex: an unclosed quote
        fail(f"--command: {error}")
    except (p.PushInputError, CheckError) as error:
        fail(str(error))
    except p.PushRefused as error:
        fail(str(error), ExitCode.CRITICAL)
    write_stdout(p.render_json(outcome) if args.json else p.render_text(outcome))
    return ExitCode.OK if outcome.in_effect is not None else ExitCode.WARNING


__all__ = ["add_parser", "run"]
