"""Named limits that keep one walk bounded, whatever the servers answer.

The collector talks to servers it does not control: a broken or hostile server can
refer it in circles, down an endless chain of zones, along a loop of CNAMEs, or bury
it in records.  Every such quantity is capped here and each cap has a test.  Hitting a
cap never raises: the walk stops where it is (or skips the excess) and says so in one
line of ``Collection.problems`` that names the limit, e.g. ``limit MAX_CNAME_CHAIN (8)
reached at d.example.: the CNAME chain is not followed further``.
"""

from __future__ import annotations

from typing import NamedTuple

#: Zone cuts one descent follows below the zone it starts from.  Real names sit a few
#: cuts deep (., com., example.com., maybe a sub-zone); 32 leaves room for odd trees
#: while stopping a server that invents a new cut below every name.
MAX_REFERRAL_DEPTH = 32

#: CNAME (or DNAME) hops followed from the queried name.  Resolvers give up after a
#: similar count (BIND 16, Unbound 11 with its own counting); a diagnosis rarely needs
#: more than a few and each hop may add zones to the walk.
MAX_CNAME_CHAIN = 8

#: Server addresses asked per zone.  The root has 13 names with an IPv4 and an IPv6
#: address each (26); further addresses (a hostile referral can list thousands) are
#: recorded as skipped.
MAX_SERVER_ADDRESSES_PER_ZONE = 32

#: Nameserver names without glue resolved per zone.  Each costs a small walk of its own;
#: real zones list a handful of names.
MAX_NS_NAMES_PER_ZONE = 16

#: Glueless nameserver lookups started in one check, nested ones included.  Each costs
#: a small walk whose answers a hostile server can make as large as a message can be (a
#: 52 KB referral of 2,000 NS names costs ~18 ms of CPU to parse): without a bound for
#: the whole check, 16 names per zone nested 3 deep are 4,096 lookups (NXNSAttack,
#: CVE-2020-12662; Unbound stops at MAX_TARGET_COUNT 64 per query).  An honest check
#: needs a few: 32 leaves room for every zone of a deep name to have glueless servers.
MAX_NS_LOOKUPS = 32

#: Nesting of glueless resolutions: resolving an NS name whose zone's NS names have no
#: glue either, and so on.  Resolvers bound this too (Unbound: target-fetch-policy).
MAX_NS_RESOLUTION_DEPTH = 3

#: Queries sent in one check.  A healthy name five cuts deep behind 26 root addresses
#: costs a few hundred; this stops a tree that fans out without end.
MAX_QUERIES = 2000

#: Seconds one check may take.  New queries are not sent after it (the walk stops with a
#: problem line); queries in flight are abandoned TIME_BUDGET_GRACE seconds later.  A
#: healthy check takes well under a second, one behind a silent server per zone a few
#: timeouts; a chain of zones whose servers answer just before the timeout (1.9 s of
#: 2) ran 62 s under the 60 s budget before.  20 s is what a monitor or a web page can
#: wait for one name (BIND gives a whole resolution 10 s, resolver-query-timeout).
TIME_BUDGET = 20.0

#: Seconds after TIME_BUDGET before queries still in flight are abandoned.
TIME_BUDGET_GRACE = 5.0

#: CPU seconds the walk may spend (the thread that runs it: parsing answers, following
#: referrals).  A healthy check spends ~0.1 s; answers built to be expensive to read
#: (thousands of records per message) stop here instead of holding a core.  No new
#: query is sent after it.  The analysis that follows is bounded by counts instead
#: (validate/limits.py), so that it stays pure and gives the same result every time.
CPU_BUDGET = 3.0

#: Servers asked at once for a nameserver's address; more are tried only when these fail.
#: Not a defence, a courtesy: addresses are simple lookups, not the subject of the check.
RESOLUTION_FANOUT = 2


class WalkLimits(NamedTuple):
    """The limits of one walk; the defaults are the constants above."""

    max_referral_depth: int = MAX_REFERRAL_DEPTH
    max_cname_chain: int = MAX_CNAME_CHAIN
    max_server_addresses_per_zone: int = MAX_SERVER_ADDRESSES_PER_ZONE
    max_ns_names_per_zone: int = MAX_NS_NAMES_PER_ZONE
    max_ns_resolution_depth: int = MAX_NS_RESOLUTION_DEPTH
    max_ns_lookups: int = MAX_NS_LOOKUPS
    max_queries: int = MAX_QUERIES
    time_budget: float = TIME_BUDGET
    time_budget_grace: float = TIME_BUDGET_GRACE
    cpu_budget: float = CPU_BUDGET
    resolution_fanout: int = RESOLUTION_FANOUT


DEFAULT_LIMITS = WalkLimits()


def limit_hit(constant: str, value: int | float, what: str) -> str:
    """The one problem line for a limit that was hit."""
    shown = f"{value:g} s" if isinstance(value, float) else str(value)  # only times are floats
    return f"limit {constant} ({shown}) {what}"
