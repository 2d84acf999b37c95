"""The desk's JSON API: one handler per operation, each listed in `ROUTES` with its models,
from which both the router and the OpenAPI document are made."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError

from ..errors import InputError
from ..redact import redact_text
from ..when import parse_at
from .schemas import (
    Case, CaseList, CaseStatus, Escalation, Login, NewEscalation, NewNote, NewRun, Note, Run, SessionInfo, StatusChange,
)
from .security import DESK_KEY, SESSION_COOKIE, ensure_session, set_session_cookie, visitor
from .service import Conflict, NewCase, NotFound
from .store import CaseFilter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One API operation: how it is reached, and what it takes and gives (for the OpenAPI document)."""

    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    multipart: dict[str, str] = field(default_factory=dict)  # form field -> description
    query: dict[str, str] = field(default_factory=dict)  # query parameter -> description
    response: type[BaseModel] | None = None
    status: int = 200
    content_type: str = "application/json"


def _json(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(text=model.model_dump_json(), status=status, content_type="application/json")


async def _body(request: web.Request, model: type[BaseModel]) -> Any:
    try:
        raw = await request.read()
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InputError(first["msg"], source="request body", field=where) from exc


def _int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError as exc:
        raise NotFound(f"no {name} {request.match_info[name]!r}", field=name) from exc


def _incident(text: str | None) -> str | None:
    """An incident time as the agent typed it, checked now; read in the home's time zone once the home is read."""
    if not text or not text.strip():
        return None
    parse_at(text, None, field="incident_at")
    return text.strip()


# sessions ----------------------------------------------------------------------------------

async def get_session(request: web.Request) -> web.StreamResponse:
    found = visitor(request)
    desk = request.app[DESK_KEY]
    if found.agent is None:
        raise web.HTTPUnauthorized(text='{"error": "not logged in", "status": 401}', content_type="application/json")
    response = web.Response(content_type="application/json")
    csrf = await ensure_session(request, response)
    response.text = SessionInfo(agent=found.agent, csrf_token=csrf,
                                login_required=desk.config.login_required).model_dump_json()
    return response


async def login(request: web.Request) -> web.StreamResponse:
    given: Login = await _body(request, Login)
    desk = request.app[DESK_KEY]
    agent = await desk.agent_for_token(given.token)
    if agent is None:
        raise web.HTTPUnauthorized(text='{"error": "unknown token", "status": 401}', content_type="application/json")
    cookie, csrf = await desk.open_session(agent)
    response = _json(SessionInfo(agent=agent, csrf_token=csrf, login_required=desk.config.login_required))
    set_session_cookie(request, response, cookie)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    found = visitor(request)
    if found.session:
        await request.app[DESK_KEY].close_session(found.session)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


# cases -------------------------------------------------------------------------------------

def case_filter(request: web.Request) -> CaseFilter:
    """The list's filter from the query string (the same for the API and the page)."""
    query = request.query

    def value(name: str) -> str | None:
        return query.get(name) or None

    status = value("status")
    if status is not None and status not in {s.value for s in CaseStatus}:
        raise InputError(f"not a status: {status!r}", field="status")
    return CaseFilter(status=status, brand=value("brand"), layer=value("layer"), party=value("party"), text=value("q"))


def page_of(request: web.Request) -> tuple[int, int]:
    """`limit` (1-500, default 100) and `offset` from the query string."""
    def number(name: str, default: int, low: int, high: int) -> int:
        text = request.query.get(name)
        if not text:
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            raise InputError(f"not a number from {low} to {high}: {text!r}", field=name)
        return int(text)

    return number("limit", 100, 1, 500), number("offset", 0, 0, 10**9)


async def list_cases(request: web.Request) -> web.StreamResponse:
    limit, offset = page_of(request)
    return _json(await request.app[DESK_KEY].cases(case_filter(request), limit=limit, offset=offset))


async def create_case(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    incoming = desk.config.data_dir / "incoming"
    fields: dict[str, str] = {}
    saved: dict[str, tuple[Path, str, str, int]] = {}
    if not request.content_type.startswith("multipart/"):
        raise InputError("send the bundle as multipart/form-data (the form field 'bundle')", source="upload",
                         field="bundle")
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.name:
                continue
            if part.name in {"bundle", "scenario"}:
                limit = desk.config.max_upload_bytes if part.name == "bundle" else 1_000_000
                saved[part.name] = await _save_upload(part, incoming, limit)
            elif part.name in {"title", "customer_words", "incident_at", "automation"}:
                text = (await part.read(decode=True)).decode("utf-8", errors="replace")
                if len(text) > 20_000:
                    raise InputError("longer than 20000 characters", source="upload", field=part.name)
                fields[part.name] = text.strip()
        if "bundle" not in saved:
            raise InputError("no bundle: send the customer's zip as the form field 'bundle'", source="upload",
                             field="bundle")
        path, name, digest, size = saved["bundle"]
        new = NewCase(
            upload=path, bundle_name=name, sha256=digest, size=size,
            title=fields.get("title") or f"Bundle {name}", customer_words=fields.get("customer_words", ""),
            incident_at=_incident(fields.get("incident_at")), automation=fields.get("automation") or None,
            scenario=saved["scenario"][0] if "scenario" in saved else None)
        case = await desk.create_case(new, visitor(request).agent or "")
    finally:
        for path, *_ in saved.values():
            path.unlink(missing_ok=True)
    return _json(case, status=201)


async def _save_upload(part: BodyPartReader, folder: Path, limit: int) -> tuple[Path, str, str, int]:
    """Stream an uploaded file to disk, hashing it, refusing it past `limit` bytes."""
    path = folder / f"{secrets.token_hex(12)}.upload"
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            while chunk := await part.read_chunk(256 * 1024):
                size += len(chunk)
                if size > limit:
                    raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size,
                                                        text=f'{{"error": "{part.name} is over {limit} bytes", '
                                                             f'"status": 413}}', content_type="application/json")
                digest.update(chunk)
                out.write(chunk)  # small chunks to a local file: as quick as the loop's other work
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    name = Path(part.filename or "bundle.zip").name[:200]
    return path, name, digest.hexdigest(), size


async def get_case(request: web.Request) -> web.StreamResponse:
    return _json(await request.app[DESK_KEY].case(_int(request, "case")))


async def change_status(request: web.Request) -> web.StreamResponse:
    change: StatusChange = await _body(request, StatusChange)
    return _json(await request.app[DESK_KEY].set_status(_int(request, "case"), change.status))


async def delete_case(request: web.Request) -> web.StreamResponse:
    await request.app[DESK_KEY].delete_case(_int(request, "case"), visitor(request).agent or "")
    return web.Response(status=204)


async def add_note(request: web.Request) -> web.StreamResponse:
    note: NewNote = await _body(request, NewNote)
    return _json(await request.app[DESK_KEY].add_note(_int(request, "case"), visitor(request).agent or "", note.text),
                 status=201)


async def new_run(request: web.Request) -> web.StreamResponse:
    asked: NewRun = await _body(request, NewRun)
    run = await request.app[DESK_KEY].retrace(
        _int(request, "case"), visitor(request).agent or "",
        asked.incident_at.isoformat() if asked.incident_at else None, asked.automation)
    return _json(run, status=202)


async def get_run(request: web.Request) -> web.StreamResponse:
    return _json(await request.app[DESK_KEY].run(_int(request, "case"), _int(request, "run")))


async def run_graph(request: web.Request) -> web.StreamResponse:
    path = await request.app[DESK_KEY].graph_file(_int(request, "case"), _int(request, "run"))
    return web.FileResponse(path, headers={"Content-Type": "image/svg+xml",
                                           # an SVG opened on its own is a document: it may run nothing at all
                                           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


async def download_bundle(request: web.Request) -> web.StreamResponse:
    path, name = await request.app[DESK_KEY].bundle_file(_int(request, "case"))
    return web.FileResponse(path, headers={"Content-Type": "application/zip",
                                           "Content-Disposition": f'attachment; filename="{_header_safe(name)}"'})


def _header_safe(name: str) -> str:
    """A file name the agent gave, fit for a header: no quotes, no line breaks, ASCII."""
    safe = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return safe or "bundle.zip"


async def escalate(request: web.Request) -> web.StreamResponse:
    asked: NewEscalation = await _body(request, NewEscalation)
    escalation = await request.app[DESK_KEY].escalate(_int(request, "case"), visitor(request).agent or "",
                                                      asked.run_number, asked.share_device_ids)
    return _json(escalation, status=201)


async def download_escalation(request: web.Request) -> web.StreamResponse:
    path = await request.app[DESK_KEY].escalation_file(_int(request, "case"), _int(request, "number"))
    return web.FileResponse(path, headers={"Content-Type": "application/zip",
                                           "Content-Disposition": f'attachment; filename="{path.name}"'})


async def openapi(request: web.Request) -> web.StreamResponse:
    from .openapi import openapi_document

    return web.json_response(openapi_document(ROUTES))


ROUTES: list[Route] = [
    Route("GET", "/api/session", get_session, "Who is logged in, and the CSRF token (opens a session if need be)",
          response=SessionInfo),
    Route("POST", "/api/session", login, "Log in with an agent token", body=Login, response=SessionInfo),
    Route("DELETE", "/api/session", logout, "Log out", status=204),
    Route("GET", "/api/cases", list_cases, "The cases a filter selects, and what breaks most often among them",
          query={"status": "open | waiting_on_vendor | solved", "brand": "a brand in the customer's home",
                 "layer": "the broken link's layer", "party": "the party responsible",
                 "q": "words in the title, the customer's words or the verdict",
                 "limit": "how many cases (1-500, default 100)", "offset": "how many to skip, newest first"},
          response=CaseList),
    Route("POST", "/api/cases", create_case, "Open a case: upload the customer's bundle; tracing starts at once",
          multipart={"bundle": "the customer's home bundle (zip), required",
                     "title": "a short title", "customer_words": "what the customer said",
                     "incident_at": "when it happened, e.g. 2026-11-11T18:50 (the home's local time unless an offset "
                                    "is given); empty: the latest run",
                     "automation": "the automation whose chain to trace (default: scenario files in the bundle, "
                                   "else every chain derived from the home's automations)",
                     "scenario": "a scenario file to trace (YAML)"},
          response=Case, status=201),
    Route("GET", "/api/cases/{case}", get_case, "A case with its runs, notes and escalations", response=Case),
    Route("PATCH", "/api/cases/{case}", change_status, "Change a case's status", body=StatusChange, response=Case),
    Route("DELETE", "/api/cases/{case}", delete_case,
          "Delete a case and all its files (409 while a run is queued or running); a record without the "
          "customer's data is kept", status=204),
    Route("POST", "/api/cases/{case}/notes", add_note, "Add a note", body=NewNote, response=Note, status=201),
    Route("POST", "/api/cases/{case}/runs", new_run, "Trace the case's bundle again", body=NewRun, response=Run,
          status=202),
    Route("GET", "/api/cases/{case}/bundle", download_bundle,
          "The customer's bundle as uploaded (not redacted: for agents only)", content_type="application/zip"),
    Route("GET", "/api/cases/{case}/runs/{run}", get_run, "One run, with its progress while it runs", response=Run),
    Route("GET", "/api/cases/{case}/runs/{run}/graph.svg", run_graph,
          "The picture of the home graph with the broken link marked", content_type="image/svg+xml"),
    Route("POST", "/api/cases/{case}/escalations", escalate,
          "Build the redacted bundle for the party responsible", body=NewEscalation, response=Escalation, status=201),
    Route("GET", "/api/cases/{case}/escalations/{number}/download", download_escalation,
          "Download an escalation bundle", content_type="application/zip"),
    Route("GET", "/api/openapi.json", openapi, "This document"),
]


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn what went wrong into one JSON line for the API (or a plain page), never a traceback."""
    try:
        return await handler(request)
    except NotFound as exc:
        return _problem(request, 404, str(exc))
    except Conflict as exc:
        return _problem(request, 409, str(exc))
    except InputError as exc:
        return _problem(request, 400, str(exc))


def _problem(request: web.Request, status: int, message: str) -> web.Response:
    message = redact_text(message)
    if request.path.startswith("/api/"):
        return web.json_response({"error": message, "status": status}, status=status)
    return web.Response(text=f"{status}: {message}", status=status, content_type="text/plain")
