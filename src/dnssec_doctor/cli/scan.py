"""`scan -f FILE`: check every name of a list in one run (check's engine, shared cache)."""

from __future__ import annotations

import argparse

from dnssec_doctor import defaults
from dnssec_doctor.cli.check import add_many_options, run_many, thresholds
from dnssec_doctor.cli.common import (
    Subcommands,
    add_command,
    add_resolver,
    add_time_options,
    add_walk_options,
    fail,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    scan = add_command(
        commands,
        "scan",
        "check every name of a list (one NAME [TYPE] per line) in one run; exit with the worst",
    )
    scan.add_argument(
        "-f",
        "--file",
        required=True,
        metavar="FILE",
        help="the names: one NAME [TYPE] per line, '#' comments, blank lines skipped; '-': stdin",
    )
    add_walk_options(scan, timeout=defaults.QUERY_TIMEOUT)
    add_resolver(scan)
    add_time_options(scan)
    scan.add_argument("--json", action="store_true", help="print the versioned JSON report")
    scan.add_argument("-v", "--verbose", action="store_true", help="INFO findings and every query")
    add_many_options(scan)
    scan.set_defaults(run=run, disable=None)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import CheckError
    from dnssec_doctor.services.scan import read_names

    thresholds(args)  # threshold nonsense is bad input: say so before reading the list
    try:
        names = read_names(args.file)
    except CheckError as error:
        fail(str(error))
    return run_many(args, names.targets, names.bad)
