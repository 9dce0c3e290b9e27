"""`dnssec-doctor serve` as a real process on a free 127.0.0.1 port, and headless
Chromium (Debian's, through its chromedriver) to look at it.

``web_server``: once per session, against the built-in lab, with --allow-private (the
lab is 127.53.x.x). ``start_serve`` starts others (other options, other trees) for one
module. ``browser``: Chromium with JavaScript off, as the report must work without it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers.check_fixtures import TIMEOUT, BuiltinLab

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class WebServer:
    url: str
    process: subprocess.Popen[bytes]
    evidence_dir: Path
    log: Path

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # our own child, by its handle
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_serve(args: Sequence[str], directory: Path) -> WebServer:
    """``dnssec-doctor serve ARGS`` on a free port, its evidence in *directory*; returns
    once it answers."""
    port = free_tcp_port()
    evidence = directory / "evidence"
    log = directory / "serve.log"
    command = [
        sys.executable, "-m", "dnssec_doctor", "serve", "--listen", f"127.0.0.1:{port}",
        "--evidence-dir", str(evidence), *args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = WebServer(f"http://127.0.0.1:{port}", process, evidence, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(server.url + "/", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"serve did not answer: {log.read_text()}")


def lab_args(lab: BuiltinLab, *, allow_private: bool = True) -> list[str]:
    args = [
        "--trust-anchor", str(lab.directory / "root.key"),
        "--root-hints", str(lab.directory / "root.hints"),
        "--port", str(lab.port), "--timeout", str(TIMEOUT),
    ]  # fmt: skip
    return [*args, "--allow-private"] if allow_private else args


@pytest.fixture(scope="session")
def web_server(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    directory = tmp_path_factory.mktemp("serve")
    server = start_serve([*lab_args(builtin_lab), "--rate", "1000"], directory)
    try:
        yield server
    finally:
        server.stop()


def chromium(*, javascript: bool) -> Any:
    """Headless Chromium through the system chromedriver (nothing downloaded)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail(
                "chromium and chromium-driver are missing (scripts/install-system-packages)"
            )
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    service = Service(executable_path=str(CHROMEDRIVER))
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium with JavaScript off: the report must be whole without it."""
    driver = chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each page's screenshot is kept (a test artefact, in pytest's tmp dir)."""
    return tmp_path_factory.mktemp("screenshots")


def screenshot(driver: Any, path: Path) -> Path:
    """The whole page, not just the window."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight") or 900)
    driver.set_window_size(1280, min(max(height, 600), 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path


__all__ = ["browser", "screenshots", "start_serve", "web_server"]
