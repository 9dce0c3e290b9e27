"""`check`: walk the chain of trust to a name, analyse, diagnose, render."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    JOBS,
    WARN_DAYS,
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

if TYPE_CHECKING:
    from dnssec_doctor.model.scan import Outcome, Target
    from dnssec_doctor.render.nagios import Thresholds


def register(commands: Subcommands) -> None:
    check = add_command(
        commands,
        "check",
        "walk the chain of trust to NAME at every server; name the broken link and the fix",
    )
    check.add_argument(
        "words",
        nargs="+",
        metavar="NAME [TYPE]",
        help="the domain name to check and its record type [default: A] (the zone's SOA is "
        "checked too); several names: NAME [TYPE] NAME [TYPE] ... (a word without a dot is "
        "a type: write a one-label name as 'com.')",
    )
    add_walk_options(check, timeout=defaults.QUERY_TIMEOUT)
    add_resolver(check)
    add_time_options(check)
    check.add_argument("--json", action="store_true", help="print the versioned JSON report")
    check.add_argument("-v", "--verbose", action="store_true", help="INFO findings and every query")
    add_many_options(check)
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


def add_many_options(parser: argparse.ArgumentParser) -> None:
    """What check and scan share for several names and for Nagios."""
    parser.add_argument(
        "--jobs",
        type=JOBS,
        default=defaults.CHECK_JOBS,
        metavar="N",
        help=f"names checked at once (several names) [default: {defaults.CHECK_JOBS}]",
    )
    parser.add_argument(
        "--jsonl",
        type=Path,
        metavar="FILE",
        help="also write one JSON line per name to FILE as each check ends ('-': stdout)",
    )
    parser.add_argument(
        "--nagios",
        action="store_true",
        help="print a Nagios/Icinga plugin status line with perfdata (exit 0/1/2/3)",
    )
    parser.add_argument(
        "--crit-days",
        type=WARN_DAYS,
        metavar="DAYS",
        help="with --nagios: CRITICAL when signatures expire within this many days "
        f"[default: {defaults.CRITICAL_DAYS:g}, or --warn-days if smaller]",
    )


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import CheckError

    try:
        from dnssec_doctor.services.scan import targets_from_words

        targets = targets_from_words(args.words)
    except CheckError as error:
        fail(str(error))
    if len(targets) > 1 or args.nagios or args.jsonl:
        if args.evidence:
            fail("--evidence analyses one saved check: one NAME [TYPE], no --nagios or --jsonl")
        return run_many(args, targets)
    thresholds(args)
    args.name, args.qtype = targets[0].name, targets[0].qtype
    return run_one(args)


def run_one(args: argparse.Namespace) -> ExitCode:
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


def thresholds(args: argparse.Namespace) -> Thresholds:
    """--warn-days and --crit-days for Nagios; critical must not come after warning."""
    from dnssec_doctor.render.nagios import Thresholds

    if args.crit_days is not None and not args.nagios:
        fail("--crit-days is a Nagios threshold: use it with --nagios")
    crit = (
        args.crit_days
        if args.crit_days is not None
        else min(defaults.CRITICAL_DAYS, args.warn_days)
    )
    if crit > args.warn_days:
        fail(
            f"--crit-days {crit:g} is more than --warn-days {args.warn_days:g}: "
            "signatures are critical closer to expiry than they warn"
        )
    return Thresholds(args.warn_days, crit)


def run_many(
    args: argparse.Namespace, targets: list[Target], bad: Sequence[Outcome] = ()
) -> ExitCode:
    """Several names (or --nagios / --jsonl): one run sharing the zones above; *bad*
    are names-file lines that could not be read, reported in their place."""
    import threading

    from dnssec_doctor.model.scan import worst_of
    from dnssec_doctor.services.check import CheckError
    from dnssec_doctor.services.scan import SharedWalks, check_many

    limits = thresholds(args)
    args.name, args.qtype = (targets[0].name, targets[0].qtype) if targets else (".", "A")
    options = check_options(args, at=args.at, warn_days=args.warn_days)
    shared = SharedWalks()
    lock = threading.Lock()
    total = len(targets) + len(bad)
    progress = _Progress(total) if total > 1 and sys.stderr.isatty() else None
    with _jsonl(args.jsonl) as stream:

        def done(outcome: Outcome) -> None:
            with lock:
                if stream is not None:
                    from dnssec_doctor.render.scan_json import line

                    stream.write(line(outcome))
                    stream.flush()
                if progress is not None:
                    progress.step(outcome)

        for outcome in bad:
            done(outcome)
        try:
            checked = check_many(targets, options, jobs=args.jobs, shared=shared, done=done)
        except CheckError as error:
            fail(str(error))
        finally:
            if progress is not None:
                progress.end()
    outcomes = sorted([*bad, *checked], key=lambda o: o.target.line or 0)
    for outcome in bad:
        print(outcome.error, file=sys.stderr)
    if args.nagios:
        from dnssec_doctor.render import nagios

        text, code = nagios.render(outcomes, limits)
        write_stdout(text)
        return code
    if args.json:
        from dnssec_doctor.render import scan_json

        write_stdout(
            scan_json.render(
                outcomes, {"sent": shared.sent, "reused": shared.reused, "derived": shared.derived}
            )
        )
    elif args.jsonl is None or str(args.jsonl) != "-":
        from dnssec_doctor.render import scan_text

        scan_text.render(outcomes, report_console(), verbose=args.verbose)
    return worst_of(outcomes)


class _Progress:
    """On a terminal: one line on stderr, rewritten as each name is done."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.states = {code: 0 for code in ExitCode}

    def step(self, outcome: Outcome) -> None:
        self.done += 1
        self.states[outcome.exit_code] += 1
        tally = " ".join(f"{c.name} {n}" for c, n in self.states.items() if n)
        sys.stderr.write(f"\r{self.done}/{self.total} checked  {tally}\x1b[K")
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


@contextlib.contextmanager
def _jsonl(path: Path | None) -> Iterator[TextIO | None]:
    if path is None:
        yield None
        return
    if str(path) == "-":
        yield sys.stdout
        return
    try:
        stream = path.open("w", encoding="utf-8")
    except OSError as error:
        fail(f"--jsonl: cannot write {path}: {error.strerror}")
    with stream:
        yield stream
