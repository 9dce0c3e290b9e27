"""DNS messages as a hostile server could send them, for fuzzing what the collector and
the rules do with one reply (issue 17).

The seeds are the real replies of the golden evidence (tests/golden/evidence: every lab
scenario, served by the built-in server).  :func:`hostile_reply` draws one and changes it
the ways a broken or hostile server does: on the message level (RRsets dropped, repeated,
moved between sections, renamed; flags, rcode, opcode, id and question changed; records
with odd fields: DNSKEY flags and algorithms, RRSIG times and labels, DS digest types,
NSEC3 iterations, huge TTLs; many keys per tag, many signatures per RRset) and then on
the byte level (flipped, cut, inserted bytes; compression pointers that loop).

:func:`exercise` is one reply's path through our code, everything that runs per reply:
the collector's judgement (parse, is it a response to the query), its referral reading
(classify, glue, NS names, aliases, addresses), the analysis' reading of the reply, and
the rules over what it carries (every RRset's signatures judged against the reply's own
DNSKEYs, the DS against them, NSEC and NSEC3 proofs for the question), with the
per-query verification budget.  Anything but a return is a bug.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.analyze import messages
from dnssec_doctor.collect import referral, wire
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Exchange
from dnssec_doctor.validate import nsec, nsec3
from dnssec_doctor.validate.ds import match_ds_set
from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.rrsig import rrset_status

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
T = dns.rdatatype.RdataType


class Seed(NamedTuple):
    """A real exchange: the question asked and the bytes that came back."""

    query: dns.message.Message
    response: bytes


class Hostile(NamedTuple):
    """One drawn input: the seed's question, the changed reply, and when it is judged."""

    query: dns.message.Message
    response: bytes
    at: datetime


@cache
def seeds() -> tuple[Seed, ...]:
    """Every response of the golden evidence, with the query it answered."""
    found: list[Seed] = []
    for path in sorted((GOLDEN / "evidence").glob("*.json")):
        document = json.loads(path.read_text())
        for exchange in document["exchanges"]:
            if not exchange.get("response"):
                continue
            response = base64.b64decode(exchange["response"])
            query = dns.message.make_query(
                exchange["qname"], exchange["qtype"], exchange.get("qclass", "IN"), want_dnssec=True
            )
            query.id = int.from_bytes(response[:2], "big") if len(response) >= 2 else 0
            found.append(Seed(query, response))
    if not found:
        raise RuntimeError(f"no golden evidence under {GOLDEN}")
    return tuple(found)


@cache
def moment() -> datetime:
    """The moment the golden evidence was captured: its signatures are valid then."""
    text = (GOLDEN / "moment.txt").read_text().strip()
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- drawing ---------------------------------------------------------------------------

ODD_NAMES = (
    ".",
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.",
    "*.test.",
    "\\000.test.",
    "xn--zz.example.",
    "test.",
    "example.",
    "broken.",
    ("x" * 63 + ".") * 3 + "x" * 61 + ".",
)
SECTIONS = ("answer", "authority", "additional")


def _names_in(message: dns.message.Message) -> list[dns.name.Name]:
    names = [q.name for q in message.question]
    for section in SECTIONS:
        names += [r.name for r in getattr(message, section)]
    return names or [dns.name.root]


