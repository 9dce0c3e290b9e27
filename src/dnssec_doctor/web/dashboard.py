"""The monitor's dashboard behind the token: every zone, and a zone's history with its
expiry plotted over time. Read-only: the store is the monitor's (docs/monitor.md); the
data is monitor/views.py's, the schemas of `monitor status --json` and `monitor history
--json`. The one form that posts is the login (CSRF: a double-submit token)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dnssec_doctor.monitor.config import ConfigError, load
from dnssec_doctor.monitor.engine import iso
from dnssec_doctor.monitor.store import Store, StoreError
from dnssec_doctor.monitor.views import STATUS_SCHEMA, history_dict, status_items
from dnssec_doctor.services.check import CheckError, parse_name
from dnssec_doctor.web.refusal import Refusal, refusal_json
from dnssec_doctor.web.security import CSRF_COOKIE, SESSION_COOKIE, csrf_token, posted_form

if TYPE_CHECKING:
    from dnssec_doctor.web.app import Server

PLOT_WIDTH, PLOT_HEIGHT, MARGIN = 720, 220, 48


COLOURS = ("#3b82f6", "#e8710a", "#1b6e20", "#b00020", "#6a1b9a", "#00838f", "#5f6368")
MAX_SERIES = len(COLOURS)


class Point(NamedTuple):
    x: float
    y: float


class Series(NamedTuple):
    label: str  # a server address, from the store
    colour: str
    points: str  # the polyline's "x,y x,y ..."
    dots: list[Point]


class Plot(NamedTuple):
    """Days left until the earliest signature expiry at each check, one line per server
    (numbers and addresses only reach the SVG, escaped by the template)."""

    series: list[Series]
    y_ticks: list[tuple[float, str]]
    first: str
    last: str
    more: int  # servers left out of the plot (beyond MAX_SERIES)


def expiry_plot(rows: list[tuple[float, str, int]]) -> Plot | None:
    """The plot of store.expiry_by_server's rows."""
    if not rows:
        return None
    by_server: dict[str, list[tuple[float, float]]] = {}
    for at, server, expiration in rows:
        by_server.setdefault(server, []).append((at, (expiration - at) / 86400))
    times = [at for at, _, _ in rows]
    days = [d for points in by_server.values() for _, d in points]
    t0, t1 = min(times), max(times)
    top, low = max(max(days), 1.0) * 1.1, min(min(days), 0.0)
    inner_w, inner_h = PLOT_WIDTH - 2 * MARGIN, PLOT_HEIGHT - 2 * MARGIN

    def place(t: float, d: float) -> Point:
        x = MARGIN + (inner_w * (t - t0) / (t1 - t0) if t1 > t0 else inner_w / 2)
        y = MARGIN + inner_h * (top - d) / (top - low)
        return Point(round(x, 1), round(y, 1))

    series = []
    for (server, points), colour in zip(sorted(by_server.items()), COLOURS, strict=False):
        dots = [place(t, d) for t, d in points]
        series.append(Series(server, colour, " ".join(f"{p.x},{p.y}" for p in dots), dots))
    ticks = [(place(t0, low + (top - low) * k / 4).y, f"{low + (top - low) * k / 4:.1f} d")
             for k in range(5)]  # fmt: skip
    return Plot(series, ticks, iso(t0), iso(t1), max(len(by_server) - MAX_SERIES, 0))


