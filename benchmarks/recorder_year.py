"""A year of a busy home: 10 million recorder state rows, traced.

    python3 benchmarks/recorder_year.py                # build once (cached), then measure
    python3 benchmarks/recorder_year.py --rows 2000000 # a smaller home, same measurements

The home is the example home (`examples/ha-home`: its `.storage`, automations, scripts,
saved traces and log) with a recorder database covering a year:

- the example's 11 days of history, copied 33 times back to back, each copy shifted back
  by a whole number of 11-day blocks (contexts included: a copied context keeps its
  random part and gets its time part shifted, so parent links still hold and no two
  copies share a context id). The last block is the original, so its 28 planted incidents
  are still where the incidents file says, and every earlier block repeats them: the
  chains ran, and broke, all year;
- filler: ~150 sensors (power, energy, temperature, humidity, illuminance, signal) that
  nobody's chain uses, updating at random times, enough to reach `--rows` state rows.

Rows are written in time order (filler and copied rows interleaved), as HA writes them, so
the chain's rows are spread over the whole file rather than packed together.

Measured in a fresh child process (so its peak memory is the tracer's alone):

(a) every incident of the example traced on the year: open the home (registries,
    automations, graph) once, then trace each incident at its time; the slowest and median
    trace, plus the whole `weaklink trace` command run as a user runs it (interpreter
    start-up included). Each answer is checked against the incidents file.
(b) the sweep: every run of the driveway chain over the whole year (`RecordedTracer.runs`,
    what `weaklink runs` prints), as rows/s of the history it covers, against a plain
    sqlite3 scan of those same rows (`SELECT ... FROM states`, every row fetched into
    Python) timed in the same process just before. Also the same sweep against a plain
    indexed read of only the chain's own entities' rows: the sweep does far more than read
    them (it diagnoses each broken run through the graph), so that ratio is printed for
    what it is, a measure of the tracer's cost per run.
(c) peak resident memory of that process (ru_maxrss).

Figures go to stdout; nothing here asserts on time (see README, "Performance").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ha-home"
INCIDENTS = ROOT / "examples" / "ha-home.incidents.yaml"
DB_NAME = "home-assistant_v2.db"
DEFAULT_DATA = ROOT / "benchmarks" / "data"
BLOCK_DAYS = 11  # the example covers 2026-11-10 .. 2026-11-20
BLOCKS = 33  # 363 days
SWEEP_CHAIN = "driveway_arrival"
FILLER_KINDS = (
    # (entity id stem, how many, weight per sensor, value range)
    ("power", 40, 6.0, (0.0, 2400.0)),
    ("energy", 20, 1.0, (0.0, 9000.0)),
    ("temperature", 30, 1.5, (14.0, 28.0)),
    ("humidity", 20, 1.0, (25.0, 80.0)),
    ("illuminance", 15, 3.0, (0.0, 1200.0)),
    ("signal_strength", 25, 0.5, (-95.0, -35.0)),
)


# ======================================================================================
# Building the year
# ======================================================================================


def _shift_ulid(raw: bytes | None, shift_ms: int) -> str | None:
    from weaklink_homeassistant.recorder import ulid_from_int

    if raw is None:
        return None
    return ulid_from_int(int.from_bytes(raw, "big") - (shift_ms << 80))


def _context(row: tuple, shift_ms: int):  # type: ignore[no-untyped-def]
    from weaklink_homeassistant.recorder import uuid_hex_or_none
    from weaklink_homeassistant.testing.recorder_writer import Context

    context_id, user_id, parent_id = row
    if context_id is None:
        return None
    return Context(id=_shift_ulid(context_id, shift_ms) or "", parent_id=_shift_ulid(parent_id, shift_ms),
                   user_id=uuid_hex_or_none(user_id))


def _example_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) as conn:
        states = conn.execute(
            "SELECT m.entity_id, s.state, s.last_changed_ts, s.last_updated_ts, a.shared_attrs,"
            " s.context_id_bin, s.context_user_id_bin, s.context_parent_id_bin"
            " FROM states s JOIN states_meta m ON m.metadata_id = s.metadata_id"
            " LEFT JOIN state_attributes a ON a.attributes_id = s.attributes_id"
            " ORDER BY s.last_updated_ts, s.state_id"
        ).fetchall()
        events = conn.execute(
            "SELECT t.event_type, e.time_fired_ts, d.shared_data,"
            " e.context_id_bin, e.context_user_id_bin, e.context_parent_id_bin"
            " FROM events e JOIN event_types t ON t.event_type_id = e.event_type_id"
            " LEFT JOIN event_data d ON d.data_id = e.data_id ORDER BY e.time_fired_ts, e.event_id"
        ).fetchall()
    return states, events


def _filler(rows: int, start: float, end: float, seed: int = 20261123) -> Iterator[tuple[str, str, float]]:
    """`rows` filler states in time order: each tick goes to a sensor drawn by weight."""
    rng = random.Random(seed)
    sensors: list[tuple[str, tuple[float, float]]] = []
    weights: list[float] = []
    for stem, count, weight, span in FILLER_KINDS:
        for n in range(1, count + 1):
            sensors.append((f"sensor.bench_{stem}_{n:02d}", span))
            weights.append(weight * rng.uniform(0.5, 1.5))
    picks = rng.choices(range(len(sensors)), weights=weights, k=min(rows, 1_000_000))
    step = (end - start) / max(rows, 1)
    for index in range(rows):
        entity_id, (low, high) = sensors[picks[index % len(picks)]]
        # time-ordered, a little jitter inside the tick
        yield entity_id, f"{rng.uniform(low, high):.1f}", start + (index + rng.random()) * step


def build(data: Path, rows: int) -> Path:
    """Write the year home under `data/home-<rows>`; return it (reused when present)."""
    from weaklink_homeassistant.testing.recorder_writer import RecorderWriter

    home = data / f"home-{rows}"
    if (home / DB_NAME).is_file() and (home / ".complete").is_file():
        return home
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(EXAMPLE, home, ignore=shutil.ignore_patterns(DB_NAME, f"{DB_NAME}-*"))
    states, events = _example_rows(EXAMPLE / DB_NAME)
    block = BLOCK_DAYS * 86_400
    copied_rows = len(states) * BLOCKS
    filler_rows = max(0, rows - copied_rows)
    first_ts = states[0][3] - (BLOCKS - 1) * block
    filler = _filler(filler_rows, first_ts, states[-1][3])
    pending = next(filler, None)
    started = time.perf_counter()
    with RecorderWriter(home / DB_NAME) as writer, writer.deferred_indexes():
        for copy in range(BLOCKS - 1, -1, -1):
            shift = copy * block
            for entity_id, state, changed_ts, updated_ts, attrs, *context in states:
                updated = updated_ts - shift
                batch = []
                while pending is not None and pending[2] < updated:
                    batch.append(pending)
                    pending = next(filler, None)
                if batch:
                    writer.states_bulk(batch)
                writer.state(
                    entity_id, state or None, datetime.fromtimestamp(updated, UTC),
                    attributes=json.loads(attrs) if attrs else None,
                    context=_context(tuple(context), shift * 1000),
                    last_changed=datetime.fromtimestamp(changed_ts - shift, UTC) if changed_ts else None,
                )
            print(f"  block {BLOCKS - copy}/{BLOCKS} written ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        rest = [pending] if pending is not None else []
        rest.extend(filler)
        writer.states_bulk(rest)
        for copy in range(BLOCKS - 1, -1, -1):
            shift = copy * block
            for event_type, fired_ts, data, *context in events:
                writer.event(event_type, datetime.fromtimestamp(fired_ts - shift, UTC),
                             json.loads(data) if data else None, context=_context(tuple(context), shift * 1000))
        print("  rebuilding indexes…", file=sys.stderr)
    (home / ".complete").write_text(f"{rows}\n")
    return home


# ======================================================================================
# Measuring (in a child process)
# ======================================================================================


def _raw_scan(db: Path, sql: str, params: tuple = ()) -> tuple[int, float]:
    """Fetch every row of `sql` into Python with plain sqlite3; (rows, seconds)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        started = time.perf_counter()
        count = 0
        cursor = conn.execute(sql, params)
        cursor.arraysize = 10_000
        while chunk := cursor.fetchmany():
            count += len(chunk)
        return count, time.perf_counter() - started
    finally:
        conn.close()


