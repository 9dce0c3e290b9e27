"""`verify`: verify a signed zone file or zone transfer before it is published."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    JOBS,
    Subcommands,
    add_command,
    add_time_options,
    add_walk_options,
    fail,
    report_console,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    verify = add_command(
        commands,
        "verify",
        "verify a signed zone file (or a zone transfer) completely before it is published",
    )
    verify.add_argument(
        "zonefile",
        metavar="ZONEFILE",
        help="the signed zone file ('-': standard input); with --axfr, the zone's name",
    )
    verify.add_argument(
        "--origin", help="the zone's name [default: the file's $ORIGIN or SOA owner]"
    )
    add_time_options(verify)
    verify.add_argument(
        "--ds",
        type=Path,
        metavar="FILE",
        help="DS records the parent has or will have (zone-file format)",
    )
    verify.add_argument(
        "--ds-from-parent",
        action="store_true",
        help="fetch the DS the parent publishes (walk from --root-hints, as check does)",
    )
    verify.add_argument(
        "--axfr", metavar="ADDR", help="verify a zone transfer from this server address instead"
    )
    verify.add_argument("--json", action="store_true", help="print the versioned JSON report")
    verify.add_argument(
        "--jobs", type=JOBS, metavar="N", help="processes verifying signatures [default: all cores]"
    )
    add_walk_options(verify, timeout=defaults.VERIFY_TIMEOUT)
    verify.add_argument("-v", "--verbose", action="store_true", help="INFO findings too")
    verify.add_argument(
        "--disable",
        action="append",
        metavar="CHECK",
        help="leave out this check or set of checks (repeatable; list: dnssec-doctor checks)",
    )
    verify.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.verify import VerifyError, VerifyOptions, run_verify

    options = VerifyOptions(
        source=args.zonefile,
        origin=args.origin,
        at=args.at,
        warn_days=args.warn_days,
        ds_file=args.ds,
        jobs=args.jobs,
        axfr=args.axfr,
        ds_from_parent=args.ds_from_parent,
        port=args.port,
        timeout=args.timeout,
        trust_anchor_file=args.trust_anchor,
        root_hints_file=args.root_hints,
        disabled=tuple(args.disable or ()),
    )
    try:
        report = run_verify(options)
    except VerifyError as error:
        fail(str(error))
    if args.json:
        from dnssec_doctor.render import verify_json

        write_stdout(verify_json.render(report))
    else:
        from dnssec_doctor.render import verify_text

        verify_text.render(report, report_console(), verbose=args.verbose)
    return report.exit_code
