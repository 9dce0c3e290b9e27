"""`serve`'s JSON API and its safety, with a real HTTP client (httpx) against the real
server process on the built-in lab: the same JSON as `check --json`, permalinks that
replay the same analysis, bad input as one line, the address policy, rate and
concurrency limits, a silent tree's timeouts in the report."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from markupsafe import escape

from dnssec_doctor.model import evidence as ev
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke
from helpers.web_fixtures import WebServer, lab_args, start_serve

SCENARIOS = ["ds-digest-mismatch", "rrsig-expired", "healthy-ed25519"]


def without_stats(report: dict[str, Any]) -> Any:
    """The report but its timings, record lists sorted (the servers' RRset order
    varies from one walk to the next; the records do not)."""
    return _sorted({k: v for k, v in report.items() if k != "stats"})


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    return value


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_api_check_is_check_json(
    web_server: WebServer, builtin_lab: BuiltinLab, scenario_id: str
) -> None:
    record = builtin_lab.manifest.scenario(scenario_id)
    at = builtin_lab.manifest.now
    answer = web_server.get(
        "/api/check", params={"name": record.qname, "type": record.qtype, "at": at}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    cli = invoke(["check", *builtin_lab.cli_args(record), "--at", at, "--json"])
    assert without_stats(answer.json()) == without_stats(json.loads(cli.stdout))
    assert answer.json()["verdict"] == record.outcome.value
    assert answer.json()["cause"]["code"] == record.cause


def test_the_permalink_replays_the_same_analysis(
    web_server: WebServer, builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    record = builtin_lab.manifest.scenario("ds-digest-mismatch")
    live = web_server.get("/api/check", params={"name": record.qname, "at": "+1d"})
    ident = live.headers["x-evidence-id"]
    link = live.headers["link"]
    assert link.startswith(f"</evidence/{ident}?at=") and link.endswith('>; rel="evidence"')
    at = live.json()["at"]
    again = web_server.get(f"/api/evidence/{ident}", params={"at": at})
    assert again.status_code == 200
    assert without_stats(again.json()) == without_stats(live.json())
    # the file is the evidence format itself: the command line reads it and agrees
    saved = web_server.get(f"/evidence/{ident}/file")
    evidence = ev.from_json(saved.content)
    assert evidence.query.name == record.qname
    (tmp_path / "e.json").write_bytes(saved.content)
    cli = invoke(["check", record.qname, "--evidence", str(tmp_path / "e.json"), "--at", at,
                  "--json"])  # fmt: skip
    assert without_stats(json.loads(cli.stdout)) == without_stats(live.json())
    assert (web_server.evidence_dir / f"{ident}.json").read_bytes() == saved.content


def test_the_evidence_is_content_addressed(web_server: WebServer, builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    ident = web_server.get("/api/check", params={"name": record.qname}).headers["x-evidence-id"]
    import hashlib

    stored = (web_server.evidence_dir / f"{ident}.json").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == ident


BAD_INPUT = [
    ({"name": "a..b.test"}, "not a valid domain name"),
    ({"name": "www.test", "type": "NOTATYPE"}, "not a DNS record type: 'NOTATYPE'"),
    ({"name": "www.test", "type": "RRSIG"}, "cannot be checked as an answer type"),
    ({"name": "www.test", "at": "yesterday"}, "--at wants ISO 8601"),
    ({"name": "www.test", "at": "+99999999d"}, "--at must lie within"),
    ({"name": ""}, "name is missing"),
    ({"name": "x" * 400}, "name is longer than 300 characters"),
    ({"name": "www\x01.test"}, "no control characters"),
]


@pytest.mark.parametrize(("params", "message"), BAD_INPUT)
def test_bad_input_is_400_with_one_line(
    web_server: WebServer, params: dict[str, str], message: str
) -> None:
    api = web_server.get("/api/check", params=params)
    assert api.status_code == 400
    body = api.json()
    assert set(body) == {"error", "status"} and body["status"] == 400
    assert message in body["error"] and "\n" not in body["error"]
    page = web_server.get("/check", params=params)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "Traceback" not in page.text
    assert str(escape(message)) in page.text  # as the template escapes it


@pytest.mark.parametrize(
    "path",
    ["/evidence/zzz", "/evidence/" + "0" * 64, "/api/evidence/" + "0" * 64,
     "/evidence/..%2F..%2Fetc%2Fpasswd", "/evidence/" + "0" * 64 + "/file", "/no/such/page"],
)  # fmt: skip
def test_unknown_pages_are_404_never_a_traceback(web_server: WebServer, path: str) -> None:
    answer = web_server.get(path)
    assert answer.status_code == 404
    assert "Traceback" not in answer.text and "root:" not in answer.text
    if path.startswith("/api/") or path.endswith("/file"):
        assert answer.json()["status"] == 404


def test_every_response_carries_the_safety_headers(web_server: WebServer) -> None:
    for path in ("/", "/api/check?name=a..b", "/static/style.css", "/nope"):
        headers = web_server.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_a_post_to_the_check_is_refused(web_server: WebServer) -> None:
    answer = httpx.post(web_server.url + "/check", data={"name": "x.test"}, timeout=10)
    assert answer.status_code == 405
    assert "Traceback" not in answer.text


# -- servers with other options --------------------------------------------------------


@pytest.fixture(scope="module")
def public_server(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """The lab without --allow-private: a public checker's default."""
    server = start_serve(lab_args(builtin_lab, allow_private=False), tmp_path_factory.mktemp("p"))
    yield server
    server.stop()


