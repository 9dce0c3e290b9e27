"""`ds`: the DS lifecycle. This branch wires only `ds push` (cli/ds_push.py); show,
compare and disable-plan are added beside it."""

from __future__ import annotations

from dnssec_doctor.cli import ds_push
from dnssec_doctor.cli.common import Parser, Subcommands, add_command, print_help


def register(commands: Subcommands) -> None:
    ds = add_command(commands, "ds", "the DS records at the parent: push")
    ds.set_defaults(run=lambda _: print_help(ds))
    sub = ds.add_subparsers(metavar="ACTION", parser_class=Parser)
    ds_push.add_parser(sub)


__all__ = ["register"]
