"""Mutated zone text never crashes verify: a report or one ZoneLoadError line."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import dns.name
import dns.rdata
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.services.verify import verify_file
from dnssec_doctor.zonefile.chain_nsec import chain_closes, check_nsec_chain, range_chain
from dnssec_doctor.zonefile.load import ZoneLoadError
from dnssec_doctor.zonefile.structure import ZoneShape
from dnssec_doctor.zonefile.wire import canonical_key
from helpers.signing import bind_sign, have
from helpers.validate_support import to_wire

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


_ORIGIN = b"\x07example\x04test\x00"
_LABELS = st.sampled_from([b"a", b"b", b"c", b"host1", b"host10", b"host2", b"*", b"\x00", b"Z"])


def _names() -> st.SearchStrategy[list[bytes]]:
    """Distinct names below ``_ORIGIN``, one to three labels deep (siblings and
    names under other names: both ways of comparing in ``_precedes``)."""
    relative = st.lists(_LABELS, min_size=1, max_size=3).map(
        lambda labels: b"".join(bytes([len(x)]) + x.lower() for x in labels)
    )
    return st.lists(relative, min_size=0, max_size=12, unique=True).map(
        lambda rel: [r + _ORIGIN for r in rel]
    )


def _nsec(next_name: bytes, types: str = "A RRSIG NSEC") -> bytes:
    text = f"{dns.name.from_wire(next_name, 0)[0].to_text()} {types}"
    return to_wire(dns.rdata.from_text("IN", "NSEC", text))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), names=_names())
def test_the_nsec_chain_closes_without_a_sort_exactly_when_the_sorted_check_agrees(
    data: st.DataObject, names: list[bytes]
) -> None:
    """Any NSEC records (pointing at the canonical successor, mostly, with swaps,
    duplicates, missing, repeated and malformed records, wrong bitmaps and names
    that are not in the zone) spread over any ranges in any order: :func:`chain_closes`
    holds exactly when the sorted check finds every name's NSEC and no broken link,
    and the ranges' own findings are the sorted check's others."""
    ordered = sorted([_ORIGIN, *names], key=canonical_key)
    nexts = {n: ordered[(i + 1) % len(ordered)] for i, n in enumerate(ordered)}
    for _ in range(data.draw(st.integers(0, 2))):  # swaps: more than one cycle
        a, b = data.draw(st.sampled_from(ordered)), data.draw(st.sampled_from(ordered))
        nexts[a], nexts[b] = nexts[b], nexts[a]
    for _ in range(data.draw(st.integers(0, 2))):  # a duplicate, a cycle, no such name
        victim = data.draw(st.sampled_from(ordered))
        nexts[victim] = data.draw(st.sampled_from([*ordered, b"\x03zzz" + _ORIGIN]))
    rdatas = {n: [_nsec(nexts[n])] for n in ordered}
    for _ in range(data.draw(st.integers(0, 2))):
        victim = data.draw(st.sampled_from(ordered))
        rdatas[victim] = data.draw(
            st.sampled_from(
                [
                    [],  # no NSEC
                    [b""],  # malformed: no next name
                    [b"\x05ab"],  # malformed: a truncated one
                    [_nsec(nexts[victim], "A")],  # a wrong bitmap
                    [_nsec(nexts[victim]), _nsec(_ORIGIN)],  # two: the first goes on
                ]
            )
        )
    whole = ZoneShape(_ORIGIN)
    file_order = data.draw(st.permutations(ordered))
    cuts = sorted(data.draw(st.sets(st.integers(0, len(file_order)))))
    bounds = [0, *cuts, len(file_order)]
    parts, own = [], []
    for start, end in itertools.pairwise(bounds):
        shape = ZoneShape(_ORIGIN)
        for name in file_order[start:end]:
            for s in (shape, whole):
                s.types[name] = frozenset({1})
                s.signed_names.add(name)
                if rdatas[name]:
                    s.nsec[name] = rdatas[name]
        found, part = range_chain(shape)
        own += found
        parts.append(part)
    exact = check_nsec_chain(whole)
    links = [f for f in exact if " points to " in f.message]
    unchained = [f for f in exact if "malformed" in f.message or "has no NSEC" in f.message]
    assert chain_closes(parts) == (not links and not unchained)
    assert sorted(own, key=repr) == sorted([f for f in exact if f not in links], key=repr)
