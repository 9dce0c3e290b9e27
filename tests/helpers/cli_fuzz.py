"""Command lines, valid and broken, for fuzzing `dnssec-doctor`'s argument handling
(issue 17).

:func:`command_line` draws an argv for one of the commands in :data:`FUZZED`: the
command's own options (read from the real parser, so a new option is fuzzed as soon as
it exists) with values from pools of the odd and the ordinary (names at and past the
limits, types, times, ports, timeouts, resolvers, paths to good and broken files), plus
unknown options, repeated ones, ``--`` and stray words.

:func:`run_command_line` runs it through ``cli.main`` in this process with the network
shut: constructing a network transport or starting a zone transfer raises
:class:`WouldSend`, so an accepted command line stops there and nothing is sent.  It
returns the exit code and the last stderr line; a command line that makes ``main``
print its "internal error" line, return a code outside ExitCode, or write more than one
error line is a bug.

Commands that start or stop servers (``lab up``, ``lab down``, ``demo``, ``monitor
run``) are not fuzzed: they change the machine.  A new command is added to FUZZED
when it is known to have no side effect but the network.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import dns.query

from dnssec_doctor.cli import build_parser, main
from dnssec_doctor.collect import transport
from dnssec_doctor.exitcodes import ExitCode
from helpers.file_fuzz import ANCHOR, CONFIG, HINTS
from helpers.zone_fuzz import name as drawn_name

#: (command words, options never drawn); see the module's text for what is left out
FUZZED: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("check",), frozenset()),
    (("probe",), frozenset()),
    (("verify",), frozenset()),
    (("checks",), frozenset()),
    (("monitor", "once"), frozenset()),
    (("monitor", "status"), frozenset()),
    (("monitor", "history"), frozenset()),
    (("lab", "list"), frozenset()),
)

NAMES = (
    "example.",
    "www.example.com",
    ".",
    "",
    "..",
    "a..b",
    "-",
    "*.example.",
    "\\000.x",
    "a" * 63 + ".com",
    "a" * 64 + ".com",
    ("a" * 60 + ".") * 5,
    "exa mple.com",
    "é.example",
    "xn--nxasmq6b.example",
    "127.0.0.1",
    "::1",
    "www.example.com.\x00",
    "\t",
    "--json",
)
TYPES = (
    "A",
    "AAAA",
    "SOA",
    "DS",
    "DNSKEY",
    "TYPE65535",
    "TYPE0",
    "ANY",
    "RRSIG",
    "NSEC3",
    "a",
    "TYPE99999",
    "CLASS1",
    "",
    "MX",
    "-1",
)
TIMES = (
    "now",
    "+3d",
    "-12h",
    "+1w",
    "-0s",
    "+1e9d",
    "-1e400d",
    "2026-12-01T00:00Z",
    "1969-12-31",
    "9999-12-31T23:59:59",
    "2026-13-01",
    "+3x",
    "yesterday",
    "",
    "+nan d",
)
NUMBERS = (
    "0",
    "-1",
    "1",
    "3",
    "53",
    "65535",
    "65536",
    "1e9",
    "nan",
    "inf",
    "-inf",
    "0.001",
    "x",
    "",
    "99999999999999999999",
)
RESOLVERS = (
    "127.53.255.1",
    "127.0.0.1:5353",
    "[::1]:53",
    "::1",
    "system",
    "1.2.3.4:0",
    "[::1]",
    "256.0.0.1",
    "localhost",
    "127.0.0.1:99999",
    "",
    ":53",
)
WORDS = ("--", "-", "--json", "-v", "--bogus", "--at", "-x", "--help-me", "\x7f", "check")


class WouldSend(Exception):
    """Raised where a command would open the network."""


class Outcome(NamedTuple):
    code: int
    errors: tuple[str, ...]  # the lines written to stderr


@contextlib.contextmanager
def network_shut() -> Iterator[None]:
    """No transport can be made, no transfer started, while this holds."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise WouldSend("the fuzzer shut the network")

    seams: tuple[tuple[object, str], ...] = (
        (transport.NetworkTransport, "__init__"),
        (dns.query, "xfr"),
        (dns.query, "inbound_xfr"),
    )
    saved = [getattr(owner, attribute) for owner, attribute in seams]
    for owner, attribute in seams:
        setattr(owner, attribute, refuse)
    try:
        yield
    finally:
        for (holder, name), original in zip(seams, saved, strict=True):
            setattr(holder, name, original)


