"""`checks`: list the registered checks (id, command, set, finding codes, RFC) that
`check` and `verify` run."""

from __future__ import annotations

import argparse

from dnssec_doctor.cli.common import Subcommands, add_command, print_table, write_stdout
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    listing = add_command(
        commands,
        "checks",
        "list the checks that check and verify run: id, command, set, the finding codes "
        "each may emit, RFC",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.checks import registered_checks

    sets, registered = registered_checks()
    if args.json:
        import json

        entries = [
            {
                "id": c.id,
                "command": c.command,
                "set": c.set,
                "codes": sorted(c.codes),
                "rfc": c.rfc,
                "summary": c.summary,
            }
            for c in registered
        ]
        write_stdout(json.dumps({"sets": sets, "checks": entries}, indent=2) + "\n")
        return ExitCode.OK
    out = print_table(
        ("check", "run by", "set", "rfc", "finding codes"),
        ((c.id, c.command, c.set, c.rfc, ", ".join(sorted(c.codes))) for c in registered),
    )
    out.print(
        "\nLeave one out: check NAME --disable CHECK, verify ZONEFILE --disable CHECK "
        "(or a set of that command: --disable resolver, --disable denial)."
    )
    return ExitCode.OK
