"""The graph of crafted zones: names with quotes, <, &, and DOT's special characters
reach the DOT and the SVG only escaped, and many keys and signatures are cut to an
"N more" node, and a key only one server serves is labelled with it. A root and a child
zone signed by the lab's signer, served by the lab's responder on loopback, checked end
to end (collect, analyze, diagnose)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DS
import dns.zone
import pytest
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.diagnose import diagnose
from dnssec_doctor.lab.keys import LabKey, generate_key
from dnssec_doctor.lab.signer import SigningPlan, Window, sign_zone
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.report import Report
from dnssec_doctor.render.graph import BROKEN, EDGE_COLOUR, chain_dot, chain_svg
from dnssec_doctor.render.graph_model import MAX_KEYS, MAX_MISSING, MAX_SIGNERS, EdgeStatus
from helpers.collect_fixtures import ZoneServer, zone
from helpers.graph_helpers import DOT, laid_out

pytestmark = pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed")

AT = datetime(2026, 1, 1, tzinfo=UTC)  # what ZoneServer.collect collects at
NOW = int(AT.timestamp())
WINDOW = Window(NOW - 86400, NOW + 30 * 86400)
T = dns.rdatatype.RdataType

#: a label with what breaks DOT ("{}|<>;\), HTML/XML (<&"'), and shell-ish quoting
HOSTILE = b"ev\"il<b>&amp;{x}|\\N;'--"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Tree:
    root: dns.zone.Zone
    child: dns.zone.Zone
    ksk: LabKey
    child_name: dns.name.Name
    qname: dns.name.Name


def tree(*, wrong_ds: bool, extra_keys: int = 0, base: int = 1) -> Tree:
    """. → <HOSTILE>. with ns1 at a hostile host name too, and a hostile query name."""
    child_name = dns.name.Name((HOSTILE, b""))
    qname = dns.name.Name((b"<script>alert(1)</script>", *child_name.labels))
    host = dns.name.Name((b'n"s<1>', *child_name.labels))
    root_address, child_address = f"127.79.{base}.1", f"127.79.{base}.2"
    ksk, zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    extra = [generate_key(15, ksk=False) for _ in range(extra_keys)]
    child = zone(
        child_name.to_text(),
        f"@ 3600 IN SOA {host} h.invalid. 1 7200 3600 1209600 300\n"
        f"@ 3600 IN NS {host}\n{host} 3600 IN A {child_address}\n{qname} 300 IN A 192.0.2.1\n",
    )
    sign_zone(
        child,
        SigningPlan(published=[ksk, zsk, *extra], dnskey_signers=[ksk],
                    data_signers=[zsk, *extra], window=WINDOW),
    )  # fmt: skip
    ds = ksk.ds(child_name)
    if wrong_ds:
        ds = dns.rdtypes.ANY.DS.DS(ds.rdclass, ds.rdtype, ds.key_tag, ds.algorithm,
                                   ds.digest_type, bytes(32))  # fmt: skip
    root_ksk, root_zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    root = zone(
        ".",
        f"@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n@ 3600 IN NS n0.root.\n"
        f"n0.root. 3600 IN A {root_address}\n{child_name} 3600 IN NS {host}\n"
        f"{host} 3600 IN A {child_address}\n{child_name} 3600 IN DS {ds.to_text()}\n",
    )
    sign_zone(root, SigningPlan(published=[root_ksk, root_zsk], dnskey_signers=[root_ksk],
                                data_signers=[root_zsk], window=WINDOW))  # fmt: skip
    return Tree(root, child, root_ksk, child_name, qname)


def report_of(made: Tree, base: int = 1) -> Report:
    root_address, child_address = f"127.79.{base}.1", f"127.79.{base}.2"
    anchor = f". 3600 IN DS {made.ksk.ds(dns.name.root).to_text()}"
    with ZoneServer({root_address: [made.root], child_address: [made.child]}) as served:
        found = served.collect(made.qname.to_text(), "A", hints=[root_address],
                               trust_anchors=[anchor])  # fmt: skip
    analysis = analyze(found, NOW)
    return Report(found, analysis, diagnose(analysis, found), 0.0)


def svg_texts(svg: str) -> str:
    root = ET.fromstring(svg)
    tags = {element.tag for element in root.iter()}
    assert all(tag.startswith(SVG) for tag in tags), tags  # no element came from a name
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_hostile_names_are_escaped_in_dot_and_svg() -> None:
    made = tree(wrong_ds=True)
    report = report_of(made)
    assert report.analysis.verdict is Status.BOGUS, report.analysis.findings
    assert report.analysis.break_at == made.child_name
    dot = chain_dot(report)
    for raw in ("<b>", "<script>", 'n"s<1>'):
        assert raw not in dot  # only the escaped forms reach the DOT
    graph = laid_out(dot)  # Graphviz parses it: no quote or brace broke out
    zone_text = made.child_name.to_text()
    box = next(c for c in graph.clusters if c.startswith(f"zone {zone_text}\n"))
    assert graph.clusters[box]["color"] == BROKEN
    assert graph.node(f"{made.qname} A").cluster == box
    assert any(e.colour == BROKEN and "DS_DIGEST_MISMATCH" in e.text for e in graph.edges)
    svg = chain_svg(report)
    text = svg_texts(svg)
    assert f"zone {zone_text}" in text and str(made.qname) in text  # drawn, as text
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_many_keys_and_signatures_are_cut_to_n_more() -> None:
    made = tree(wrong_ds=False, extra_keys=2 * MAX_KEYS, base=2)
    report = report_of(made, base=2)
    graph = laid_out(chain_dot(report))
    zone_text = made.child_name.to_text()
    in_zone = [n for n in graph.nodes if n.cluster.startswith(f"zone {zone_text}\n")]
    keys = [n for n in in_zone if n.text.startswith("DNSKEY ")]
    assert len(keys) <= MAX_KEYS + 1  # + a placeholder for a signer cut off
    published = 2 + 2 * MAX_KEYS
    more_keys = graph.node("more DNSKEYs not drawn")
    assert more_keys.text.startswith(f"{published - MAX_KEYS} more")
    answer = graph.node(f"{made.qname} A")
    into = [e for e in graph.edges_into(answer) if e.style != "invis"]
    assert len(into) <= MAX_SIGNERS + 1
    assert any(e.tail.text.endswith("more signatures not drawn") for e in into)
    assert len(graph.nodes) < 60


def test_a_key_only_some_servers_serve_is_labelled_with_them() -> None:
    """ns1 and ns2 serve the same zone; ns2's copy publishes one more DNSKEY."""
    child_name = dns.name.from_text("split.")
    ksk, zsk, extra = (generate_key(15, ksk=k) for k in (True, False, False))
    servers = {"127.79.3.2": "ns1.split.", "127.79.3.3": "ns2.split."}
    text = "@ 3600 IN SOA ns1.split. h.invalid. 1 7200 3600 1209600 300\n" + "".join(
        f"@ 3600 IN NS {host}\n{host} 3600 IN A {address}\n" for address, host in servers.items()
    ) + "www 300 IN A 192.0.2.1\n"  # fmt: skip
    copies = []
    for published in ([ksk, zsk], [ksk, zsk, extra]):
        copy = zone("split.", text)
        sign_zone(copy, SigningPlan(published=published, dnskey_signers=[ksk],
                                    data_signers=[zsk], window=WINDOW))  # fmt: skip
        copies.append(copy)
    root_ksk, root_zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    root = zone(
        ".",
        "@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n@ 3600 IN NS n0.root.\n"
        "n0.root. 3600 IN A 127.79.3.1\n"
        + "".join(f"split. 3600 IN NS {h}\n{h} 3600 IN A {a}\n" for a, h in servers.items())
        + f"split. 3600 IN DS {ksk.ds(child_name).to_text()}\n",
    )
    sign_zone(root, SigningPlan(published=[root_ksk, root_zsk], dnskey_signers=[root_ksk],
                                data_signers=[root_zsk], window=WINDOW))  # fmt: skip
    anchor = f". 3600 IN DS {root_ksk.ds(dns.name.root).to_text()}"
    served = {"127.79.3.1": [root], "127.79.3.2": [copies[0]], "127.79.3.3": [copies[1]]}
    with ZoneServer(served) as server:
        found = server.collect("www.split.", "A", hints=["127.79.3.1"], trust_anchors=[anchor])
    analysis = analyze(found, NOW)
    report = Report(found, analysis, diagnose(analysis, found), 0.0)
    assert analysis.verdict is Status.SECURE
    graph = laid_out(chain_dot(report))
    only = graph.node(f"tag {extra.tag}")
    assert "only at ns2.split. (127.79.3.3)" in only.text
    for key in (ksk, zsk):
        assert "only at" not in graph.node(f"tag {key.tag}").text
    # the KSK signs both servers' DNSKEY RRsets; only ns2's holds the extra key
    (to_extra,) = [e for e in graph.edges_into(only) if e.style != "invis"]
    assert to_extra.tail.text.startswith(f"DNSKEY KSK tag {ksk.tag}")
    assert to_extra.colour == EDGE_COLOUR[EdgeStatus.VALID]
    signers = {e.tail.text.split("\n")[0] for e in graph.edges_into(graph.node(f"tag {zsk.tag}"))}
    assert signers == {f"DNSKEY KSK tag {ksk.tag}"}


