"""The types every layer shares: evidence and its codec, the collection (zone cuts,
replies), findings and their codes, analyses, diagnoses and reports.

`collect` produces them, `analyze` and `diagnose` consume them, `services` hands them to
the front ends and `render` prints them. This package imports nothing above itself
(only `validate`'s record types and the dependency-free helpers beside it).
"""
