"""Shared by the desk's tests: customer bundles made from the example home, and a running desk."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from weaklink.desk.app import make_app
from weaklink.desk.config import DeskConfig
from weaklink.desk.security import DESK_KEY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_HOME = ROOT / "examples" / "ha-home"
DRIVEWAY = ROOT / "scenarios" / "driveway_arrival.yaml"
INCIDENT = "2026-11-11T18:50"

# Planted in the example home's config entries, secrets.yaml and core.config (see examples/ha-home):
# none of them may ever reach a page, an API answer, a log line or an escalation bundle.
CANARY = "CANARY"
HOME_LATITUDE, HOME_LONGITUDE = "40.74186", "-73.98931"
HOSTILE_NAME = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def zip_folder(folder: Path, *, extra: dict[str, bytes] | None = None, prefix: str = "ha-config/") -> bytes:
    """A customer bundle: the folder under `prefix`, plus extra members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            # a fixed time: writestr would stamp the current one, and the same bundle must be the same bytes
            bundle.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 11, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def example_bundle(*, scenario: bool = True) -> bytes:
    """The example home as a customer sends it, with the driveway scenario beside it."""
    return zip_folder(EXAMPLE_HOME, extra={"driveway.yaml": DRIVEWAY.read_bytes()} if scenario else None)


def hostile_home(tmp_path: Path) -> Path:
    """The example home with the driveway light's device renamed to markup."""
    home = tmp_path / "hostile-home"
    shutil.copytree(EXAMPLE_HOME, home)
    registry_path = home / ".storage" / "core.device_registry"
    registry = json.loads(registry_path.read_text())
    for device in registry["data"]["devices"]:
        if device["name"] == "Driveway":
            device["name_by_user"] = HOSTILE_NAME
    registry_path.write_text(json.dumps(registry))
    return home


@asynccontextmanager
async def running_desk(tmp_path: Path, **settings: object) -> AsyncIterator[TestClient]:
    """A desk on loopback with its data in `tmp_path`, and a client for it."""
    config = DeskConfig.model_validate({"data_dir": tmp_path / "desk", "workers": 1, **settings})
    app = make_app(config)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


async def csrf(client: TestClient) -> str:
    """Open a session (as a page visit would) and return its CSRF token."""
    response = await client.get("/api/session")
    assert response.status == 200, await response.text()
    return str((await response.json())["csrf_token"])


async def upload(client: TestClient, bundle: bytes, token: str, **fields: str) -> tuple[int, dict]:
    """POST a bundle to /api/cases as the new-case form does."""
    from aiohttp import FormData

    form = FormData()
    form.add_field("bundle", bundle, filename="home.zip", content_type="application/zip")
    for name, value in fields.items():
        form.add_field(name, value)
    response = await client.post("/api/cases", data=form, headers={"X-CSRF-Token": token})
    return response.status, await response.json()


async def settle(client: TestClient) -> None:
    """Wait for every trace the desk has queued."""
    await client.app[DESK_KEY].idle()


def unzip_all(data: bytes) -> dict[str, bytes]:
    """Every member of a zip, decompressed."""
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


Check = Callable[[str], None]
