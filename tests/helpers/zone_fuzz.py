"""Zone-file text for fuzzing the reader, C path against pure Python (issue 17).

:func:`zone_text` draws a small zone from a ``random.Random``: records of the types a
signed zone holds and a few others, valid and broken, with long strings and names
(around the 255-octet and 63-octet limits and far beyond), \\DDD and other escapes,
quotes, parentheses across lines, comments, $ORIGIN and $TTL (no $INCLUDE: the text
stands alone), then mutated character by character.  :func:`outcome` reads a text one
way; :func:`compare` both ways.  Used by tests/properties/test_fuzz_zonefile.py (a
short run) and bench/fuzz_zonefile.py (a million inputs).
"""

from __future__ import annotations

import io
import random

from dnssec_doctor.zonefile import reader
from dnssec_doctor.zonefile.reader import (
    MAX_LOGICAL_LINE,
    Record,
    ZoneSyntaxError,
    read_records,
)

#: ("records", [...]) | ("error", message) | ("traceback", repr of the exception), and
#: the records read before it
Outcome = tuple[str, object, list[Record]]

ORIGINS = ("example.com.", "Sub.Example.COM.", "example.com.", None)
# characters that change how a line reads, and what the encodings are made of
ALPHABET = ' \t\n;()"\\.@$0123456789aAzZvVwW#-=+/\r\x0b\x1c\x7fé\u2003'
TYPES = (
    "A",
    "AAAA",
    "NS",
    "CNAME",
    "DNAME",
    "PTR",
    "MX",
    "TXT",
    "SPF",
    "SOA",
    "DS",
    "CDS",
    "DNSKEY",
    "CDNSKEY",
    "RRSIG",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "CAA",
    "HINFO",
    "TYPE65534",
    "TYPE0",
    "BOGUS",
)
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


#: How often a field is drawn broken or at a limit (most records stay readable, so
#: that what follows an error is read too).
ODD = 0.06


def pick(rng: random.Random, usual: tuple[str, ...], odd: tuple[str, ...]) -> str:
    return rng.choice(odd) if rng.random() < ODD else rng.choice(usual)


def _label(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.93:
        return "".join(rng.choice("abcxyzAZ09-") for _ in range(rng.randint(1, 8)))
    if kind < 0.95:
        return "a" * rng.choice((62, 63, 64, 65, 200))
    if kind < 0.97:  # escapes: valid, out of range, cut short, an escaped dot
        return "".join(
            rng.choice(("\\097", "\\000", "\\255", "\\256", "\\999", "\\9", "\\.", "\\\\", "x"))
            for _ in range(rng.randint(1, 6))
        )
    if kind < 0.98:
        return "*"
    if kind < 0.99:
        return "é" * rng.randint(1, 3)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4)))


