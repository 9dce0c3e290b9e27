"""The chain-of-trust graph of a check: DOT text, and SVG or PNG by Graphviz's ``dot``.

Public (the web page inlines the SVG): :func:`chain_dot`, :func:`chain_svg`,
:func:`render_graph`.  The visual language is docs/graph.md.  Every DNS-derived string
is written in Graphviz HTML-like labels, escaped as HTML, and every node has a
synthetic id (``n12``), so no name reaches DOT syntax, SVG ids or comments unescaped.
``dot`` runs as a subprocess with a timeout (the Debian ``graphviz`` package; no
Python binding needed, and the same ``dot`` renders the CLI's file and the web page).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.report import Report
from dnssec_doctor.render.graph_model import (
    ChainGraph,
    Cluster,
    Edge,
    EdgeStatus,
    Node,
    build_graph,
)

DOT_TIMEOUT = 20.0  # seconds; the graph is bounded (graph_model's MAX_*), so this is ample
FORMATS = (".dot", ".svg", ".png")
FONT = "DejaVu Sans"

BROKEN = "#d50000"
EDGE_COLOUR = {
    EdgeStatus.VALID: "#2e7d32",
    EdgeStatus.EXPIRED: "#ef6c00",
    EdgeStatus.NOT_YET_VALID: "#6a1b9a",
    EdgeStatus.BAD_SIGNATURE: "#c62828",
    EdgeStatus.NO_MATCHING_KEY: "#ad1457",
    EdgeStatus.UNSUPPORTED: "#607d8b",
    EdgeStatus.INVALID: "#c62828",
    EdgeStatus.INSECURE: "#b8860b",
    EdgeStatus.UNCHECKED: "#9e9e9e",
}
EDGE_STYLE = {
    EdgeStatus.UNSUPPORTED: "dashed",
    EdgeStatus.INSECURE: "dashed",
    EdgeStatus.UNCHECKED: "dotted",
    EdgeStatus.NOT_YET_VALID: "dashed",
}
ZONE_COLOUR = {
    Status.SECURE: "#2e7d32",
    Status.INSECURE: "#b8860b",
    Status.BOGUS: "#c62828",
    Status.INDETERMINATE: "#8e24aa",
}
RRSET_FILL = {
    Status.SECURE: "#e8f5e9",
    Status.INSECURE: "#fff8e1",
    Status.BOGUS: "#ffebee",
    Status.INDETERMINATE: "#f3e5f5",
}


class GraphError(Exception):
    """The graph cannot be written: bad file name, no ``dot``, ``dot`` failed. One line."""


def chain_dot(report: Report) -> str:
    """The chain of trust of *report* as Graphviz DOT text."""
    return _dot(build_graph(report))


def chain_svg(report: Report) -> str:
    """The graph as SVG to inline in an HTML page: no XML prolog, DOCTYPE or comments;
    every DNS-derived string escaped. Raises GraphError when ``dot`` is missing."""
    svg = _run_dot(chain_dot(report), "svg").decode("utf-8")
    return inline_svg(svg)


def render_graph(report: Report, path: Path) -> None:
    """Write the graph to *path*, the format by its extension (.dot, .svg, .png)."""
    suffix = graph_format(path)
    if suffix == ".dot":
        data = chain_dot(report).encode("utf-8")
    elif suffix == ".svg":
        data = chain_svg(report).encode("utf-8")
    else:
        data = _run_dot(chain_dot(report), "png")
    try:
        path.write_bytes(data)
    except OSError as error:
        raise GraphError(f"cannot write the graph to {path}: {error.strerror}") from error


def graph_format(path: Path) -> str:
    """The format of a --graph FILE, checked before any work (GraphError otherwise)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise GraphError(f"--graph {path}: the file name must end in .svg, .png or .dot")
    if suffix != ".dot" and dot_program() is None:
        raise GraphError(
            f"--graph {path}: Graphviz's dot is not installed (apt-get install graphviz); "
            "a .dot file needs no dot"
        )
    return suffix


def dot_program() -> str | None:
    return shutil.which("dot")


