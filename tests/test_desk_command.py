"""`weaklink serve` and `weaklink agent` as a user runs them."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
from click.testing import CliRunner

from weaklink.cli import cli

from desk_support import CANARY, HOME_LATITUDE, INCIDENT, example_bundle

WEAKLINK = [sys.executable, "-c", "from weaklink.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, data: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_agent_add_prints_a_token_the_store_keeps_only_as_a_hash(tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["agent", "add", "ana", "--data", str(tmp_path)])
    assert added.exit_code == 0, added.output
    token = added.output.strip()
    assert len(token) >= 40
    listed = runner.invoke(cli, ["agent", "list", "--data", str(tmp_path)])
    assert listed.output.startswith("ana\t") and token not in listed.output
    again = subprocess.run([*WEAKLINK, "agent", "add", "ana", "--data", str(tmp_path)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        stored = db.execute("SELECT token_hash FROM agents").fetchone()[0]
    assert stored != token and token not in (tmp_path / "desk.sqlite3").read_bytes().decode("latin-1")
    removed = runner.invoke(cli, ["agent", "remove", "ana", "--data", str(tmp_path)])
    assert removed.exit_code == 0 and runner.invoke(cli, ["agent", "list", "--data", str(tmp_path)]).output == ""


def test_serve_makes_agents_log_in_when_asked_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([*WEAKLINK, "serve", "--data", str(tmp_path), "--port", str(port), "--require-login"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_line = server.stdout.readline() if server.stdout else ""
        assert "made agent 'admin' with token" in first_line, first_line
        token = first_line.split("with token ")[1].split()[0]
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except urllib.error.URLError:
                time.sleep(0.05)
        assert _get(base + "/api/cases")[0] == 401
        status, session = _get(base + "/api/session", json.dumps({"token": token}).encode())
        assert status == 200 and session["agent"] == "admin"
        verdict = asyncio.run(_trace_and_escalate(base, token))
        assert "lost its zigbee link" in verdict
    finally:
        server.terminate()
        output, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors
    assert "POST /api/cases" in errors  # the access log is there, and
    for secret in (token, CANARY, HOME_LATITUDE):  # it names paths, never a token; no secret of the home either
        assert secret not in errors and secret not in output


async def _trace_and_escalate(base: str, token: str) -> str:
    """Upload the example home with an agent's token, wait for the verdict, build the escalation bundle."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        form = aiohttp.FormData()
        form.add_field("bundle", example_bundle(), filename="home.zip", content_type="application/zip")
        form.add_field("incident_at", INCIDENT)
        async with http.post(f"{base}/api/cases", data=form) as answer:
            assert answer.status == 201, await answer.text()
            case = await answer.json()
        for _ in range(600):
            run = await (await http.get(f"{base}/api/cases/{case['id']}/runs/1")).json()
            if run["state"] in {"done", "failed"}:
                break
            await asyncio.sleep(0.1)
        assert run["state"] == "done", run
        async with http.post(f"{base}/api/cases/{case['id']}/escalations", json={}) as answer:
            assert answer.status == 201, await answer.text()
        return str(run["result"]["reports"][run["result"]["primary"]]["summary"])


def test_a_store_from_a_newer_weaklink_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "desk.sqlite3").write_bytes(b"")
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    run = subprocess.run([*WEAKLINK, "serve", "--data", str(tmp_path), "--port", str(_free_port())],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "desk.sqlite3" in run.stderr and "newer weaklink" in run.stderr


def test_a_port_already_taken_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([*WEAKLINK, "serve", "--data", str(tmp_path), "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "Traceback" not in run.stderr


def _store_with_cases(data: Path) -> dict[str, int]:
    """A desk folder with three cases, each with a file: one solved long ago, one open long ago, one solved now."""
    from weaklink.desk.store import CaseStore

    store = CaseStore(data / "desk.sqlite3")
    ids = {}
    for title, status in (("old solved", "solved"), ("old open", "open"), ("new solved", "solved")):
        ids[title] = store.create_case(title=title, customer_words="", incident_at=None, created_by="ana",
                                       bundle_name="home.zip", bundle_sha256="0" * 64, bundle_bytes=1, automation=None)
        store.set_status(ids[title], status)
        (data / "cases" / str(ids[title])).mkdir(parents=True)
        (data / "cases" / str(ids[title]) / "upload.zip").write_bytes(b"PK")
    store._db.execute("UPDATE cases SET updated_at = '2025-01-01T00:00:00+00:00' WHERE title LIKE 'old%'")
    store.close()
    return ids


def test_purge_deletes_old_cases_of_the_statuses_named(tmp_path: Path) -> None:
    ids = _store_with_cases(tmp_path)
    runner = CliRunner()
    dry = runner.invoke(cli, ["purge", "--data", str(tmp_path), "--untouched-for", "90d", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would delete case {ids['old solved']} (solved, unchanged since 2025-01-01): old solved" in dry.output
    assert "old open" not in dry.output and "1 case(s) would be deleted" in dry.output
    assert all((tmp_path / "cases" / str(i)).is_dir() for i in ids.values())

    done = runner.invoke(cli, ["purge", "--data", str(tmp_path), "--untouched-for", "12w"])
    assert done.exit_code == 0 and f"deleted case {ids['old solved']}" in done.output
    assert not (tmp_path / "cases" / str(ids["old solved"])).exists()
    assert (tmp_path / "cases" / str(ids["old open"])).is_dir() and (tmp_path / "cases" / str(ids["new solved"])).is_dir()
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        assert db.execute("SELECT case_id, deleted_by FROM deletions").fetchall() == [(ids["old solved"], "retention")]

    both = runner.invoke(cli, ["purge", "--data", str(tmp_path), "--untouched-for", "90d", "--status", "open",
                               "--status", "solved"])
    assert both.exit_code == 0 and f"deleted case {ids['old open']}" in both.output and "1 case(s) deleted" in both.output
    assert (tmp_path / "cases" / str(ids["new solved"])).is_dir()


def test_purge_with_a_bad_age_or_no_desk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args, says in ((["--data", str(tmp_path), "--untouched-for", "90"], "write a number of days"),
                       (["--data", str(tmp_path / "nowhere"), "--untouched-for", "90d"], "no desk here")):
        run = subprocess.run([*WEAKLINK, "purge", *args], capture_output=True, text=True, timeout=60)
        assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "desk.sqlite3").exists()
