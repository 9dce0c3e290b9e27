"""`check --graph` against the real servers (named, NSD, Knot): the graph of what they
serve shows the broken link where check names it, the real servers' NSEC/NSEC3 proofs
as nodes, and a secure chain without red. PNGs kept under the session's tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.lab.real import RealLab
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.render.graph import BROKEN, EDGE_COLOUR, chain_dot, render_graph
from dnssec_doctor.render.graph_model import EdgeStatus
from dnssec_doctor.services.check import CheckOptions, run_check
from helpers.graph_helpers import DOT, laid_out

pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed"),
]

SCENARIOS = ("ds-digest-mismatch", "rrsig-expired", "insecure-delegation", "stale-secondary",
             "healthy-nxdomain-nsec3", "healthy-ecdsap256")  # fmt: skip


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_graph_of_the_real_servers(
    real_lab: RealLab, scenario_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lab = real_lab.manifest
    record = lab.scenario(scenario_id)
    directory = Path(lab.directory)
    options = CheckOptions(
        name=record.qname, qtype=record.qtype, trust_anchor_file=directory / "root.key",
        root_hints_file=directory / "root.hints", timeout=0.5,
    )  # fmt: skip
    report = run_check(options)
    graph = laid_out(chain_dot(report))
    red = [e for e in graph.edges if e.colour == BROKEN]
    analysis = report.analysis
    if analysis.verdict is Status.BOGUS:
        cause = (report.diagnosis.underlying or report.diagnosis.cause).value
        assert red and all(cause in e.text and e.width >= 4 for e in red)
        box = next(c for c in graph.clusters if c.startswith(f"zone {analysis.break_at}\n"))
        assert all(e.head.cluster == box for e in red)
    else:
        assert not red
    if scenario_id == "healthy-ecdsap256":
        assert {e.colour for e in graph.visible_edges} == {EDGE_COLOUR[EdgeStatus.VALID]}
    if scenario_id == "insecure-delegation":
        assert graph.node("proof: no DS for")
    if scenario_id == "healthy-nxdomain-nsec3":
        proof = graph.node("NSEC3 proof: NXDOMAIN")
        assert graph.edges_into(proof)
    if scenario_id == "stale-secondary":
        stale = [s for a in analysis.answers for s, v in a.servers.items()
                 if v.status is not Status.SECURE]  # fmt: skip
        assert stale and any(stale[0] in e.text for e in graph.edges)
    kept = tmp_path_factory.getbasetemp() / "graphs-real"
    kept.mkdir(exist_ok=True)
    render_graph(report, kept / f"{scenario_id}.png")
