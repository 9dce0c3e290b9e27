"""`serve` in a real browser: Debian's headless Chromium driven by Selenium submits the
form for lab scenarios with JavaScript off and reads what a person would see (the
verdict, the broken link, the DS to copy); a screenshot of each page is kept in pytest's
tmp dir. The copy buttons are checked with JavaScript on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.render.graph import BROKEN
from helpers.check_fixtures import BuiltinLab
from helpers.web_fixtures import WebServer, chromium, screenshot

CASES = {
    # scenario: (banner word, words after it)
    "ds-digest-mismatch": ("BOGUS", "validating resolvers answer SERVFAIL"),
    "rrsig-expired": ("BOGUS", "validating resolvers answer SERVFAIL"),
    "healthy-ed25519": ("SECURE", "validating resolvers accept the answer"),
    "insecure-delegation": ("INSECURE", "no chain of trust"),
}


def submit(driver: Any, server: WebServer, name: str, qtype: str = "A", at: str = "") -> None:
    """Type into the form on the front page and press Check, as a person does."""
    from selenium.webdriver.common.by import By

    driver.get(server.url + "/")
    form = driver.find_element(By.CSS_SELECTOR, "form.ask")
    for field, value in (("name", name), ("type", qtype), ("at", at)):
        box = form.find_element(By.NAME, field)
        box.clear()
        box.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def text_of(driver: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, css).text)


@pytest.mark.parametrize("scenario_id", sorted(CASES))
def test_the_form_shows_the_verdict_the_break_and_the_fix(
    browser: Any, web_server: WebServer, builtin_lab: BuiltinLab, screenshots: Path,
    scenario_id: str,
) -> None:  # fmt: skip
    from selenium.webdriver.common.by import By

    record = builtin_lab.manifest.scenario(scenario_id)
    submit(browser, web_server, record.qname, record.qtype)
    word, words = CASES[scenario_id]
    banner = text_of(browser, "#verdict .banner")
    assert banner.startswith(word) and words in banner
    assert browser.title.startswith(f"{word} {record.qname} {record.qtype}")
    assert text_of(browser, "#cause h2").endswith(record.cause)
    if record.break_at is not None:
        assert text_of(browser, "#break-at") == record.break_at
        marked = browser.find_elements(By.CSS_SELECTOR, "#chain tr.marked")
        assert marked and record.break_at in marked[0].text and "◀ broken link" in marked[0].text
    else:
        assert not browser.find_elements(By.CSS_SELECTOR, "#break-at")
    # the graph is inline SVG (shown without JavaScript), the broken link thick red
    graph = browser.find_element(By.CSS_SELECTOR, "#graph svg")
    assert graph.is_displayed() and graph.size["width"] > 200
    labels = [t.text for t in graph.find_elements(By.TAG_NAME, "text")]
    broken = [t for t in labels if t.startswith("✗ ")]
    assert any(record.zone in t for t in labels)  # the scenario's zone has its box
    if record.outcome.value == "bogus":
        assert broken and set(broken) == {f"✗ {record.cause}"}
        red = graph.find_elements(By.CSS_SELECTOR, f'path[stroke="{BROKEN}"]')
        assert any(float(p.get_attribute("stroke-width") or 0) >= 4 for p in red)  # the edge
    else:
        assert not broken
        assert not graph.find_elements(By.CSS_SELECTOR, f'path[stroke="{BROKEN}"]')
    # JavaScript is off: no copy button was made, the DS lines are plain text
    assert not browser.find_elements(By.CSS_SELECTOR, "button.copy")
    shown_ds = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#fix pre.ds")]
    if scenario_id == "ds-digest-mismatch":
        assert [line.lower() for line in shown_ds] == [d.lower() for d in record.correct_ds]
    screenshot(browser, screenshots / f"check-{scenario_id}.png")


def test_the_permalink_shows_the_same_analysis(
    browser: Any, web_server: WebServer, builtin_lab: BuiltinLab, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    record = builtin_lab.manifest.scenario("ds-digest-mismatch")
    submit(browser, web_server, record.qname, at="+2d")
    first = {css: text_of(browser, css) for css in ("#verdict", "#cause", "#chain", "#findings")}
    browser.find_element(By.ID, "permalink").click()
    assert "/evidence/" in browser.current_url
    again = {css: text_of(browser, css) for css in first}
    assert "(saved evidence)" in again["#verdict"]
    assert again["#verdict"].replace(" (saved evidence)", "") == first["#verdict"]
    for css in ("#cause", "#chain", "#findings"):
        assert again[css] == first[css]
    screenshot(browser, screenshots / "permalink.png")
    browser.find_element(By.ID, "json").click()
    assert '"schema": "dnssec-doctor/check/1"' in browser.find_element(By.TAG_NAME, "body").text


def test_bad_input_shows_one_line(browser: Any, web_server: WebServer, screenshots: Path) -> None:
    submit(browser, web_server, "bad..name.test")
    assert text_of(browser, ".refusal .status") == "400"
    assert text_of(browser, "#error").startswith("not a valid domain name: 'bad..name.test'")
    assert "Traceback" not in browser.page_source
    screenshot(browser, screenshots / "bad-input.png")


def test_copy_buttons_copy_the_ds_with_javascript(
    web_server: WebServer, builtin_lab: BuiltinLab, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium(javascript=True)
    try:
        driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {"origin": web_server.url, "permissions": ["clipboardReadWrite",
                                                       "clipboardSanitizedWrite"]},
        )  # fmt: skip
        record = builtin_lab.manifest.scenario("ds-digest-mismatch")
        submit(driver, web_server, record.qname)
        ds_line = driver.find_element(By.CSS_SELECTOR, "#fix pre.ds")
        button = ds_line.find_element(By.XPATH, "following-sibling::button[@class='copy']")
        button.click()
        copied = driver.execute_async_script(
            "const done = arguments[0];"
            "navigator.clipboard.readText().then(done, e => done('!' + e))"
        )
        assert copied == ds_line.text
        assert button.text == "Copied"
        font = driver.execute_script("return getComputedStyle(arguments[0]).fontFamily", ds_line)
        assert "monospace" in font
        screenshot(driver, screenshots / "copy-buttons.png")
    finally:
        driver.quit()
