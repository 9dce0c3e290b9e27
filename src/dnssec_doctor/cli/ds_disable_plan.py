"""`ds disable-plan`: the ordered emergency plan from signed to unsigned, with times."""

from __future__ import annotations

import argparse

from dnssec_doctor.cli.common import Subcommands, add_command, write_stdout
from dnssec_doctor.cli.ds_common import add_live_options, ds_errors, live_options
from dnssec_doctor.exitcodes import ExitCode


def add_parser(subcommands: Subcommands) -> None:
    plan = add_command(
        subcommands,
        "disable-plan",
        "the ordered emergency plan to take ZONE out of DNSSEC safely, with times from what "
        "the servers serve now, and the way back",
    )
    plan.add_argument("zone", metavar="ZONE", help="the zone")
    plan.add_argument("--json", action="store_true", help="print the versioned JSON plan")
    add_live_options(plan)
    plan.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.ds.disable_plan import disable_plan_live

    with ds_errors():
        plan = disable_plan_live(live_options(args, args.zone))
    if args.json:
        from dnssec_doctor.render.ds_json import render_disable_plan

        write_stdout(render_disable_plan(plan))
    else:
        from dnssec_doctor.render.ds_text import render_disable_plan

        write_stdout(render_disable_plan(plan))
    return ExitCode.OK
