"""What every command shares: failing with one line, writing output, argument types, the
options several commands take."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from dnssec_doctor import defaults
from dnssec_doctor.exitcodes import ExitCode

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console
    from rich.table import Table

    from dnssec_doctor.services.check import CheckOptions

PROG = "dnssec-doctor"


class CommandFailed(Exception):
    """Ends a command with one line on stderr and an exit code (never a traceback)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.UNKNOWN) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: ExitCode = ExitCode.UNKNOWN) -> NoReturn:
    raise CommandFailed(message, code)


class Parser(argparse.ArgumentParser):
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


def print_table(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> Console:
    """A plain table (no box, bold header) on the report console; the console, for
    what follows it. The first column, what a row is named by, is never wrapped."""
    from rich.table import Table

    table: Table = Table(box=None, pad_edge=False, header_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0)
    for row in rows:
        table.add_row(*row)
    out = report_console()
    out.print(table)
    return out


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


# -- options shared by several commands ------------------------------------------------


def add_walk_options(parser: argparse.ArgumentParser, *, timeout: float) -> None:
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


def RESOLVER(text: str) -> str:
    """``--resolver``, checked before anything is asked (a usage error, exit 3): the
    text itself, which the service splits into address and port."""
    from dnssec_doctor.services.check import parse_resolver

    try:
        parse_resolver(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--resolver ")) from None
    return text


def add_resolver(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resolver",
        type=RESOLVER,
        metavar="ADDR",
        help="validating resolver to ask with and without +cd: ADDR, ADDR:PORT, [V6]:PORT, "
        "or 'system' (resolv.conf's first nameserver) [default: none asked]",
    )


def add_time_options(parser: argparse.ArgumentParser) -> None:
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


#: What a command's register() adds its parser to.
Subcommands: TypeAlias = "argparse._SubParsersAction[Parser]"  # not subscriptable at run time


def add_command(commands: Subcommands, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` opens with its one-line summary as a sentence."""
    return commands.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:] + ".", allow_abbrev=False
    )


def print_help(parser: argparse.ArgumentParser) -> ExitCode:
    write_stdout(parser.format_help())
    return ExitCode.OK


def check_options(args: argparse.Namespace, *, at: str | None, warn_days: float) -> CheckOptions:
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
        disabled=tuple(getattr(args, "disable", None) or ()),
    )
