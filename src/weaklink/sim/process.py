"""`weaklink sim` in a process of its own: what the command-line tests start, as a user would."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WEAKLINK = [sys.executable, "-c", "from weaklink.cli import main; main()"]


@dataclass
class SimProcess:
    """The running simulator; once it stopped, what it printed."""

    process: subprocess.Popen[str]
    out: str = ""
    err: str = ""


@contextmanager
def sim_process(home: Path, live_home: Path, *options: str, seconds: float = 120) -> Iterator[SimProcess]:
    """Run `weaklink sim HOME` until the block ends (Ctrl-C, as a user stops it), once its live
    home file is written, which happens when every host is up."""
    process = subprocess.Popen([*WEAKLINK, "sim", str(home), "--high-ports", "--for", str(seconds), *options,
                                "--write-live-home", str(live_home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    running = SimProcess(process)
    try:
        for _ in range(300):
            if live_home.exists() and live_home.stat().st_size:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        running.out, running.err = process.communicate(timeout=30)
