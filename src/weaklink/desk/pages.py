"""The desk's pages: each is rendered from the same JSON models the API serves for it
(`/cases/7` shows what `GET /api/cases/7` returns), and every action on a page posts to the API.

Templates are Jinja2 with autoescaping on: every device name, customer word and note reaches
the page as text, never as markup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from .api import case_filter
from .security import DESK_KEY, ensure_session, visitor


def _when(value: datetime | str | None, time_zone: str | None = None) -> str:
    """A time for people: in the home's time zone when known, to the second."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None and time_zone:
        value = value.astimezone(ZoneInfo(time_zone))
        return value.strftime("%Y-%m-%d %H:%M:%S ") + (value.tzname() or "")
    return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo is not None and not value.utcoffset() else "")


def template_environment() -> jinja2.Environment:
    """The pages' templates, escaping everything they are given."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("weaklink.desk", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["when"] = _when
    return environment


TEMPLATES = web.AppKey("templates", jinja2.Environment)


async def _page(request: web.Request, template: str, **context: Any) -> web.Response:
    response = web.Response(content_type="text/html", charset="utf-8")
    csrf = await ensure_session(request, response)
    found = visitor(request)
    response.text = request.app[TEMPLATES].get_template(template).render(
        csrf_token=csrf, agent=found.agent, login_required=request.app[DESK_KEY].config.login_required, **context)
    return response


async def cases_page(request: web.Request) -> web.StreamResponse:
    """The case list with its filters, what breaks most often, and the form that opens a case."""
    selection = case_filter(request)
    listing = await request.app[DESK_KEY].cases(selection)
    return await _page(request, "cases.html.j2", listing=listing, selected=selection)


async def case_page(request: web.Request) -> web.StreamResponse:
    """One case: the verdict first, then the chain, the graph, the evidence and what to do."""
    try:
        case_id = int(request.match_info["case"])
    except ValueError:
        raise web.HTTPNotFound() from None
    case = await request.app[DESK_KEY].case(case_id)
    # ?run=N shows an earlier run; by default the latest
    asked = request.query.get("run", "")
    shown = next((r for r in case.runs if str(r.number) == asked), case.runs[-1] if case.runs else None)
    return await _page(request, "case.html.j2", case=case, run=shown)


async def login_page(request: web.Request) -> web.StreamResponse:
    """Where an agent gives their token."""
    response = web.Response(content_type="text/html", charset="utf-8")
    response.text = request.app[TEMPLATES].get_template("login.html.j2").render(
        csrf_token="", agent=None, login_required=True)
    return response
