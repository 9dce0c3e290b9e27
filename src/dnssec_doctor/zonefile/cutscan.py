"""The zone cuts of a zone file, found before it is read: the owners of NS and DNAME
records, by a byte search for the type word.

Names are placed as they come (``structure.ZoneShape``): a name below a cut seen
earlier is glue or occluded.  dnssec-signzone writes names in its database's order,
so glue comes before its delegation about as often as after it, and a zone with
glue cannot be placed that way.  Knowing the cuts in advance, it can; the reader
still confirms every one (a line this scan misread only sends the zone to the
sorted read).  Names are absolute, lower-case presentation text here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: How much of the file is searched at a time.
BLOCK_BYTES = 8 << 20

# the type word of a record that makes a zone cut (NS) or occludes what is below (DNAME),
# as signers write it (upper case; a cut written "ns" is not found, and its zone is
# read sorted if its glue comes first); one pattern per word: a pattern that starts
# with a literal is searched for fast (an alternation or a character class first is
# 25 times slower)
_CUT_TYPES = tuple(re.compile(word + rb"(?=[ \t])") for word in (b"NS", b"DNAME"))
_CLASSES = (b"IN", b"CH", b"HS", b"CS")

#: (cuts, DNAMEs) as canonical wire names, as ``structure.ZoneShape`` takes them.
KnownCuts = tuple[frozenset[bytes], frozenset[bytes]]


@dataclass(frozen=True)
class CutOwners:
    """Owners (absolute, lower-case text) of NS and DNAME records, the apex excepted."""

    cuts: frozenset[bytes]
    dnames: frozenset[bytes]

    @property
    def all(self) -> frozenset[bytes]:
        return self.cuts | self.dnames

    def as_wire(self) -> KnownCuts | None:
        """(cuts, DNAMEs) as canonical wire names; None if one is not a valid name."""
        cuts = [to_wire(name) for name in self.cuts]
        dnames = [to_wire(name) for name in self.dnames]
        if None in cuts or None in dnames:
            return None
        return (
            frozenset(w for w in cuts if w is not None),
            frozenset(w for w in dnames if w is not None),
        )


def scan(path: str, start: int, origin: bytes) -> CutOwners | None:
    """The cut owners in ``path`` after byte ``start`` (``origin``: lower-case text
    with the final dot); None when text is not enough to name them: a directive
    that changes what names mean ($ORIGIN elsewhere, $INCLUDE, $GENERATE)."""
    cuts: set[bytes] = set()
    dnames: set[bytes] = set()
    with open(path, "rb") as handle:
        handle.seek(start)
        carry = b""
        while block := handle.read(BLOCK_BYTES):
            text = carry + block
            last = text.rfind(b"\n") + 1
            text, carry = text[:last], text[last:]
            if not _scan_lines(text, origin, cuts, dnames):
                return None
        if carry and not _scan_lines(carry + b"\n", origin, cuts, dnames):
            return None
    return CutOwners(frozenset(cuts), frozenset(dnames))


def _scan_lines(text: bytes, origin: bytes, cuts: set[bytes], dnames: set[bytes]) -> bool:
    """Add the cut owners of whole lines ``text`` to ``cuts`` and ``dnames``; False
    when a directive changes what names mean."""
    if not _directives_keep_names(text, origin):
        return False
    for pattern in _CUT_TYPES:
        for hit in pattern.finditer(text):
            if text[hit.start() - 1 : hit.start()] not in (b" ", b"\t"):
                continue  # part of a longer word
            line = text.rfind(b"\n", 0, hit.start()) + 1
            if text[line : line + 1] in (b" ", b"\t"):
                continue  # no owner on the line: the previous one's (rare in signer output)
            fields = text[line : hit.end()].split()
            kind = hit.group(0)
            if record_type(fields) != kind:
                continue  # NS as RRSIG's covered type, in an NSEC bitmap, in text
            name = absolute(fields[0].lower(), origin)
            if name is not None and name != origin:
                (cuts if kind == b"NS" else dnames).add(name)
    return True


def _directives_keep_names(text: bytes, origin: bytes) -> bool:
    """Do the directives in ``text`` leave names as they are?  $TTL does, and an
    $ORIGIN that names the zone; anything else ($ORIGIN elsewhere, $INCLUDE,
    $GENERATE) needs the reader."""
    at = 0 if text.startswith(b"$") else text.find(b"\n$")
    while at >= 0:
        start = at + 1 if text[at : at + 1] == b"\n" else at
        end = text.find(b"\n", start)
        words = text[start : end if end >= 0 else len(text)].split(b";", 1)[0].split()
        word = words[0][1:].upper() if words else b""
        value = words[1].lower() if len(words) > 1 else b""
        if word != b"TTL" and not (
            word == b"ORIGIN" and (value if value.endswith(b".") else value + b".") == origin
        ):
            return False
        at = text.find(b"\n$", start)
    return True


def origin_text(origin: str) -> bytes:
    """The zone's name as the search compares names: lower-case text, final dot."""
    text = origin.lower().encode("ascii", "replace")
    return text if text.endswith(b".") else text + b"."


def absolute(owner: bytes, origin: bytes) -> bytes | None:
    """``owner`` as an absolute lower-case name, or None where text is not enough
    (escapes, an empty owner)."""
    if not owner or b"\\" in owner or b"(" in owner or b";" in owner or b'"' in owner:
        return None
    if owner == b"@":
        return origin
    if owner.endswith(b"."):
        return owner
    return owner + b"." + origin if origin != b"." else owner + b"."


def record_type(fields: list[bytes]) -> bytes | None:
    """The type of a record line split into words (owner, [TTL] [class], type, ...)."""
    for word in fields[1:4]:
        upper = word.upper()
        if word[:1].isdigit() or upper in _CLASSES or upper.startswith(b"CLASS"):
            continue
        return upper
    return None


def to_wire(name: bytes) -> bytes | None:
    """The canonical wire form of an absolute lower-case text name without escapes."""
    labels = name.split(b".")[:-1] if name != b"." else []
    if any(not label or len(label) > 63 for label in labels):
        return None
    wire = b"".join(bytes((len(label),)) + label for label in labels) + b"\0"
    return wire if len(wire) <= 255 else None


__all__ = [
    "BLOCK_BYTES",
    "CutOwners",
    "KnownCuts",
    "absolute",
    "origin_text",
    "record_type",
    "scan",
    "to_wire",
]
