"""Fuzzing every input beside zone files and evidence (issue 17): a server's replies,
trust-anchor and root-hints files, the monitor's config, command lines.  Each input is
taken or refused with the input's own one-line error; nothing else may happen.

The targets are tests/helpers/fuzz_targets.py's.  Here: fixed seeds (the same inputs on
every run) and a Hypothesis search; ``FUZZ_EXAMPLES=N`` for a longer one.  A million
inputs per target: ``bench/fuzz_inputs.py TARGET``.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import cli_fuzz
from helpers.fuzz_targets import TARGETS

#: seeded inputs per target on every run, and how each target must be able to end:
#: a fuzzer whose inputs are all refused at the first byte would test nothing
SEEDED = {"messages": 400, "anchors": 400, "hints": 400, "config": 400, "cli": 150}
REACHED = {
    "messages": {"malformed", "answer", "referral", "lame"},
    "anchors": {"read", "refused"},
    "hints": {"read", "refused"},
    "config": {"read", "refused"},
    "cli": {"accepted", "refused"},
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeded_inputs_are_taken_or_refused(target: str) -> None:
    draw, run, _ = TARGETS[target]
    outcomes: Counter[str] = Counter()
    for seed in range(SEEDED[target]):
        outcomes[run(draw(random.Random(seed)))] += 1
    assert REACHED[target] <= set(outcomes), outcomes


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(st.sampled_from(sorted(TARGETS)), st.randoms(use_true_random=False))
def test_any_drawn_input_is_taken_or_refused(target: str, rng: random.Random) -> None:
    draw, run, _ = TARGETS[target]
    run(draw(rng))


def test_the_cli_fuzzer_shuts_the_network(tmp_path: Path) -> None:
    """A command line that would walk the chain stops where the transport is made, so
    the fuzzer sends nothing; outside the guard the transport is made again."""
    from dnssec_doctor.collect.transport import NetworkTransport

    cli_fuzz.input_files(tmp_path)
    lab = [
        "--root-hints",
        str(tmp_path / "root.hints"),
        "--trust-anchor",
        str(tmp_path / "root.key"),
    ]
    outcome = cli_fuzz.run_command_line(["check", "www.example.", *lab])
    assert outcome.code == 3
    assert any("WouldSend" in line for line in outcome.errors), outcome
    assert cli_fuzz.judge(["check"], outcome) == "accepted"
    NetworkTransport(port=5300)  # restored


def test_the_cli_fuzzer_reports_an_internal_error_as_a_bug() -> None:
    with pytest.raises(AssertionError, match="internal error"):
        cli_fuzz.judge(["x"], cli_fuzz.Outcome(3, ("dnssec-doctor: internal error: KeyError",)))
    with pytest.raises(AssertionError, match="no ExitCode"):
        cli_fuzz.judge(["x"], cli_fuzz.Outcome(7, ()))
