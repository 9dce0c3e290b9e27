"""The replay transport: answers from recorded Evidence, without the network.

It follows :class:`dnssec_doctor.model.evidence.Replay` (first matching exchange; CD is part of
the question) and hands back the recorded Exchange, so a walk over a replay rebuilds the
same Collection, Evidence included.  A query nothing recorded answers is a timeout.
"""

from __future__ import annotations

from collections.abc import Iterable

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.wire import flag_words
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Evidence, Exchange, Replay


class ReplayTransport:
    """A :class:`~dnssec_doctor.collect.transport.Transport` over recorded exchanges."""

    def __init__(self, evidence: Evidence | Iterable[Exchange]) -> None:
        self._replay = Replay(evidence)

    async def ask(
        self,
        server: str,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        *,
        recursion: bool = False,
        cd: bool = False,
    ) -> Reply:
        answer = self._replay.lookup(server, qname, qtype, cd=cd)
        exchange = answer.exchange
        if exchange is None:
            exchange = Exchange(
                server=server,
                qname=qname.to_text(),
                qtype=dns.rdatatype.to_text(qtype),
                flags=flag_words(recursion=recursion, cd=cd),
                error=answer.error,
            )
        elif answer.message is None and exchange.error != answer.error:
            # recorded bytes without an error word that do not decode: say so
            exchange = exchange._replace(error=answer.error)
        return Reply(server, exchange, answer.message)
