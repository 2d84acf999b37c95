"""The support desk under load: 50 agents upload a customer's bundle at the same moment and
wait for its trace.

    python3 benchmarks/desk_load.py                  # 50 concurrent uploads
    python3 benchmarks/desk_load.py --uploads 10     # fewer

`weaklink serve` runs in a process of its own on 127.0.0.1 (a free port, a fresh data folder),
as it would for a desk; this process plays the agents, each with its own HTTP session: open a
session, upload the example home (examples/ha-home with the driveway scenario, 2 MB zipped),
then follow the run through the API until it is done. First one agent alone (the baseline,
same server, same process), then all of them at once. Reported:

- upload latency (request sent -> case created, 201) and time to verdict (upload sent -> run
  done), p50 and p99, alone and under load, and their ratios;
- errors (any answer but 201, any run that did not end 'done' with a broken link found);
- lost cases: cases the desk's list holds against uploads it accepted.

Figures go to stdout; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def _bundle() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        home = ROOT / "examples" / "ha-home"
        for path in sorted(home.rglob("*")):
            if path.is_file():
                bundle.write(path, "ha-config/" + path.relative_to(home).as_posix())
        bundle.write(ROOT / "scenarios" / "driveway_arrival.yaml", "driveway.yaml")
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class Agent:
    """One agent's upload and wait."""

    def __init__(self, base: str, bundle: bytes) -> None:
        self.base, self.bundle = base, bundle
        self.upload_seconds = self.verdict_seconds = 0.0
        self.error: str | None = None
        self.case_id: int | None = None

    async def work(self) -> None:
        # unsafe: keep the session cookie of a server named by IP address (aiohttp drops those by default)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            try:
                token = (await (await http.get(f"{self.base}/api/session")).json())["csrf_token"]
                form = aiohttp.FormData()
                form.add_field("bundle", self.bundle, filename="home.zip", content_type="application/zip")
                form.add_field("incident_at", "2026-11-11T18:50")
                form.add_field("title", "Driveway lights stay dark")
                started = time.perf_counter()
                async with http.post(f"{self.base}/api/cases", data=form, headers={"X-CSRF-Token": token}) as answer:
                    body = await answer.json()
                    self.upload_seconds = time.perf_counter() - started
                    if answer.status != 201:
                        self.error = f"upload answered {answer.status}: {body}"
                        return
                self.case_id = body["id"]
                while True:
                    await asyncio.sleep(0.1)
                    run = await (await http.get(f"{self.base}/api/cases/{self.case_id}/runs/1")).json()
                    if run["state"] in {"done", "failed"}:
                        break
                self.verdict_seconds = time.perf_counter() - started
                primary = run["result"]["reports"][run["result"]["primary"]] if run.get("result") else None
                if run["state"] != "done" or primary is None or primary["verdict"] != "broken":
                    self.error = f"case {self.case_id}: run {run['state']}, {run.get('error')}"
            except (aiohttp.ClientError, KeyError, ValueError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"


async def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("weaklink serve exited before it answered")
            try:
                async with http.get(f"{base}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("weaklink serve never answered")


async def _measure(base: str, uploads: int) -> None:
    bundle = _bundle()
    print(f"bundle: {len(bundle) / 1e6:.1f} MB zipped; {uploads} concurrent uploads")
    alone = Agent(base, bundle)
    await alone.work()  # also warms the worker processes, as a desk that has traced once is
    alone_again = Agent(base, bundle)
    await alone_again.work()
    if alone.error or alone_again.error:
        raise SystemExit(f"the baseline upload failed: {alone.error or alone_again.error}")
    agents = [Agent(base, bundle) for _ in range(uploads)]
    started = time.perf_counter()
    await asyncio.gather(*(agent.work() for agent in agents))
    wall = time.perf_counter() - started
    errors = [agent.error for agent in agents if agent.error]
    upload = [a.upload_seconds for a in agents if not a.error]
    verdict = [a.verdict_seconds for a in agents if not a.error]
    async with aiohttp.ClientSession() as http:
        listed = (await (await http.get(f"{base}/api/cases")).json())["total"]
    accepted = sum(1 for agent in agents if agent.case_id is not None) + 2
    print(f"baseline (one agent alone): upload {alone_again.upload_seconds * 1000:.0f} ms, "
          f"verdict {alone_again.verdict_seconds:.2f} s")
    if upload:
        print(f"upload latency:  p50 {_percentile(upload, .5) * 1000:.0f} ms  p99 {_percentile(upload, .99) * 1000:.0f} ms"
              f"  (p50 {_percentile(upload, .5) / alone_again.upload_seconds:.1f}x alone)")
        print(f"time to verdict: p50 {_percentile(verdict, .5):.2f} s  p99 {_percentile(verdict, .99):.2f} s"
              f"  (p50 {_percentile(verdict, .5) / alone_again.verdict_seconds:.1f}x alone; "
              f"mean {statistics.mean(verdict):.2f} s)")
    print(f"all {uploads} traced in {wall:.1f} s ({uploads / wall:.1f} cases/s)")
    print(f"errors: {len(errors)}" + "".join(f"\n  {error}" for error in errors[:5]))
    print(f"lost cases: {accepted - listed} (accepted {accepted}, listed {listed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--workers", type=int, help="the desk's worker processes (default: its own default)")
    options = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="weaklink-desk-bench-") as data:
        command = [sys.executable, "-c", "from weaklink.cli import main; main()", "serve", "--data", data,
                   "--host", "127.0.0.1",
                   "--port", str(port)]
        if options.workers:
            command += ["--workers", str(options.workers)]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            asyncio.run(_wait_ready(base, server))
            asyncio.run(_measure(base, options.uploads))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