def name(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return "@"
    if kind < 0.15:
        return "."
    if kind < 0.18:  # near the 255-octet limit, and beyond
        labels = ["a" * 63] * 3 + ["b" * rng.choice((59, 60, 61, 62, 63))]
        return ".".join(labels) + rng.choice((".", ""))
    if kind < 0.19:  # far beyond it
        return rng.choice(("a", "a.", "\\097")) * rng.choice((300, 1021, 5000))
    text = ".".join(_label(rng) for _ in range(rng.randint(1, 4)))
    return text + "." if rng.random() < 0.4 else text


def string(rng: random.Random) -> str:
    """A TXT string: short, around 255 octets, or far beyond; quoted or not."""
    kind = rng.random()
    if kind < 0.75:
        body = "".join(rng.choice("ab c;()") for _ in range(rng.randint(0, 12)))
    elif kind < 0.85:
        body = "s" * rng.choice((254, 255, 256, 300))
    elif kind < 0.9:
        body = "\\098" * rng.choice((63, 64, 255, 256)) + "t" * rng.choice((0, 1, 10))
    elif kind < 0.91:
        body = "u" * rng.choice((1021, 4000, 70_000))
    else:
        body = "".join(
            rng.choice(("\\034", '\\"', "\\;", "\\(", "é", "\\999", "\\0", "v", " "))
            for _ in range(rng.randint(1, 10))
        )
    if rng.random() < 0.7 or " " in body or not body:
        return f'"{body}"'
    return body


def _b64(rng: random.Random, size: int) -> str:
    text = "".join(rng.choice(B64) for _ in range(size))
    return text + rng.choice(("", "=", "==", "A=", "==AA"))


def rdata(rng: random.Random, rdtype: str) -> str:
    if rdtype == "A":
        return pick(rng, ("192.0.2.1", "0.0.0.0"), ("10.0.0.256", "1.2.3"))
    if rdtype == "AAAA":
        return pick(rng, ("2001:db8::1", "::", "::ffff:1.2.3.4"), ("1:" * 9 + "1",))
    if rdtype in ("NS", "CNAME", "DNAME", "PTR"):
        return name(rng)
    if rdtype == "MX":
        return f"{pick(rng, ('10', '0', '65535'), ('65536', 'x'))} {name(rng)}"
    if rdtype in ("TXT", "SPF"):
        count = 257 if rng.random() < 0.01 else rng.randint(1, 3)
        return " ".join(string(rng) for _ in range(count))
    if rdtype == "SOA":
        return f"{name(rng)} {name(rng)} 1 7200 3600 {pick(rng, ('1209600', '1w'), ('x',))} 300"
    if rdtype in ("DS", "CDS"):
        kind = pick(rng, ("1", "2", "4"), ("0", "9"))
        digest = "ab" * {"1": 20, "2": 32, "4": 48}.get(kind, 33)
        return f"12345 13 {kind} {digest[:40]} {digest[40:]}"
    if rdtype in ("DNSKEY", "CDNSKEY"):
        flags = pick(rng, ("256", "257"), ("70000",))
        return f"{flags} 3 13 {_b64(rng, rng.choice((8, 88, 88, 4000)))}"
    if rdtype == "RRSIG":
        covered = pick(rng, ("A", "NSEC", "TYPE65534"), ("X",))
        times = pick(rng, ("20261231000000 20261201000000", "1 2"), ("99991231235959 0",))
        return f"{covered} 13 2 300 {times} 12345 {name(rng)} {_b64(rng, rng.choice((8, 88)))}"
    if rdtype == "NSEC":
        return f"{name(rng)} A NS {pick(rng, ('RRSIG', 'TYPE65535'), ('TYPE0', 'X'))}"
    if rdtype == "NSEC3":
        salt = pick(rng, ("-", "ab", "ab" * 255), ("abc", "ab" * 256))
        iterations = pick(rng, ("0", "10"), ("65536",))
        hashed = "0" * int(pick(rng, ("32", "8"), ("7",)))
        return f"1 0 {iterations} {salt} {hashed} A RRSIG"
    if rdtype == "NSEC3PARAM":
        return f"1 0 0 {pick(rng, ('-', 'ab'), ('x',))}"
    if rdtype == "CAA":
        return f'0 issue "{"c" * rng.choice((3, 300))}"'
    if rdtype == "HINFO":
        return f"{string(rng)} {string(rng)}"
    if rdtype in ("TYPE65534", "TYPE0", "BOGUS"):
        size = rng.choice((0, 2, 3))
        return f"\\# {size} {'ab' * size}" if rng.random() > ODD else "x"
    return ""


def record(rng: random.Random) -> str:
    owner = "" if rng.random() < 0.2 else name(rng)
    ttl = pick(rng, ("300", "1h", "4294967295", ""), ("4294967296", "1x"))
    cls = pick(rng, ("IN", "", ""), ("CH", "CLASS1", "CLASS3"))
    fields = [ttl, cls] if rng.random() < 0.7 else [cls, ttl]
    rdtype = pick(rng, TYPES[:-3], TYPES[-3:])
    words = [w for w in [*fields, rdtype] if w]
    data = rdata(rng, rdtype)
    if rng.random() < 0.25 and '"' not in data:  # the RDATA across lines, with comments
        parts = data.split(" ")
        cut = rng.randint(0, len(parts))
        data = f"( {' '.join(parts[:cut])} ; c\n\t\t{' '.join(parts[cut:])} )"
    line = f"{owner}\t{' '.join(words)} {data}"
    if rng.random() < 0.1:
        line += " ; " + rng.choice(("comment", "(", '"', "é"))
    return line


def zone_text(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.8:
        lines.append("$TTL " + pick(rng, ("300", "1d"), ("x", "")))
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.08:
            lines.append(f"$ORIGIN {name(rng)}")
        elif kind < 0.1:
            lines.append(f"$TTL {pick(rng, ('60', '1w2d'), ('-1',))}")
        elif kind < 0.12:
            lines.append(rng.choice(("", "; only a comment", "   ", "(", ")")))
        else:
            lines.append(record(rng))
    text = "\n".join(lines) + rng.choice(("\n", "", "\r\n"))
    for _ in range(rng.choice((0, 0, 0, 0, 1, 2, 4))):
        text = mutate(rng, text)
    if rng.random() < 0.0005:  # a record longer than the reader allows
        text += 'big TXT "' + "a" * (MAX_LOGICAL_LINE + rng.randint(-64, 64)) + '"\n'
    return text


def mutate(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    op = rng.randrange(6)
    if op == 0:
        return (
            text[:at] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4))) + text[at:]
        )
    if op == 1:
        return text[:at] + text[at + rng.randint(1, 12) :]
    if op == 2:
        return text[:at] + rng.choice(ALPHABET) + text[at + 1 :]
    if op == 3:  # long tokens and lines
        return text[:at] + text[at : at + 8] * rng.randint(2, 200) + text[at:]
    if op == 4:
        lines = text.split("\n")
        lines.insert(at % len(lines), rng.choice(lines))
        return "\n".join(lines)
    return text[:at]


def outcome(text: str, pure: bool, origin: str | None) -> Outcome:
    """What reading ``text`` gives, with the C extension (where built) or without it."""
    saved = reader._CZONE
    if pure:
        reader._CZONE = None
    records: list[Record] = []
    try:
        records.extend(read_records(io.StringIO(text), origin))
        return "records", len(records), records
    except ZoneSyntaxError as error:
        return "error", str(error), records
    except Exception as error:  # the harness's finding: must never happen
        return "traceback", repr(error)[:500], records
    finally:
        reader._CZONE = saved


def compare(text: str, origin: str | None) -> tuple[Outcome, Outcome]:
    """(C path, pure Python) outcomes of ``text``."""
    return outcome(text, False, origin), outcome(text, True, origin)


__all__ = ["ORIGINS", "Outcome", "compare", "mutate", "outcome", "pick", "zone_text"]
