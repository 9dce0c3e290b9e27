"""A request refused with an HTTP status and one line, as a page or as JSON."""

from __future__ import annotations

import json

from starlette.responses import Response


class Refusal(Exception):
    """Answered with *status* and the message, never a traceback."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def refusal_json(refusal: Refusal) -> Response:
    body = json.dumps({"error": str(refusal), "status": refusal.status}) + "\n"
    return Response(
        body, status_code=refusal.status, media_type="application/json", headers=refusal.headers
    )
