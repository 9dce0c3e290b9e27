"""`ds compare`: the parent's DS at every parent server against the zone's keys."""

from __future__ import annotations

import argparse

from dnssec_doctor.cli.common import Subcommands, add_command, write_stdout
from dnssec_doctor.cli.ds_common import (
    add_digest,
    add_format,
    add_live_options,
    ds_errors,
    live_options,
    output_format,
)
from dnssec_doctor.exitcodes import ExitCode

FORMATS = ("text", "zone", "epp", "json")


def add_parser(subcommands: Subcommands) -> None:
    compare = add_command(
        subcommands,
        "compare",
        "the DS at every parent server against ZONE's keys: matching, stale, missing, and "
        "the exact set to publish",
    )
    compare.add_argument("zone", metavar="ZONE", help="the zone")
    add_digest(compare)
    add_format(compare, FORMATS)
    add_live_options(compare)
    compare.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.ds.compare import compare_live
    from dnssec_doctor.ds.records import parse_digests
    from dnssec_doctor.model.ds_report import CompareOutcome

    with ds_errors():
        report = compare_live(live_options(args, args.zone), parse_digests(args.digest))
    code = {
        CompareOutcome.RIGHT: ExitCode.OK,
        CompareOutcome.CHANGE: ExitCode.WARNING,
        CompareOutcome.BROKEN: ExitCode.CRITICAL,
    }[report.outcome]
    form = output_format(args)
    if form == "json":
        from dnssec_doctor.render.ds_json import render_compare

        write_stdout(render_compare(report, int(code)))
    elif form == "zone":
        from dnssec_doctor.render.ds_text import zone_lines

        write_stdout(zone_lines(report.publish))
    elif form == "epp":
        from dnssec_doctor.render.ds_epp import replace_ds_set

        write_stdout(replace_ds_set(report.publish))
    else:
        from dnssec_doctor.render.ds_text import render_compare as text

        write_stdout(text(report, int(code)))
    return code
