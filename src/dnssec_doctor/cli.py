"""The `dnssec-doctor` command line: parse, call, render. Nothing else lives here.

Plain argparse, for two reasons. A check is often run many times in a row (monitoring,
a shell loop at 3 a.m.): the command line must not cost more than the check, and a
framework (typer, click, rich's help) cost more start-up than the whole walk on a fast
network. And a usage error is bad input like any other: one line on stderr and exit 3
(UNKNOWN), never 2, which monitoring reads as CRITICAL.

Commands import what they need when they run: a check does not pay at start-up for the
lab, the zone-file verifier, or rich (only the text renderers need it).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dnssec_doctor import __version__, defaults
from dnssec_doctor.excerpt import bounded_excerpt
from dnssec_doctor.exitcodes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from dnssec_doctor.services.check import CheckOptions

PROG = "dnssec-doctor"


class CommandFailed(Exception):
    """Ends a command with one line on stderr and an exit code (never a traceback)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.UNKNOWN) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: ExitCode = ExitCode.UNKNOWN) -> NoReturn:
    raise CommandFailed(message, code)


class _Parser(argparse.ArgumentParser):
    """argparse with our exit codes: a usage error is one line and exit 3."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see: {self.prog} --help)")


# -- output ------------------------------------------------------------------------------


def _silence_stdout() -> None:
    """The reader went away (``| head``): drop the rest of the report, keep the verdict's
    exit code (the default handling would exit 1, which here means WARNING)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):  # not a real file (tests): no descriptor
        os.dup2(devnull, sys.stdout.fileno())


def write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def report_console() -> Console:
    """A rich console on stdout for the text reports (imported only when one is printed)."""
    from rich.console import Console

    class ReportConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            _silence_stdout()

    # Off a terminal (pipes, CI logs, monitoring) lines must not be wrapped at 80 columns.
    width = None if sys.stdout.isatty() else 160
    return ReportConsole(file=sys.stdout, highlight=False, width=width, soft_wrap=True)


# -- argument types ----------------------------------------------------------------------


def _bounded(
    kind: Callable[[str], float], low: float, high: float | None = None
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:100]!r} is not a number") from None
        if not math.isfinite(value):  # nan passes every comparison below
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < low or (high is not None and value > high):
            span = f"at least {low:g}" if high is None else f"{low:g}-{high:g}"
            raise argparse.ArgumentTypeError(f"{text!r} is out of range ({span})")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in some messages
    return parse


PORT = _bounded(int, 1, 65535)
#: --warn-days beyond ten years warns of nothing a signer plans for.
MAX_WARN_DAYS = 3650.0
#: --timeout beyond a minute lets one silent server hold a check (and a daemon) for minutes.
MAX_TIMEOUT = 60.0
WARN_DAYS = _bounded(float, 0, MAX_WARN_DAYS)
TIMEOUT = _bounded(float, 0.05, MAX_TIMEOUT)
JOBS = _bounded(int, 1)


def default_lab_dir() -> Path:
    """Per user: $XDG_RUNTIME_DIR (private by definition), else a name in the temporary
    directory that carries the user's id (a shared fixed path could be another user's)."""
    import tempfile

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "dnssec-doctor-lab"
    base = Path(os.environ.get("TMPDIR", tempfile.gettempdir()))
    return base / f"dnssec-doctor-lab-{os.geteuid()}"


# -- the parser --------------------------------------------------------------------------


def _add_walk_options(parser: argparse.ArgumentParser, *, timeout: float) -> None:
    """Where the walk starts and how it asks: shared by check, probe and verify."""
    parser.add_argument(
        "--trust-anchor",
        type=Path,
        metavar="FILE",
        help="DS/DNSKEY records (zone-file format) to trust [default: IANA root KSKs]",
    )
    parser.add_argument(
        "--root-hints",
        type=Path,
        metavar="FILE",
        help="named.root-style hints file [default: the IANA root servers]",
    )
    parser.add_argument(
        "--port", type=PORT, default=53, help="query every server on this port [default: 53]"
    )
    parser.add_argument(
        "--timeout",
        type=TIMEOUT,
        default=timeout,
        metavar="SECONDS",
        help=f"seconds to wait for each answer [default: {timeout:g}]",
    )


def _add_resolver(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resolver",
        metavar="ADDR",
        help="validating resolver to ask with and without +cd; 'system': resolv.conf's "
        "first nameserver [default: none asked]",
    )


