"""`serve --monitor-config`: the dashboard of a real monitor store (SQLite, filled by
`monitor once` against the built-in lab) behind the token: the API in the schemas of
`monitor status --json` and `monitor history --json`, the login form with its CSRF
token, and the pages in Chromium with JavaScript off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers.check_fixtures import TIMEOUT, BuiltinLab
from helpers.cli_helpers import invoke
from helpers.web_fixtures import WebServer, lab_args, screenshot, start_serve

TOKEN = "correct-horse-battery-staple-42"
ZONES = ("healthy-ed25519", "ds-digest-mismatch", "rrsig-expiring-soon")


class Board:
    def __init__(self, server: WebServer, config: Path, zones: dict[str, str]) -> None:
        self.server, self.config, self.zones = server, config, zones

    def bearer(self, path: str) -> httpx.Response:
        return self.server.get(path, headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.fixture(scope="module")
def board(builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    directory = tmp_path_factory.mktemp("board")
    zones = {s: builtin_lab.manifest.scenario(s).zone for s in ZONES}
    config = directory / "monitor.toml"
    config.write_text(
        f'trust_anchor = "{builtin_lab.directory / "root.key"}"\n'
        f'root_hints = "{builtin_lab.directory / "root.hints"}"\n'
        f"port = {builtin_lab.port}\ntimeout = {TIMEOUT}\n"
        f'store = "sqlite:///{directory}/monitor.db"\n'
        + "".join(f'[[zones]]\nname = "{z}"\n' for z in zones.values())
    )
    for _ in range(2):  # two rounds: two points of the expiry trend
        assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 2
    (directory / "token").write_text(TOKEN + "\n")
    args = [*lab_args(builtin_lab), "--monitor-config", str(config),
            "--token-file", str(directory / "token")]  # fmt: skip
    server = start_serve(args, directory)
    yield Board(server, config, zones)
    server.stop()


def without_days_left(status: dict[str, Any]) -> dict[str, Any]:
    """days_left is counted from the moment of asking: the one field that moves."""
    return {**status, "zones": [{k: v for k, v in z.items() if k != "days_left"}
                                for z in status["zones"]]}  # fmt: skip


def test_the_api_is_monitor_status_and_history(board: Board) -> None:
    answer = board.bearer("/api/dashboard")
    assert answer.status_code == 200
    cli = invoke(["monitor", "status", "--config", str(board.config), "--json"])
    assert without_days_left(answer.json()) == without_days_left(json.loads(cli.stdout))
    zone = board.zones["ds-digest-mismatch"]
    history = board.bearer(f"/api/zone/{zone}")
    cli = invoke(["monitor", "history", zone, "--config", str(board.config), "--json"])
    assert history.json() == json.loads(cli.stdout)
    assert len(history.json()["expiry_trend"]) == 2
    assert board.bearer("/api/zone/no-such.test.").status_code == 404
    assert board.bearer("/api/zone/a..b").json()["status"] == 400


@pytest.mark.parametrize("path", ["/api/dashboard", "/api/zone/ds-digest-mismatch.test."])
def test_the_api_needs_the_token(board: Board, path: str) -> None:
    assert board.server.get(path).status_code == 401
    wrong = board.server.get(path, headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401 and "Bearer TOKEN" in wrong.json()["error"]


def test_the_pages_send_a_stranger_to_the_login(board: Board) -> None:
    for path in ("/dashboard", "/zone/ds-digest-mismatch.test."):
        answer = board.server.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_login_form_is_protected_from_csrf(board: Board) -> None:
    url = board.server.url
    with httpx.Client(base_url=url, timeout=10) as client:
        form = client.get("/login")
        csrf = client.cookies["dd_csrf"]
        assert f'name="csrf" value="{csrf}"' in form.text
        # the token alone, without the form's CSRF token: refused
        bare = httpx.post(url + "/login", data={"token": TOKEN}, timeout=10)
        assert bare.status_code == 403 and "CSRF" in bare.text
        # another site posting the browser's cookie and a copied field: refused by Origin
        foreign = client.post("/login", data={"token": TOKEN, "csrf": csrf},
                              headers={"Origin": "https://evil.example"})  # fmt: skip
        assert foreign.status_code == 403
        wrong = client.post("/login", data={"token": "guess-guess-guess-1", "csrf": csrf})
        assert wrong.status_code == 401 and "That is not the token" in wrong.text
        good = client.post("/login", data={"token": TOKEN, "csrf": csrf})
        assert good.status_code == 303 and good.headers["location"] == "/dashboard"
        assert "httponly" in good.headers["set-cookie"].lower()
        assert "samesite=strict" in good.headers["set-cookie"].lower()
        assert client.get("/dashboard").status_code == 200
        assert client.post("/logout", data={"csrf": csrf}).status_code == 303
        assert client.get("/dashboard").status_code == 303


def test_the_dashboard_in_a_browser(
    board: Board, browser: Any, screenshots: Path, builtin_lab: BuiltinLab
) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(board.server.url + "/dashboard")
    assert browser.current_url.endswith("/login")
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, ".login button[type=submit]").click()
    assert browser.current_url.endswith("/dashboard"), browser.find_element(
        By.TAG_NAME, "main"
    ).text
    rows = {
        r.find_element(By.CSS_SELECTOR, "td.zone").text: r.text
        for r in browser.find_elements(By.CSS_SELECTOR, "#zones tbody tr")
    }
    assert set(rows) == set(board.zones.values())
    broken = rows[board.zones["ds-digest-mismatch"]]
    assert "CRITICAL" in broken and "bogus" in broken and "DS_DIGEST_MISMATCH" in broken
    soon = rows[board.zones["rrsig-expiring-soon"]]
    assert "WARNING" in soon and "RRSIG_EXPIRING_SOON" in soon
    days = browser.find_elements(By.CSS_SELECTOR, "#zones tbody tr td.days")
    assert all(float(d.text) > 0 for d in days)
    screenshot(browser, screenshots / "dashboard.png")
    browser.find_element(By.LINK_TEXT, board.zones["rrsig-expiring-soon"]).click()
    assert browser.find_element(By.TAG_NAME, "h1").text == board.zones["rrsig-expiring-soon"]
    lines = browser.find_elements(By.CSS_SELECTOR, "#plot polyline.server")
    servers = {line.get_attribute("data-server") for line in lines}
    zone = board.zones["rrsig-expiring-soon"]
    assert servers == {s.address for s in builtin_lab.manifest.servers_of(zone)}  # its own
    for line in lines:  # two checks: two points per server, each about 3 days out
        assert len(line.get_attribute("points").split()) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "#trend tbody tr")) == 2
    assert browser.find_elements(By.CSS_SELECTOR, "#events tbody tr")
    screenshot(browser, screenshots / "zone-history.png")
    browser.find_element(By.CSS_SELECTOR, ".logout button").click()
    browser.get(board.server.url + "/dashboard")
    assert browser.current_url.endswith("/login")


def test_the_dashboard_needs_a_token_file(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(f'store = "sqlite:///{tmp_path}/m.db"\n[[zones]]\nname = "a.test"\n')
    result = invoke(["serve", *lab_args(builtin_lab), "--monitor-config", str(config)])
    assert result.exit_code == 3
    assert "needs --token-file" in result.stderr and len(result.stderr.splitlines()) == 1
    (tmp_path / "short").write_text("abc\n")
    result = invoke(["serve", "--token-file", str(tmp_path / "short")])
    assert result.exit_code == 3 and "at least 16 characters" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--listen", "localhost:80"], "with an IP address"),
     (["--listen", "127.0.0.1:99999"], "the port must be 1-65535"),
     (["--root-hints", "/nonexistent/hints"], "/nonexistent/hints"),
     (["--rate", "0"], "out of range")],
)  # fmt: skip
def test_bad_serve_options_are_one_line_and_exit_3(args: list[str], message: str) -> None:
    result = invoke(["serve", *args])
    assert result.exit_code == 3
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