def inline_svg(svg: str) -> str:
    """Graphviz's SVG without what an inline ``<svg>`` must not carry."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.lstrip()


def _run_dot(dot: str, kind: str) -> bytes:
    program = dot_program()
    if program is None:
        raise GraphError("Graphviz's dot is not installed (apt-get install graphviz)")
    try:
        done = subprocess.run(
            [program, f"-T{kind}"], input=dot.encode("utf-8"), capture_output=True,
            timeout=DOT_TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise GraphError(f"dot took longer than {DOT_TIMEOUT:.0f} s; graph not drawn") from error
    except OSError as error:
        raise GraphError(f"cannot run dot: {error.strerror}") from error
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[0]
        raise GraphError(f"dot failed: {first[:200]}")
    return done.stdout


# -- DOT --------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for a Graphviz HTML-like label: HTML-escaped, line breaks as <BR/>, and each
    backslash doubled (as entities): Graphviz reads ``\\N``, ``\\G``, ... in labels
    as the node's or graph's name and ``\\\\`` as one backslash."""
    escaped = (html.escape(line, quote=True) for line in text.split("\n"))
    return "<BR/>".join(line.replace("\\", "&#92;&#92;") for line in escaped)


def _dot(graph: ChainGraph) -> str:
    out = [
        "digraph chain {",
        f'  graph [rankdir=TB, newrank=true, nodesep=0.3, ranksep=0.45, fontname="{FONT}",'
        f' label=<{_title(graph)}>, labelloc=t, fontsize=16, bgcolor="white", compound=true];',
        f'  node [fontname="{FONT}", fontsize=11, margin="0.12,0.05"];',
        f'  edge [fontname="{FONT}", fontsize=10, arrowsize=0.7];',
    ]
    for node in graph.nodes:
        if node.zone is None:
            out.append("  " + _node(node))
    for index, cluster in enumerate(graph.clusters):
        out.extend(_cluster(index, cluster, [n for n in graph.nodes if n.zone == cluster.zone]))
    for edge in graph.edges:
        out.append("  " + _edge(edge))
    out.extend(_legend())
    out.append("}")
    return "\n".join(out) + "\n"


def _title(graph: ChainGraph) -> str:
    colour = ZONE_COLOUR[graph.verdict]
    return (
        f"<B>Chain of trust: {esc(graph.title)}</B> — "
        f'<FONT COLOR="{colour}"><B>{graph.verdict.value.upper()}</B></FONT>'
    )


def _cluster(index: int, cluster: Cluster, nodes: list[Node]) -> list[str]:
    colour = BROKEN if cluster.broken else ZONE_COLOUR[cluster.status]
    width = 3 if cluster.broken else 1.5
    label = (
        f"<B>zone {esc(cluster.zone.to_text())}</B><BR/>"
        f'<FONT POINT-SIZE="10" COLOR="{ZONE_COLOUR[cluster.status]}">'
        f"{esc(cluster.subtitle)}</FONT>"
    )
    lines = [
        f"  subgraph cluster_{index} {{",
        f'    graph [label=<{label}>, style="rounded", color="{colour}", penwidth={width},'
        " labeljust=l, fontsize=12];",
    ]
    lines += ["    " + _node(n) for n in nodes]
    if not nodes:
        lines.append(f'    z{index}_empty [label="(nothing served)", shape=plaintext];')
    lines.append("  }")
    return lines


def _node(node: Node) -> str:
    if node.kind in ("anchor", "ds", "proof"):
        return f"{node.id} [shape=plain, label=<{_table(node)}>];"
    body = f"<B>{esc(node.title)}</B>"
    for line in node.lines:
        body += f'<BR/><FONT POINT-SIZE="10">{esc(line)}</FONT>'
    for mark in node.marks:
        body += f'<BR/><FONT POINT-SIZE="10" COLOR="{BROKEN}"><B>{esc(mark)}</B></FONT>'
    attributes = _NODE_LOOK.get(node.kind, "shape=box")
    if node.kind == "rrset":
        attributes += f', fillcolor="{RRSET_FILL.get(_status_of(node), "#ffffff")}"'
    if node.kind == "dnskey" and node.title.startswith("DNSKEY ZSK"):
        attributes = attributes.replace("#fff3c4", "#eeeeee")
    return f"{node.id} [{attributes}, label=<{body}>];"


_NODE_LOOK = {
    "dnskey": 'shape=box, style="rounded,filled", fillcolor="#fff3c4", color="#5d4037"',
    "rrset": 'shape=box, style="filled", color="#37474f"',
    "server": f'shape=box, style="dashed,filled", fillcolor="#fce4ec", color="{BROKEN}"',
    "missing": f'shape=box, style="dashed", color="{BROKEN}"',
    "unsigned": 'shape=box, style="dashed", color="#b8860b"',
    "more": 'shape=plaintext, fontcolor="#616161"',
    "cause": f'shape=octagon, style="filled,bold", fillcolor="#ffcdd2", color="{BROKEN}"',
}


