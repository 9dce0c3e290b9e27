"""Helpers shared by the tests: fixtures, fake servers, signing, data locations.

Nothing here is a test; the test modules import it as a package
(``from helpers.cli_helpers import invoke``), pytest putting ``tests/`` on the path
(``pythonpath`` in pyproject.toml).  The session-scoped fixtures (the built-in lab,
the real-server lab) are imported once, by tests/conftest.py, never by a test module.
"""

from __future__ import annotations

from pathlib import Path

#: tests/
TESTS = Path(__file__).resolve().parent.parent
#: the repository's top directory
TOP = TESTS.parent
#: the zone files the tests read (data only)
ZONEFILES = TESTS / "zonefiles"
#: the RFC test vectors
VECTORS = TESTS / "vectors"
#: the golden set (tests/golden/capture.py writes it)
GOLDEN = TESTS / "golden"
