"""`ds show`: the DS of a zone's keys, live or from key/zone files (dnssec-dsfromkey's)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from dnssec_doctor.cli.common import Subcommands, add_command, fail, write_stdout
from dnssec_doctor.cli.ds_common import (
    add_digest,
    add_format,
    add_live_options,
    ds_errors,
    live_options,
    output_format,
)
from dnssec_doctor.exitcodes import ExitCode

FORMATS = ("text", "zone", "epp", "epp-keydata", "json")


def _ttl(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"{text[:50]!r} is not a TTL (0-2147483647 s)")
    return int(text)


def add_parser(subcommands: Subcommands) -> None:
    show = add_command(
        subcommands,
        "show",
        "the DS of every SEP key of ZONE (live), or of key files or a zone file (offline)",
    )
    show.add_argument("zone", metavar="ZONE", nargs="?", help="the zone (live, or to check "
                      "the files' owner)")  # fmt: skip
    show.add_argument(
        "--key",
        type=Path,
        action="append",
        metavar="FILE",
        help="a K<zone>+<alg>+<tag>.key file (repeatable): offline, as dnssec-dsfromkey FILE",
    )
    show.add_argument(
        "--zone-file",
        metavar="FILE",
        help="the zone file: offline, its apex SEP keys, as dnssec-dsfromkey -f FILE",
    )
    show.add_argument("--origin", metavar="ZONE", help="the zone file's origin if it does not say")
    add_digest(show)
    show.add_argument(
        "--ttl", type=_ttl, metavar="SECONDS", help="a TTL in the DS lines (dnssec-dsfromkey -T)"
    )
    add_format(show, FORMATS)
    add_live_options(show)
    show.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.ds.live import zone_name
    from dnssec_doctor.ds.records import parse_digests, show_key_files, show_zone_file
    from dnssec_doctor.services.check import CheckError, parse_at

    if args.key and args.zone_file:
        fail("give --key FILE(s) or --zone-file FILE, not both")
    if not args.key and not args.zone_file and not args.zone:
        fail("give ZONE (live), --key FILE or --zone-file FILE (see: dnssec-doctor ds show --help)")
    with ds_errors():
        digests = parse_digests(args.digest)
        try:
            at = int(parse_at(args.at, datetime.now(UTC)).timestamp())
        except CheckError as error:
            fail(str(error))
        if args.key:
            report = show_key_files(args.key, digests, at, args.ttl)
        elif args.zone_file:
            origin = args.origin or args.zone
            report = show_zone_file(args.zone_file, digests, at, origin=origin, ttl=args.ttl)
        else:
            from dnssec_doctor.ds.show import show_live

            report = show_live(live_options(args, args.zone), digests, args.ttl)
        if args.zone and zone_name(args.zone).to_text() != report.zone:
            fail(f"the keys are of {report.zone}, not {zone_name(args.zone).to_text()}")
    write_stdout(_render(report, output_format(args)))
    return ExitCode.OK if report.keys else ExitCode.WARNING


def _render(report: object, form: str) -> str:
    from dnssec_doctor.model.ds_report import ShowReport

    assert isinstance(report, ShowReport)
    forms = [d for k in report.keys for d in k.ds]
    if form == "json":
        from dnssec_doctor.render.ds_json import render_show

        return render_show(report)
    if form == "zone":
        from dnssec_doctor.render.ds_text import zone_lines

        return zone_lines(forms)
    if form == "epp":
        from dnssec_doctor.render.ds_epp import create_ds_data

        return create_ds_data(forms)
    if form == "epp-keydata":
        from dnssec_doctor.render.ds_epp import create_key_data

        return create_key_data(report.keys)
    from dnssec_doctor.render.ds_text import render_show as text

    return text(report)
