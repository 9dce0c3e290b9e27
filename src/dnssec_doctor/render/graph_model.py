"""The chain-of-trust graph as nodes and edges, built from a check's report.

Nothing here validates: every status comes from the analysis (the ServerViews, the DS
judgments, the RRSIG judgments of each server's copy, analyze/copies.py). This module
decides what to draw and how to group it; render/graph.py writes it as DOT.
Strings are kept as plain text here and escaped only when written.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from enum import StrEnum

import dns.exception
import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.model.analysis import AnswerResult, Copy, ServerView, Status, ZoneResult
from dnssec_doctor.model.report import Report
from dnssec_doctor.render.graph_words import (
    REVOKE,
    SEP,
    alg,
    anchor_record,
    anchor_row,
    bits,
    clip,
    denial_line,
    ds_row,
    ds_words,
    record_line,
    role,
    sig_words,
    subtitle,
)
from dnssec_doctor.validate.algorithms import is_validated_algorithm
from dnssec_doctor.validate.ds import DsJudgment, DsStatus
from dnssec_doctor.validate.records import key_tag
from dnssec_doctor.validate.rrsig import RrsigJudgment, RrsigStatus

Name = dns.name.Name
T = dns.rdatatype.RdataType

# bounds against hostile inputs: beyond them an "N more" node stands for the rest
MAX_ZONES = 16
MAX_KEYS = 10  # DNSKEY nodes per zone
MAX_DS = 8  # DS rows per zone
MAX_SIGNERS = 8  # signature edges into one target
MAX_MISSING = 4  # "DNSKEY N not served" placeholders per zone
MAX_PROOF_RECORDS = 6  # NSEC/NSEC3 records listed in one proof node
MAX_SERVERS_SHOWN = 3  # server names in one label


class EdgeStatus(StrEnum):
    """The colour of an edge (docs/graph.md, the legend)."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    BAD_SIGNATURE = "bad signature"
    NO_MATCHING_KEY = "no matching key"
    UNSUPPORTED = "unsupported algorithm"
    INVALID = "invalid"  # any other failure: digest mismatch, wrong signer, revoked, ...
    INSECURE = "insecure"  # a proven absence of DS: the chain ends here by design
    UNCHECKED = "not checked"  # below a broken link, or beyond a limit


_RRSIG_EDGE = {
    RrsigStatus.VALID: EdgeStatus.VALID,
    RrsigStatus.EXPIRED: EdgeStatus.EXPIRED,
    RrsigStatus.NOT_YET_VALID: EdgeStatus.NOT_YET_VALID,
    RrsigStatus.BAD_SIGNATURE: EdgeStatus.BAD_SIGNATURE,
    RrsigStatus.NO_MATCHING_KEY: EdgeStatus.NO_MATCHING_KEY,
    RrsigStatus.UNSUPPORTED_ALGORITHM: EdgeStatus.UNSUPPORTED,
}
_DS_EDGE = {
    DsStatus.MATCH: EdgeStatus.VALID,
    DsStatus.NO_KEY_WITH_TAG: EdgeStatus.NO_MATCHING_KEY,
    DsStatus.UNSUPPORTED_ALGORITHM: EdgeStatus.UNSUPPORTED,
    DsStatus.UNSUPPORTED_DIGEST_TYPE: EdgeStatus.UNSUPPORTED,
    DsStatus.IGNORED_SHA1: EdgeStatus.UNCHECKED,
}
_VIEW_EDGE = {
    Status.SECURE: EdgeStatus.VALID,
    Status.INSECURE: EdgeStatus.INSECURE,
    Status.BOGUS: EdgeStatus.INVALID,
    Status.INDETERMINATE: EdgeStatus.UNCHECKED,
}
GOOD = (EdgeStatus.VALID, EdgeStatus.UNCHECKED, EdgeStatus.INSECURE)


@dataclass
class Node:
    """One box. ``kind``: anchor, ds, dnskey, rrset, proof, server, missing, more, cause.
    ``rows``: for table nodes (anchor, ds, proof), one line each (port ``r<i>``)."""

    id: str
    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    zone: Name | None = None  # the cluster it is drawn in (None: above the zones)
    status: EdgeStatus = EdgeStatus.VALID  # colours proof and server nodes
    marks: list[str] = field(default_factory=list)  # REVOKED, unsupported algorithm, ...


