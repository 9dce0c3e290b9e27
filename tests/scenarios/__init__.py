"""Scenario tests: driven by the built-in lab or by zones signed at test time.

check, collect and the CLI against the built-in lab (the session's ``builtin_lab``);
verify on clean, defective, hostile and networked zones; the golden set; hostile
servers; input hardening; the lab's build and server; the benchmark's smoke test.
"""
