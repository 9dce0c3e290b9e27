"""`check --graph`: the chain-of-trust graph drawn for the lab's scenarios on the
built-in server and for saved evidence, read back through Graphviz itself (``dot
-Tjson``, helpers/graph_helpers.py): the broken link, the colours of the signatures,
the NSEC/NSEC3 proofs, per-server differences, the bounds, and hostile names escaped.

PNGs of some scenarios are kept under the session's tmp dir (``graphs/``) to look at."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.evidence import save
from dnssec_doctor.model.report import Report
from dnssec_doctor.render.graph import (
    BROKEN,
    EDGE_COLOUR,
    chain_dot,
    chain_svg,
    render_graph,
)
from dnssec_doctor.render.graph_model import EdgeStatus
from dnssec_doctor.services.check import check_evidence, probe, report_for, run_check
from helpers import GOLDEN
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke
from helpers.golden_helpers import moment
from helpers.graph_helpers import DOT, Drawn, laid_out

pytestmark = pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed")

IDS = [s.id for s in SCENARIOS]
RED_FAMILY = {BROKEN, EDGE_COLOUR[EdgeStatus.INVALID], EDGE_COLOUR[EdgeStatus.BAD_SIGNATURE]}
KEPT = ("ds-digest-mismatch", "rrsig-expired", "stale-secondary", "insecure-delegation",
        "silent-nameserver", "zsk-rollover-incomplete", "healthy-nxdomain-nsec3")  # fmt: skip


@pytest.fixture(scope="module")
def graphs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("graphs")


def checked(lab: BuiltinLab, scenario_id: str) -> Report:
    return run_check(lab.options(lab.manifest.scenario(scenario_id)))


def drawn(report: Report) -> Drawn:
    return laid_out(chain_dot(report))


def broken(graph: Drawn) -> list[str]:
    return [e.text for e in graph.edges if e.colour == BROKEN and e.width >= 4]


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_scenario_draws_and_the_broken_link_is_where_check_says(
    builtin_lab: BuiltinLab, scenario_id: str, graphs_dir: Path
) -> None:
    report = checked(builtin_lab, scenario_id)
    graph = drawn(report)
    analysis = report.analysis
    assert graph.clusters, "a box per zone"
    for zone in analysis.zones:
        assert any(label.startswith(f"zone {zone}") for label in graph.clusters)
    red = [e for e in graph.edges if e.colour == BROKEN]
    if analysis.verdict in (Status.BOGUS, Status.INDETERMINATE) and analysis.break_at:
        assert red, "the broken link is drawn"
        cause = (report.diagnosis.underlying or report.diagnosis.cause).value
        assert all(e.width >= 4 and cause in e.text for e in red)
        zone_box = next(c for c in graph.clusters if c.startswith(f"zone {analysis.break_at}\n"))
        assert all(e.head.cluster == zone_box for e in red), "the first broken link, no other"
        assert graph.clusters[zone_box]["color"] == BROKEN
    else:
        assert not red
    svg = chain_svg(report)
    assert svg.startswith("<svg") and "<!DOCTYPE" not in svg and "<?xml" not in svg
    ET.fromstring(svg)  # well-formed: it can be inlined in a page
    if scenario_id in KEPT:
        render_graph(report, graphs_dir / f"{scenario_id}.png")
        assert (graphs_dir / f"{scenario_id}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ds_mismatch_the_ds_node_has_the_broken_edge_with_the_cause(
    builtin_lab: BuiltinLab,
) -> None:
    report = checked(builtin_lab, "ds-digest-mismatch")
    graph = drawn(report)
    zone = report.analysis.break_at
    ds = graph.node(f"DS for {zone}")
    assert ds.cluster.startswith(f"zone {zone}")
    (edge,) = [e for e in graph.edges_from(ds)]
    assert edge.colour == BROKEN and edge.width == 4.0
    assert "DS_DIGEST_MISMATCH" in edge.text and "digest" in edge.text
    assert edge.head.text.startswith("DNSKEY KSK")
    # the keys themselves are fine: the KSK's self-signature is drawn valid
    ksk_loops = [e for e in graph.edges_from(edge.head) if e.head == edge.head]
    assert ksk_loops and all(e.colour == EDGE_COLOUR[EdgeStatus.VALID] for e in ksk_loops)


def test_expired_signatures_are_coloured_expired(builtin_lab: BuiltinLab) -> None:
    report = checked(builtin_lab, "rrsig-expired")
    graph = drawn(report)
    answer = graph.node(f"{report.analysis.answers[0].qname} A")
    into = graph.edges_into(answer)
    assert into and all(e.colour == EDGE_COLOUR[EdgeStatus.EXPIRED] for e in into)
    assert all("expired" in e.text for e in into)
    assert broken(graph) and all("RRSIG_EXPIRED" in t for t in broken(graph))


def test_not_yet_valid_is_its_own_colour(builtin_lab: BuiltinLab) -> None:
    graph = drawn(checked(builtin_lab, "rrsig-not-yet-valid"))
    colours = {e.colour for e in graph.visible_edges}
    assert EDGE_COLOUR[EdgeStatus.NOT_YET_VALID] in colours
    assert any("not valid for" in e.text for e in graph.edges)


@pytest.mark.parametrize("scenario_id", [i for i in IDS if i.startswith("healthy-")])
def test_a_secure_scenario_has_no_red(builtin_lab: BuiltinLab, scenario_id: str) -> None:
    graph = drawn(checked(builtin_lab, scenario_id))
    assert graph.visible_edges
    for edge in graph.visible_edges:
        assert edge.colour == EDGE_COLOUR[EdgeStatus.VALID], (edge.tail.text, edge.head.text)
    for label, cluster in graph.clusters.items():
        assert cluster["color"] not in RED_FAMILY, label
    assert "SECURE" in graph_title(checked(builtin_lab, scenario_id))


def graph_title(report: Report) -> str:
    return chain_dot(report).split("label=<", 1)[1].split(">, labelloc", 1)[0]


def test_an_insecure_delegation_shows_the_proof_of_no_ds(builtin_lab: BuiltinLab) -> None:
    report = checked(builtin_lab, "insecure-delegation")
    graph = drawn(report)
    child = next(z for z in report.analysis.zones.values() if z.status is Status.INSECURE)
    proof = graph.node(f"proof: no DS for {child.zone}")
    assert proof.text.startswith(("NSEC proof", "NSEC3 proof"))
    assert proof.cluster.startswith(f"zone {child.parent}"), "the proof is the parent's"
    signed = graph.edges_into(proof)
    assert signed and all(e.colour == EDGE_COLOUR[EdgeStatus.VALID] for e in signed)
    (onward,) = graph.edges_from(proof)
    assert onward.colour == EDGE_COLOUR[EdgeStatus.INSECURE] and onward.style == "dashed"
    assert onward.head.cluster.startswith(f"zone {child.zone}")
    assert "insecure delegation" in onward.text


@pytest.mark.parametrize(
    ("scenario_id", "kind", "what"),
    [("healthy-nxdomain-nsec", "NSEC", "NXDOMAIN"), ("healthy-nxdomain-nsec3", "NSEC3", "NXDOMAIN"),
     ("healthy-nodata-nsec3", "NSEC3", "no ")],
)  # fmt: skip
def test_a_negative_answer_is_a_proof_node(
    builtin_lab: BuiltinLab, scenario_id: str, kind: str, what: str
) -> None:
    report = checked(builtin_lab, scenario_id)
    graph = drawn(report)
    qname = report.analysis.answers[0].qname
    proof = graph.node(f"{kind} proof: {what}")
    assert str(qname) in proof.text and "→" in proof.text, proof.text
    into = graph.edges_into(proof)
    assert into and all(e.tail.text.startswith("DNSKEY") for e in into)


def test_a_stale_server_is_named_on_its_signatures(builtin_lab: BuiltinLab) -> None:
    report = checked(builtin_lab, "stale-secondary")
    graph = drawn(report)
    (answer,) = report.analysis.answers
    stale = sorted(s for s, v in answer.servers.items() if v.status is not Status.SECURE)
    fresh = sorted(s for s, v in answer.servers.items() if v.status is Status.SECURE)
    assert stale and fresh
    into = graph.edges_into(graph.node(f"{answer.qname} A"))
    expired = [e for e in into if e.colour == EDGE_COLOUR[EdgeStatus.EXPIRED]]
    valid = [e for e in into if e.colour == EDGE_COLOUR[EdgeStatus.VALID]]
    assert expired and valid
    assert all(s in e.text for e in expired for s in stale)
    assert all(s not in e.text for e in expired for s in fresh)
    assert all(s in e.text for e in valid for s in fresh)


def test_a_silent_server_is_shown(builtin_lab: BuiltinLab) -> None:
    report = checked(builtin_lab, "silent-nameserver")
    graph = drawn(report)
    copies = [c for z in report.analysis.zones.values() for c in z.copies.values()]
    (silent,) = {c.server for c in copies if c.error is not None}
    node = graph.node(f"({silent})")
    assert node.text.startswith("server ") and "no answer" in node.text


# -- offline: saved evidence and --at -------------------------------------------------------


@pytest.mark.parametrize("scenario_id", ["ds-digest-mismatch", "stale-secondary"])
def test_saved_evidence_draws_the_live_graph(
    builtin_lab: BuiltinLab, scenario_id: str, tmp_path: Path
) -> None:
    record = builtin_lab.manifest.scenario(scenario_id)
    options = builtin_lab.options(record, at=builtin_lab.manifest.now)
    live = probe(options)
    save(live.evidence, tmp_path / "evidence.json")
    again = check_evidence(tmp_path / "evidence.json", options)
    assert chain_dot(again) == chain_dot(report_for(live, options, 0))


def golden_args(scenario: str, at: str | None = None) -> list[str]:
    path = GOLDEN / "evidence" / f"{scenario}.json"
    query = json.loads(path.read_text())["query"]
    return ["check", query["name"], query["type"], "--evidence", str(path), "--at", at or moment()]


def test_cli_graph_from_evidence_in_every_format(tmp_path: Path) -> None:
    plain_run = invoke(golden_args("ds-digest-mismatch"))
    for suffix in ("dot", "svg", "png"):
        target = tmp_path / f"chain.{suffix}"
        result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(target)])
        assert result.exit_code == plain_run.exit_code == 2
        # the report is unchanged (but for its last line: the wall time)
        assert result.stdout.splitlines()[:-1] == plain_run.stdout.splitlines()[:-1]
        data = target.read_bytes()
        if suffix == "png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
        elif suffix == "svg":
            root = ET.fromstring(data)
            assert root.tag.endswith("svg")
        else:
            assert broken(laid_out(data.decode()))


def test_graph_with_at_shows_what_expires_later(tmp_path: Path) -> None:
    later = (datetime.fromisoformat(moment()) + timedelta(days=60)).isoformat()
    now_dot, later_dot = tmp_path / "now.dot", tmp_path / "later.dot"
    invoke([*golden_args("healthy-ecdsap256"), "--graph", str(now_dot)])
    result = invoke([*golden_args("healthy-ecdsap256", later), "--graph", str(later_dot)])
    assert result.exit_code == 2
    expired = EDGE_COLOUR[EdgeStatus.EXPIRED]
    assert not any(e.colour == expired for e in laid_out(now_dot.read_text()).edges)
    after = laid_out(later_dot.read_text())
    assert broken(after) and all("RRSIG_EXPIRED" in t for t in broken(after))


# -- bad input --------------------------------------------------------------------------------


def test_an_unknown_graph_extension_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(tmp_path / "x.jpg")])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and ".svg, .png or .dot" in result.stderr
    assert not (tmp_path / "x.jpg").exists()


def test_without_dot_svg_and_png_fail_in_one_line_and_dot_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for suffix in ("svg", "png"):
        target = tmp_path / f"x.{suffix}"
        result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(target)])
        assert result.exit_code == 3 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and "graphviz" in result.stderr
    result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(tmp_path / "x.dot")])
    assert result.exit_code == 2 and (tmp_path / "x.dot").read_text().startswith("digraph")


def test_an_unwritable_graph_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "x.dot"
    result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(target)])
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write" in result.stderr


def test_a_dot_that_takes_too_long_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dnssec_doctor.render import graph

    monkeypatch.setattr(graph, "DOT_TIMEOUT", 0.0001)  # the real dot cannot lay out that fast
    result = invoke([*golden_args("ds-digest-mismatch"), "--graph", str(tmp_path / "x.png")])
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1 and "dot took longer" in result.stderr


def test_graph_beside_json(tmp_path: Path) -> None:
    result = invoke([*golden_args("rrsig-expired"), "--json", "--graph", str(tmp_path / "x.svg")])
    assert json.loads(result.stdout)["verdict"] == "bogus"
    svg = (tmp_path / "x.svg").read_text()
    assert svg.startswith("<svg") and "RRSIG_EXPIRED" in svg
