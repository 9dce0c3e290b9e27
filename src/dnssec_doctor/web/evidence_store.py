"""Saved evidence, content-addressed: the permalink of a check names its evidence file
by the SHA-256 of its JSON, so a colleague's link shows the very same answers."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from dnssec_doctor.model import evidence as ev

_ID = re.compile(r"^[0-9a-f]{64}$")


class UnknownEvidence(LookupError):
    """No saved evidence has this id (or the id is not one)."""


class EvidenceStore:
    """A directory of ``<sha256>.json`` evidence files (docs/evidence.md's format)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def save(self, evidence: ev.Evidence) -> str:
        """Store *evidence* (once: the same answers are the same file); its id."""
        text = ev.to_json(evidence).encode()
        ident = hashlib.sha256(text).hexdigest()
        target = self.directory / f"{ident}.json"
        if not target.exists():
            # written whole, then renamed: a reader never sees half a file
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                out.write(text)
            os.replace(temporary, target)
        return ident

    def path(self, ident: str) -> Path:
        """The file of *ident*; UnknownEvidence for anything but a stored id."""
        if not _ID.match(ident):
            raise UnknownEvidence(f"not an evidence id: {ident[:80]!r}")
        path = self.directory / f"{ident}.json"
        if not path.is_file():
            raise UnknownEvidence(f"no saved evidence {ident}")
        return path
