"""Who is asking, whether they may, and the headers that keep pages from being turned against agents.

- Agents log in with a token whenever the desk listens beyond loopback (`DeskConfig.login_required`):
  the token is exchanged for a session cookie (HttpOnly, SameSite=Strict), or sent as
  `Authorization: Bearer <token>` by scripts.
- On a loopback desk without login, every visitor is the agent "local", but still gets a
  session: a state-changing request must carry the session's CSRF token in the `X-CSRF-Token`
  header, which a page of another site cannot send. Bearer-token requests need no CSRF token:
  no browser adds that header on its own.
- Every response carries a Content-Security-Policy that allows only the desk's own scripts and
  styles, so that even a name that slipped through escaping could not run.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from .service import Desk

SESSION_COOKIE = "weaklink_session"
CSRF_HEADER = "X-CSRF-Token"
LOCAL_AGENT = "local"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Paths anyone may reach: what logging in needs, and the API's description.
PUBLIC_PATHS = frozenset({"/login", "/api/session", "/api/openapi.json", "/healthz"})
PUBLIC_PREFIXES = ("/static/",)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Visitor:
    """Who a request comes from."""

    agent: str | None  # None: not logged in
    csrf_token: str | None  # the session's, when there is a session
    session: str | None  # the session cookie's value
    by_bearer: bool = False


DESK_KEY = web.AppKey("desk", Desk)
VISITOR_KEY = web.RequestKey("visitor", Visitor)


def visitor(request: web.Request) -> Visitor:
    """The visitor the security middleware found."""
    return request[VISITOR_KEY]


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _wants_html(request: web.Request) -> bool:
    return not request.path.startswith("/api/")


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find the visitor, refuse what they may not do, and add the security headers."""
    desk = request.app[DESK_KEY]
    found = await _identify(request, desk)
    request[VISITOR_KEY] = found
    if found.agent is None and not _is_public(request.path):
        if _wants_html(request):
            raise web.HTTPSeeOther("/login")
        return _problem(401, "log in first: POST your agent token to /api/session, or send it as a Bearer token")
    if request.method not in SAFE_METHODS and not found.by_bearer and request.path != "/api/session":
        given = request.headers.get(CSRF_HEADER, "")
        if found.csrf_token is None or not hmac.compare_digest(given, found.csrf_token):
            return _problem(403, f"missing or wrong {CSRF_HEADER} header (GET /api/session gives the token)")
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _identify(request: web.Request, desk: Desk) -> Visitor:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        agent = await desk.agent_for_token(authorization[7:].strip())
        return Visitor(agent, None, None, by_bearer=agent is not None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await desk.session(cookie)
        if found is not None:
            return Visitor(found[0], found[1], cookie)
    if not desk.config.login_required:
        return Visitor(LOCAL_AGENT, None, None)
    return Visitor(None, None, None)


async def ensure_session(request: web.Request, response: web.StreamResponse) -> str:
    """The visitor's CSRF token, opening a session (and setting its cookie) when they have none yet."""
    found = visitor(request)
    if found.csrf_token is not None:
        return found.csrf_token
    if found.agent is None:
        raise web.HTTPUnauthorized()
    cookie, csrf = await request.app[DESK_KEY].open_session(found.agent)
    set_session_cookie(request, response, cookie)
    return csrf


def set_session_cookie(request: web.Request, response: web.StreamResponse, cookie: str) -> None:
    """Hand the browser its session."""
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="Strict", path="/", secure=request.secure)


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message, "status": status}, status=status)
