"""The desk's web application: the API, the pages, the static files, and the desk behind them."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from aiohttp import web

from .api import ROUTES, problem_middleware
from .config import DeskConfig
from .pages import TEMPLATES, case_page, cases_page, login_page, template_environment
from .security import DESK_KEY, security_middleware
from .service import Desk

log = logging.getLogger("weaklink.desk")


async def healthz(request: web.Request) -> web.StreamResponse:
    """Whether the desk answers."""
    return web.json_response({"ok": True})


def make_app(config: DeskConfig) -> web.Application:
    """The desk as an aiohttp application; the desk starts and stops with it."""
    # JSON bodies are small; an upload is streamed to disk under its own limit (DeskConfig.max_upload_bytes)
    app = web.Application(middlewares=[problem_middleware, security_middleware], client_max_size=1024 * 1024)
    desk = Desk(config)
    app[DESK_KEY] = desk
    app[TEMPLATES] = template_environment()
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    app.router.add_get("/", cases_page)
    app.router.add_get("/cases/{case}", case_page)
    app.router.add_get("/login", login_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static/", Path(str(resources.files(__package__).joinpath("static"))))

    async def start(app: web.Application) -> None:
        await desk.start()

    async def stop(app: web.Application) -> None:
        await desk.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app
