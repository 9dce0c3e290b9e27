"""A bounded excerpt of untrusted text, for error messages."""

from __future__ import annotations


def bounded_excerpt(text: str, limit: int = 100) -> str:
    """``text`` shortened to at most ``limit`` characters plus a length note."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


__all__ = ["bounded_excerpt"]
