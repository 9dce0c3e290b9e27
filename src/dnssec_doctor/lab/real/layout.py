"""Where the real-server lab keeps its files: everything under the lab directory."""

from __future__ import annotations

from pathlib import Path

REAL_DIR = "real"  # configs, logs, pid files, databases of the daemons
STATE_FILE = "state.json"  # what was started and added, for `lab down`
ROOT_HINTS = "root.hints"  # named.root format, for Unbound and the recursive named
ROOT_KEY = "root.key"  # root DS and DNSKEY lines (Unbound trust-anchor-file format)
TRUST_ANCHORS_CONF = "trust-anchors.conf"  # BIND `trust-anchors` statement, for delv


def real_dir(lab: Path) -> Path:
    return lab / REAL_DIR


def workdir(lab: Path, daemon: str) -> Path:
    return real_dir(lab) / daemon


def state_file(lab: Path) -> Path:
    return real_dir(lab) / STATE_FILE


def quoted(path: Path | str) -> str:
    """A path as a quoted string for named.conf, nsd.conf, knot.conf and unbound.conf."""
    text = str(path)
    if '"' in text or "\\" in text or "\n" in text:
        raise ValueError(f"the lab cannot use a path with quotes or backslashes: {text!r}")
    return f'"{text}"'