@dataclass
class Edge:
    src: str
    dst: str
    status: EdgeStatus
    label: str = ""
    src_port: str = ""
    servers: frozenset[str] = frozenset()  # where it holds, when not at every server
    broken: bool = False
    link: tuple[str, Name | None] = ("zone", None)  # ("zone"|"data", zone): whose link
    rrsigs: frozenset[object] = frozenset()  # the distinct signatures folded into it
    dashed: bool = False
    invisible: bool = False  # layout only: keeps a node below its zone's keys


@dataclass
class Cluster:
    zone: Name
    status: Status
    subtitle: str
    broken: bool = False


@dataclass
class ChainGraph:
    title: str
    verdict: Status
    clusters: list[Cluster]
    nodes: list[Node]
    edges: list[Edge]


class _Builder:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.analysis = report.analysis
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.keys: dict[Name, dict[tuple[int, int], list[tuple[DNSKEY, str]]]] = {}
        self.names: dict[str, list[Name]] = {}
        self.missing: dict[Name, int] = {}  # placeholders made per zone
        self.missing_more: dict[Name, Node] = {}
        for cut in report.collection.zones.values():
            for address, hosts in cut.addresses.items():
                self.names.setdefault(address, hosts)

    # -- helpers --------------------------------------------------------------------------

    def node(
        self,
        kind: str,
        title: str,
        zone: Name | None,
        *,
        lines: list[str] | None = None,
        rows: list[str] | None = None,
    ) -> Node:
        made = Node(f"n{len(self.nodes)}", kind, title, list(lines or []), list(rows or []), zone)
        self.nodes.append(made)
        return made

    def server_text(self, servers: frozenset[str] | set[str], short: bool = False) -> str:
        """Servers by NS name and address (*short*: the name's first label only)."""
        shown = []
        for server in sorted(servers)[:MAX_SERVERS_SHOWN]:
            hosts = self.names.get(server)
            if not hosts:
                shown.append(server)
                continue
            host = hosts[0].to_text()
            if short and len(hosts[0].labels) > 1:
                host = dns.name.Name(hosts[0].labels[:1]).to_text()
            shown.append(f"{clip(host, 32)} ({server})")
        more = len(servers) - MAX_SERVERS_SHOWN
        return ", ".join(shown) + (f" +{more} more" if more > 0 else "")

    def key_node(self, zone: Name, tag: int, algorithm: int) -> str | None:
        found = self.keys.get(zone, {}).get((tag, algorithm))
        return found[0][1] if found else None

    def missing_key(self, zone: Name, tag: int, algorithm: int) -> str:
        """A dashed placeholder for a key that is named (by a DS or RRSIG) but not served;
        past MAX_MISSING in a zone (signatures by made-up tags) one node stands for all."""
        table = self.keys.setdefault(zone, {})
        count = self.missing.get(zone, 0) + 1
        self.missing[zone] = count
        if count <= MAX_MISSING:
            made = self.node("missing", f"DNSKEY {tag} not served", zone, lines=[alg(algorithm)])
        elif count == MAX_MISSING + 1:
            made = self.node("missing", "more keys named but not served", zone)
            self.missing_more[zone] = made
        else:
            made = self.missing_more[zone]
        table[(tag, algorithm)] = [(DNSKEY(1, 48, 0, 3, algorithm, b""), made.id)]
        return made.id

    # -- the chain ------------------------------------------------------------------------

    def build(self) -> ChainGraph:
        zones = list(self.analysis.zones.values())
        shown, hidden = zones[:MAX_ZONES], zones[MAX_ZONES:]
        clusters = [Cluster(z.zone, z.status, subtitle(z)) for z in shown]
        anchor = self.anchor(shown)
        for result in shown:
            self.zone_keys(result)
        for result in shown:
            self.delegation(result, anchor)
            self.self_signatures(result)
        holders = {c.zone for c in clusters}
        drawn: list[tuple[AnswerResult, str | None]] = []
        for answer in [*self.analysis.answers, *self.analysis.apex]:
            if answer.zone in holders:
                drawn.append((answer, self.answer(answer)))
        self.cname_edges(drawn[: len(self.analysis.answers)])
        for result in shown:
            self.server_problems(result)
        if hidden:
            self.node("more", f"{len(hidden)} more zones not drawn", shown[-1].zone)
        self.fold_edges()
        self.mark_broken(clusters)
        self.hold_orphans(clusters)
        query = self.report.collection.evidence.query
        return ChainGraph(
            title=f"{query.name} {query.type}",
            verdict=self.analysis.verdict,
            clusters=clusters,
            nodes=self.nodes,
            edges=self.edges,
        )

    def anchor(self, zones: list[ZoneResult]) -> Node | None:
        anchored = next((z for z in zones if z.anchored), None)
        lines = self.report.collection.evidence.trust_anchors
        if anchored is None and not lines:
            return None
        rows = [anchor_row(line) for line in lines[:MAX_DS]]
        if len(lines) > MAX_DS:
            rows.append(f"{len(lines) - MAX_DS} more not drawn")
        zone_text = anchored.zone.to_text() if anchored is not None else "?"
        return self.node("anchor", f"Trust anchor for {clip(zone_text)}", None, rows=rows)

    def zone_keys(self, result: ZoneResult) -> None:
        """One node per DNSKEY any server serves, marked with the servers when not all."""
        served: dict[DNSKEY, set[str]] = {}
        answering = {s for s, c in result.copies.items() if c.error is None}
        for server, copy in result.copies.items():
            for rdata in copy.rrset or []:
                if isinstance(rdata, DNSKEY):
                    served.setdefault(rdata, set()).add(server)
        signers = self.signing_tags(result)
        data_signers = self.data_signing_tags(result.zone)
        ranked = sorted(served, key=lambda k: (_tag_alg(k) not in signers, not k.flags & SEP))
        table = self.keys.setdefault(result.zone, {})
        for key in ranked[:MAX_KEYS]:
            tag = key_tag(key)
            named = role(key, (tag, key.algorithm) in data_signers)
            made = self.node(
                "dnskey", f"DNSKEY {named}  tag {tag}", result.zone, lines=[alg(key.algorithm)]
            )
            made.lines.append(f"flags {key.flags}, {bits(key)}")
            if key.flags & REVOKE:
                made.marks.append("REVOKED")
            if not is_validated_algorithm(key.algorithm):
                made.marks.append("unsupported algorithm")
            if served[key] != answering and answering:
                made.marks.append("only at " + self.server_text(served[key]))
            table.setdefault((tag, key.algorithm), []).append((key, made.id))
        if len(ranked) > MAX_KEYS:  # what the keys cut off sign comes from this node
            more = self.node(
                "more", f"{len(ranked) - MAX_KEYS} more DNSKEYs not drawn", result.zone
            )
            for key in ranked[MAX_KEYS:]:
                table.setdefault(_tag_alg(key), []).append((key, more.id))
        if not served and any(c.error is None for c in result.copies.values()):
            look = "unsigned" if result.status is Status.INSECURE else "missing"
            self.node(look, "no DNSKEY served", result.zone, lines=["the zone is unsigned"])

    def signing_tags(self, result: ZoneResult) -> set[tuple[int, int]]:
        return {(sig.key_tag, sig.algorithm) for c in result.copies.values() for sig in c.rrsigs}

    def data_signing_tags(self, zone: Name) -> set[tuple[int, int]]:
        answers = [a for a in [*self.analysis.answers, *self.analysis.apex] if a.zone == zone]
        return {
            (s.key_tag, s.algorithm) for a in answers for c in a.copies.values() for s in c.rrsigs
        }

    def delegation(self, result: ZoneResult, anchor: Node | None) -> None:
        """The DS side: the anchor or the parent's DS RRset, matched to the zone's keys."""
        if result.anchored:
            if anchor is not None:
                self.anchor_edges(result, anchor)
            return
        if result.parent is None or result.parent not in self.keys:
            return
        ds_served: dict[DS, set[str]] = {}
        for server, copy in result.ds_copies.items():
            for rdata in copy.rrset or []:
                if isinstance(rdata, DS):
                    ds_served.setdefault(rdata, set()).add(server)
        if not ds_served:
            self.no_ds_proof(result)
            return
        answering = {s for s, c in result.ds_copies.items() if c.error is None}
        records = list(ds_served)
        rows = []
        for record in records[:MAX_DS]:
            row = ds_row(record)
            if ds_served[record] != answering:
                row += "  (only at " + self.server_text(ds_served[record]) + ")"
            rows.append(row)
        if len(records) > MAX_DS:
            rows.append(f"{len(records) - MAX_DS} more DS not drawn")
        table = self.node(
            "ds", f"DS for {clip(result.zone.to_text())}", result.zone, rows=rows,
            lines=[f"at the parent {clip(result.parent.to_text())}"],
        )  # fmt: skip
        judged = {j.ds: j for j in result.ds_judgments}
        for index, record in enumerate(records[:MAX_DS]):
            self.ds_edge(result, table, f"r{index}", record, judged.get(record))
        self.signature_edges(result.parent, table.id, result.ds_copies, ("zone", result.zone))

    def ds_edge(
        self, result: ZoneResult, table: Node, port: str, record: DS, judgment: DsJudgment | None
    ) -> None:
        if judgment is None:
            status, label = EdgeStatus.UNCHECKED, ""
        else:
            status = _DS_EDGE.get(judgment.status, EdgeStatus.INVALID)
            label = "" if status is EdgeStatus.VALID else ds_words(judgment)
        target = None
        if judgment is not None and judgment.key is not None:
            target = self.exact_key(result.zone, judgment.key)
        target = target or self.key_node(result.zone, record.key_tag, record.algorithm)
        target = target or self.same_tag(result.zone, record.key_tag)  # the label says why
        answered = any(c.error is None for c in result.copies.values())
        if target is None and (result.inherited or not answered):
            return  # not judged, or no server answered: nothing to point at
        if target is None:
            target = self.missing_key(result.zone, record.key_tag, record.algorithm)
        self.edges.append(Edge(table.id, target, status, label, port, link=("zone", result.zone)))

    def same_tag(self, zone: Name, tag: int) -> str | None:
        """A drawn key with this tag, whatever its algorithm."""
        for (key_tag_, _), entries in self.keys.get(zone, {}).items():
            for _, node_id in entries:
                if key_tag_ == tag and self.node_kind(node_id) == "dnskey":
                    return node_id
        return None

    def exact_key(self, zone: Name, key: DNSKEY) -> str | None:
        for served, node_id in self.keys.get(zone, {}).get((key_tag(key), key.algorithm), []):
            if served == key:
                return node_id
        return None

    def anchor_edges(self, result: ZoneResult, anchor: Node) -> None:
        """Anchor rows (DS or DNSKEY) to the anchored zone's keys."""
        judged = {j.ds: j for j in result.ds_judgments}
        lines = self.report.collection.evidence.trust_anchors
        for index, line in enumerate(lines[:MAX_DS]):
            owner, record = anchor_record(line)
            if owner != result.zone:
                continue  # another zone's anchor
            if isinstance(record, DS):
                judgment = judged.get(record)
                self.ds_edge(result, anchor, f"r{index}", record, judgment)
            elif isinstance(record, DNSKEY):
                target = self.exact_key(result.zone, record)
                status = EdgeStatus.VALID if target is not None else EdgeStatus.NO_MATCHING_KEY
                target = target or self.missing_key(result.zone, key_tag(record), record.algorithm)
                self.edges.append(
                    Edge(
                        anchor.id,
                        target,
                        status,
                        "trusted key",
                        f"r{index}",
                        link=("zone", result.zone),
                    )
                )

    def no_ds_proof(self, result: ZoneResult) -> None:
        """An insecure delegation: the parent's NSEC/NSEC3 proof that no DS exists."""
        assert result.parent is not None
        copies = {s: c for s, c in result.ds_copies.items() if c.denial}
        if not copies:
            return
        proof = self.proof_node(
            result.parent, f"no DS for {clip(result.zone.to_text())}", copies,
            result.parent_servers,
        )  # fmt: skip
        self.signature_edges(
            result.parent, proof.id, copies, ("zone", result.zone), result.parent_servers
        )
        child = (
            self.first_node(result.zone) or self.node("unsigned", "zone not signed", result.zone).id
        )
        self.edges.append(
            Edge(proof.id, child, EdgeStatus.INSECURE, "insecure delegation",
                 link=("zone", result.zone), dashed=True)
        )  # fmt: skip

    def first_node(self, zone: Name) -> str | None:
        return next((n.id for n in self.nodes if n.zone == zone), None)

    def proof_node(
        self, zone: Name, what: str, copies: dict[str, Copy], views: dict[str, ServerView]
    ) -> Node:
        lines: dict[str, None] = {}  # in order, once each
        kinds: set[str] = set()
        for copy in copies.values():
            for rrset in copy.denial:
                kinds.add(T(rrset.rdtype).name)
                lines.update((denial_line(rrset, rdata), None) for rdata in rrset)
        records = list(lines)
        rows = records[:MAX_PROOF_RECORDS]
        if len(records) > MAX_PROOF_RECORDS:
            rows.append(f"{len(records) - MAX_PROOF_RECORDS} more records not drawn")
        statuses = [views[s].status for s in copies if s in views]
        worst = next(
            (st for st in (Status.BOGUS, Status.INDETERMINATE, Status.INSECURE) if st in statuses),
            Status.SECURE,
        )
        title = f"{'/'.join(sorted(kinds)) or 'NSEC'} proof: {what}"
        reasons = sorted({views[s].reason for s in copies if s in views})
        made = self.node("proof", title, zone, rows=rows, lines=[clip(r, 80) for r in reasons[:2]])
        made.status = _VIEW_EDGE[worst] if worst is not Status.INSECURE else EdgeStatus.VALID
        return made

    def self_signatures(self, result: ZoneResult) -> None:
        """Signatures over the DNSKEY RRset: a loop on each signing key, and an edge from
        it to every key that does not sign the RRset itself."""
        start = len(self.edges)
        self.signature_edges(result.zone, "", result.copies, ("zone", result.zone))
        made = self.edges[start:]
        del self.edges[start:]
        signers = {e.src for e in made}
        others = [
            (key, n) for key, n in _flat(self.keys.get(result.zone, {}))
            if n not in signers and self.node_kind(n) == "dnskey"
        ]  # fmt: skip
        for edge in made:
            self.edges.append(replace(edge, dst=edge.src))
            (server,) = edge.servers
            served = result.copies[server].rrset
            signed = [n for key, n in others if served is not None and key in served]
            self.edges.extend(replace(edge, dst=other) for other in signed)

    def node_kind(self, node_id: str) -> str:
        return self.nodes[int(node_id[1:])].kind

    def signature_edges(
        self,
        signer_zone: Name,
        target: str,
        copies: dict[str, Copy],
        link: tuple[str, Name | None],
        views: dict[str, ServerView] | None = None,
    ) -> list[str]:
        """An edge per (signing key, verdict) over every server's copy, the servers
        kept; RRSIGs nobody judged are drawn unchecked (or by the view's status)."""
        out: list[str] = []
        for server, copy in copies.items():
            verdicts = _verdicts(copy)
            for rrsig in copy.rrsigs:
                judgment = verdicts.get(id(rrsig))
                if judgment is not None:
                    status = _RRSIG_EDGE.get(judgment.status, EdgeStatus.INVALID)
                    label = "" if status is EdgeStatus.VALID else sig_words(judgment)
                elif views is not None and server in views:
                    status = _VIEW_EDGE[views[server].status]
                    if status is EdgeStatus.INSECURE:
                        status = EdgeStatus.VALID  # the proof of no DS holds
                    label = "" if status is EdgeStatus.VALID else clip(views[server].reason)
                else:
                    status, label = EdgeStatus.UNCHECKED, ""
                source = self.key_node(signer_zone, rrsig.key_tag, rrsig.algorithm)
                if source is None:
                    source = self.missing_key(signer_zone, rrsig.key_tag, rrsig.algorithm)
                self.edges.append(
                    Edge(source, target, status, label, servers=frozenset({server}), link=link,
                         rrsigs=frozenset({rrsig}))
                )  # fmt: skip
                out.append(source)
        return out

    def cname_edges(self, drawn: list[tuple[AnswerResult, str | None]]) -> None:
        """A CNAME points at the next name of the chain (maybe in another zone)."""
        for (answer, source), (_, target) in itertools.pairwise(drawn):
            if answer.kind == "cname" and source is not None and target is not None:
                self.edges.append(
                    Edge(source, target, EdgeStatus.UNCHECKED, "CNAME", link=("layout", None),
                         dashed=True)
                )  # fmt: skip

    def answer(self, answer: AnswerResult) -> str | None:
        """The answer's node (RRset, proof, or what is missing); its id, for a CNAME."""
        kind = T(answer.qtype).name
        drawn: str | None = None
        holder = self.analysis.zones.get(answer.zone)
        link = ("data", answer.zone)
        rrset_copies = {s: c for s, c in answer.copies.items() if c.rrset is not None}
        denial_copies = {s: c for s, c in answer.copies.items() if c.rrset is None and c.denial}
        is_apex = any(answer is apex for apex in self.analysis.apex)
        if rrset_copies:
            first = next(iter(rrset_copies.values())).rrset
            assert first is not None
            shown = T(first.rdtype).name
            lines = [record_line(first)]
            made = self.node(
                "rrset", f"{clip(answer.qname.to_text())} {shown}", answer.zone, lines=lines
            )
            if is_apex:
                made.lines.append("the zone's SOA (checked whatever the type)")
            made.status = _VIEW_EDGE[answer.status]
            self.signature_edges(answer.zone, made.id, rrset_copies, link)
            drawn = made.id
        if denial_copies:
            what = "NXDOMAIN" if answer.kind == "nxdomain" else f"no {kind}"
            proof = self.proof_node(
                answer.zone, f"{what} for {clip(answer.qname.to_text())}", denial_copies,
                answer.servers,
            )  # fmt: skip
            secure = holder is not None and holder.status is Status.SECURE
            views = answer.servers if secure else None  # else its views say "zone not secure"
            self.signature_edges(answer.zone, proof.id, denial_copies, link, views)
            drawn = drawn or proof.id
        if holder is not None and not rrset_copies and not denial_copies and not is_apex:
            made = self.node("missing", f"{clip(answer.qname.to_text())} {kind}", answer.zone)
            made.lines.append(clip(answer.reason, 80))
            drawn = made.id
        return drawn

    def server_problems(self, result: ZoneResult) -> None:
        """A server that did not answer usefully (silent, lame, refused) gets a node."""
        problems: dict[str, str] = {}
        answers = [
            a for a in [*self.analysis.answers, *self.analysis.apex] if a.zone == result.zone
        ]
        for copies in [result.copies, *(a.copies for a in answers)]:
            for server, copy in copies.items():
                if copy.error is not None:
                    problems.setdefault(server, copy.error)
        for server, error in sorted(problems.items())[:MAX_KEYS]:
            made = self.node("server", f"server {self.server_text({server})}", result.zone)
            made.lines.append(clip(error, 80))
            made.status = EdgeStatus.INVALID
        if len(problems) > MAX_KEYS:
            self.node("more", f"{len(problems) - MAX_KEYS} more servers failing", result.zone)

    # -- folding and the broken link ------------------------------------------------------

    def fold_edges(self) -> None:
        """One edge per (source, target, port, verdict): the servers and counts merged;
        at most MAX_SIGNERS into one target."""
        folded: dict[tuple[str, str, str, EdgeStatus], Edge] = {}
        for edge in self.edges:
            key = (edge.src, edge.dst, edge.src_port, edge.status)
            if key in folded:
                kept = folded[key]
                kept.servers = kept.servers | edge.servers
                kept.rrsigs = kept.rrsigs | edge.rrsigs
            else:
                folded[key] = replace(edge)
        per_target: dict[str, int] = {}
        kept_edges: list[Edge] = []
        for edge in folded.values():
            per_target[edge.dst] = per_target.get(edge.dst, 0) + 1
            if per_target[edge.dst] <= MAX_SIGNERS:
                kept_edges.append(edge)
        for target, count in per_target.items():
            if count > MAX_SIGNERS:
                zone = self.nodes[int(target[1:])].zone
                more = self.node("more", f"{count - MAX_SIGNERS} more signatures not drawn", zone)
                kept_edges.append(Edge(more.id, target, EdgeStatus.UNCHECKED, dashed=True))
        answering = self.answering_servers()
        for edge in kept_edges:
            everywhere = answering.get(edge.dst, frozenset())
            if edge.servers and edge.servers != everywhere and len(everywhere) > 1:
                edge.label = (
                    (edge.label + "\n" if edge.label else "")
                    + "at "
                    + self.server_text(edge.servers, short=True)
                )
            edge.servers = frozenset() if edge.servers == everywhere else edge.servers
            count = len(edge.rrsigs)
            if count > 1 and edge.status not in GOOD:
                edge.label = (edge.label + " " if edge.label else "") + f"×{count}"
        self.edges = kept_edges

    def answering_servers(self) -> dict[str, frozenset[str]]:
        """For each target, the servers whose copies reached it: "every server" there."""
        out: dict[str, set[str]] = {}
        for edge in self.edges:
            out.setdefault(edge.dst, set()).update(edge.servers)
        return {k: frozenset(v) for k, v in out.items()}

    def mark_broken(self, clusters: list[Cluster]) -> None:
        """The first broken link from the top, as check names it: its failing edges thick
        red with the cause; when no drawn edge fails, an edge to a node saying what is
        missing."""
        analysis, diagnosis = self.analysis, self.report.diagnosis
        at = analysis.break_at or _zone_named(diagnosis.zone, analysis.zones)
        if at is None or analysis.verdict not in (Status.BOGUS, Status.INDETERMINATE):
            return
        result = analysis.zones.get(at)
        own = result is not None and result.status is not Status.SECURE and not result.inherited
        link = ("zone" if own else "data", at)
        cause = (diagnosis.underlying or diagnosis.cause).value
        reason = result.reason if own and result is not None else _data_reason(analysis.answers, at)
        failing = [e for e in self.edges if e.link == link and e.status not in GOOD]
        drawn_cause = not failing  # the reason is then on the cause node itself
        if drawn_cause:
            source = self.link_top(link)
            missing = self.node("cause", cause, at, lines=[clip(reason, 80)])
            failing = [Edge(source or missing.id, missing.id, EdgeStatus.INVALID, link=link)]
            if source is not None:
                self.edges.append(failing[0])
        for index, edge in enumerate(failing):
            edge.broken = True
            detail = edge.label or (clip(reason, 60) if index == 0 and not drawn_cause else "")
            edge.label = f"✗ {cause}" + (f"\n{detail}" if detail else "")
        for cluster in clusters:
            cluster.broken = cluster.zone == at

    def hold_orphans(self, clusters: list[Cluster]) -> None:
        """Nodes nothing points at (keys no DS names, a silent server, an unsigned zone's
        data, a key that is not served) would float to the top of their zone: an
        invisible edge holds each below the zone's DS (keys) or its keys (the rest)."""
        pointed = {e.dst for e in self.edges if e.src != e.dst}
        for cluster in clusters:
            members = [n for n in self.nodes if n.zone == cluster.zone]
            tables = [n.id for n in members if n.kind == "ds"]
            keys = [n.id for n in members if n.kind in ("dnskey", "unsigned")]
            for node in members:
                if node.id in pointed or node.kind == "ds":
                    continue
                if node.kind in ("dnskey", "unsigned", "missing"):
                    holder = tables[0] if tables else None
                else:
                    holder = keys[-1] if keys else tables[0] if tables else None
                if holder is not None and holder != node.id:
                    self.edges.append(
                        Edge(holder, node.id, EdgeStatus.UNCHECKED, link=("layout", None),
                             invisible=True)
                    )  # fmt: skip

    def link_top(self, link: tuple[str, Name | None]) -> str | None:
        """Where a missing link starts: the zone's DS table (or the anchor), else its
        first key."""
        kind, zone = link
        if kind == "zone":
            ds = next((n.id for n in self.nodes if n.kind == "ds" and n.zone == zone), None)
            anchored = zone is not None and self.analysis.zones[zone].anchored
            anchor = next((n.id for n in self.nodes if n.kind == "anchor"), None)
            return ds or (anchor if anchored else None) or self.first_node(zone) if zone else None
        return next((n.id for n in self.nodes if n.kind == "dnskey" and n.zone == zone), None)


