"""`serve`: the check as a web page and a JSON API (docs/web.md), run by uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dnssec_doctor import defaults
from dnssec_doctor.cli.common import (
    WARN_DAYS,
    Subcommands,
    _bounded,
    add_command,
    add_resolver,
    add_walk_options,
    fail,
)
from dnssec_doctor.exitcodes import ExitCode

if TYPE_CHECKING:
    from dnssec_doctor.services.check import CheckOptions
    from dnssec_doctor.web.settings import ServeSettings

DEFAULT_LISTEN = "127.0.0.1:8053"
#: A token shorter than this is guessed by a patient client; a longer file is not a token.
MIN_TOKEN, MAX_TOKEN_FILE = 16, 4096
COUNT = _bounded(int, 1, 100_000)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def default_evidence_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "dnssec-doctor" / "evidence"


def register(commands: Subcommands) -> None:
    serve = add_command(
        commands, "serve", "serve the check as a web page and a JSON API (docs/web.md)"
    )
    serve.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="ADDR:PORT",
        help=f"address and port to serve on; [V6]:PORT for IPv6 [default: {DEFAULT_LISTEN}]",
    )
    add_walk_options(serve, timeout=defaults.QUERY_TIMEOUT)
    add_resolver(serve)
    serve.add_argument(
        "--warn-days",
        type=WARN_DAYS,
        default=defaults.WARN_DAYS,
        metavar="DAYS",
        help=f"warn when signatures expire within this many days [default: {defaults.WARN_DAYS:g}]",
    )
    serve.add_argument(
        "--allow-private",
        action="store_true",
        help="also query private, loopback and link-local addresses (a lab; never on a "
        "public checker)",
    )
    serve.add_argument(
        "--evidence-dir",
        type=Path,
        metavar="DIR",
        help="where each check's evidence is saved for its permalink "
        "[default: $XDG_STATE_HOME/dnssec-doctor/evidence]",
    )
    serve.add_argument(
        "--rate",
        type=COUNT,
        default=20,
        metavar="N",
        help="checks per client per minute, then 429 [default: 20]",
    )
    serve.add_argument(
        "--max-concurrent",
        type=COUNT,
        default=4,
        metavar="N",
        help="checks running at once, then 503 [default: 4]",
    )
    serve.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="the secret that opens the dashboard (Authorization: Bearer, or the login form)",
    )
    serve.add_argument(
        "--monitor-config",
        type=Path,
        metavar="FILE",
        help="the monitor's TOML (docs/monitor.md): adds the dashboard; needs --token-file",
    )
    serve.set_defaults(run=run)


def parse_listen(text: str) -> tuple[str, int]:
    """``ADDR:PORT`` or ``[V6]:PORT``: an IP address (no name to look up) and a port."""
    host, port = text.rsplit(":", 1) if ":" in text else (text, "")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        fail(f"--listen {text[:100]!r}: want ADDR:PORT with an IP address, e.g. {DEFAULT_LISTEN}")
    if not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        fail(f"--listen {text[:100]!r}: the port must be 1-65535")
    return str(address), int(port)


def read_token(path: Path) -> str:
    from dnssec_doctor.inputfile import read_small

    try:
        token = read_small(path, MAX_TOKEN_FILE).decode().strip()
    except OSError as error:
        fail(f"--token-file {path}: cannot read it ({error.strerror})")
    except UnicodeDecodeError:
        fail(f"--token-file {path}: not text")
    if len(token) < MIN_TOKEN or any(c.isspace() for c in token):
        fail(f"--token-file {path}: the token must be one word of at least {MIN_TOKEN} characters")
    return token


def bound_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        fail(f"--listen {host}:{port}: cannot listen there ({error.strerror})")
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.services.check import CheckOptions, address_policy

    host, port = parse_listen(args.listen)
    token = read_token(args.token_file) if args.token_file else None
    if args.monitor_config is not None:
        if token is None:
            fail("--monitor-config: the dashboard needs --token-file (it is never public)")
        from dnssec_doctor.monitor.config import ConfigError, load

        try:
            load(args.monitor_config)
        except ConfigError as error:
            fail(str(error))
    options = CheckOptions(
        name=".",
        trust_anchor_file=args.trust_anchor,
        root_hints_file=args.root_hints,
        resolver=args.resolver,
        warn_days=args.warn_days,
        port=args.port,
        timeout=args.timeout,
        addresses=address_policy(allow_private=args.allow_private),
    )
    _anchors_readable(options)
    evidence_dir = args.evidence_dir or default_evidence_dir()
    from dnssec_doctor.web.settings import ServeSettings

    settings = ServeSettings(
        check=options,
        evidence_dir=evidence_dir,
        token=token,
        rate_per_minute=args.rate,
        max_concurrent=args.max_concurrent,
        monitor_config=args.monitor_config,
    )
    return _serve(settings, host, port)


def _anchors_readable(options: CheckOptions) -> None:
    """A trust anchor or hints file that does not load is bad input at start, not at
    the first check."""
    from dnssec_doctor.services.check import CheckError, anchors_and_hints

    try:
        anchors_and_hints(options)
    except CheckError as error:
        fail(str(error))


def _serve(settings: ServeSettings, host: str, port: int) -> ExitCode:
    import uvicorn

    from dnssec_doctor.web.app import build_app

    try:
        app = build_app(settings)
    except OSError as error:
        fail(f"--evidence-dir {settings.evidence_dir}: {error.strerror}")
    sock = bound_socket(host, port)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"dnssec-doctor serve: listening on http://{shown}:{port}/\n")
    sys.stderr.flush()
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, server_header=False, proxy_headers=False
    )
    _server_class()(config).run(sockets=[sock])
    return ExitCode.OK


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but SIGTERM and SIGINT end it with exit 0 (after a graceful
        shutdown) instead of being raised again at the process: a stop that systemd or
        a test asked for is not a failure."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server
