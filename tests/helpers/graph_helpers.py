"""Reading a chain-of-trust graph back the way Graphviz reads it: ``dot -Tjson`` lays
the DOT out and gives every node, cluster and edge with its attributes, so a test
asserts on what is drawn (and a DOT that Graphviz cannot parse fails here)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

DOT = shutil.which("dot")


def plain(label: str) -> str:
    """An HTML-like label as the text a person reads: tags dropped, entities decoded, and
    a doubled backslash read as one (as Graphviz draws it)."""
    text = re.sub(r"<BR\s*/>|</TR>", "\n", label)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[ \t]+", " ", html.unescape(text).replace("\\\\", "\\"))
    return "\n".join(line.strip() for line in text.split("\n")).strip()


@dataclass(frozen=True)
class DrawnNode:
    name: str
    text: str
    cluster: str  # the cluster's plain label ("" above the zones)
    attributes: dict[str, Any]


@dataclass(frozen=True)
class DrawnEdge:
    tail: DrawnNode
    head: DrawnNode
    text: str
    colour: str
    width: float
    style: str


@dataclass(frozen=True)
class Drawn:
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    clusters: dict[str, dict[str, Any]]  # plain label -> attributes

    def node(self, containing: str) -> DrawnNode:
        found = [n for n in self.nodes if containing in n.text]
        assert found, f"no node says {containing!r}: {[n.text for n in self.nodes]}"
        return found[0]

    def edges_from(self, node: DrawnNode) -> list[DrawnEdge]:
        return [e for e in self.edges if e.tail.name == node.name]

    def edges_into(self, node: DrawnNode) -> list[DrawnEdge]:
        return [e for e in self.edges if e.head.name == node.name]

    @property
    def visible_edges(self) -> list[DrawnEdge]:
        return [e for e in self.edges if e.style != "invis"]


def laid_out(dot_text: str) -> Drawn:
    """The graph as ``dot -Tjson`` lays it out."""
    assert DOT is not None, "Graphviz's dot is needed (scripts/install-system-packages)"
    done = subprocess.run(
        [DOT, "-Tjson"], input=dot_text.encode(), capture_output=True, timeout=30, check=True
    )
    data = json.loads(done.stdout)
    objects = data.get("objects", [])
    member: dict[int, str] = {}
    clusters: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if str(obj.get("name", "")).startswith("cluster_"):
            label = plain(obj.get("label", ""))
            clusters[label] = obj
            for gvid in obj.get("nodes", []):
                member[gvid] = label
    by_id: dict[int, DrawnNode] = {}
    for obj in objects:
        if "nodes" in obj or "_gvid" not in obj:
            continue
        gvid = obj["_gvid"]
        by_id[gvid] = DrawnNode(obj["name"], plain(obj.get("label", "")), member.get(gvid, ""), obj)
    edges = [
        DrawnEdge(
            tail=by_id[e["tail"]],
            head=by_id[e["head"]],
            text=plain(e.get("label", "")),
            colour=e.get("color", ""),
            width=float(e.get("penwidth", 1)),
            style=e.get("style", ""),
        )
        for e in data.get("edges", [])
    ]
    return Drawn(list(by_id.values()), edges, clusters)