class Dashboard:
    def __init__(self, server: Server) -> None:
        self.server = server
        assert server.settings.monitor_config is not None
        self.config_path = server.settings.monitor_config

    def _store(self) -> Store:
        try:
            config = load(self.config_path)
            return Store.open(config.store, config.path.parent, migrate=False)
        except (ConfigError, StoreError) as error:
            raise Refusal(503, str(error)) from error

    def _status(self) -> dict[str, Any]:
        store = self._store()
        try:
            rows = store.status()
        finally:
            store.close()
        return {"schema": STATUS_SCHEMA, "zones": status_items(rows, time.time())}

    def _history(self, zone: str) -> tuple[dict[str, Any], Plot | None]:
        try:
            name = parse_name(zone).to_text()
        except CheckError as error:
            raise Refusal(400, str(error)) from error
        store = self._store()
        try:
            events, trend = store.history(name), store.expiry_trend(name)
            per_server = store.expiry_by_server(name)
        finally:
            store.close()
        if not events and not trend:
            raise Refusal(404, f"no history for {name} in the store")
        return history_dict(name, events, trend), expiry_plot(per_server)

    # -- endpoints ---------------------------------------------------------------------

    def _locked(self, request: Request, api: bool) -> Response | None:
        if self.server.sessions.allowed(request):
            return None
        if api:
            return refusal_json(
                Refusal(401, "the dashboard needs the token: Authorization: Bearer TOKEN")
            )
        return RedirectResponse("/login", status_code=303)

    async def page(self, request: Request) -> Response:
        if (locked := self._locked(request, api=False)) is not None:
            return locked
        try:
            data = await run_in_threadpool(self._status)
        except Refusal as refusal:
            return self.server.refusal_page(refusal)
        return self.server.page("dashboard.html", data=data, csrf=csrf_token(request),
                                logged_in=True)  # fmt: skip

    async def api(self, request: Request) -> Response:
        if (locked := self._locked(request, api=True)) is not None:
            return locked
        try:
            data = await run_in_threadpool(self._status)
        except Refusal as refusal:
            return refusal_json(refusal)
        return Response(json.dumps(data, indent=2) + "\n", media_type="application/json")

    async def zone_page(self, request: Request) -> Response:
        if (locked := self._locked(request, api=False)) is not None:
            return locked
        try:
            data, plot = await run_in_threadpool(self._history, request.path_params["zone"])
        except Refusal as refusal:
            return self.server.refusal_page(refusal)
        return self.server.page("zone.html", data=data, plot=plot, csrf=csrf_token(request),
                                logged_in=True, width=PLOT_WIDTH, height=PLOT_HEIGHT,
                                margin=MARGIN)  # fmt: skip

    async def zone_api(self, request: Request) -> Response:
        if (locked := self._locked(request, api=True)) is not None:
            return locked
        try:
            data, _ = await run_in_threadpool(self._history, request.path_params["zone"])
        except Refusal as refusal:
            return refusal_json(refusal)
        return Response(json.dumps(data, indent=2) + "\n", media_type="application/json")

    async def login_form(self, request: Request, failed: bool = False) -> Response:
        token = csrf_token(request)
        response = self.server.page("login.html", 401 if failed else 200, csrf=token,
                                    failed=failed)  # fmt: skip
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    async def login(self, request: Request) -> Response:
        form = await posted_form(request)
        if form is None:
            return self.server.refusal_page(
                Refusal(
                    403,
                    "the form's CSRF token is missing or wrong: reload "
                    "the login page and try again",
                )
            )
        if not self.server.sessions.token_matches(form.get("token", "")):
            return await self.login_form(request, failed=True)
        response = RedirectResponse("/dashboard", status_code=303)
        response.set_cookie(SESSION_COOKIE, self.server.sessions.open(), httponly=True,
                            samesite="strict")  # fmt: skip
        return response

    async def logout(self, request: Request) -> Response:
        if await posted_form(request) is None:
            return self.server.refusal_page(Refusal(403, "the CSRF token is wrong"))
        self.server.sessions.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def dashboard_routes(server: Server) -> list[Route]:
    board = Dashboard(server)
    return [
        Route("/dashboard", board.page),
        Route("/api/dashboard", board.api),
        Route("/zone/{zone}", board.zone_page),
        Route("/api/zone/{zone}", board.zone_api),
        Route("/login", board.login_form, methods=["GET"]),
        Route("/login", board.login, methods=["POST"]),
        Route("/logout", board.logout, methods=["POST"]),
    ]
