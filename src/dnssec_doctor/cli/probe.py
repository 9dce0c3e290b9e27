"""`probe`: collect the evidence of a check and save it, without analysing it."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    PROG,
    Subcommands,
    add_command,
    add_resolver,
    add_walk_options,
    check_options,
    fail,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode


def register(commands: Subcommands) -> None:
    probe = add_command(
        commands,
        "probe",
        "collect the evidence (every query and answer, byte for byte) without analysing it",
    )
    probe.add_argument("name", metavar="NAME", help="the domain name to probe")
    probe.add_argument("qtype", metavar="TYPE", nargs="?", default="A", help="[default: A]")
    probe.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE",
        help="where to write the evidence (JSON)",
    )  # fmt: skip
    add_walk_options(probe, timeout=defaults.QUERY_TIMEOUT)
    add_resolver(probe)
    probe.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.model.evidence import save as save_evidence
    from dnssec_doctor.services.check import CheckError, probe

    options = check_options(args, at=None, warn_days=0)
    try:
        collection = probe(options)
        save_evidence(collection.evidence, args.output)
    except CheckError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {args.output}: {error.strerror}")
    exchanges = collection.evidence.exchanges
    write_stdout(
        f"Saved {len(exchanges)} exchanges with {len({e.server for e in exchanges})} servers "
        f"to {args.output}; analyse with: {PROG} check {args.name} {args.qtype} "
        f"--evidence {args.output}\n"
    )
    return ExitCode.OK