def measure(home: Path) -> dict:
    """Every figure, measured in this process (run it in a fresh one)."""
    from ruamel.yaml import YAML

    from weaklink.home import open_home
    from weaklink.scenario import load_scenario

    incidents = YAML(typ="safe").load(INCIDENTS.read_text())
    db = home / DB_NAME
    figures: dict = {"db_bytes": db.stat().st_size}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        figures["state_rows"] = conn.execute("SELECT COUNT(*) FROM states").fetchone()[0]
        figures["event_rows"] = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    started = time.perf_counter()
    opened = open_home(home)
    figures["open_home_s"] = time.perf_counter() - started
    scenarios = {name: load_scenario(ROOT / "scenarios" / f"{name}.yaml") for name in {i["chain"] for i in incidents}}
    timings, wrong = [], []
    with opened:
        tracer = opened.tracer()
        for incident in incidents:
            at = datetime.fromisoformat(str(incident["at"]))
            started = time.perf_counter()
            report = tracer.trace(scenarios[incident["chain"]], at)
            timings.append(time.perf_counter() - started)
            link = report.broken_link
            got = (report.verdict.value, link.element if link else None, link.layer.value if link else None,
                   link.cause if link else None)
            if got != (incident["verdict"], incident["element"], incident["layer"], incident["cause"]):
                wrong.append(f"{incident['id']}: {got}")
        figures["incidents"] = len(incidents)
        figures["incidents_wrong"] = wrong
        figures["trace_median_s"] = statistics.median(timings)
        figures["trace_max_s"] = max(timings)

        # (b) the sweep, against a raw scan of the same rows just before it
        scenario = load_scenario(ROOT / "scenarios" / f"{SWEEP_CHAIN}.yaml")
        entities = sorted({e for i, s in enumerate(scenario.steps, 1) if (e := tracer.resolve(s, i, scenario))})
        raw_rows, raw_s = _raw_scan(
            db, "SELECT s.metadata_id, s.state, s.last_updated_ts FROM states s")
        placeholders = ",".join("?" * len(entities))
        # the chain's rows, fetched through the same index the tracer uses
        chain_rows, chain_raw_s = _raw_scan(
            db, "SELECT s.metadata_id, s.state, s.last_updated_ts FROM states s WHERE s.metadata_id IN"
            f" (SELECT metadata_id FROM states_meta WHERE entity_id IN ({placeholders}))", tuple(entities))
        started = time.perf_counter()
        reports = list(tracer.runs(scenario))
        sweep_s = time.perf_counter() - started
    broken: dict[str, int] = {}
    for report in reports:
        if report.broken_link:
            key = f"{report.broken_link.layer.value}/{report.broken_link.cause}"
            broken[key] = broken.get(key, 0) + 1
    figures.update(
        sweep_chain=SWEEP_CHAIN, sweep_entities=entities, sweep_runs=len(reports), sweep_broken=broken,
        sweep_s=sweep_s, raw_scan_rows=raw_rows, raw_scan_s=raw_s,
        sweep_rows_per_s=figures["state_rows"] / sweep_s, raw_rows_per_s=raw_rows / raw_s,
        chain_rows=chain_rows, chain_raw_s=chain_raw_s,
        sweep_chain_rows_per_s=chain_rows / sweep_s, chain_raw_rows_per_s=chain_rows / chain_raw_s,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return figures


def _cli_trace(home: Path) -> tuple[float, int]:
    """The README's command on the year home, as a user runs it: (seconds, exit status)."""
    weaklink = Path(sys.executable).with_name("weaklink")
    command = [str(weaklink)] if weaklink.exists() else [sys.executable, "-c", "from weaklink.cli import main; main()"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "trace", "--home", str(home), str(ROOT / "scenarios" / "driveway_arrival.yaml"),
         "--at", "2026-11-11 18:50", "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    return time.perf_counter() - started, done.returncode


def report(figures: dict, cli_s: float, cli_status: int) -> None:
    mb = figures["db_bytes"] / 1e6
    print(f"recorder database: {figures['state_rows']:,} state rows, {figures['event_rows']:,} events, {mb:,.0f} MB")
    print(f"open the home (registries, automations, graph):      {figures['open_home_s'] * 1000:7.0f} ms")
    wrong = figures["incidents_wrong"]
    print(f"(a) trace one incident, {figures['incidents']} incidents:  median {figures['trace_median_s'] * 1000:5.0f} ms,"
          f" slowest {figures['trace_max_s'] * 1000:5.0f} ms   target < 1000 ms;"
          f" answers right: {figures['incidents'] - len(wrong)}/{figures['incidents']}")
    for line in wrong:
        print(f"    WRONG {line}")
    print(f"    `weaklink trace` command, start-up included:      {cli_s * 1000:7.0f} ms (exit {cli_status})")
    ratio = figures["sweep_rows_per_s"] / figures["raw_rows_per_s"]
    print(f"(b) sweep of every {figures['sweep_chain']} run over the year: {figures['sweep_runs']} runs in"
          f" {figures['sweep_s']:.2f} s; broken {sum(figures['sweep_broken'].values())}"
          f" ({', '.join(f'{k}: {v}' for k, v in sorted(figures['sweep_broken'].items()))})")
    print(f"    history covered: {figures['sweep_rows_per_s']:,.0f} rows/s; plain sqlite3 scan of the same"
          f" {figures['raw_scan_rows']:,} rows: {figures['raw_rows_per_s']:,.0f} rows/s"
          f" ({figures['raw_scan_s']:.2f} s) -> ratio {ratio:.2f}  target >= 0.5")
    chain_ratio = figures["sweep_chain_rows_per_s"] / figures["chain_raw_rows_per_s"]
    print(f"    the chain's own {figures['chain_rows']:,} rows ({len(figures['sweep_entities'])} entities):"
          f" sweep {figures['sweep_chain_rows_per_s']:,.0f} rows/s, plain scan {figures['chain_raw_rows_per_s']:,.0f}"
          f" rows/s -> ratio {chain_ratio:.2f}")
    print(f"(c) peak memory of the measuring process:            {figures['peak_rss_mb']:7.0f} MB   target < 300 MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="state rows in the year's database")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where the generated home is kept")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the home even if it is cached")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.rebuild:
        shutil.rmtree(args.data / f"home-{args.rows}", ignore_errors=True)
    started = time.perf_counter()
    home = build(args.data, args.rows)
    print(f"home: {home} (ready in {time.perf_counter() - started:.0f} s)")
    child = subprocess.run([sys.executable, __file__, "--measure", str(home)], capture_output=True, text=True,
                           check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return child.returncode
    cli_s, cli_status = _cli_trace(home)
    report(json.loads(child.stdout), cli_s, cli_status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
