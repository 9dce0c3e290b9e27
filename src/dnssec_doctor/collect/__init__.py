"""The collector: the only part of dnssec-doctor that talks to the network.

``collect`` walks the chain of trust from the trust anchor's zone down to a name, asks
every server of every zone what validation needs and returns a
:class:`~dnssec_doctor.model.collection.Collection` holding the Evidence;
``collect_from_evidence`` rebuilds the same Collection from saved Evidence, offline.
"""

from dnssec_doctor.collect.anchors import (
    DEFAULT_ROOT_HINTS,
    DEFAULT_TRUST_ANCHORS,
    AnchorFileError,
    load_root_hints,
    load_trust_anchors,
    parse_root_hints,
    parse_trust_anchors,
)
from dnssec_doctor.collect.limits import DEFAULT_LIMITS, WalkLimits
from dnssec_doctor.collect.replay import ReplayTransport
from dnssec_doctor.collect.transport import NetworkTransport, Transport, loopback_only, sendable
from dnssec_doctor.collect.walk import collect, collect_from_evidence, collect_sync
from dnssec_doctor.model.collection import Collection, NameAnswer, Reply, ResolverView, ZoneCut

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_ROOT_HINTS",
    "DEFAULT_TRUST_ANCHORS",
    "AnchorFileError",
    "Collection",
    "NameAnswer",
    "NetworkTransport",
    "ReplayTransport",
    "Reply",
    "ResolverView",
    "Transport",
    "WalkLimits",
    "ZoneCut",
    "collect",
    "collect_from_evidence",
    "collect_sync",
    "load_root_hints",
    "load_trust_anchors",
    "loopback_only",
    "parse_root_hints",
    "parse_trust_anchors",
    "sendable",
]
