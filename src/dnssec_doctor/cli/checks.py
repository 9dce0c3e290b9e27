"""`checks`: list the registered checks (id, set, finding codes, RFC) that `check` runs."""

from __future__ import annotations

import argparse

from dnssec_doctor.cli.common import Subcommands, add_command, report_console, write_stdout
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    listing = add_command(
        commands,
        "checks",
        "list the checks that check runs: id, set, the finding codes each may emit, RFC",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import registered_checks

    sets, registered = registered_checks()
    if args.json:
        import json

        entries = [
            {
                "id": c.id,
                "set": c.set,
                "codes": sorted(c.codes),
                "rfc": c.rfc,
                "summary": c.summary,
            }
            for c in registered
        ]
        write_stdout(json.dumps({"sets": sets, "checks": entries}, indent=2) + "\n")
        return ExitCode.OK
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("check", "set", "rfc", "finding codes"):
        table.add_column(column)
    for c in registered:
        table.add_row(c.id, c.set, c.rfc, ", ".join(sorted(c.codes)))
    out = report_console()
    out.print(table)
    out.print("\nLeave one out: check NAME --disable CHECK (or a set: --disable resolver).")
    return ExitCode.OK
