"""Fuzzing zone files: the reader with its C extension and without it give the same
records or the same one-line error on any text, and never another exception (issue 17).

The texts are helpers/zone_fuzz.py's: generated zones, valid and broken, with long
strings and names, \\DDD escapes, parentheses, $ORIGIN and $TTL, then mutated.  A
longer run: ``FUZZ_EXAMPLES=N pytest tests/properties/test_fuzz_zonefile.py``; a
million inputs: ``bench/fuzz_zonefile.py``.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.zonefile import reader
from helpers.zone_fuzz import ORIGINS, compare, zone_text

needs_c = pytest.mark.skipif(
    not reader.c_reader_enabled() and not os.environ.get("CI"),
    reason="the C extension _czone is not built: there is one path only",
)


@needs_c
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.randoms(use_true_random=False), st.sampled_from(ORIGINS))
def test_c_and_python_read_a_zone_file_alike(rng: random.Random, origin: str | None) -> None:
    text = zone_text(rng)
    c, python = compare(text, origin)
    assert c[0] != "traceback" and python[0] != "traceback", (c, python, text[:2000])
    assert c == python, f"C and Python readers differ on {text[:2000]!r}"


@pytest.mark.parametrize("seed", range(200))
def test_seeded_zone_texts_read_without_traceback(seed: int) -> None:
    """Fixed seeds, so a run without Hypothesis' search covers the same inputs."""
    text = zone_text(random.Random(seed))
    for origin in ORIGINS:
        c, python = compare(text, origin)
        assert "traceback" not in (c[0], python[0]), (c, python, text[:2000])
        assert c == python
