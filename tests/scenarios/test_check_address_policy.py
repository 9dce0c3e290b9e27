"""The address policy at the seam where the walk picks servers: a check whose policy
refuses the servers a delegation names sends them nothing and says so, and a check
that could not even start is refused before any query (the built-in lab)."""

from __future__ import annotations

import pytest

from dnssec_doctor.collect.transport import public_only
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.services.check import AddressRefused, run_check
from helpers.check_fixtures import BuiltinLab

ROOT_SERVERS = {"127.53.0.1", "127.53.0.2"}


def test_servers_a_delegation_names_are_not_asked_when_refused(builtin_lab: BuiltinLab) -> None:
    """The root's servers are allowed, everything the root delegates to is not: as a
    public checker meets a delegation to 10.0.0.1 or 127.0.0.1."""
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    options = builtin_lab.options(record)._replace(addresses=lambda a: a in ROOT_SERVERS)
    report = run_check(options)
    exchanges = report.collection.evidence.exchanges
    asked = {ex.server for ex in exchanges if ex.error != "blocked"}
    refused = {ex.server for ex in exchanges if ex.error == "blocked"}
    assert asked == ROOT_SERVERS
    assert {"127.53.0.11", "127.53.0.12"} <= refused  # test.'s servers
    assert all(
        ex.response is None and ex.rtt_ms is None for ex in exchanges if ex.server in refused
    )
    problem = next(p for p in report.collection.problems if p.startswith("not asked"))
    assert "127.53.0.11 (loopback)" in problem
    assert report.analysis.verdict is not Status.SECURE


def test_a_check_that_would_start_at_refused_addresses_is_refused(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    with pytest.raises(AddressRefused, match=r"127\.53\.0\.1 \(loopback\).*--allow-private"):
        run_check(builtin_lab.options(record)._replace(addresses=public_only))


def test_a_refused_resolver_is_refused(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    options = builtin_lab.options(record)._replace(
        resolver="10.0.0.53", addresses=lambda a: a in ROOT_SERVERS
    )
    with pytest.raises(AddressRefused, match=r"--resolver 10\.0\.0\.53 is private"):
        run_check(options)
