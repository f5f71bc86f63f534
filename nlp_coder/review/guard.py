"""Who may reach the review app, and what every response says about itself (an ASGI wrapper around the app).

- Every request needs the token. ``?token=T`` on a page sets it as a cookie (HttpOnly, SameSite=Strict) and
  redirects to the same page without it, as Jupyter does; ``Authorization: Bearer T`` works everywhere. A
  cookie alone only reads (GET, HEAD): a write needs the header, which no other site can make a browser send,
  so no cross-site request can change an answer.
- Every response carries a Content-Security-Policy that allows only the app's own scripts, styles and API
  (no inline script, no framing), and no CORS header is ever sent.
- Request bodies above ``max_body`` bytes are refused (413) before the app reads them.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 256 * 1024
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
OURS = {name for name, _ in SECURITY_HEADERS}
READS = {"GET", "HEAD"}
NO_TOKEN = "this review server needs its token: open the URL that `nlp-coder review serve` printed"


def new_token() -> str:
    """A random token for a server started without one."""
    return secrets.token_urlsafe(24)


class Guard:
    """Token check, security headers and the body cap, in front of ``app``."""

    def __init__(self, app: Callable, token: str, max_body: int = MAX_BODY):
        if not token:
            raise ValueError("the review app needs a token")
        self.app = app
        self.token = token
        self.max_body = max_body

    def _is_token(self, given: str | None) -> bool:
        return given is not None and secrets.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            await send({"type": "websocket.close", "code": 1008})
            return
        send = _with_headers(send)
        request = Request(scope)
        reply = self._check(request)
        if reply is None and request.method not in READS:
            body, reply = await self._read_body(request, receive)
            receive = _replay(body, receive)
        if reply is not None:
            await reply(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check(self, request: Request) -> Response | None:
        """None when the request may go on; else the response that refuses it (or the cookie redirect)."""
        cookie = cookie_name(request)
        given = request.query_params.get("token")
        if given is not None and request.method in READS:
            if not self._is_token(given):
                return _refuse(request, "wrong token")
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(cookie, self.token, httponly=True, samesite="strict", path="/")
            return response
        auth = request.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        if self._is_token(bearer):
            return None
        if request.method in READS and self._is_token(request.cookies.get(cookie)):
            return None
        if request.method not in READS and request.cookies.get(cookie):
            return _refuse(request, "a change needs the header Authorization: Bearer TOKEN")
        return _refuse(request, NO_TOKEN)

    async def _read_body(self, request: Request, receive: Receive) -> tuple[bytes, Response | None]:
        too_big = PlainTextResponse(f"request body above {self.max_body} bytes", status_code=413)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return b"", too_big
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", PlainTextResponse("client disconnected", status_code=400)
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body:
                return b"", too_big
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


def cookie_name(request: Request) -> str:
    """One cookie per port: two review servers on one machine keep their own tokens."""
    port = request.url.port
    return f"nlp_coder_review_{port}" if port else "nlp_coder_review"


def _refuse(request: Request, why: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": why}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return PlainTextResponse(f"401: {why}\n", status_code=401)


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in OURS]
            message["headers"] = headers + SECURITY_HEADERS
        await send(message)

    return sending


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that gives the body already read, then whatever comes after (a disconnect)."""
    given = False

    async def replaying() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replaying