def test_when_every_server_is_silent_the_servers_and_the_cause_are_drawn() -> None:
    """silent. is delegated (with a DS) to an address nobody serves."""
    ksk = generate_key(15, ksk=True)
    root_ksk, root_zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    root = zone(
        ".",
        "@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n@ 3600 IN NS n0.root.\n"
        "n0.root. 3600 IN A 127.79.5.1\nsilent. 3600 IN NS ns1.silent.\n"
        "ns1.silent. 3600 IN A 127.79.5.2\n"
        f"silent. 3600 IN DS {ksk.ds(dns.name.from_text('silent.')).to_text()}\n",
    )
    sign_zone(root, SigningPlan(published=[root_ksk, root_zsk], dnskey_signers=[root_ksk],
                                data_signers=[root_zsk], window=WINDOW))  # fmt: skip
    anchor = f". 3600 IN DS {root_ksk.ds(dns.name.root).to_text()}"
    with ZoneServer({"127.79.5.1": [root]}) as server:
        found = server.collect("www.silent.", "A", hints=["127.79.5.1"], trust_anchors=[anchor])
    analysis = analyze(found, NOW)
    report = Report(found, analysis, diagnose(analysis, found), 0.0)
    assert analysis.verdict is Status.INDETERMINATE
    graph = laid_out(chain_dot(report))
    node = graph.node("(127.79.5.2)")
    assert node.text.startswith("server ns1.silent.") and "no answer" in node.text
    drawn = [n for n in graph.nodes if n.name != "legend"]
    assert not [n for n in drawn if "not served" in n.text or "unsigned" in n.text]
    cause = (report.diagnosis.underlying or report.diagnosis.cause).value
    red = [e for e in graph.edges if e.colour == BROKEN]
    assert red and all(cause in e.text for e in red)
    assert red[0].tail.text.startswith("DS for silent.")


