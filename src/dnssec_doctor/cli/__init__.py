"""The `dnssec-doctor` command line: parse, call, render. Nothing else lives here.

Plain argparse, for two reasons. A check is often run many times in a row (monitoring,
a shell loop at 3 a.m.): the command line must not cost more than the check, and a
framework (typer, click, rich's help) cost more start-up than the whole walk on a fast
network. And a usage error is bad input like any other: one line on stderr and exit 3
(UNKNOWN), never 2, which monitoring reads as CRITICAL.

One module per command (`check.py`, `probe.py`, ...): its ``register()`` adds the
parser, its ``run()`` calls the services layer and a renderer. A new command is a new
module and one entry in COMMANDS. Commands import what they need when they run: a check
does not pay at start-up for the lab, the zone-file verifier, or rich.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from dnssec_doctor import __version__, dnsfeatures
from dnssec_doctor.cli import cds, check, checks, demo, ds, lab, monitor, probe, scan, serve, verify
from dnssec_doctor.cli.common import PROG, CommandFailed, Parser, print_help
from dnssec_doctor.excerpt import bounded_excerpt
from dnssec_doctor.exitcodes import ExitCode

#: The commands in the order --help lists them: each module's register() adds its parser.
COMMANDS = (check, scan, probe, verify, ds, cds, checks, monitor, serve, demo, lab)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Find the broken link in a domain's DNSSEC chain of trust, name the cause, "
        "print the fix.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    parser.set_defaults(run=lambda _: print_help(parser))
    return parser


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


def prepare_process() -> None:
    """What the command's own process does before dnspython loads, and a library import
    must not: stand in for dnspython's feature check (11 ms of every start, see
    dnsfeatures)."""
    dnsfeatures.install()


def entry() -> NoReturn:
    """The installed command: :func:`main`, then exit without tearing the interpreter
    down (freeing every module and object costs a check 30 ms and changes nothing: the
    commands close their own files, servers and workers before they return)."""
    prepare_process()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
