"""The token in front of the dashboard, CSRF for the one form that posts (login), and
the headers every response carries."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request

SESSION_COOKIE = "dd_session"
CSRF_COOKIE = "dd_csrf"
#: A login form is a few dozen bytes; anything larger is not one.
MAX_FORM_BYTES = 4096

#: No inline script, no foreign origin, no framing: whatever a DNS answer smuggles into
#: the page cannot run, even if an escape were ever missed.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make a form's Origin "null"
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Sessions:
    """Browser sessions opened with the token (in memory: a restart logs everyone out)."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self._open: set[str] = set()

    def token_matches(self, offered: str) -> bool:
        return self.token is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def open(self) -> str:
        session = secrets.token_urlsafe(32)
        self._open.add(session)
        return session

    def close(self, session: str | None) -> None:
        self._open.discard(session or "")

    def allowed(self, request: Request) -> bool:
        """The token as ``Authorization: Bearer``, or a session opened with it."""
        if self.token is None:
            return False
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.token_matches(offered.strip()):
            return True
        return request.cookies.get(SESSION_COOKIE, "") in self._open


def csrf_token(request: Request) -> str:
    """The double-submit token: the cookie's value if it has one, else a new one (the
    response sets it)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


async def posted_form(request: Request) -> dict[str, str] | None:
    """The url-encoded form of a POST whose CSRF token matches its cookie and whose
    Origin (when sent) is this server; None otherwise."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = {k: v[0] for k, v in parse_qs(body.decode(), max_num_fields=10).items()}
    except (UnicodeDecodeError, ValueError):
        return None
    cookie = request.cookies.get(CSRF_COOKIE, "")
    offered = fields.get("csrf", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), offered.encode()):
        return None
    return fields
