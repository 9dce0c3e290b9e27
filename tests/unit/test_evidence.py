"""evidence: the dnssec-evidence/1 format, strict loading, and the replay rule."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dns.message
import dns.rdatatype
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.model.evidence import (
    FORMAT,
    Evidence,
    EvidenceError,
    Exchange,
    Query,
    Replay,
    ResponseDecodeError,
    RootHint,
    Stub,
    decode_message,
    from_dict,
    from_json,
    load,
    save,
    to_dict,
    to_json,
)


def _response(qname: str = "example.com.", qtype: str = "DNSKEY") -> bytes:
    q = dns.message.make_query(qname, qtype, want_dnssec=True)
    q.id = 4242  # deterministic bytes
    r = dns.message.make_response(q)
    return r.to_wire()


def _evidence() -> Evidence:
    return Evidence(
        at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        query=Query("www.example.com.", "A", "IN"),
        trust_anchors=("example.com. 3600 IN DS 2854 13 2 " + "4F2E" * 16,),
        root_hints=(RootHint("a.root-servers.net.", "198.41.0.4"),),
        stubs=(Stub("example.com.", ("192.0.2.1",)),),
        exchanges=(
            Exchange(
                server="192.0.2.1",
                qname="example.com.",
                qtype="DNSKEY",
                flags=("DO", "CD"),
                rtt_ms=11.8,
                response=_response(),
            ),
            Exchange(server="192.0.2.2", qname="example.com.", qtype="DNSKEY", error="timeout"),
        ),
    )


def _doc() -> dict[str, Any]:
    return to_dict(_evidence())


# --------------------------------------------------------------------------- round trip


def test_round_trip_json_and_file(tmp_path: Path) -> None:
    ev = _evidence()
    assert from_json(to_json(ev)) == ev
    path = tmp_path / "evidence.json"
    save(ev, path)
    assert load(path) == ev
    assert ev.at_posix == 1795514400


def test_json_shape_matches_design() -> None:
    doc = json.loads(to_json(_evidence()))
    assert doc["format"] == FORMAT == "dnssec-evidence/1"
    assert doc["at"] == "2026-11-24T10:00:00Z"
    assert doc["query"] == {"name": "www.example.com.", "type": "A", "class": "IN"}
    ex = doc["exchanges"][0]
    assert list(ex) == [
        "server", "port", "transport", "qname", "qtype", "qclass",
        "flags", "rtt_ms", "response", "error",
    ]  # fmt: skip
    assert base64.b64decode(ex["response"]) == _response()
    assert doc["exchanges"][1]["response"] is None and doc["exchanges"][1]["error"] == "timeout"


def test_design_example_loads() -> None:
    text = """{
      "format": "dnssec-evidence/1",
      "at": "2026-11-24T10:00:00Z",
      "query": {"name": "www.example.com.", "type": "A", "class": "IN"},
      "trust_anchors": ["example.com. 3600 IN DS 2854 13 2 DIGEST"],
      "root_hints": [{"name": "a.root-servers.net.", "address": "198.41.0.4"}],
      "stubs": [{"zone": "example.com.", "addresses": ["192.0.2.1"]}],
      "exchanges": [
        {"server": "192.0.2.1", "port": 53, "transport": "udp",
         "qname": "example.com.", "qtype": "DNSKEY", "qclass": "IN",
         "flags": ["DO", "CD"], "rtt_ms": 11.8,
         "response": "RESPONSE", "error": null}
      ]
    }"""
    text = text.replace("RESPONSE", base64.b64encode(_response()).decode())
    text = text.replace("DIGEST", "4F2E" * 16)
    ev = from_json(text)
    assert ev.exchanges[0].message().question[0].rdtype == dns.rdatatype.DNSKEY


def test_unknown_fields_are_ignored_and_optional_fields_default() -> None:
    doc = _doc()
    doc["future"] = {"anything": [1, 2]}
    doc["query"]["extra"] = True
    doc["exchanges"][0]["dnssec_doctor_note"] = "x"
    del doc["stubs"]
    del doc["exchanges"][0]["port"]
    del doc["exchanges"][0]["transport"]
    ev = from_dict(doc)
    assert ev.stubs == () and ev.exchanges[0].port == 53 and ev.exchanges[0].transport == "udp"


def test_names_and_types_are_normalised() -> None:
    doc = _doc()
    doc["query"] = {"name": "WWW.Example.COM", "type": "aaaa"}
    doc["exchanges"][0]["server"] = "2001:DB8:0::1"
    ev = from_dict(doc)
    assert ev.query == Query("WWW.Example.COM.", "AAAA", "IN")
    assert ev.exchanges[0].server == "2001:db8::1"


# --------------------------------------------------------------------------- strictness


def _set(path: list[Any], value: Any) -> dict[str, Any]:
    doc = _doc()
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()

CORRUPTIONS = [
    (["format"], "dnssec-evidence/2", "format"),
    (["at"], _DELETE, "at"),
    (["at"], "yesterday", "at"),
    (["at"], "2026-11-24T10:00:00", "at"),
    (["at"], 1795514400, "at"),
    (["query"], _DELETE, "query"),
    (["query"], "www.example.com", "query"),
    (["query", "name"], "bad..name", "query.name"),
    (["query", "name"], "", "query.name"),
    (["query", "type"], "NOSUCHTYPE", "query.type"),
    (["query", "class"], "NOSUCHCLASS", "query.class"),
    (["trust_anchors"], "example.com. DS", "trust_anchors"),
    (["trust_anchors", 0], "not a record", "trust_anchors[0]"),
    (["trust_anchors", 0], "example.com. 3600 IN A 192.0.2.1", "trust_anchors[0]"),
    (["root_hints", 0, "address"], "a.root-servers.net", "root_hints[0].address"),
    (["root_hints", 0], ["x"], "root_hints[0]"),
    (["stubs", 0, "addresses"], [], "stubs[0].addresses"),
    (["stubs", 0, "addresses", 0], "192.0.2.300", "stubs[0].addresses[0]"),
    (["exchanges"], {}, "exchanges"),
    (["exchanges", 0, "server"], "ns1.example.com", "exchanges[0].server"),
    (["exchanges", 0, "port"], 70000, "exchanges[0].port"),
    (["exchanges", 0, "port"], "53", "exchanges[0].port"),
    (["exchanges", 0, "transport"], "quic", "exchanges[0].transport"),
    (["exchanges", 0, "qname"], _DELETE, "exchanges[0].qname"),
    (["exchanges", 0, "qtype"], "BOGUS", "exchanges[0].qtype"),
    (["exchanges", 0, "flags"], "DO", "exchanges[0].flags"),
    (["exchanges", 0, "flags", 0], 1, "exchanges[0].flags[0]"),
    (["exchanges", 0, "rtt_ms"], -1, "exchanges[0].rtt_ms"),
    (["exchanges", 0, "rtt_ms"], "fast", "exchanges[0].rtt_ms"),
    (["exchanges", 0, "response"], "not base64!", "exchanges[0].response"),
    (["exchanges", 0, "response"], 12, "exchanges[0].response"),
    (["exchanges", 1, "error"], "Timeout", "exchanges[1].error"),
    (["exchanges", 1, "error"], None, "exchanges[1]"),
]


@pytest.mark.parametrize(("path", "value", "field"), CORRUPTIONS)
def test_corrupt_fields_are_named(path: list[Any], value: Any, field: str) -> None:
    doc = _set(path, value)
    with pytest.raises(EvidenceError) as info:
        from_json(json.dumps(doc))
    message = str(info.value)
    assert message.startswith(field + ":"), message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", "{", "[]", "null", '"x"', "{" * 100000, b"\xff\xfe"])
def test_not_evidence_at_all(text: str | bytes) -> None:
    with pytest.raises(EvidenceError) as info:
        from_json(text)
    assert "\n" not in str(info.value)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="cannot read"):
        load(tmp_path / "nope.json")


def test_response_with_error_is_kept() -> None:
    doc = _set(["exchanges", 0, "error"], "malformed")
    ev = from_dict(doc)
    assert ev.exchanges[0].response is not None and ev.exchanges[0].error == "malformed"


# --------------------------------------------------------------------------- replay


def _replay_evidence() -> Evidence:
    ok = _response("example.com.", "DNSKEY")
    other = _response("example.com.", "SOA")
    return Evidence(
        at=datetime(2026, 1, 1, tzinfo=UTC),
        query=Query("example.com."),
        exchanges=(
            Exchange("192.0.2.1", "Example.COM.", "DNSKEY", response=ok),
            Exchange("192.0.2.1", "example.com.", "DNSKEY", response=other),  # later: unused
            Exchange("192.0.2.2", "example.com.", "DNSKEY", error="refused"),
            Exchange("*", "example.com.", "SOA", response=other),
            Exchange("2001:db8::53", "example.com.", "A", response=b"\x00garbage"),
            Exchange("192.0.2.3", "example.com.", "TXT", qclass="CH", response=ok),
        ),
    )


def test_replay_rule() -> None:
    replay = Replay(_replay_evidence())
    first = replay.lookup("192.0.2.1", "EXAMPLE.com", "DNSKEY")
    assert first.error is None and first.message is not None
    assert first.message.question[0].rdtype == dns.rdatatype.DNSKEY  # first exchange wins
    assert replay.lookup("192.0.2.2", "example.com.", "DNSKEY").error == "refused"
    assert replay.lookup("192.0.2.9", "example.com.", "DNSKEY").error == "timeout"
    star = replay.lookup("198.51.100.1", "example.com.", dns.rdatatype.SOA)
    assert star.message is not None and star.exchange is not None and star.exchange.server == "*"
    bad = replay.lookup("2001:DB8:0:0::53", "example.com.", "A")
    assert bad.error == "malformed" and bad.message is None
    assert replay.lookup("192.0.2.3", "example.com.", "TXT").error == "timeout"  # class IN
    assert replay.lookup("192.0.2.3", "example.com.", "TXT", "CH").message is not None
    assert replay.find("192.0.2.1", "example.com.", "MX") is None


def test_exchange_message_without_response() -> None:
    with pytest.raises(ResponseDecodeError):
        Exchange("192.0.2.1", "example.com.", "A", error="timeout").message()


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_decoding_garbage_raises_only_typed_errors(data: bytes) -> None:
    try:
        decode_message(data)
    except ResponseDecodeError as exc:
        assert "\n" not in str(exc)


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_mutated_real_response_decodes_or_fails_typed(data: st.DataObject) -> None:
    wire = bytearray(_response())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] = data.draw(st.integers(0, 255))
    with contextlib.suppress(ResponseDecodeError):
        decode_message(bytes(wire))


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
        max_leaves=10,
    )
)
@settings(max_examples=200, deadline=None)
def test_any_json_value_in_any_field_raises_only_evidence_error(value: Any) -> None:
    for path in (
        ["query"],
        ["exchanges", 0],
        ["exchanges", 0, "flags"],
        ["root_hints"],
        ["stubs", 0],
        ["trust_anchors", 0],
        ["at"],
    ):
        doc = copy.deepcopy(_set(path, value))
        with contextlib.suppress(EvidenceError):
            from_dict(doc)