def _odd_rdata(rng: random.Random, rdata: dns.rdata.Rdata) -> dns.rdata.Rdata:
    """The same record with one field at an odd value."""
    if isinstance(rdata, DNSKEY):
        field = rng.choice(("flags", "protocol", "algorithm", "key"))
        value: object = {
            "flags": rng.choice((0, 1, 256, 257, 385, 0xFFFF)),
            "protocol": rng.choice((0, 2, 255)),
            "algorithm": rng.choice((0, 1, 3, 5, 7, 8, 13, 15, 16, 200, 253, 255)),
            "key": rng.choice((b"", b"\x00", rdata.key[: rng.randint(0, len(rdata.key))])),
        }[field]
        return rdata.replace(**{field: value})
    if isinstance(rdata, RRSIG):
        field = rng.choice(
            (
                "type_covered",
                "algorithm",
                "labels",
                "expiration",
                "inception",
                "key_tag",
                "signer",
                "signature",
                "original_ttl",
            )
        )
        value = {
            "type_covered": rng.choice((0, 1, 2, 43, 46, 48, 65535)),
            "algorithm": rng.choice((0, 5, 8, 13, 253)),
            "labels": rng.choice((0, 1, 2, 127, 255)),
            "expiration": rng.choice((0, 1, 0x7FFFFFFF, 0xFFFFFFFF, rdata.inception)),
            "inception": rng.choice((0, 0xFFFFFFFF, rdata.expiration)),
            "key_tag": rng.randrange(65536),
            "signer": dns.name.from_text(rng.choice(ODD_NAMES)),
            "signature": rng.choice((b"", b"\x00" * 64, rdata.signature[::-1])),
            "original_ttl": rng.choice((0, 0x7FFFFFFF, 0xFFFFFFFF)),
        }[field]
        return rdata.replace(**{field: value})
    if isinstance(rdata, DS):
        field = rng.choice(("digest_type", "algorithm", "digest", "key_tag"))
        value = {
            "digest_type": rng.choice((0, 1, 2, 3, 4, 200)),
            "algorithm": rng.choice((0, 8, 13, 253)),
            "digest": rng.choice((b"\x00", rdata.digest[:-1], rdata.digest * 2)),
            "key_tag": rng.randrange(65536),
        }[field]
        return rdata.replace(**{field: value})
    if isinstance(rdata, NSEC3):
        field = rng.choice(("iterations", "salt", "next", "flags", "algorithm"))
        value = {
            "iterations": rng.choice((0, 1, 150, 151, 500, 2500, 65535)),
            "salt": rng.choice((b"", b"\xff" * 255)),
            "next": rng.choice((b"", b"\x00" * 20, b"\xff" * 20, rdata.next[:5])),
            "flags": rng.choice((0, 1, 0xFF)),
            "algorithm": rng.choice((0, 1, 2, 255)),
        }[field]
        return rdata.replace(**{field: value})
    return rdata


