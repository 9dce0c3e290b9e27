"""The fuzz targets of issue 17 beside the zone-file reader's: each input the project
reads, as a way to draw one from a ``random.Random`` and a way to run it.

``run`` returns an outcome word (how the input was taken: read, refused, the referral
kind, ...) and raises for a bug.  tests/properties/test_fuzz_inputs.py runs a few
hundred of each; bench/fuzz_inputs.py a million.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from helpers import cli_fuzz, file_fuzz, message_fuzz


class Target(NamedTuple):
    draw: Callable[[random.Random], Any]
    run: Callable[[Any], str]
    about: str


@cache
def _cli_folder() -> tuple[Path, tuple[str, ...]]:
    """One folder per process with the files command lines name; also its working
    directory for the run (a store named relatively lands there)."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-cli-"))
    return folder, cli_fuzz.input_files(folder)


def _draw_cli(rng: random.Random) -> list[str]:
    return cli_fuzz.command_line(rng, _cli_folder()[1])


def _run_cli(argv: list[str]) -> str:
    with cli_fuzz.in_folder(_cli_folder()[0]):
        return cli_fuzz.judge(argv, cli_fuzz.run_command_line(argv))


TARGETS: dict[str, Target] = {
    "messages": Target(
        message_fuzz.hostile_reply,
        message_fuzz.exercise,
        "a server's reply: the collector's judgement and referral reading, the rules",
    ),
    "anchors": Target(file_fuzz.anchor_text, file_fuzz.read_anchors, "--trust-anchor files"),
    "hints": Target(file_fuzz.hints_text, file_fuzz.read_hints, "--root-hints files"),
    "config": Target(file_fuzz.config_text, file_fuzz.read_config, "the monitor's TOML config"),
    "cli": Target(_draw_cli, _run_cli, "command lines, network shut"),
}
