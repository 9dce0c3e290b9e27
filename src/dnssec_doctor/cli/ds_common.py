"""What the ``ds`` subcommands share: check's walk options for the live ones, the
digest list, the output format, and bad input as one line and exit 3."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import add_walk_options, fail

if TYPE_CHECKING:
    from dnssec_doctor.services.check import CheckOptions


def add_live_options(parser: argparse.ArgumentParser) -> None:
    """``check``'s options: where the walk starts, how it asks, as of when."""
    add_walk_options(parser, timeout=defaults.QUERY_TIMEOUT)
    parser.add_argument(
        "--at", metavar="TIME", help="judge as of this time: ISO 8601, or +3d / -12h from now"
    )


def live_options(args: argparse.Namespace, zone: str) -> CheckOptions:
    from dnssec_doctor.services.check import CheckOptions

    return CheckOptions(
        name=zone,
        qtype="SOA",
        trust_anchor_file=args.trust_anchor,
        root_hints_file=args.root_hints,
        at=args.at,
        port=args.port,
        timeout=args.timeout,
    )


def add_digest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--digest",
        metavar="TYPES",
        help="DS digest types, comma-separated: 2 (SHA-256), 4 (SHA-384), 1 (SHA-1, to "
        "compare only) [default: 2]",
    )


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...]) -> None:
    parser.add_argument(
        "--format",
        choices=choices,
        default="text",
        help=f"output form: {', '.join(choices)} [default: text]",
    )
    parser.add_argument("--json", action="store_true", help="the same as --format json")


def output_format(args: argparse.Namespace) -> str:
    return "json" if args.json else str(args.format)


@contextmanager
def ds_errors() -> Iterator[None]:
    """Bad input or an unreachable zone: one line on stderr, exit 3."""
    from dnssec_doctor.ds.records import DsInputError

    try:
        yield
    except DsInputError as error:
        fail(str(error))