def input_files(folder: Path) -> tuple[str, ...]:
    """Paths the drawn command lines name: good and broken files of each kind."""
    files = {
        "root.key": ANCHOR,
        "root.hints": HINTS,
        "monitor.toml": CONFIG.replace("monitor.db", str(folder / "monitor.db")),
        "zone.db": "$ORIGIN example.\n@ 3600 IN SOA ns h 1 2 3 4 5\n@ 3600 IN NS ns\n",
        "broken.txt": "this is ( not a zone\n\x00\xff",
        "empty": "",
        "evidence.json": '{"format": "dnssec-evidence/1", "exchanges": []}',
    }
    for file, text in files.items():
        (folder / file).write_text(text, errors="surrogateescape")
    return (
        *(str(folder / f) for f in files),
        str(folder),
        str(folder / "missing"),
        "/dev/null",
        "-",
        "",
    )


def _options(parser: argparse.ArgumentParser, words: Sequence[str]) -> argparse.ArgumentParser:
    for word in words:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    return parser


def _value(rng: random.Random, action: argparse.Action, files: Sequence[str]) -> str:
    dest = action.dest
    if action.choices:
        return str(rng.choice([*action.choices, "nonsense"]))
    pool: Sequence[str]
    if dest in (
        "trust_anchor",
        "root_hints",
        "evidence",
        "ds",
        "config",
        "output",
        "zonefile",
        "dir",
        "out",
        "evidence_file",
    ):
        pool = files
    elif dest in ("at",):
        pool = TIMES
    elif dest in ("resolver",):
        pool = RESOLVERS
    elif dest in ("name", "zone", "origin", "axfr"):
        return drawn_name(rng) if rng.random() < 0.3 else rng.choice(NAMES)
    elif dest in ("qtype", "type"):
        pool = TYPES
    elif dest in ("disable",):
        pool = ("keys", "keys.ds", "expiry", "nonsense", "", "zone.coverage")
    else:
        pool = NUMBERS
    return rng.choice(pool)


def command_line(rng: random.Random, files: Sequence[str]) -> list[str]:
    """One drawn argv (without the program name)."""
    words, left_out = rng.choice(FUZZED)
    parser = _options(build_parser(), words) if rng.random() < 0.97 else build_parser()
    argv = list(words)
    actions = [a for a in parser._actions if a.dest not in left_out and a.dest != "help"]
    for action in actions:
        if not action.option_strings:  # a positional: usually given, sometimes not
            if rng.random() < 0.9:
                argv.append(_value(rng, action, files))
        elif rng.random() < 0.25:
            flag = rng.choice(action.option_strings)
            if action.nargs == 0:
                argv.append(flag)
            elif rng.random() < 0.5 and flag.startswith("--"):
                argv.append(f"{flag}={_value(rng, action, files)}")
            else:
                argv += [flag, _value(rng, action, files)]
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        argv.insert(rng.randint(0, len(argv)), rng.choice(WORDS))
    if rng.random() < 0.05:
        rng.shuffle(argv)
    return argv


def run_command_line(argv: Sequence[str]) -> Outcome:
    """``cli.main(argv)`` with the network shut, stdin empty, output captured."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    try:
        with network_shut():
            code = main(list(argv))
    except SystemExit as leave:  # --help and --version leave through argparse
        code = leave.code if isinstance(leave.code, int) else int(ExitCode.UNKNOWN)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    err.flush()
    lines = err.buffer.getvalue().decode("utf-8", "replace").splitlines()
    return Outcome(code, tuple(lines))


def judge(argv: Sequence[str], outcome: Outcome) -> str:
    """``accepted`` (it reached the network or finished), ``refused`` (a one-line
    error); raises AssertionError for a bug."""
    if outcome.code not in set(ExitCode):
        raise AssertionError(f"exit {outcome.code} is no ExitCode: {list(argv)!r}")
    for line in outcome.errors:
        if "internal error" in line and WouldSend.__name__ not in line:
            raise AssertionError(f"{line} for {list(argv)!r}")
    if any(WouldSend.__name__ in line for line in outcome.errors):
        return "accepted"
    if outcome.code == ExitCode.UNKNOWN and outcome.errors:
        if len(outcome.errors) != 1:
            raise AssertionError(f"{len(outcome.errors)} error lines for {list(argv)!r}")
        return "refused"
    return "accepted"


def in_folder(folder: Path) -> contextlib.AbstractContextManager[None]:
    """Work in *folder*: a store or file named relatively lands there."""
    return contextlib.chdir(folder)
