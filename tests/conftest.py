"""Shared pytest fixtures."""

# --- real-server lab (named, NSD, Knot, Unbound, delv): fixtures live in real_fixtures.py ---
# Imported here, once, so that every test module shares the one session-scoped lab (a
# module importing the fixture itself would get a lab of its own, on the same addresses).
from real_fixtures import real_lab

__all__ = ["real_lab"]
# --- end of real-server lab fixtures ---

# --- built-in lab for the check tests ---
from check_fixtures import builtin_lab

__all__ += ["builtin_lab"]