def test_signatures_by_made_up_keys_are_bounded() -> None:
    """40 garbage RRSIGs over the answer, each naming a key tag nobody publishes."""
    made = tree(wrong_ds=False, base=6)
    sigs = made.child.find_rdataset(made.qname, T.RRSIG, covers=T.A, create=True)
    for tag in range(40):
        junk = RRSIG(dns.rdataclass.IN, T.RRSIG, T.A, 15, 3, 300, NOW + 86400, NOW - 60, 1000 + tag,
                     made.child_name, bytes(64))  # fmt: skip
        sigs.add(junk, 300)
    report = report_of(made, base=6)
    graph = laid_out(chain_dot(report))
    placeholders = [n for n in graph.nodes if "not served" in n.text and n.name != "legend"]
    assert len(placeholders) <= MAX_MISSING + 1
    assert any(n.text.startswith("more keys named but not served") for n in placeholders)
    into = [e for e in graph.edges_into(graph.node(f"{made.qname} A")) if e.style != "invis"]
    assert len(into) <= MAX_SIGNERS + 1
    assert len(graph.nodes) < 40


def test_a_ds_only_some_parent_servers_serve_is_labelled_with_them() -> None:
    """The root's two servers disagree: n1's copy has one DS more for ds.split2."""
    child_name = dns.name.from_text("split2.")
    ksk, zsk, old = (generate_key(15, ksk=k) for k in (True, False, True))
    child = zone(
        "split2.",
        "@ 3600 IN SOA ns1.split2. h.invalid. 1 7200 3600 1209600 300\n"
        "@ 3600 IN NS ns1.split2.\nns1 3600 IN A 127.79.8.3\nwww 300 IN A 192.0.2.1\n",
    )
    sign_zone(child, SigningPlan(published=[ksk, zsk], dnskey_signers=[ksk],
                                 data_signers=[zsk], window=WINDOW))  # fmt: skip
    root_ksk, root_zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    base = (
        "@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n"
        "@ 3600 IN NS n0.root.\n@ 3600 IN NS n1.root.\n"
        "n0.root. 3600 IN A 127.79.8.1\nn1.root. 3600 IN A 127.79.8.2\n"
        "split2. 3600 IN NS ns1.split2.\nns1.split2. 3600 IN A 127.79.8.3\n"
        f"split2. 3600 IN DS {ksk.ds(child_name).to_text()}\n"
    )
    roots = []
    for extra in ("", f"split2. 3600 IN DS {old.ds(child_name).to_text()}\n"):
        root = zone(".", base + extra)
        sign_zone(root, SigningPlan(published=[root_ksk, root_zsk], dnskey_signers=[root_ksk],
                                    data_signers=[root_zsk], window=WINDOW))  # fmt: skip
        roots.append(root)
    anchor = f". 3600 IN DS {root_ksk.ds(dns.name.root).to_text()}"
    served = {"127.79.8.1": [roots[0]], "127.79.8.2": [roots[1]], "127.79.8.3": [child]}
    with ZoneServer(served) as server:
        found = server.collect("www.split2.", "A", hints=["127.79.8.1", "127.79.8.2"],
                               trust_anchors=[anchor])  # fmt: skip
    analysis = analyze(found, NOW)
    report = Report(found, analysis, diagnose(analysis, found), 0.0)
    graph = laid_out(chain_dot(report))
    table = graph.node("DS for split2.")
    rows = table.text.split("\n")
    (extra_row,) = [r for r in rows if f"tag {old.tag} " in r]
    assert "(only at " in extra_row and "(127.79.8.2))" in extra_row  # named as in the hints
    assert "127.79.8.1" not in extra_row
    (kept_row,) = [r for r in rows if f"tag {ksk.tag} " in r]
    assert "only at" not in kept_row