def _status_of(node: Node) -> Status:
    for status, edge in (
        (Status.SECURE, EdgeStatus.VALID),
        (Status.INSECURE, EdgeStatus.INSECURE),
        (Status.BOGUS, EdgeStatus.INVALID),
    ):
        if node.status is edge:
            return status
    return Status.INDETERMINATE


def _table(node: Node) -> str:
    fill = {"anchor": "#e3f2fd", "ds": "#ede7f6", "proof": "#e0f7fa"}[node.kind]
    border = "#1565c0" if node.kind == "anchor" else "#4527a0" if node.kind == "ds" else "#00838f"
    if node.kind == "proof" and node.status not in (EdgeStatus.VALID, EdgeStatus.INSECURE):
        border = BROKEN
    style = ' STYLE="dashed"' if node.kind == "proof" else ""
    rows = [f'<TR><TD BORDER="0"><B>{esc(node.title)}</B></TD></TR>']
    rows += [
        f'<TR><TD BORDER="0"><FONT POINT-SIZE="10">{esc(x)}</FONT></TD></TR>' for x in node.lines
    ]
    rows += [
        f'<TR><TD PORT="r{i}" BGCOLOR="white" ALIGN="LEFT"><FONT FACE="DejaVu Sans Mono" '
        f'POINT-SIZE="10">{esc(row)}</FONT></TD></TR>'
        for i, row in enumerate(node.rows)
    ]
    return (
        f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3"{style} '
        f'BGCOLOR="{fill}" COLOR="{border}">' + "".join(rows) + "</TABLE>"
    )


def _edge(edge: Edge) -> str:
    source = f"{edge.src}:{edge.src_port}:s" if edge.src_port else edge.src
    if edge.invisible:
        return f"{source} -> {edge.dst} [style=invis];"
    if edge.broken:
        colour, width, style = BROKEN, 4.0, "bold"
    else:
        colour = EDGE_COLOUR[edge.status]
        width = 1.2 if edge.status is EdgeStatus.VALID else 2.0
        style = "dashed" if edge.dashed else EDGE_STYLE.get(edge.status, "solid")
    attributes = [f'color="{colour}"', f"penwidth={width}", f'style="{style}"']
    if edge.label:
        font = f' COLOR="{BROKEN}"' if edge.broken else f' COLOR="{colour}"'
        text = esc(edge.label)
        text = f"<B>{text}</B>" if edge.broken else text
        attributes.append(f"label=<<FONT{font}>{text}</FONT>>")
    if edge.src == edge.dst:
        attributes.append("dir=forward")
    return f"{source} -> {edge.dst} [{', '.join(attributes)}];"


def _legend() -> list[str]:
    rows = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    entries = [(BROKEN, "━━━", "the broken link (thick red, with the cause)")]
    entries += [(EDGE_COLOUR[s], _LEGEND_LINE.get(s, "━━━"), s.value) for s in EdgeStatus]
    for colour, line, words in entries:
        rows.append(
            f'<TR><TD><FONT COLOR="{colour}"><B>{line}</B></FONT></TD>'
            f'<TD ALIGN="LEFT">{esc(words)}</TD></TR>'
        )
    for words in _LEGEND_SHAPES:
        rows.append(
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9">{esc(words)}</FONT></TD></TR>'
        )
    table = (
        '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" COLOR="#9e9e9e">'
        + "".join(rows)
        + "</TABLE>"
    )
    return [
        "  subgraph legend {",
        "    graph [rank=sink];",
        f"    legend [shape=plain, fontsize=10, label=<{table}>];",
        "  }",
    ]


_LEGEND_LINE = {
    EdgeStatus.UNSUPPORTED: "- - -",
    EdgeStatus.INSECURE: "- - -",
    EdgeStatus.NOT_YET_VALID: "- - -",
    EdgeStatus.UNCHECKED: "· · · ·",
}
_LEGEND_SHAPES = (
    "arrows: DS → DNSKEY (digest), key → what it signs (RRSIG)",
    "boxes: rounded = DNSKEY (yellow KSK/CSK, grey ZSK); square = RRset",
    "tables: blue = trust anchor, purple = DS at the parent, cyan dashed = NSEC/NSEC3 proof",
    "dashed red box: a key or answer that is not served; pink: a failing server",
)
