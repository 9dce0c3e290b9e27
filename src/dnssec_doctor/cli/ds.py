"""`ds`: the DS lifecycle, a group of subcommands (the child's show, compare,
disable-plan; push to the parent).

Each subcommand is a module with ``add_parser(subparsers)`` (adds its parser) and
``run(args) -> ExitCode`` (called for it, unless add_parser set another ``run``); a new
one is one more module and one more entry in SUBCOMMANDS.
"""

from __future__ import annotations

from dnssec_doctor.cli import ds_compare, ds_disable_plan, ds_push, ds_show
from dnssec_doctor.cli.common import Parser, Subcommands, add_command, print_help

#: The subcommands in the order ``ds --help`` lists them.
SUBCOMMANDS = (ds_show, ds_compare, ds_disable_plan, ds_push)


def register(commands: Subcommands) -> None:
    group = add_command(
        commands, "ds", "a zone's DS records, the parent's DS set, the emergency plan, DS push"
    )
    subcommands = group.add_subparsers(metavar="SUBCOMMAND", parser_class=Parser)
    for module in SUBCOMMANDS:
        before = set(subcommands.choices)
        module.add_parser(subcommands)
        for name in set(subcommands.choices) - before:  # its run(), unless it set one
            parser = subcommands.choices[name]
            if parser.get_default("run") is None:
                parser.set_defaults(run=module.run)
    group.set_defaults(run=lambda _: print_help(group))
