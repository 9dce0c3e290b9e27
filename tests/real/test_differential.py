"""The differential script's short run (bench/differential.py, one round): every lab
scenario against the session's real lab; our verdict is Unbound's and delv's on all of
them, and our cause the declared one. Its long run is `--rounds N` from the command line."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from dnssec_doctor.lab.real import RealLab
from helpers import TOP

pytestmark = pytest.mark.real


def _differential() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_differential", TOP / "bench" / "differential.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_one_round_agrees_with_the_referees_everywhere(real_lab: RealLab) -> None:
    differential = _differential()
    rows = differential.run_round(real_lab.manifest)
    assert [r.scenario for r in rows] == [s.id for s in real_lab.manifest.scenarios]
    figures = differential.figures(rows)
    off = [differential.line(r) for r in rows if not (r.agrees_unbound and r.agrees_delv)]
    assert figures.verdict_unbound == figures.verdict_delv == figures.checks, off
    wrong = [differential.line(r) for r in rows if not r.agrees_cause]
    assert figures.cause_declared == figures.checks, wrong
    # with CD Unbound answers every bogus name whose servers are fine (DNSSEC is the cause)
    bogus = [r for r in rows if r.unbound == "bogus"]
    assert bogus and all(r.unbound_cd in ("NOERROR", "NXDOMAIN") for r in bogus), [
        differential.line(r) for r in bogus
    ]
