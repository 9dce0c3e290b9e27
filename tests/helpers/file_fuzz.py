"""The small files an operator hands us, valid and broken, for fuzzing their readers
(issue 17): trust-anchor files, root hints, the monitor's TOML config.

Each draw starts from a realistic file (the lab's anchor and hints, the monitor config
of docs/monitor.md) built from records and keys that zone_fuzz draws, then mutated
character by character with zone_fuzz's mutations.  The readers must return or refuse
with their own one-line error; anything else is a bug.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from dnssec_doctor.collect.anchors import AnchorFileError, parse_root_hints, parse_trust_anchors
from dnssec_doctor.monitor.config import ConfigError, load
from helpers.zone_fuzz import mutate, name, record

ANCHOR = (
    ". 3600 IN DS 46567 8 2 831b050a05b2da25429735989caca71ce7f3b5fe2d9ef0ea70adb313364253ca\n"
    ". 3600 IN DNSKEY 257 3 8 AwEAAbBioi3K4Ruv2cI0IYW3QBWCFo5qtu3z2N0Mjrgj3VJGwIybAnjt"
    "UO4XmPanJuUMwwbPjkULNOr4b+qUg2X/mEHJjtby34ckynSGLo272LWr4QOmL//dzyBkRdfKX+xmdpdfckOE"
    "ZfukdZT992UihLrS74FfYI0dEp93BqS33d2wn8pAdtXY0MrKTJya7YMxaPnnkTYOpZErzSUFNWisCMw4daM/"
    "ZCQ8Sffruq97ZlN8rO3phz2XMn0CsPwoF2FhUCN9UWSkDqZMmjsqTCXGD70m8VhrRa/iJcrJOEkFdPvbmmVY"
    "Zd39kIG5l4WG85nOvypmhijG4TaksHPKIW3Ss4k=\n"
)
HINTS = (
    "; root hints of the lab\n"
    ".                        3600000      NS    A.ROOT-SERVERS.TEST.\n"
    "A.ROOT-SERVERS.TEST.     3600000      A     127.53.0.1\n"
    "A.ROOT-SERVERS.TEST.     3600000      AAAA  ::1\n"
    ".                        3600000      NS    B.ROOT-SERVERS.TEST.\n"
    "B.ROOT-SERVERS.TEST.     3600000      A     127.53.0.2\n"
)
CONFIG = """\
trust_anchor = "root.key"
root_hints = "root.hints"
store = "sqlite:///monitor.db"
resolver = "127.53.255.1"

[defaults]
interval = "30m"
warn_days = 10
critical_days = 3

[channels.ops]
url = "json://127.0.0.1:9/hook"
[channels.pager]
command = ["/bin/true"]
states = ["CRITICAL", "OK"]
repeat = "4h"

[metrics]
listen = "127.0.0.1:9153"

[[zones]]
name = "example.com"
names = ["www.example.com A", "example.com MX"]
labels = { team = "dns" }

[[zones]]
name = "test."
interval = "5m"
"""
# what a TOML value can be made odd with
TOML_ODD = (
    '""',
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "true",
    "[]",
    "{}",
    '"30x"',
    '"-5m"',
    '"1000d"',
    '"\\u0000"',
    '"' + "a" * 300 + '"',
    "[1, 2]",
    '["www.example.com TYPE0"]',
    '"..com"',
    '"postgresql://"',
    '"sqlite:///"',
    '"127.0.0.1:99999"',
    '"[::1]:9153"',
    "2026-12-03",
)


def anchor_text(rng: random.Random) -> str:
    """A trust-anchor file: the lab's, with records drawn around it, then mutated."""
    lines = ANCHOR.splitlines()
    for _ in range(rng.randint(0, 3)):
        lines.insert(rng.randint(0, len(lines)), record(rng))
    if rng.random() < 0.2:
        lines.insert(0, f"$ORIGIN {name(rng)}")
    return _mutated(rng, "\n".join(lines) + "\n")


def hints_text(rng: random.Random) -> str:
    """A named.root-style file: the lab's, with records drawn around it, then mutated."""
    lines = HINTS.splitlines()
    for _ in range(rng.randint(0, 3)):
        lines.insert(rng.randint(0, len(lines)), record(rng))
    return _mutated(rng, "\n".join(lines) + "\n")


def config_text(rng: random.Random) -> str:
    """The monitor's config with values swapped for odd ones, lines dropped or repeated,
    then mutated."""
    lines = CONFIG.splitlines()
    for _ in range(rng.randint(0, 4)):
        at = rng.randrange(len(lines))
        key, sep, _value = lines[at].partition(" = ")
        if sep and rng.random() < 0.7:
            lines[at] = f"{key} = {rng.choice(TOML_ODD)}"
        elif rng.random() < 0.5:
            del lines[at]
        else:
            lines.insert(at, lines[rng.randrange(len(lines))])
    return _mutated(rng, "\n".join(lines) + "\n", chance=0.5)


def _mutated(rng: random.Random, text: str, chance: float = 0.7) -> str:
    while rng.random() < chance:
        text = mutate(rng, text)
    return text


def read_anchors(text: str) -> str:
    try:
        parse_trust_anchors(text, "anchor.key")
    except AnchorFileError as error:
        return _refused(str(error))
    return "read"


def read_hints(text: str) -> str:
    try:
        parse_root_hints(text, "root.hints")
    except AnchorFileError as error:
        return _refused(str(error))
    return "read"


def read_config(text: str) -> str:
    """Through the file, as `monitor` reads it (its UTF-8 and TOML errors included)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "monitor.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            load(path)
        except ConfigError as error:
            return _refused(str(error))
    return "read"


def _refused(message: str) -> str:
    if "\n" in message or not message.strip():
        raise AssertionError(f"not a one-line error: {message!r}")
    return "refused"
