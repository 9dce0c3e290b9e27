"""verify --axfr against real named: a zone transfer gives the report of the zone file
it came from (the built-in server's transfers: scenarios/test_verify_network.py)."""

from __future__ import annotations

from dnssec_doctor.lab.real import RealLab
from helpers.verify_cli import cli, comparable_json, report_json, server_of, zone_file


def test_axfr_from_real_named_matches_the_zone_file(real_lab: RealLab) -> None:
    manifest = real_lab.manifest
    served = []
    for candidate in manifest.scenarios:
        if candidate.id.startswith("healthy-"):
            try:
                served.append((candidate, server_of(manifest, candidate.zone, "named")))
            except LookupError:
                continue
    assert served, "no healthy zone is served by named"
    record, server = served[0]
    at = ["--at", manifest.now, "--jobs", "1", "--json"]
    transferred = cli("verify", record.zone, "--axfr", server, *at)
    from_file = cli("verify", str(zone_file(manifest, record.zone)), *at)
    assert transferred.returncode == 0, transferred.stderr
    assert comparable_json(report_json(transferred)) == comparable_json(report_json(from_file))
