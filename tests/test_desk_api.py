"""The desk's JSON API end to end on loopback: a real aiohttp server, real worker processes,
the example home uploaded as a customer's bundle."""

from __future__ import annotations

import base64
import io
import logging
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from weaklink.desk.security import DESK_KEY
from weaklink.desk.store import CaseStore

from desk_support import (
    CANARY, HOME_LATITUDE, HOME_LONGITUDE, INCIDENT, csrf, example_bundle, running_desk, settle, unzip_all, upload,
)


def _no_secret_in(text: str, where: str) -> None:
    for secret in (CANARY, HOME_LATITUDE, HOME_LONGITUDE):
        for form in (secret, base64.b64encode(secret.encode()).decode(), urllib.parse.quote(secret)):
            assert form not in text, f"{secret!r} leaked into {where}"


async def test_a_case_goes_from_upload_to_verdict_to_escalation(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        status, case = await upload(client, example_bundle(), token, title="Lights stay dark",
                                    customer_words="My driveway lights don't come on when I get home",
                                    incident_at=INCIDENT)
        assert status == 201, case
        assert case["status"] == "open" and case["runs"][0]["state"] in {"queued", "running"}
        await settle(client)

        case = await (await client.get(f"/api/cases/{case['id']}")).json()
        run = case["runs"][-1]
        assert run["state"] == "done", run
        report = run["result"]["reports"][run["result"]["primary"]]
        assert report["scenario"] == "Driveway arrival"
        assert report["broken_link"]["element"] == "light.driveway"
        assert (case["verdict"], case["layer"], case["cause"]) == ("broken", "radio", "radio_link_lost")
        assert case["party"] and case["party"] == run["result"]["party"]["name"]
        assert "Signify" in " ".join(case["brands"]) or "Philips" in " ".join(case["brands"])

        svg = await client.get(run["graph_url"])
        assert svg.status == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
        assert 'class="' in (body := await svg.text()) and "broken" in body

        escalation = await client.post(f"/api/cases/{case['id']}/escalations", json={},
                                       headers={"X-CSRF-Token": token})
        assert escalation.status == 201, await escalation.text()
        made = await escalation.json()
        download = await client.get(made["download_url"])
        assert download.status == 200
        assert "attachment" in download.headers["Content-Disposition"]
        members = unzip_all(await download.read())
        assert "report.json" in members and b"light.driveway" in members["report.json"]
        for name, data in members.items():
            _no_secret_in(data.decode("utf-8", errors="replace"), f"escalation member {name}")

        listing = await (await client.get("/api/cases", params={"layer": "radio"})).json()
        assert [c["id"] for c in listing["cases"]] == [case["id"]]
        assert listing["breakdown"]["causes"] == [{"value": "radio/radio_link_lost", "cases": 1}]
        assert (await (await client.get("/api/cases", params={"layer": "device"})).json())["total"] == 0

        page = await (await client.get(f"/cases/{case['id']}")).text()
        _no_secret_in(page, "the case page")
        case_json = await (await client.get(f"/api/cases/{case['id']}")).text()
        _no_secret_in(case_json, "the case's JSON")
        assert str(tmp_path) not in case_json  # files are named as they sit in the bundle, not where the desk keeps them
        assert "ha-config/home-assistant_v2.db" in case_json
    _no_secret_in("\n".join(record.getMessage() for record in caplog.records), "the log")


async def test_status_notes_and_retrace(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT)
        await settle(client)
        url = f"/api/cases/{case['id']}"
        moved = await client.patch(url, json={"status": "waiting_on_vendor"}, headers={"X-CSRF-Token": token})
        assert (await moved.json())["status"] == "waiting_on_vendor"
        note = await client.post(f"{url}/notes", json={"text": "Sent to Signify, ticket 4411"},
                                 headers={"X-CSRF-Token": token})
        assert note.status == 201 and (await note.json())["author"] == "local"
        again = await client.post(f"{url}/runs", json={"incident_at": "2026-11-11T18:50:00-05:00"},
                                  headers={"X-CSRF-Token": token})
        assert again.status == 202 and (await again.json())["number"] == 2
        await settle(client)
        case = await (await client.get(url)).json()
        assert [r["state"] for r in case["runs"]] == ["done", "done"]
        earlier = await (await client.get(f"/cases/{case['id']}", params={"run": "1"})).text()
        assert "run 1 of 2" in earlier and "lost its zigbee link" in earlier
        assert "run 1 of 2" not in await (await client.get(f"/cases/{case['id']}")).text()
        original = await client.get(f"{url}/bundle")
        assert original.status == 200 and await original.read() == example_bundle()  # kept byte for byte
        assert case["status"] == "waiting_on_vendor"
        assert [n["text"] for n in case["notes"]] == ["Sent to Signify, ticket 4411"]
        waiting = await (await client.get("/api/cases", params={"status": "waiting_on_vendor"})).json()
        assert waiting["total"] == 1
        assert (await (await client.get("/api/cases", params={"status": "solved"})).json())["total"] == 0
        _, second = await upload(client, example_bundle(), token, title="second")
        await settle(client)
        first_page = await (await client.get("/api/cases", params={"limit": "1"})).json()
        assert first_page["total"] == 2 and [c["id"] for c in first_page["cases"]] == [second["id"]]
        next_page = await (await client.get("/api/cases", params={"limit": "1", "offset": "1"})).json()
        assert [c["id"] for c in next_page["cases"]] == [case["id"]]
        too_many = await client.get("/api/cases", params={"limit": "100000"})
        assert too_many.status == 400 and "limit" in (await too_many.json())["error"]


async def test_bad_requests_name_the_field(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        status, problem = await upload(client, example_bundle(), token, incident_at="last tuesday-ish")
        assert status == 400 and "incident_at" in problem["error"]
        missing = await client.post("/api/cases", data={"title": "x"}, headers={"X-CSRF-Token": token})
        assert missing.status == 400 and "bundle" in (await missing.json())["error"]
        assert (await client.get("/api/cases/999")).status == 404
        assert (await client.get("/api/cases/abc")).status == 404
        bad = await client.get("/api/cases", params={"status": "lost"})
        assert bad.status == 400 and "status" in (await bad.json())["error"]
        _, case = await upload(client, example_bundle(), token)
        wrong = await client.patch(f"/api/cases/{case['id']}", json={"status": "closed"},
                                   headers={"X-CSRF-Token": token})
        assert wrong.status == 400 and "status" in (await wrong.json())["error"]
        await settle(client)
        assert not list((tmp_path / "desk" / "incoming").iterdir())  # the refused uploads left nothing behind


async def test_a_bad_bundle_fails_its_run_with_a_clear_reason(tmp_path: Path) -> None:
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("../../escaped.txt", "gotcha")
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        for data, words in [(evil.getvalue(), "escaped"), (b"not a zip at all", "zip")]:
            status, case = await upload(client, data, token)
            assert status == 201
            await settle(client)
            run = (await (await client.get(f"/api/cases/{case['id']}")).json())["runs"][-1]
            assert run["state"] == "failed" and words in run["error"], run
            assert "Traceback" not in run["error"] and str(tmp_path) not in run["error"]
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "desk" / "escaped.txt").exists()


async def test_the_desks_unpacking_limits_apply_to_every_bundle(tmp_path: Path) -> None:
    from weaklink.bundle.unzip import ZipLimits

    async with running_desk(tmp_path, zip_limits=ZipLimits(max_total_bytes=200_000)) as client:
        token = await csrf(client)
        status, case = await upload(client, example_bundle(), token)  # 1 MB zipped, several MB unpacked
        assert status == 201
        await settle(client)
        run = (await (await client.get(f"/api/cases/{case['id']}")).json())["runs"][-1]
        assert run["state"] == "failed" and "home.zip" in run["error"] and "200000" in run["error"].replace(",", ""), run
    assert not (tmp_path / "desk" / "cases" / str(case["id"]) / "home").exists() or \
        not any((tmp_path / "desk" / "cases" / str(case["id"]) / "home").iterdir())


async def test_uploads_over_the_limit_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    async with running_desk(tmp_path, max_upload_bytes=50_000) as client:
        token = await csrf(client)
        status, problem = await upload(client, example_bundle(), token)
        assert status == 413 and "50000" in problem["error"]
        assert (await (await client.get("/api/cases")).json())["total"] == 0
        assert not list((tmp_path / "desk" / "incoming").iterdir())


async def test_state_changes_need_the_session_csrf_token(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token)
        url = f"/api/cases/{case['id']}"
        for headers in ({}, {"X-CSRF-Token": "guess"}):
            refused = await client.patch(url, json={"status": "solved"}, headers=headers)
            assert refused.status == 403
        assert (await (await client.get(url)).json())["status"] == "open"
        client.session.cookie_jar.clear()  # another site's page: no session cookie, so no token to send
        refused = await client.post(f"{url}/notes", json={"text": "x"}, headers={"X-CSRF-Token": token})
        assert refused.status == 403
        await settle(client)


async def test_beyond_loopback_agents_log_in_with_a_token(tmp_path: Path) -> None:
    async with running_desk(tmp_path, require_login=True) as client:
        desk = client.app[DESK_KEY]
        agent_token = await desk.add_agent("ana")
        assert (await client.get("/api/cases")).status == 401
        page = await client.get("/", allow_redirects=False)
        assert page.status == 303 and page.headers["Location"] == "/login"
        assert (await client.get("/login")).status == 200
        assert (await client.post("/api/session", json={"token": "wrong"})).status == 401
        logged_in = await client.post("/api/session", json={"token": agent_token})
        assert logged_in.status == 200
        info = await logged_in.json()
        assert info["agent"] == "ana" and info["login_required"] is True
        cookie = logged_in.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert (await client.get("/api/cases")).status == 200
        _, case = await upload(client, example_bundle(), info["csrf_token"])
        assert case["created_by"] == "ana"
        await settle(client)
        client.session.cookie_jar.clear()
        # a script sends the token itself, and needs no CSRF token: no browser adds that header on its own
        scripted = await client.post(f"/api/cases/{case['id']}/notes", json={"text": "from a script"},
                                     headers={"Authorization": f"Bearer {agent_token}"})
        assert scripted.status == 201 and (await scripted.json())["author"] == "ana"
        logout = await client.delete("/api/session", headers={"Authorization": f"Bearer {agent_token}"})
        assert logout.status == 204
        again = await client.post("/api/session", json={"token": agent_token})
        assert again.status == 200
        await desk.remove_agent("ana")  # revoked: the token and the session it opened stop working at once
        assert (await client.get("/api/cases")).status == 401
        assert (await client.get("/api/cases", headers={"Authorization": f"Bearer {agent_token}"})).status == 401
    store = CaseStore(tmp_path / "desk" / "desk.sqlite3")
    assert agent_token not in (tmp_path / "desk" / "desk.sqlite3").read_bytes().decode("latin-1")
    store.close()


async def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        for path in ("/", "/api/cases", "/static/desk.js"):
            response = await client.get(path)
            assert response.status == 200
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_runs_left_unfinished_resume_when_the_desk_starts_again(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT)
        await settle(client)
    store = CaseStore(tmp_path / "desk" / "desk.sqlite3")
    number = store.queue_run(case["id"], requested_by="ana", incident_at=INCIDENT, automation=None)
    store.close()
    async with running_desk(tmp_path) as client:  # the desk that queued it stopped before tracing it
        await settle(client)
        run = await (await client.get(f"/api/cases/{case['id']}/runs/{number}")).json()
        assert run["state"] == "done" and run["result"]["reports"]


async def test_deleting_a_case_removes_it_and_every_file_of_it(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT, title="Lights stay dark")
        _, other = await upload(client, example_bundle(), token, incident_at=INCIDENT, title="Another home")
        await settle(client)
        made = await (await client.post(f"/api/cases/{case['id']}/escalations", json={},
                                        headers={"X-CSRF-Token": token})).json()
        folder = tmp_path / "desk" / "cases" / str(case["id"])
        assert (folder / "upload.zip").is_file() and (folder / "home").is_dir() and (folder / "escalations").is_dir()

        assert (await client.delete(f"/api/cases/{case['id']}")).status == 403  # no CSRF token
        deleted = await client.delete(f"/api/cases/{case['id']}", headers={"X-CSRF-Token": token})
        assert deleted.status == 204
        assert not folder.exists() and list((tmp_path / "desk" / "trash").iterdir()) == []
        assert (await client.get(f"/api/cases/{case['id']}")).status == 404
        assert (await client.get(made["download_url"])).status == 404
        assert (await client.get(f"/cases/{case['id']}")).status == 404
        listing = await (await client.get("/api/cases")).json()
        assert [c["id"] for c in listing["cases"]] == [other["id"]]
        assert (tmp_path / "desk" / "cases" / str(other["id"]) / "upload.zip").is_file()
        again = await client.delete(f"/api/cases/{case['id']}", headers={"X-CSRF-Token": token})
        assert again.status == 404 and f"no case {case['id']}" in (await again.json())["error"]
    store = CaseStore(tmp_path / "desk" / "desk.sqlite3")
    record = store.deletion(case["id"])
    store.close()
    assert record is not None and record["deleted_by"] == "local"
    assert [e["sha256"] for e in record["escalations"]] == [made["sha256"]]


async def test_a_case_is_not_deleted_while_it_is_traced(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT)
        await settle(client)
        store = CaseStore(tmp_path / "desk" / "desk.sqlite3")  # a run queued behind this desk's back: it waits
        store.queue_run(case["id"], requested_by="ana", incident_at=INCIDENT, automation=None)
        store.close()
        refused = await client.delete(f"/api/cases/{case['id']}", headers={"X-CSRF-Token": token})
        assert refused.status == 409 and "being traced" in (await refused.json())["error"]
        assert (await client.get(f"/api/cases/{case['id']}")).status == 200
        assert (tmp_path / "desk" / "cases" / str(case["id"]) / "upload.zip").is_file()


async def test_a_deleted_cases_leftover_folder_goes_when_the_desk_starts(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT)
        await settle(client)
    store = CaseStore(tmp_path / "desk" / "desk.sqlite3")
    assert store.delete_case(case["id"], "ana") == "deleted"  # as `weaklink purge` does, the folder not yet removed
    store.close()
    folder = tmp_path / "desk" / "cases" / str(case["id"])
    assert (folder / "upload.zip").is_file()
    async with running_desk(tmp_path) as client:
        assert not folder.exists()
        assert (await (await client.get("/api/cases")).json())["total"] == 0