def _odd_rrset(rng: random.Random, rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    changed = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
    changed.update_ttl(rng.choice((0, rrset.ttl, 0x7FFFFFFF, 0xFFFFFFFF)))
    for rdata in rrset:
        changed.add(_odd_rdata(rng, rdata) if rng.random() < 0.5 else rdata)
    return changed


def _many(rng: random.Random, rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    """KeyTrap's shapes (CVE-2023-50387): many keys under one tag, many signatures."""
    bigger = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
    bigger.update_ttl(rrset.ttl)
    for rdata in rrset:
        bigger.add(rdata)
        for n in range(rng.choice((2, 20, 80))):
            if isinstance(rdata, DNSKEY):
                bigger.add(rdata.replace(key=rdata.key[:-2] + n.to_bytes(2, "big")))
            elif isinstance(rdata, RRSIG):
                bigger.add(rdata.replace(signature=rdata.signature[:-2] + n.to_bytes(2, "big")))
    return bigger


def _structural(rng: random.Random, message: dns.message.Message) -> None:
    """One message-level change, in place."""
    # the header and question changes (5-9) make most replies no answer to the query:
    # drawn less often, so that most inputs reach the referral reading and the rules
    op = rng.choice((0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 10, 5, 6, 7, 8, 9))
    sections = [getattr(message, s) for s in SECTIONS]
    filled = [s for s in sections if s]
    if op == 0 and filled:  # drop an RRset
        section = rng.choice(filled)
        section.pop(rng.randrange(len(section)))
    elif op == 1 and filled:  # repeat one, or move it to another section
        section = rng.choice(filled)
        rng.choice(sections).append(rng.choice(section))
    elif op == 2 and filled:  # rename one
        section = rng.choice(filled)
        at = rng.randrange(len(section))
        old = section[at]
        name = rng.choice(_names_in(message) + [dns.name.from_text(n) for n in ODD_NAMES])
        renamed = dns.rrset.RRset(name, old.rdclass, old.rdtype, old.covers)
        renamed.update(old)
        section[at] = renamed
    elif op == 3 and filled:  # odd fields
        section = rng.choice(filled)
        at = rng.randrange(len(section))
        section[at] = _odd_rrset(rng, section[at])
    elif op == 4 and filled:  # many keys, many signatures
        section = rng.choice(filled)
        at = rng.randrange(len(section))
        section[at] = _many(rng, section[at])
    elif op == 5:
        message.flags ^= rng.choice(
            (dns.flags.AA, dns.flags.QR, dns.flags.TC, dns.flags.AD, dns.flags.CD, dns.flags.RD)
        )
    elif op == 6:
        message.set_rcode(dns.rcode.Rcode.make(rng.choice((0, 1, 2, 3, 4, 5, 9, 16, 23, 4095))))
    elif op == 7:
        message.set_opcode(rng.choice((dns.opcode.QUERY, dns.opcode.NOTIFY, dns.opcode.UPDATE)))
    elif op == 8:
        message.id ^= rng.choice((1, 0x8000))
    elif op == 9 and message.question:  # another question, or none
        question = message.question[0]
        if rng.random() < 0.5:
            message.question = []
        else:
            name = rng.choice(_names_in(message))
            rdtype = rng.choice((T.A, T.DS, T.DNSKEY, T.NS, T.SOA, T.ANY))
            message.question = [dns.rrset.RRset(name, question.rdclass, rdtype)]
    elif op == 10:  # the whole answer copied into every section
        for section in sections:
            section.extend(message.answer)


def _render(rng: random.Random, message: dns.message.Message, fallback: bytes) -> bytes:
    try:
        return message.to_wire(max_size=65535, want_shuffle=False)
    except Exception:  # a change dnspython cannot render (too big, bad rdata): keep the seed
        return fallback


def _bytes_changed(rng: random.Random, data: bytes) -> bytes:
    """Byte-level damage, including compression pointers that point back or loop."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            del buf[at : at + rng.randint(1, 16)]
        elif op == 2:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and len(buf) > 14:  # a pointer to itself or just before it
            target = max(0, at - rng.choice((0, 2, 12)))
            buf[at:at] = bytes((0xC0 | (target >> 8) & 0x3F, target & 0xFF))
        elif op == 4:
            del buf[at:]
    return bytes(buf)


def hostile_reply(rng: random.Random) -> Hostile:
    """Draw one seed and change it (see the module's text)."""
    seed = rng.choice(seeds())
    response = seed.response
    if rng.random() < 0.75:
        try:
            message = dns.message.from_wire(response)
        except Exception:
            message = None
        if message is not None:
            for _ in range(rng.randint(1, 3)):
                try:
                    _structural(rng, message)
                except Exception:  # dnspython refused the change (a mixed RRSIG set): skip it
                    continue
            response = _render(rng, message, response)
    if rng.random() < 0.2:
        response = _bytes_changed(rng, response)
    at = moment()
    if rng.random() < 0.1:
        at = datetime.fromtimestamp(rng.choice((0, 2**31 - 1, 2**32 - 1, 4102444800)), UTC)
    return Hostile(seed.query, response, at)


# -- one reply through our code -----------------------------------------------------------


def exercise(hostile: Hostile) -> str:
    """Run one reply through everything the collector and the rules do with it; the
    outcome word (``malformed``, or what the referral reading made of it)."""
    query = hostile.query
    message, error = wire.judge(query, hostile.response)
    question = query.question[0]
    qname = question.name
    exchange = Exchange(
        "127.53.0.1",
        qname.to_text(),
        dns.rdatatype.to_text(question.rdtype),
        response=hostile.response,
        error=error,
    )
    reply = Reply("127.53.0.1", exchange, message)
    messages.failure(reply)
    if message is None:
        return error or "malformed"
    zone = qname.parent() if len(qname) > 1 else qname
    verdict = referral.classify(reply, zone, qname)
    referral.glue(message, list(verdict.ns), zone)
    referral.ns_names(message, zone)
    referral.alias_target(message, qname)
    referral.end_of_chain(message, qname)
    referral.addresses(message, qname)
    messages.answer_rrset(reply, qname, question.rdtype)
    messages.soa_serial(reply, zone)
    messages.any_rrsig(reply)
    _judge_contents(message, qname, question.rdtype, hostile.at)
    return str(verdict.kind)


def _judge_contents(
    message: dns.message.Message, qname: dns.name.Name, qtype: int, at: datetime
) -> None:
    """The rules over what one reply carries, as the analysis applies them."""
    budget = VerificationBudget()
    for section in (message.answer, message.authority):
        keys = {r.name: r for r in section if r.rdtype == T.DNSKEY}
        for rrset in section:
            if rrset.rdtype == T.RRSIG:
                continue
            sigs = messages.signatures(section, rrset)
            signer = next((s.signer for s in sigs or () if isinstance(s, RRSIG)), rrset.name)
            rrset_status(rrset, sigs, keys.get(signer), at, budget=budget)
            if rrset.rdtype == T.DS and rrset.name in keys:
                match_ds_set(rrset, rrset.name, keys[rrset.name])
    denial = [r for r in message.authority if r.rdtype in (T.NSEC, T.NSEC3)]
    if denial:
        for rules in (nsec, nsec3):
            rules.prove_nxdomain(qname, denial)
            rules.prove_nodata(qname, qtype, denial)
            rules.prove_no_ds(qname, denial)
        nsec3.iterations_warning(denial)