def build_graph(report: Report) -> ChainGraph:
    return _Builder(report).build()


def _tag_alg(key: DNSKEY) -> tuple[int, int]:
    return key_tag(key), key.algorithm


def _verdicts(copy: Copy) -> dict[int, RrsigJudgment]:
    """The judgment of each of the copy's RRSIGs, by identity (the same rdata objects)
    or, failing that, by equality."""
    out: dict[int, RrsigJudgment] = {}
    by_value = {j.rrsig: j for j in copy.judgments}
    for rrsig in copy.rrsigs:
        found = by_value.get(rrsig)
        if found is not None:
            out[id(rrsig)] = found
    return out


def _flat(table: dict[tuple[int, int], list[tuple[DNSKEY, str]]]) -> list[tuple[DNSKEY, str]]:
    return [entry for entries in table.values() for entry in entries]


def _zone_named(text: str | None, zones: dict[Name, ZoneResult]) -> Name | None:
    """The diagnosis's zone, when it is a zone of the chain (no answer came back: no
    break_at, but the diagnosis still says where)."""
    if text is None:
        return None
    try:
        name = dns.name.from_text(text)
    except dns.exception.DNSException:
        return None
    return name if name in zones else None


def _data_reason(answers: list[AnswerResult], zone: Name) -> str:
    return next((a.reason for a in answers if a.zone == zone and a.status is not Status.SECURE), "")
