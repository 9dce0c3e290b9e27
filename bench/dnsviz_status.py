"""DNSViz's verdict for one query, read from `dnsviz grok` JSON or `dnsviz print` text.

The status of the answer to NAME/TYPE is the status DNSViz gives the RRsets of the answer
(following a CNAME to its target), or of the NXDOMAIN/NODATA proof: SECURE, INSECURE,
BOGUS or INDETERMINATE; the worst one wins. `verdict()` maps it to a validator's outcome
(secure, insecure, bogus) for comparison with dnssec-doctor's verdict.
"""

from __future__ import annotations

import re
from typing import Any

_RANK = {"BOGUS": 4, "INDETERMINATE": 3, "INSECURE": 2, "SECURE": 1}
_PRINT_SYMBOLS = {".": "SECURE", "!": "BOGUS", "-": "INSECURE", "?": "INDETERMINATE"}
_MAX_CNAMES = 8


def _worst(statuses: list[str]) -> str:
    if not statuses:
        return "NONE"
    return max(statuses, key=lambda s: _RANK.get(s.split("_")[0], 3))


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def from_grok(doc: dict[str, Any], qname: str, qtype: str) -> str:
    """The status of the answer to *qname*/*qtype* in `dnsviz grok` output."""
    qname = _absolute(qname)
    statuses: list[str] = []
    for _ in range(_MAX_CNAMES):
        entry = doc.get(qname) or doc.get(qname.lower()) or {}
        query = entry.get("queries", {}).get(f"{qname}/IN/{qtype}", {})
        target = None
        for kind in ("answer", "nxdomain", "nodata"):
            for item in query.get(kind, []):
                if "status" in item:
                    statuses.append(str(item["status"]))
                if kind == "answer" and item.get("type") == "CNAME" and item.get("rdata"):
                    target = _absolute(str(item["rdata"][0]))
        if target is None:
            break
        qname = target
    return _worst(statuses)


_NAME_LINE = re.compile(r"^(\S+)(?: \[[^\]]*\])*\s*$")
# "  [S] " or "  [SE]" (status, then ! for errors or ? for warnings), one more space when
# neither, two spaces per depth, the type: depth 0 is the response, deeper lines are
# its RRSIGs and proofs (commands/print.py, _textualize_status_output_response)
_RESPONSE_LINE = re.compile(r"^  \[([.!\-?])([!?]?)\]( +)([A-Z0-9]+): (.*)$")


def from_print(text: str, qname: str, qtype: str) -> str:
    """The status of the answer to *qname*/*qtype* in `dnsviz print` output (the
    fallback when grok fails): the symbol before the top-level response line. '-' is
    INSECURE or INDETERMINATE there; it is read as INSECURE."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        name = _NAME_LINE.match(line)
        if name and not line.startswith(" "):
            current = blocks.setdefault(_absolute(name.group(1)).lower(), [])
        elif current is not None:
            current.append(line)
    statuses: list[str] = []
    qname = _absolute(qname).lower()
    for _ in range(_MAX_CNAMES):
        target = None
        for line in blocks.get(qname, []):
            response = _RESPONSE_LINE.match(line)
            if response is None:
                continue
            flagged = bool(response.group(2))
            if len(response.group(3)) != (1 if flagged else 2):  # deeper: RRSIGs, proofs
                continue
            rdtype, rdata = response.group(4), response.group(5).split()
            if rdtype not in (qtype, "CNAME"):
                continue
            statuses.append(_PRINT_SYMBOLS[response.group(1)])
            if rdata[:1] == ["CNAME"] and len(rdata) > 1:  # "A: CNAME target."
                target = _absolute(rdata[1]).lower()
            elif rdtype == "CNAME" and rdata:
                target = _absolute(rdata[0]).lower()
        if target is None:
            break
        qname = target
    return _worst(statuses)


def verdict(status: str) -> str:
    """secure, insecure, bogus, or the status itself in lower case."""
    return {"SECURE": "secure", "INSECURE": "insecure", "BOGUS": "bogus"}.get(
        status, status.lower()
    )
