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

from dnssec_doctor.zonefile.reader import MAX_LOGICAL_LINE

#: How much of the file is searched at a time (one buffer, filled again and again:
#: a fresh block each time costs more in page faults than the search itself).
BLOCK_BYTES = 8 << 20
#: A longer line is more than reader.MAX_LOGICAL_LINE characters (of at most 4 octets
#: of UTF-8 each): the buffer is not grown for it.
MAX_LINE_BYTES = 4 * MAX_LOGICAL_LINE

# the type word of a record that makes a zone cut (NS) or occludes what is below (DNAME),
# as signers write it (upper case; a cut written "ns" is not found, and its zone is
# read sorted if its glue comes first).  One pattern for both, starting with a
# literal: a pattern that starts with a literal is searched for fast (an alternation
# or a character class first is ten times slower), and one pass costs half of two.
# "NAME" also matches CNAME: the letter before it tells.
_CUT_TYPES = re.compile(rb"N(?:S|AME)[ \t]")
_CLASSES = (b"IN", b"CH", b"HS", b"CS")
_BLANKS = b" \t"

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
    that changes what names mean ($ORIGIN elsewhere, $INCLUDE, $GENERATE), or a line
    longer than MAX_LINE_BYTES (the reader refuses the file at it)."""
    cuts: set[bytes] = set()
    dnames: set[bytes] = set()
    buffer = bytearray(BLOCK_BYTES)
    kept = 0  # the start of a line the last block cut off, moved to the front
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        while True:
            if kept == len(buffer):  # a line longer than the buffer
                if kept >= MAX_LINE_BYTES:
                    return None  # memory stays bounded: the reader refuses the line
                buffer.extend(bytes(len(buffer)))
            with memoryview(buffer) as view:
                got = handle.readinto(view[kept:])
            if not got:
                break
            end = kept + got
            last = buffer.rfind(b"\n", 0, end) + 1
            if last and not _scan_lines(buffer, last, origin, cuts, dnames):
                return None
            kept = end - last
            buffer[:kept] = buffer[last:end]  # same length: the buffer is not resized
    if kept and not _scan_lines(buffer[:kept] + b"\n", kept + 1, origin, cuts, dnames):
        return None
    return CutOwners(frozenset(cuts), frozenset(dnames))


def _scan_lines(
    text: bytearray, end: int, origin: bytes, cuts: set[bytes], dnames: set[bytes]
) -> bool:
    """Add the cut owners of the whole lines ``text[:end]`` to ``cuts`` and
    ``dnames``; False when a directive changes what names mean."""
    if not _directives_keep_names(text, end, origin):
        return False
    for hit in _CUT_TYPES.finditer(text, 0, end):
        at = hit.start()
        if text[at + 1] == 0x53:  # "NS"
            kind = b"NS"
        elif text[at - 1 : at] == b"D":
            kind, at = b"DNAME", at - 1
        else:
            continue  # CNAME, or NAME in a longer word
        if at == 0 or text[at - 1] not in _BLANKS:
            continue  # part of a longer word
        line = text.rfind(b"\n", 0, at) + 1
        if text[line] in _BLANKS:
            continue  # no owner on the line: the previous one's (rare in signer output)
        fields = bytes(text[line : hit.end()]).split()
        if record_type(fields) != kind:
            continue  # NS as RRSIG's covered type, in an NSEC bitmap, in text
        name = absolute(fields[0].lower(), origin)
        if name is not None and name != origin:
            (cuts if kind == b"NS" else dnames).add(name)
    return True


def _directives_keep_names(text: bytearray, end: int, origin: bytes) -> bool:
    """Do the directives in ``text[:end]`` leave names as they are?  $TTL does, and
    an $ORIGIN that names the zone; anything else ($ORIGIN elsewhere, $INCLUDE,
    $GENERATE) needs the reader."""
    # "$" alone is found at memory speed, "\n$" at a fifth of it: most of the time
    # this scan took, though "$" is rare outside directives
    at = text.find(b"$", 0, end)
    while at >= 0:
        if at == 0 or text[at - 1] == 0x0A:  # at the start of a line: a directive
            stop = text.find(b"\n", at, end)
            words = bytes(text[at : stop if stop >= 0 else end]).split(b";", 1)[0].split()
            word = words[0][1:].upper() if words else b""
            value = words[1].lower() if len(words) > 1 else b""
            if word != b"TTL" and not (
                word == b"ORIGIN" and (value if value.endswith(b".") else value + b".") == origin
            ):
                return False
        at = text.find(b"$", at + 1, end)
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
    "MAX_LINE_BYTES",
    "CutOwners",
    "KnownCuts",
    "absolute",
    "origin_text",
    "record_type",
    "scan",
    "to_wire",
]
