"""Shared pytest fixtures: the one conftest, for every directory under tests/.

The two labs are session-scoped and live in helpers/; they are imported here, once, so
that every test module shares the one lab of each kind (a module importing a fixture
itself would get a lab of its own, on the same addresses). Test modules only name them
as arguments.
"""

# real-server lab (named, NSD, Knot, Unbound, delv): helpers/real_fixtures.py
# built-in lab for the check, collect and verify tests: helpers/check_fixtures.py
# the parent-side CDS cases signed with BIND: helpers/cds_corpus.py
# ds push's parent and child under a real named (TSIG updates): helpers/push_lab.py
# a temporary PostgreSQL cluster for the monitor's store: helpers/monitor_fixtures.py
from helpers.cds_corpus import cds_corpus
from helpers.check_fixtures import builtin_lab
from helpers.monitor_fixtures import postgres
from helpers.push_lab import push_lab
from helpers.real_fixtures import real_lab
from helpers.web_fixtures import browser, screenshots, web_server

__all__ = [
    "browser",
    "builtin_lab",
    "cds_corpus",
    "postgres",
    "push_lab",
    "real_lab",
    "screenshots",
    "web_server",
]
