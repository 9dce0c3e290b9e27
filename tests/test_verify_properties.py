"""Mutated zone text never crashes verify: a report or one ZoneLoadError line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.zonefile.load import ZoneLoadError
from dnssec_doctor.zonefile.run import verify_file
from zonefiles.signing import bind_sign, have

pytestmark = pytest.mark.skipif(not have("dnssec-signzone"), reason="bind9-utils not installed")


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    signed = bind_sign(tmp_path_factory.mktemp("prop"), "nsec3", "-3", "-")
    return signed.path.read_text().splitlines()


@st.composite
def mutations(draw: st.DrawFn, n: int) -> list[tuple[str, int, int, str]]:
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["drop", "dup", "char", "cut"]),
                st.integers(0, n - 1),
                st.integers(0, 200),
                st.sampled_from(list('A0=.;( )\\"*-Z9')),
            ),
            min_size=1,
            max_size=4,
        )
    )


def _apply(lines: list[str], ops: list[tuple[str, int, int, str]]) -> str:
    out = list(lines)
    for op, i, j, ch in ops:
        i %= len(out) or 1
        if not out:
            break
        if op == "drop":
            del out[i]
        elif op == "dup":
            out.insert(i, out[i])
        elif op == "char" and out[i]:
            k = j % len(out[i])
            out[i] = out[i][:k] + ch + out[i][k + 1 :]
        elif op == "cut":
            out = out[: i + 1]
            out[-1] = out[-1][: j % (len(out[-1]) + 1)]
    return "\n".join(out) + "\n"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_zone_never_crashes(lines: list[str], data: st.DataObject, tmp_path: Path) -> None:
    path = tmp_path / "mutated.zone"
    path.write_text(_apply(lines, data.draw(mutations(len(lines)))))
    for reference in (False, True):  # the fast reader, and dnspython's
        try:
            report = verify_file(str(path), int(time.time()), reference=reference)
        except ZoneLoadError as error:
            assert "\n" not in str(error)
            continue
        assert int(report.exit_code) in (0, 1, 2)
