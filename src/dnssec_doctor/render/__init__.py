"""Renderers of a check Report: text for people, JSON for programs."""
