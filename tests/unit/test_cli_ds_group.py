"""`ds` is a group: a subcommand module is one entry in cli.ds.SUBCOMMANDS, with
``add_parser(subparsers)`` and ``run(args)`` (how `ds push` joins it)."""

from __future__ import annotations

import argparse
import types

import pytest

from dnssec_doctor.cli import build_parser, ds
from dnssec_doctor.cli.common import Subcommands, add_command
from dnssec_doctor.exitcodes import ExitCode
from helpers.cli_helpers import invoke


def _module() -> types.ModuleType:
    module = types.ModuleType("ds_example")

    def add_parser(subcommands: Subcommands) -> None:
        add_command(subcommands, "example", "an example subcommand").add_argument("zone")

    def run(args: argparse.Namespace) -> ExitCode:
        return ExitCode.WARNING

    module.add_parser = add_parser  # type: ignore[attr-defined]
    module.run = run  # type: ignore[attr-defined]
    return module


def test_a_new_subcommand_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _module()
    monkeypatch.setattr(ds, "SUBCOMMANDS", (*ds.SUBCOMMANDS, module))
    args = build_parser().parse_args(["ds", "example", "example.test."])
    assert args.run is module.run and args.zone == "example.test."
    assert invoke(["ds", "example", "example.test."]).exit_code == 1


def test_the_group_lists_its_subcommands() -> None:
    result = invoke(["ds"])
    assert result.exit_code == 0
    for name in ("show", "compare", "disable-plan"):
        assert name in result.stdout
    assert invoke(["ds", "nonsense"]).exit_code == 3