def _add_time_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at", metavar="TIME", help="analyse as of this time: ISO 8601, or +3d / -12h from now"
    )
    parser.add_argument(
        "--warn-days",
        type=WARN_DAYS,
        default=defaults.WARN_DAYS,
        metavar="DAYS",
        help=f"warn when signatures expire within this many days [default: {defaults.WARN_DAYS:g}]",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Find the broken link in a domain's DNSSEC chain of trust, name the cause, "
        "print the fix.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(metavar="COMMAND", parser_class=_Parser)

    check = _command(
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
    _add_walk_options(check, timeout=defaults.QUERY_TIMEOUT)
    _add_resolver(check)
    _add_time_options(check)
    check.add_argument("--json", action="store_true", help="print the versioned JSON report")
    check.add_argument("-v", "--verbose", action="store_true", help="INFO findings and every query")
    check.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="analyse saved evidence (from probe) instead of the network",
    )
    check.set_defaults(run=_check)

    probe = _command(
        commands,
        "probe",
        "collect the evidence (every query and answer, byte for byte) without analysing it",
    )
    probe.add_argument("name", metavar="NAME", help="the domain name to probe")
    probe.add_argument("qtype", metavar="TYPE", nargs="?", default="A", help="[default: A]")
    probe.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE",
        help="where to write the evidence (JSON)",
    )  # fmt: skip
    _add_walk_options(probe, timeout=defaults.QUERY_TIMEOUT)
    _add_resolver(probe)
    probe.set_defaults(run=_probe)

    verify = _command(
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
    _add_time_options(verify)
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
    _add_walk_options(verify, timeout=5.0)
    verify.add_argument("-v", "--verbose", action="store_true", help="INFO findings too")
    verify.set_defaults(run=_verify)

    demo = _command(
        commands,
        "demo",
        "start the built-in lab, check every scenario, compare with what it declares, stop",
    )
    demo.add_argument(
        "--port",
        type=PORT,
        default=defaults.BUILTIN_LAB_PORT,
        help=f"port for the built-in lab [default: {defaults.BUILTIN_LAB_PORT}]",
    )
    demo.set_defaults(run=_demo)

    lab = _command(
        commands, "lab", "a private signed DNS tree with chosen faults, served on 127.53.0.0/16"
    )
    lab_commands = lab.add_subparsers(metavar="COMMAND", parser_class=_Parser)
    lab.set_defaults(run=lambda _: _print_help(lab))

    up = _command(lab_commands, "up", "build a lab and start serving it in the background")
    _add_lab_dir(up)
    up.add_argument(
        "--servers",
        choices=("builtin", "real"),
        default="builtin",
        help="builtin: our own server, no root; real: named, NSD, Knot [default: builtin]",
    )
    up.add_argument(
        "--port", type=PORT, help="port the servers listen on [default: 5300 builtin, 53 real]"
    )
    up.set_defaults(run=_lab_up)

    down = _command(
        lab_commands,
        "down",
        "stop the lab started from DIR: only the processes and addresses it added",
    )
    _add_lab_dir(down)
    down.set_defaults(run=_lab_down)

    listing = _command(
        lab_commands,
        "list",
        "list the scenarios: query, expected outcome, cause, where the chain breaks",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_lab_list)

    parser.set_defaults(run=lambda _: _print_help(parser))
    return parser


def _command(
    commands: argparse._SubParsersAction[_Parser], name: str, summary: str
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` opens with its one-line summary as a sentence."""
    return commands.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:] + ".", allow_abbrev=False
    )


def _add_lab_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        dest="directory",
        type=Path,
        default=None,
        metavar="DIR",
        help="lab directory (zone files, manifest, logs, state) "
        "[default: $TMPDIR/dnssec-doctor-lab]",
    )


def _print_help(parser: argparse.ArgumentParser) -> ExitCode:
    write_stdout(parser.format_help())
    return ExitCode.OK


def _values_joined(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--at -12h`` as ``--at=-12h``: argparse would take ``-12h`` for an option.

    Every option that takes a value takes the next word, whatever it looks like."""
    takes_value = {
        flag
        for action in _all_actions(parser)
        if action.option_strings and action.nargs is None and action.const is None
        for flag in action.option_strings
        if flag.startswith("--")
    }
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            joined.append(word)
            joined.extend(words)
            break
        if word in takes_value:
            following = next(words, None)
            joined.append(word if following is None else f"{word}={following}")
        else:
            joined.append(word)
    return joined


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions.extend(_all_actions(sub))
    return actions


# -- the commands ------------------------------------------------------------------------


def _check_options(args: argparse.Namespace, *, at: str | None, warn_days: float) -> CheckOptions:
    from dnssec_doctor.services.check import CheckOptions

    return CheckOptions(
        name=args.name,
        qtype=args.qtype,
        trust_anchor_file=args.trust_anchor,
        root_hints_file=args.root_hints,
        resolver=args.resolver,
        at=at,
        warn_days=warn_days,
        port=args.port,
        timeout=args.timeout,
    )


def _check(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import CheckError, check_evidence, run_check

    options = _check_options(args, at=args.at, warn_days=args.warn_days)
    try:
        report = check_evidence(args.evidence, options) if args.evidence else run_check(options)
    except CheckError as error:
        fail(str(error))
    if args.json:
        from dnssec_doctor.render import json_report

        write_stdout(json_report.render(report))
    else:
        from dnssec_doctor.render import text as text_report

        text_report.render(report, report_console(), verbose=args.verbose)
    return report.exit_code


def _probe(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.model.evidence import save as save_evidence
    from dnssec_doctor.services.check import CheckError, probe

    options = _check_options(args, at=None, warn_days=0)
    try:
        collection = probe(options)
        save_evidence(collection.evidence, args.output)
    except CheckError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {args.output}: {error.strerror}")
    exchanges = collection.evidence.exchanges
    write_stdout(
        f"Saved {len(exchanges)} exchanges with {len({e.server for e in exchanges})} servers "
        f"to {args.output}; analyse with: {PROG} check {args.name} {args.qtype} "
        f"--evidence {args.output}\n"
    )
    return ExitCode.OK


def _verify(args: argparse.Namespace) -> ExitCode:
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
    )
    try:
        report = run_verify(options)
    except VerifyError as error:
        fail(str(error))
    if args.json:
        from dnssec_doctor.zonefile import report_json as verify_json

        write_stdout(verify_json.render(report))
    else:
        from dnssec_doctor.zonefile import report_text as verify_text

        verify_text.render(report, report_console(), verbose=args.verbose)
    return report.exit_code


def _demo(args: argparse.Namespace) -> ExitCode:
    import tempfile

    from dnssec_doctor.lab import runner
    from dnssec_doctor.lab.demo import demo_run

    out = report_console()
    with tempfile.TemporaryDirectory(prefix="dnssec-doctor-demo-") as tmp:
        try:
            running = runner.up(Path(tmp), "builtin", args.port)
        except runner.LabError as error:
            fail(str(error))
        try:
            out.print(runner.describe(running), markup=False)
            out.print()
            results = demo_run(running, out)
        finally:
            out.print(runner.down(Path(tmp)), markup=False)
    if not all(results):
        fail(
            f"{results.count(False)} scenario(s) were not diagnosed as declared", ExitCode.CRITICAL
        )
    return ExitCode.OK


def _lab_up(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.lab import runner

    try:
        running = runner.up(args.directory or default_lab_dir(), args.servers, args.port)
    except runner.LabError as error:
        fail(str(error))
    write_stdout(runner.describe(running) + "\n")
    return ExitCode.OK


def _lab_down(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.lab import runner

    try:
        stopped = runner.down(args.directory or default_lab_dir())
    except runner.LabError as error:
        fail(str(error))
    write_stdout(stopped + "\n")
    return ExitCode.OK


def _lab_list(args: argparse.Namespace) -> ExitCode:
    from dataclasses import asdict

    from dnssec_doctor.lab.catalog import catalog

    entries = catalog()
    if args.json:
        import json

        write_stdout(json.dumps([asdict(e) for e in entries], indent=2) + "\n")
        return ExitCode.OK
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("scenario", "query", "expected", "cause", "breaks at"):
        table.add_column(column)
    colours = {"secure": "green", "insecure": "yellow", "bogus": "red"}
    for e in entries:
        outcome = f"[{colours[e.outcome]}]{e.outcome}[/]" + (" (warn)" if e.warn else "")
        table.add_row(e.id, f"{e.qname} {e.qtype}", outcome, e.cause, e.break_at or "-")
    report_console().print(table)
    return ExitCode.OK


# -- entry point -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (the console script exits with it)."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_values_joined(words, parser))
        return int(args.run(args))
    except CommandFailed as failure:
        # One line, and bounded: a message may quote the input (a name, a path, a value).
        sys.stderr.write(f"{PROG}: {bounded_excerpt(' '.join(str(failure).split()), 500)}\n")
        sys.stderr.flush()
        return int(failure.code)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return int(ExitCode.UNKNOWN)
    except Exception as error:  # the last net: a bug is one line and UNKNOWN, never exit 1
        what = " ".join(str(error).split())[:200]
        sys.stderr.write(f"{PROG}: internal error: {type(error).__name__}: {what}, please report\n")
        sys.stderr.flush()
        return int(ExitCode.UNKNOWN)


def entry() -> NoReturn:
    """The installed command: :func:`main`, then exit without tearing the interpreter
    down (freeing every module and object costs a check 30 ms and changes nothing: the
    commands close their own files, servers and workers before they return)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
