"""`demo`: start the built-in lab, check every scenario against its declaration, stop."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    PORT,
    Subcommands,
    add_command,
    fail,
    report_console,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    demo = add_command(
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
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
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
