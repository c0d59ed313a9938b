"""Helper servers run as child processes on loopback: Meilisearch and the development OIDC
provider in development and tests. One way to pick a port, start, wait for an answer and stop.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def spawn(
    command: Sequence[str], log: Path | None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `command`, its output appended to `log` (or discarded)."""
    if log is None:
        return subprocess.Popen(  # noqa: S603
            list(command), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=cwd
        )
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603
            list(command), stdout=output, stderr=subprocess.STDOUT, cwd=cwd
        )


def wait_until_answers(
    process: subprocess.Popen[bytes], url: str, name: str, timeout: float = 30.0
) -> None:
    """Poll `url` until it answers 200; raise if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer on {url} within {timeout} s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None:
        process.kill()
        process.wait()
