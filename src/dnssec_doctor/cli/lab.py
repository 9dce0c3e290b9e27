"""`lab up`, `lab down`, `lab list`: the private signed DNS tree with chosen faults."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor.cli.common import (
    PORT,
    Parser,
    Subcommands,
    add_command,
    default_lab_dir,
    fail,
    print_help,
    print_table,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    lab = add_command(
        commands, "lab", "a private signed DNS tree with chosen faults, served on 127.53.0.0/16"
    )
    lab_commands = lab.add_subparsers(metavar="COMMAND", parser_class=Parser)
    lab.set_defaults(run=lambda _: print_help(lab))

    up = add_command(lab_commands, "up", "build a lab and start serving it in the background")
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

    down = add_command(
        lab_commands,
        "down",
        "stop the lab started from DIR: only the processes and addresses it added",
    )
    _add_lab_dir(down)
    down.set_defaults(run=_lab_down)

    listing = add_command(
        lab_commands,
        "list",
        "list the scenarios: query, expected outcome, cause, where the chain breaks",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_lab_list)


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
    colours = {"secure": "green", "insecure": "yellow", "bogus": "red"}
    print_table(
        ("scenario", "query", "expected", "cause", "breaks at", "signer"),
        (
            (
                e.id,
                f"{e.qname} {e.qtype}",
                f"[{colours[e.outcome]}]{e.outcome}[/]" + (" (warn)" if e.warn else ""),
                e.cause,
                e.break_at or "-",
                e.signer,
            )
            for e in entries
        ),
    )
    return ExitCode.OK
