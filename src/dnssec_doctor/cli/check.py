"""`check`: walk the chain of trust to a name, analyse, diagnose, render."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    Subcommands,
    add_command,
    add_resolver,
    add_time_options,
    add_walk_options,
    check_options,
    fail,
    report_console,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    check = add_command(
        commands,
        "check",
        "walk the chain of trust to NAME at every server; name the broken link and the fix",
    )
    check.add_argument("name", metavar="NAME", help="the domain name to check")
    check.add_argument(
        "qtype",
        metavar="TYPE",
        nargs="?",
        default="A",
        help="record type to check (the zone's SOA is checked too) [default: A]",
    )
    add_walk_options(check, timeout=defaults.QUERY_TIMEOUT)
    add_resolver(check)
    add_time_options(check)
    check.add_argument("--json", action="store_true", help="print the versioned JSON report")
    check.add_argument("-v", "--verbose", action="store_true", help="INFO findings and every query")
    check.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="analyse saved evidence (from probe) instead of the network",
    )
    check.add_argument(
        "--graph",
        type=Path,
        metavar="FILE",
        help="also draw the chain of trust to FILE (.svg, .png or .dot; docs/graph.md)",
    )
    check.add_argument(
        "--disable",
        action="append",
        metavar="CHECK",
        help="leave out this check or set of checks (repeatable; list: dnssec-doctor checks)",
    )
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import CheckError, check_evidence, run_check

    options = check_options(args, at=args.at, warn_days=args.warn_days)
    if args.graph is not None:
        _graph_usable(args.graph)
    try:
        report = check_evidence(args.evidence, options) if args.evidence else run_check(options)
    except CheckError as error:
        fail(str(error))
    if args.graph is not None:
        from dnssec_doctor.render.graph import GraphError, render_graph

        try:
            render_graph(report, args.graph)
        except GraphError as error:
            fail(str(error))
    if args.json:
        from dnssec_doctor.render import check_json

        write_stdout(check_json.render(report))
    else:
        from dnssec_doctor.render import check_text

        check_text.render(report, report_console(), verbose=args.verbose)
    return report.exit_code


def _graph_usable(path: Path) -> None:
    """A bad --graph FILE (extension, no dot for .svg/.png) is a usage error, said before
    the walk."""
    from dnssec_doctor.render.graph import GraphError, graph_format

    try:
        graph_format(path)
    except GraphError as error:
        fail(str(error))
