"""Many checks in one run: `check A B C` and `scan -f FILE`.

Each name is checked exactly as `check` checks one (services.check.run_check), a few at
a time (*jobs* threads), all sharing one :class:`~dnssec_doctor.collect.shared.SharedWalks`:
the root's and the TLDs' answers are asked once per run, and no server gets more than
its share of queries in flight.  The outcomes come back in the order the names were
given, whatever order the checks finished in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from dnssec_doctor import defaults
from dnssec_doctor.collect.shared import SharedWalks  # what a run's checks share (re-exported)
from dnssec_doctor.inputfile import MAX_EVIDENCE_FILE, read_small
from dnssec_doctor.model.scan import Outcome, Target
from dnssec_doctor.services.check import (
    CheckError,
    CheckOptions,
    check_shared_inputs,
    parse_name,
    parse_type,
    run_check,
)

#: A names file holds at most this many octets (64 MiB: over a million names).
MAX_NAMES_FILE = MAX_EVIDENCE_FILE

DEFAULT_JOBS = defaults.CHECK_JOBS

__all__ = [
    "DEFAULT_JOBS", "NamesFile", "SharedWalks", "check_many", "read_names", "targets_from_words",
]  # fmt: skip


def targets_from_words(words: Sequence[str]) -> list[Target]:
    """``NAME [TYPE] NAME [TYPE] ...``: a word without a dot after a name is that
    name's record type (a one-label name is written with its final dot: ``com.``; the
    first word is always a name).  Raises CheckError for a bad name or type."""
    targets: list[_Given] = []
    for word in words:
        if targets and "." not in word:
            parse_type(word)
            if targets[-1].qtype_given:
                raise CheckError(f"{word!r}: {targets[-1].name} already has a type")
            targets[-1] = _Given(targets[-1].name, word.upper(), True)
            continue
        parse_name(word)
        targets.append(_Given(word, "A", False))
    return [Target(t.name, t.qtype) for t in targets]


class _Given(NamedTuple):
    name: str
    qtype: str
    qtype_given: bool


class NamesFile(NamedTuple):
    targets: list[Target]
    bad: list[Outcome]  # lines that are not NAME [TYPE], with their line numbers


def read_names(source: str, stdin: Callable[[], str] | None = None) -> NamesFile:
    """A names file (``-``: standard input): one ``NAME [TYPE]`` per line; ``#`` starts
    a comment; blank lines are skipped.  A bad line is an Outcome with its line number
    (the others are still checked); a file that cannot be read, is not UTF-8 text or
    names nothing raises CheckError."""
    where = "standard input" if source == "-" else source
    if source == "-":
        text = (stdin or sys.stdin.read)()
    else:
        try:
            data = read_small(Path(source), MAX_NAMES_FILE)
        except FileNotFoundError as error:
            raise CheckError(f"no such names file: {source}") from error
        except OSError as error:
            raise CheckError(f"cannot read {source}: {error.strerror}") from error
        try:
            text = data.decode()
        except UnicodeDecodeError as error:
            raise CheckError(
                f"{source}: not UTF-8 text (byte {error.start + 1}); one NAME [TYPE] per line"
            ) from error
    if "\0" in text:
        raise CheckError(f"{where}: not a text file (a NUL byte); one NAME [TYPE] per line")
    targets: list[Target] = []
    bad: list[Outcome] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        target = Target(words[0], words[1].upper() if len(words) > 1 else "A", number)
        try:
            if len(words) > 2:
                raise CheckError(f"expected NAME [TYPE], found {len(words)} words")
            parse_name(target.name)
            parse_type(target.qtype)
        except CheckError as error:
            bad.append(Outcome(target, error=f"{where}:{number}: {error}"))
            continue
        targets.append(target)
    if not targets and not bad:
        raise CheckError(f"{where}: no names to check (one NAME [TYPE] per line)")
    return NamesFile(targets, bad)


def check_many(
    targets: Iterable[Target],
    options: CheckOptions,
    *,
    jobs: int = DEFAULT_JOBS,
    shared: SharedWalks | None = None,
    done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Check every target as *options* says (its name and type replaced), *jobs* at a
    time, sharing *shared* (a new SharedWalks when None); *done* hears of each outcome
    as it finishes.  Options every check shares (files, --resolver, --at, --disable) are
    checked once, first: bad input raises CheckError before any walk."""
    check_shared_inputs(options)
    run = shared if shared is not None else SharedWalks()
    todo = list(targets)

    def one(target: Target) -> Outcome:
        try:
            report = run_check(options._replace(name=target.name, qtype=target.qtype, shared=run))
            outcome = Outcome(target, report)
        except CheckError as error:
            outcome = Outcome(target, error=f"{target.name} {target.qtype}: {error}")
        if done is not None:
            done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="check") as pool:
        return list(pool.map(one, todo))
