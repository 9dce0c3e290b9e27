"""Every DNS-derived string escaped: a signed tree whose names and TXT data carry
markup (``<script>``, an ``<img onerror>``, quotes, ``&``) is served by the lab's
responder, checked through `serve`, and read in Chromium with JavaScript on: the text
shows literally, nothing runs, no element is injected (page, graph and JSON)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.zone
import pytest

from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.lab.signer import Nsec3Params, SigningPlan, Window, sign_zone
from helpers.collect_fixtures import ZoneServer, zone
from helpers.web_fixtures import WebServer, chromium, screenshot, start_serve

SCRIPT_LABEL = b"<script>pwned=1</script>"
QUOTES_LABEL = b"\"'&amp;"
HOSTILE = dns.name.Name([SCRIPT_LABEL, QUOTES_LABEL, b""])
TXT = "<img src=x onerror=pwned=2> & \"quoted\" 'single' </td></table>"
ADDRESS = "127.79.0.1"


def hostile_root() -> tuple[dns.zone.Zone, str]:
    """The root zone, signed, with a TXT RRset at a name made of markup; its DS."""
    root = zone(".", f"@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n"
                     f"@ 3600 IN NS n0.root.\nn0.root. 3600 IN A {ADDRESS}\n")  # fmt: skip
    node = root.find_node(HOSTILE, create=True)
    rdataset = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT, create=True)
    rdataset.add(dns.rdata.from_text("IN", "TXT", '"' + TXT.replace('"', '\\"') + '"'), 300)
    ksk, zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    now = int(time.time())
    plan = SigningPlan(
        published=[ksk, zsk], dnskey_signers=[ksk], data_signers=[zsk],
        window=Window(now - 86400, now + 30 * 86400), denial="nsec", nsec3=Nsec3Params(),
    )  # fmt: skip
    sign_zone(root, plan)
    return root, f". 3600 IN DS {ksk.ds(dns.name.root).to_text()}"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    directory = tmp_path_factory.mktemp("hostile")
    root, anchor = hostile_root()
    (directory / "root.key").write_text(anchor + "\n")
    (directory / "root.hints").write_text(f". 3600 NS n0.root.\nn0.root. 3600 A {ADDRESS}\n")
    with ZoneServer({ADDRESS: [root]}) as served:
        args = [
            "--trust-anchor", str(directory / "root.key"),
            "--root-hints", str(directory / "root.hints"),
            "--port", str(served.port), "--timeout", "0.5", "--allow-private",
        ]  # fmt: skip
        server = start_serve(args, directory)
        yield server
        server.stop()


def test_the_api_keeps_the_strings_as_they_are(hostile_server: WebServer) -> None:
    answer = hostile_server.get("/api/check", params={"name": HOSTILE.to_text(), "type": "TXT"})
    report = answer.json()
    assert report["verdict"] == "secure", report["cause"]
    assert report["query"]["name"] == HOSTILE.to_text()
    assert any(TXT.replace('"', '\\"') in line for line in report["answers"][0]["records"])


def test_markup_from_the_dns_shows_as_text_and_never_runs(
    hostile_server: WebServer, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver: Any = chromium(javascript=True)  # JavaScript on: anything injected would run
    try:
        driver.get(hostile_server.url + "/")
        box = driver.find_element(By.NAME, "name")
        box.send_keys(HOSTILE.to_text())
        driver.find_element(By.NAME, "type").clear()
        driver.find_element(By.NAME, "type").send_keys("TXT")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert driver.find_element(By.CSS_SELECTOR, "#verdict .word").text == "SECURE"
        assert driver.execute_script("return window.pwned === undefined") is True
        # the only script is our own, no <img> came in, the table holds together
        assert driver.execute_script("return document.scripts.length") == 1
        assert not driver.find_elements(By.CSS_SELECTOR, "main img")
        assert driver.find_elements(By.CSS_SELECTOR, "#findings")  # after the table
        # the text is there, literally, in the banner, the table and the records
        shown = driver.find_element(By.TAG_NAME, "main").text
        assert "<script>pwned=1</script>" in shown
        details = driver.find_element(By.CSS_SELECTOR, "details.records")
        details.click()
        assert "<img src=x onerror=pwned=2> &" in details.text
        assert "&lt;script&gt;pwned=1&lt;/script&gt;" in driver.page_source
        # and the graph's labels are text too
        labels = " ".join(t.text for t in driver.find_elements(By.CSS_SELECTOR, "#graph text"))
        assert "<script>pwned=1</script>" in labels and "&lt;" not in labels  # once, not twice
        assert driver.execute_script("return window.pwned === undefined") is True
        screenshot(driver, screenshots / "hostile-strings.png")
        # the permalink page too
        driver.find_element(By.ID, "permalink").click()
        assert "<script>pwned=1</script>" in driver.find_element(By.TAG_NAME, "main").text
        assert driver.execute_script("return window.pwned === undefined") is True
        assert driver.execute_script("return document.scripts.length") == 1
    finally:
        driver.quit()


def test_the_error_page_escapes_the_input(hostile_server: WebServer) -> None:
    page = hostile_server.get("/check", params={"name": "<b>x</b>..", "type": "A"})
    assert page.status_code == 400
    assert "<b>x</b>" not in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text
