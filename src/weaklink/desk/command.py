"""`weaklink serve`, `weaklink agent` and `weaklink purge`: starting the desk, giving agents
their tokens, and removing old cases."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from ..errors import InputError
from .config import DEFAULT_MAX_UPLOAD, DeskConfig, is_loopback
from .schemas import CaseStatus

if TYPE_CHECKING:  # the desk itself is imported when a command runs, so `weaklink --help` stays quick
    from .service import Desk

T = TypeVar("T")

data_option = click.option(
    "--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("weaklink-desk"),
    show_default=True, help="The folder holding the case store (desk.sqlite3) and every case's files.")


@click.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but loopback makes agents log in with a token.")
@click.option("--port", type=int, default=8330, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), help="Traces run at once (default: the CPU count, at most 4).")
@click.option("--max-upload", "max_upload_mb", type=click.FloatRange(0.001), default=DEFAULT_MAX_UPLOAD / 2**20,
              show_default=True, help="The largest bundle accepted, in MiB.")
@click.option("--require-login", is_flag=True, help="Make agents log in even on loopback.")
def serve(data_dir: Path, host: str, port: int, workers: int | None, max_upload_mb: float, require_login: bool) -> None:
    """Run the support desk: open cases from customers' bundles, see where the chain broke,
    escalate a redacted bundle to the party responsible."""
    from aiohttp import web

    from .app import make_app

    settings: dict[str, object] = {"data_dir": data_dir, "host": host, "port": port,
                                   "max_upload_bytes": int(max_upload_mb * 2**20)}
    if workers:
        settings["workers"] = workers
    if require_login:
        settings["require_login"] = True
    config = DeskConfig.model_validate(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # open (and migrate) the store before listening: a bad one is one line and exit status 2, not a traceback
    token = _with_store(config, _first_agent)
    if config.login_required:
        if token:
            click.echo(f"weaklink desk: no agent yet; made agent 'admin' with token {token}\n"
                       f"  (shown this once; `weaklink agent add NAME --data {data_dir}` makes more)")
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    click.echo(f"weaklink desk: {where}  (cases in {data_dir}; "
               f"{'agents log in with a token' if config.login_required else 'loopback only, no login'})")
    if not is_loopback(host):
        click.echo("weaklink desk: listening beyond this machine; put it behind TLS (a reverse proxy) before agents "
                   "log in from another host", err=True)
    # the access log names paths only: no token ever travels in a URL
    try:
        web.run_app(make_app(config), host=host, port=port, print=None, access_log_format='%a "%r" %s %b %Tf')
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _with_store(config: DeskConfig, work: Callable[[Desk], Awaitable[T]]) -> T:
    """Run `work` on the desk's store alone (no workers, nothing resumed): managing agents, or
    checking the store before serving."""
    from .service import Desk

    async def run() -> T:
        desk = Desk(config)
        await desk.start(work=False)
        try:
            return await work(desk)
        finally:
            await desk.stop()

    return asyncio.run(run())


async def _first_agent(desk: Desk) -> str | None:
    """When agents must log in and none exists yet, make 'admin' and return its token."""
    if desk.config.login_required and not await desk.agents():
        return await desk.add_agent("admin")
    return None


@click.group()
def agent() -> None:
    """The desk's agents and their login tokens."""


@agent.command("add")
@click.argument("name")
@data_option
def agent_add(name: str, data_dir: Path) -> None:
    """Make an agent and print their token (shown this once; the desk keeps only its hash)."""
    click.echo(_with_store(DeskConfig(data_dir=data_dir), lambda desk: desk.add_agent(name)))


@agent.command("remove")
@click.argument("name")
@data_option
def agent_remove(name: str, data_dir: Path) -> None:
    """Revoke an agent's token; their sessions end at once."""
    _with_store(DeskConfig(data_dir=data_dir), lambda desk: desk.remove_agent(name))
    click.echo(f"removed agent {name}")


@agent.command("list")
@data_option
def agent_list(data_dir: Path) -> None:
    """The agents (never their tokens)."""
    for row in _with_store(DeskConfig(data_dir=data_dir), lambda desk: desk.agents()):
        click.echo(f"{row['name']}\t{row['created_at']}")


_AGE = re.compile(r"^\s*(\d+)\s*([dwh])\s*$")
_AGE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def _age(_context: click.Context, _parameter: click.Parameter, value: str) -> timedelta:
    match = _AGE.match(value)
    if match is None or int(match[1]) == 0:
        raise click.BadParameter(f"{value!r}: write a number of days, weeks or hours, e.g. 90d, 12w, 36h")
    return int(match[1]) * _AGE_UNITS[match[2]]


@click.command()
@data_option
@click.option("--untouched-for", "untouched_for", required=True, metavar="AGE", callback=_age,
              help="Delete cases nobody has changed for this long: 90d, 12w, 36h.")
@click.option("--status", "statuses", type=click.Choice([status.value for status in CaseStatus]), multiple=True,
              default=(CaseStatus.SOLVED.value,), show_default=True, help="Only cases in this status (repeat for several).")
@click.option("--dry-run", is_flag=True, help="Only list the cases that would be deleted.")
def purge(data_dir: Path, untouched_for: timedelta, statuses: tuple[str, ...], dry_run: bool) -> None:
    """Delete old cases with all their files: the customer's bundle, runs and escalation bundles
    (a retention policy, e.g. from cron). The desk keeps a record of each deletion without the
    customer's data. Safe beside a running desk; a case being traced is left for next time."""
    config = DeskConfig(data_dir=data_dir)
    if not config.store_path.is_file():
        raise InputError("no desk here: it has no desk.sqlite3 (give the folder `weaklink serve --data` uses)",
                         source=data_dir)
    chosen = _with_store(config, lambda desk: desk.purge(untouched_for, [CaseStatus(s) for s in statuses],
                                                         dry_run=dry_run))
    for case in chosen:
        click.echo(f"{'would delete' if dry_run else 'deleted'} case {case.id} ({case.status.value}, unchanged since "
                   f"{case.updated_at:%Y-%m-%d}): {case.title}")
    click.echo(f"{len(chosen)} case(s) {'would be ' if dry_run else ''}deleted")
