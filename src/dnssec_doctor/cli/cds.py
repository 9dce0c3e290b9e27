"""`cds parent`: act as the parent on the child's CDS/CDNSKEY, with dnssec-cds's options."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    Subcommands,
    add_command,
    add_walk_options,
    fail,
    print_help,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode

#: docs/cds.md: a rejection keeps the DS set (works today; the child's change waits).
EXIT_REJECT = ExitCode.WARNING


def register(commands: Subcommands) -> None:
    from dnssec_doctor.cli.common import Parser

    cds = add_command(commands, "cds", "the parent's side of CDS/CDNSKEY (RFC 7344, RFC 8078)")
    cds.set_defaults(run=lambda _: print_help(cds))
    sub = cds.add_subparsers(metavar="ACTION", parser_class=Parser)
    parent = add_command(
        sub, "parent", "judge the child's CDS/CDNSKEY as the parent, like dnssec-cds (stricter)"
    )
    parent.add_argument("zone", metavar="ZONE", help="the child zone (the delegation point)")
    parent.add_argument(
        "-f", dest="child_file", metavar="CHILD",
        help="the child's DNSKEY, CDS, CDNSKEY and RRSIGs as dig +dnssec +noall +answer "
        "prints them ('-': standard input) [default: ask the child's servers]",
    )  # fmt: skip
    parent.add_argument(
        "-d", dest="dsset", type=Path, metavar="DSSET",
        help="the current DS set: a dsset- file or a directory holding one "
        "[default, live: the parent's servers]",
    )  # fmt: skip
    parent.add_argument(
        "-s", dest="start", metavar="TIME",
        help="reject signatures older than this: YYYYMMDDHHMMSS, -N (before the dsset "
        "file's time), now+N, ISO 8601 [default: the dsset file's modification time]",
    )  # fmt: skip
    flag = parent.add_argument
    flag("-D", dest="prefer_cdnskey", action="store_true",
         help="make the DS set from the CDNSKEY when both are published")  # fmt: skip
    parent.add_argument(
        "-a", dest="digests", action="append", metavar="ALG",
        help="accepted digest type, repeatable: SHA-256, SHA-384 [default: SHA-256]",
    )  # fmt: skip
    flag("-i", dest="in_place", action="store_true",
         help="rewrite the dsset file in place and set its time (no backup)")  # fmt: skip
    flag("-u", dest="nsupdate", action="store_true",
         help="print an nsupdate script instead of the DS set")  # fmt: skip
    flag("-T", dest="ttl", type=int, metavar="TTL",
         help="TTL of the new DS records [default: the old ones', else 3600]")  # fmt: skip
    flag("--at", metavar="TIME",
         help="judge signatures as of this time: ISO 8601, or +3d / -12h from now")  # fmt: skip
    parent.add_argument("--json", action="store_true", help="print the JSON decision")
    add_walk_options(parent, timeout=defaults.QUERY_TIMEOUT)
    parent.set_defaults(run=run)


def _digests(args: argparse.Namespace) -> tuple[int, ...]:
    from dnssec_doctor.ds.cds_parent import parse_digest

    chosen = tuple(dict.fromkeys(parse_digest(t) for t in args.digests or ["SHA-256"]))
    if 1 in chosen:
        fail("-a SHA-1: DS records of digest type 1 are not made or accepted (RFC 9904)")
    return chosen


def run(args: argparse.Namespace) -> ExitCode:
    from datetime import UTC, datetime

    from dnssec_doctor.ds import cds_parent as cp
    from dnssec_doctor.render.cds import ds_lines, render_json, verdict_line
    from dnssec_doctor.services.check import CheckError, CheckOptions, parse_at, parse_name
    from dnssec_doctor.validate.cds import CdsAction

    try:
        zone = parse_name(args.zone)
        at = int(parse_at(args.at, datetime.now(UTC)).timestamp())
        if args.ttl is not None and not 0 <= args.ttl <= 0x7FFFFFFF:
            fail(f"-T {args.ttl}: a TTL is 0-2147483647")
        request = cp.CdsRequest(
            zone=zone, dsset=args.dsset, child_file=args.child_file, start=args.start, at=at,
            digest_types=_digests(args), prefer_cdnskey=args.prefer_cdnskey, ttl=args.ttl,
        )  # fmt: skip
        if args.child_file is not None:
            outcome = cp.decide_offline(request)
        else:
            options = CheckOptions(
                name=zone.to_text(), qtype="SOA", trust_anchor_file=args.trust_anchor,
                root_hints_file=args.root_hints, port=args.port, timeout=args.timeout,
            )  # fmt: skip
            outcome = cp.decide_live(request, options)
        if args.in_place:
            cp.rewrite_dsset(outcome)
    except (cp.CdsInputError, CheckError) as error:
        fail(str(error))
    decision = outcome.decision
    if args.json:
        write_stdout(
            render_json(
                zone, decision, outcome.current, outcome.line_ttl, not_before=outcome.not_before,
                servers=outcome.servers, notes=outcome.notes,
            )
        )  # fmt: skip
    else:
        import sys

        for note in [*outcome.notes, *decision.notes]:
            sys.stderr.write(f"note: {note}\n")
        sys.stderr.write(verdict_line(zone, decision) + "\n")
        if args.nsupdate:
            write_stdout(cp.nsupdate_script(outcome))
        elif not args.in_place and decision.action is not CdsAction.REJECT:
            lines = ds_lines(zone, decision.ds, outcome.line_ttl)
            write_stdout("".join(f"{line}\n" for line in lines))
    return EXIT_REJECT if decision.action is CdsAction.REJECT else ExitCode.OK


__all__ = ["register", "run"]
