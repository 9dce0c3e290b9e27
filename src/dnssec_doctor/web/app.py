"""The ASGI application: routes, the check behind them, errors as one line.

Every page has a JSON twin under /api with the command line's schema. A check runs in
a worker thread (the service is synchronous, the walk its own event loop), within the
client's rate and the cap on checks at once; its evidence is saved first, so the page
links to the permalink of exactly what it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dnssec_doctor.model.report import Report
from dnssec_doctor.render import check_json
from dnssec_doctor.services import check as service
from dnssec_doctor.web import report_view
from dnssec_doctor.web.evidence_store import EvidenceStore, UnknownEvidence
from dnssec_doctor.web.limits import CheckSlots, RateLimiter
from dnssec_doctor.web.refusal import Refusal, refusal_json
from dnssec_doctor.web.security import HEADERS, Sessions
from dnssec_doctor.web.settings import ServeSettings

log = logging.getLogger("dnssec_doctor.web")
STATIC = Path(__file__).parent / "static"
MAX_FIELD = 300  # characters of a name, type or time a request may send


def templates() -> Environment:
    # autoescape on for every template: each DNS-derived string is escaped on output
    env = Environment(
        loader=PackageLoader("dnssec_doctor.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class Server:
    """The application's state: settings, evidence, limits, sessions, templates."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.evidence = EvidenceStore(settings.evidence_dir)
        self.rate = RateLimiter(settings.rate_per_minute)
        self.slots = CheckSlots(settings.max_concurrent)
        self.sessions = Sessions(settings.token)
        self.env = templates()

    # -- pages ---------------------------------------------------------------------

    def page(self, template: str, code: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("form", {"name": "", "type": "A", "at": ""})
        values.setdefault("dashboard", self.settings.monitor_config is not None)
        values.setdefault("logged_in", False)
        html = self.env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=code)

    def refusal_page(self, refusal: Refusal, form: dict[str, str] | None = None) -> Response:
        response = self.page(
            "error.html", refusal.status, message=str(refusal), status=refusal.status,
            form=form or {"name": "", "type": "A", "at": ""},
        )  # fmt: skip
        response.headers.update(refusal.headers)
        return response

    # -- the check -----------------------------------------------------------------

    def _admit(self, request: Request) -> None:
        client = request.client.host if request.client else "?"
        wait = self.rate.retry_after(client)
        if wait is not None:
            raise Refusal(
                429,
                f"too many checks from {client}: at most {self.rate.per_minute} a minute; "
                f"try again in {wait:.0f} s",
                {"Retry-After": f"{wait:.0f}"},
            )

    async def _run(self, work: Callable[[], Report]) -> Report:
        if not self.slots.take():
            raise Refusal(
                503,
                f"busy: {self.slots.size} checks are running; try again in a few seconds",
                {"Retry-After": "5"},
            )
        try:
            return await run_in_threadpool(work)
        except service.AddressRefused as error:
            raise Refusal(403, str(error)) from error
        except service.CheckError as error:
            raise Refusal(400, str(error)) from error
        finally:
            self.slots.release()

    async def live_check(self, request: Request) -> tuple[Report, str, dict[str, str]]:
        form = question(request)
        options = self.settings.check._replace(
            name=form["name"], qtype=form["type"], at=form["at"] or None
        )
        try:  # bad input is refused before it costs a check
            service.parse_name(options.name)
            service.parse_type(options.qtype)
            service.parse_at(options.at, datetime.now(UTC))
        except service.CheckError as error:
            raise Refusal(400, str(error)) from error
        self._admit(request)
        report = await self._run(lambda: service.run_check(options))
        return report, self.evidence.save(report.collection.evidence), form

    async def saved_check(self, request: Request) -> tuple[Report, str]:
        ident = request.path_params["ident"]
        try:
            path = self.evidence.path(ident)
        except UnknownEvidence as error:
            raise Refusal(404, str(error)) from error
        at = field(request, "at") or None
        self._admit(request)

        def replay() -> Report:
            query = service.load_evidence(path).query
            options = self.settings.check._replace(name=query.name, qtype=query.type, at=at)
            return service.check_evidence(path, options)

        return await self._run(replay), ident

    # -- endpoints -------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return self.page("index.html")

    async def check_page(self, request: Request) -> Response:
        try:
            report, ident, form = await self.live_check(request)
        except Refusal as refusal:
            return self.refusal_page(refusal, question(request, strict=False))
        return await self.report_page(report, ident, form)

    async def check_api(self, request: Request) -> Response:
        try:
            report, ident, _ = await self.live_check(request)
        except Refusal as refusal:
            return refusal_json(refusal)
        return self.report_json(report, ident)

    async def evidence_page(self, request: Request) -> Response:
        try:
            report, ident = await self.saved_check(request)
        except Refusal as refusal:
            return self.refusal_page(refusal)
        query = report.collection.evidence.query
        form = {"name": query.name, "type": query.type, "at": check_json.to_dict(report)["at"]}
        return await self.report_page(report, ident, form, saved=True)

    async def evidence_api(self, request: Request) -> Response:
        try:
            report, ident = await self.saved_check(request)
        except Refusal as refusal:
            return refusal_json(refusal)
        return self.report_json(report, ident)

    async def evidence_file(self, request: Request) -> Response:
        try:
            path = self.evidence.path(request.path_params["ident"])
        except UnknownEvidence as error:
            return refusal_json(Refusal(404, str(error)))
        return FileResponse(path, media_type="application/json", filename=path.name)

    async def report_page(
        self, report: Report, ident: str, form: dict[str, str], *, saved: bool = False
    ) -> Response:
        values = report_view.context(report)
        at = values["data"]["at"]
        graph, graph_error = await run_in_threadpool(chain_graph, report)  # dot: a subprocess
        return self.page(
            "report.html", form=form, saved=saved, permalink=permalink(ident, at),
            json_link=f"/api/evidence/{ident}?at={at}", evidence_file=f"/evidence/{ident}/file",
            graph=graph, graph_error=graph_error, **values,
        )  # fmt: skip

    def report_json(self, report: Report, ident: str) -> Response:
        at = check_json.to_dict(report)["at"]
        return Response(
            check_json.render(report),
            media_type="application/json",
            headers={"Link": f'<{permalink(ident, at)}>; rel="evidence"', "X-Evidence-Id": ident},
        )

    # -- errors ------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        refusal = Refusal(exc.status_code, _HTTP_WORDS.get(exc.status_code, exc.detail))
        if request.url.path.startswith("/api/"):
            return refusal_json(refusal)
        return self.refusal_page(refusal)

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        log.error("internal error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        what = " ".join(str(exc).split())[:200]
        refusal = Refusal(500, f"internal error: {type(exc).__name__}: {what}, please report")
        if request.url.path.startswith("/api/"):
            return refusal_json(refusal)
        return self.refusal_page(refusal)


_HTTP_WORDS = {404: "no such page", 405: "method not allowed here"}


def chain_graph(report: Report) -> tuple[Markup | None, str | None]:
    """The chain-of-trust graph as inline SVG (render/graph.py escapes every DNS-derived
    string in it), or why it could not be drawn."""
    from dnssec_doctor.render.graph import GraphError, chain_svg

    try:
        return Markup(chain_svg(report)), None
    except GraphError as error:
        return None, str(error)


def permalink(ident: str, at: str) -> str:
    return f"/evidence/{ident}?at={at}"


def field(request: Request, key: str) -> str:
    value = request.query_params.get(key, "").strip()
    if len(value) > MAX_FIELD:
        raise Refusal(400, f"{key} is longer than {MAX_FIELD} characters")
    return value


def question(request: Request, *, strict: bool = True) -> dict[str, str]:
    """The form's three fields (name, type, at); a missing name is bad input."""
    try:
        form = {"name": field(request, "name"), "type": field(request, "type") or "A"}
        form["at"] = field(request, "at")
    except Refusal:
        if strict:
            raise
        return {"name": "", "type": "A", "at": ""}
    if strict and not form["name"]:
        raise Refusal(400, "name is missing: which domain name should be checked?")
    return form


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def build_app(settings: ServeSettings) -> Starlette:
    server = Server(settings)
    routes = [
        Route("/", server.index),
        Route("/check", server.check_page),
        Route("/api/check", server.check_api),
        Route("/evidence/{ident}", server.evidence_page),
        Route("/evidence/{ident}/file", server.evidence_file),
        Route("/api/evidence/{ident}", server.evidence_api),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    if settings.monitor_config is not None:
        from dnssec_doctor.web.dashboard import dashboard_routes

        routes += dashboard_routes(server)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: server.http_error, Exception: server.internal_error},
    )
    app.state.server = server
    return app
