"""Which lab addresses can share one NSD or Knot process.

NSD and Knot have no views: one process serves every zone it loads at every address it
listens on.  Two addresses can share a process only when that changes nothing either of
them answers: no zone served from two different files, and no zone of one address an
ancestor or descendant of a zone of the other unless both serve it (otherwise the parent's
server would answer for the child instead of referring, or the child's server would answer
a DS query from the parent zone).
"""

from __future__ import annotations

import dns.name

from dnssec_doctor.lab.manifest import LabServer


def _zones(server: LabServer) -> dict[dns.name.Name, str]:
    return {dns.name.from_text(z.origin): z.file for z in server.zones}


def _compatible(a: dict[dns.name.Name, str], b: dict[dns.name.Name, str]) -> bool:
    for name_a, file_a in a.items():
        for name_b, file_b in b.items():
            if name_a == name_b:
                if file_a != file_b:
                    return False
            elif (name_a.is_subdomain(name_b) or name_b.is_subdomain(name_a)) and (
                a.get(name_b) != file_b or b.get(name_a) != file_a
            ):
                return False  # related zones share a process only when both addresses serve both
    return True


def group_servers(servers: list[LabServer]) -> list[list[LabServer]]:
    """Pack servers into as few processes as possible (first fit, in manifest order)."""
    groups: list[list[tuple[LabServer, dict[dns.name.Name, str]]]] = []
    for server in servers:
        zones = _zones(server)
        for group in groups:
            if all(_compatible(zones, other) for _, other in group):
                group.append((server, zones))
                break
        else:
            groups.append([(server, zones)])
    return [[server for server, _ in group] for group in groups]


def zone_files(servers: list[LabServer]) -> dict[str, str]:
    """origin -> zone file for a group (grouping guarantees one file per origin)."""
    return {zone.origin: zone.file for server in servers for zone in server.zones}