def test_without_allow_private_a_lab_check_is_refused(
    public_server: WebServer, builtin_lab: BuiltinLab
) -> None:
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    api = public_server.get("/api/check", params={"name": record.qname})
    assert api.status_code == 403
    message = api.json()["error"]
    assert "127.53.0.1 (loopback)" in message and "--allow-private" in message
    page = public_server.get("/check", params={"name": record.qname})
    assert page.status_code == 403 and "only public addresses" in page.text
    assert not list(public_server.evidence_dir.glob("*.json"))  # nothing was asked


@pytest.fixture(scope="module")
def rate_limited(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    server = start_serve([*lab_args(builtin_lab), "--rate", "2"], tmp_path_factory.mktemp("r"))
    yield server
    server.stop()


def test_the_third_check_in_a_minute_is_429(
    rate_limited: WebServer, builtin_lab: BuiltinLab
) -> None:
    name = builtin_lab.manifest.scenario("healthy-ed25519").qname
    assert [rate_limited.get("/api/check", params={"name": name}).status_code
            for _ in range(2)] == [200, 200]  # fmt: skip
    api = rate_limited.get("/api/check", params={"name": name})
    assert api.status_code == 429
    assert "at most 2 a minute" in api.json()["error"]
    assert 1 <= int(api.headers["retry-after"]) <= 60
    page = rate_limited.get("/check", params={"name": name})
    assert page.status_code == 429 and "too many checks from 127.0.0.1" in page.text
    # bad input costs no check, and is told as bad input even when over the rate
    assert rate_limited.get("/api/check", params={"name": "a..b"}).status_code == 400


@pytest.fixture(scope="module")
def silent_tree(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """Root hints naming a server that reads every query and never answers; one check
    at a time."""
    directory = tmp_path_factory.mktemp("silent")
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.77.0.1", 0))
    port = sink.getsockname()[1]
    (directory / "root.hints").write_text(". 3600 NS a.silent.\na.silent. 3600 A 127.77.0.1\n")
    args = [
        "--trust-anchor", str(builtin_lab.directory / "root.key"),
        "--root-hints", str(directory / "root.hints"), "--port", str(port),
        "--timeout", "0.4", "--allow-private", "--max-concurrent", "1",
    ]  # fmt: skip
    server = start_serve(args, directory)
    yield server
    server.stop()
    sink.close()


def test_a_dns_timeout_is_in_the_report(silent_tree: WebServer) -> None:
    api = silent_tree.get("/api/check", params={"name": "www.example.test"})
    assert api.status_code == 200
    report = api.json()
    assert report["verdict"] == "indeterminate" and report["exit_code"] == 3
    blob = json.dumps(report)
    assert "timeout" in blob
    page = silent_tree.get("/check", params={"name": "www.example.test"})
    assert page.status_code == 200 and "UNKNOWN" in page.text and "timeout" in page.text


def test_a_check_beyond_the_cap_is_503(silent_tree: WebServer) -> None:
    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=silent_tree.url, timeout=30) as client:
            first = asyncio.create_task(client.get("/api/check", params={"name": "a.test"}))
            await asyncio.sleep(0.3)  # the first is waiting for the silent server
            second = await client.get("/check", params={"name": "b.test"})
            return [await first, second]

    first, second = asyncio.run(both())
    assert first.status_code == 200
    assert second.status_code == 503
    assert "busy: 1 checks are running" in second.text
    assert second.headers["retry-after"] == "5"


def test_sigterm_stops_the_server_with_exit_0(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    server = start_serve(lab_args(builtin_lab), tmp_path)
    server.process.terminate()  # SIGTERM, to our own child
    assert server.process.wait(10) == 0
    assert "Traceback" not in server.log.read_text()


def test_a_corrupt_evidence_file_is_one_line(web_server: WebServer) -> None:
    """A file in the evidence directory damaged behind the server's back (disk, hand)."""
    ident = "f" * 64
    (web_server.evidence_dir / f"{ident}.json").write_text('{"format": "dnssec-evidence/1", ')
    for path in (f"/evidence/{ident}", f"/api/evidence/{ident}"):
        answer = web_server.get(path)
        assert answer.status_code == 400
        assert "not JSON" in answer.text and "Traceback" not in answer.text
