"""BIND named: one authoritative process with a view per address, and a recursive one for delv."""

from __future__ import annotations

from pathlib import Path

from dnssec_doctor.lab.manifest import RECURSOR_ADDRESS, LabManifest, LabServer
from dnssec_doctor.lab.real.layout import ROOT_HINTS, quoted, workdir
from dnssec_doctor.lab.real.process import DaemonSpec

AUTH = "named-auth"
RECURSOR = "named-recursor"


def _common_options(work: Path, port: int, addresses: list[str]) -> str:
    # every file named would write goes to the lab; the defaults (/run/named, /var/cache/bind)
    # belong to the system's own named
    listen = " ".join(f"{a};" for a in addresses)
    return f"""
    directory {quoted(work)};
    pid-file {quoted(work / "named.pid")};
    lock-file {quoted(work / "named.lock")};
    session-keyfile {quoted(work / "session.key")};
    managed-keys-directory {quoted(work)};
    dump-file {quoted(work / "cache.dump")};
    statistics-file {quoted(work / "named.stats")};
    memstatistics-file {quoted(work / "named.memstats")};
    secroots-file {quoted(work / "named.secroots")};
    recursing-file {quoted(work / "named.recursing")};
    geoip-directory none;
    bindkeys-file "/dev/null";  // no built-in anchors: the lab has its own root
    listen-on port {port} {{ {listen} }};
    listen-on-v6 {{ none; }};
    reuseport no;  // no SO_REUSEPORT: another process cannot bind our address:port beside us
    notify no;
    allow-transfer {{ 127.0.0.0/8; }};  // verify --axfr takes the zones from here
    querylog no;"""


# no rndc control channel (and so no rndc.key read from /etc/bind); no logging statement:
# -g sends every message to stderr, which is the daemon's log file
_NO_CONTROLS = """
controls { };
"""

# The lab's zones are broken on purpose: named must load them as they are, check nothing,
# fix nothing and never sign (no dnssec-policy, no inline-signing, no auto-dnssec).
_ZONE_AS_IS = (
    "check-names ignore; check-integrity no; check-mx ignore; check-mx-cname ignore; "
    "check-srv-cname ignore; check-dup-records ignore; check-wildcard no; check-sibling no; "
    "check-spf ignore; dnssec-policy none; zone-statistics no;"
)


def auth_spec(manifest: LabManifest, servers: list[LabServer], port: int) -> DaemonSpec:
    """One named for every "named" address: a view per address, matched by destination."""
    lab = Path(manifest.directory)
    work = workdir(lab, AUTH)
    addresses = [s.address for s in servers]
    views = []
    for server in servers:
        zones = "\n".join(
            f'    zone "{z.origin}" {{ type primary; file {quoted(manifest.path(z.file))}; '
            f"{_ZONE_AS_IS} }};"
            for z in server.zones
        )
        views.append(
            f'view "{server.address}" {{\n'
            f"    match-clients {{ any; }};\n"
            f"    match-destinations {{ {server.address}; }};\n"
            f"{zones}\n}};"
        )
    text = f"""// dnssec-doctor real-server lab: authoritative named (generated; do not edit)
options {{{_common_options(work, port, addresses)}
    recursion no;
    dnssec-validation no;
    minimal-responses yes;
    empty-zones-enable no;
}};
{_NO_CONTROLS}
{chr(10).join(views)}
"""
    config = work / "named.conf"
    return DaemonSpec(
        name=AUTH,
        kind="named",
        program="named",
        # -g: foreground, log to stderr (appended to the log); -4: the lab is IPv4 only
        args=["-4", "-g", "-c", str(config)],
        config=config,
        config_text=text,
        log=work / "named.log",
        workdir=work,
        addresses=addresses,
        zones=[(s.address, z.origin) for s in servers for z in s.zones],
    )


def bogus_for_recursor(manifest: LabManifest) -> list[str]:
    """Addresses the recursive named must never ask.

    The recursive named does not validate, so where one server of a zone serves a stale copy
    it would pass on whichever copy the server it happened to pick gave, and delv's verdict
    would change from run to run.  Unbound validates and retries the other servers; to make
    delv deterministic the recursor ignores (`bogus yes`) every address serving a copy other
    than the canonical file.  Silent addresses never answer anyway; ignoring them spares the
    recursor its timeouts.
    """
    bogus = []
    for server in manifest.servers:
        stale = any(manifest.zones.get(z.origin, z.file) != z.file for z in server.zones)
        if stale or server.silent:
            bogus.append(server.address)
    return bogus


def recursor_spec(manifest: LabManifest, port: int) -> DaemonSpec:
    """A recursive, NON-validating named: delv 9.18 cannot iterate by itself and never sets
    CD, so it needs a resolver that hands it bogus data unvalidated, RRSIGs included."""
    lab = Path(manifest.directory)
    work = workdir(lab, RECURSOR)
    servers = "\n".join(f"server {a} {{ bogus yes; }};" for a in bogus_for_recursor(manifest))
    text = f"""// dnssec-doctor real-server lab: recursive named for delv (generated; do not edit)
options {{{_common_options(work, port, [RECURSOR_ADDRESS])}
    recursion yes;
    allow-query {{ 127.0.0.0/8; }};
    allow-recursion {{ 127.0.0.0/8; }};
    dnssec-validation no;
    empty-zones-enable no;
    max-cache-size 32m;
}};
{_NO_CONTROLS}
zone "." {{ type hint; file {quoted(lab / ROOT_HINTS)}; }};
{servers}
"""
    config = work / "named.conf"
    return DaemonSpec(
        name=RECURSOR,
        kind="recursor",
        program="named",
        args=["-4", "-g", "-c", str(config)],
        config=config,
        config_text=text,
        log=work / "named.log",
        workdir=work,
        addresses=[RECURSOR_ADDRESS],
    )
