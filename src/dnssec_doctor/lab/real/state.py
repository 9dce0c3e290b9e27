"""The state file: what a running real-server lab started and added, for `lab down`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dnssec_doctor.lab.real.errors import RealLabError
from dnssec_doctor.lab.real.layout import state_file
from dnssec_doctor.lab.real.process import Started, distrust

STATE_FORMAT = "dnssec-doctor-real-lab/1"


@dataclass
class RealLabState:
    directory: str
    port: int
    added_addresses: list[str] = field(default_factory=list)  # ours to remove, and only these
    daemons: list[Started] = field(default_factory=list)  # ours to stop, and only these
    format: str = STATE_FORMAT

    @property
    def path(self) -> Path:
        return state_file(Path(self.directory))

    def save(self) -> None:
        # write-then-rename: a `lab down` running meanwhile never reads half a file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        tmp.replace(self.path)

    @classmethod
    def load(cls, directory: Path) -> RealLabState | None:
        path = state_file(directory)
        try:
            text = path.read_text()
            why = distrust(path.parent, path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise RealLabError(f"unreadable lab state {path}: {error.strerror}") from error
        if why:
            raise RealLabError(f"lab state not trusted: {why}")
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("format") != STATE_FORMAT:
                raise ValueError(f"not a real-lab state file ({STATE_FORMAT})")
            return cls(
                directory=raw["directory"],
                port=int(raw["port"]),
                added_addresses=list(raw["added_addresses"]),
                daemons=[
                    Started(**{**d, "command": tuple(d.get("command", ()))}) for d in raw["daemons"]
                ],
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise RealLabError(f"unreadable lab state {path}: {error}") from error
