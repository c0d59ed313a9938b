"""Helper servers run as child processes on loopback: Meilisearch and the development OIDC
provider in development and tests. One way to pick a port, start, wait for an answer and stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
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


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _terminate_with_parent() -> None:
    """Run in the child between fork and exec: SIGTERM it when its parent dies, even by SIGKILL.

    Linux ties this to the *thread* that forked: spawn from a thread that lives as long as the
    process (the event loop's), never from a pool thread that may end first.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        os._exit(127)  # better no child than one that could outlive us


def terminate_with_parent(parent: int) -> None:
    """Ask for SIGTERM when `parent`, the process that started this one, dies, even by SIGKILL
    (Linux; elsewhere nothing). If it is already gone, SIGTERM now."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it died before the request: nobody would send the signal
        os.kill(os.getpid(), signal.SIGTERM)


def spawn(
    command: Sequence[str],
    log: Path | None,
    cwd: Path | None = None,
    *,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Start `command`, its output appended to `log` (or discarded); with `die_with_parent`,
    the child gets SIGTERM when this process dies (Linux; elsewhere the caller must stop it)."""
    preexec: Callable[[], None] | None = None
    if die_with_parent and sys.platform == "linux":
        preexec = _terminate_with_parent
    if log is None:
        return subprocess.Popen(  # noqa: S603
            list(command),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            preexec_fn=preexec,
        )
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            preexec_fn=preexec,
        )


def pid_alive(pid: int | None) -> bool:
    """A process of this pid exists and is not a zombie (Linux reads /proc; else a signal 0)."""
    if not pid or pid <= 0:
        return False
    status = Path(f"/proc/{pid}/status")
    if sys.platform == "linux":
        try:
            lines = status.read_text().splitlines()
        except OSError:
            return False
        state = next((line for line in lines if line.startswith("State:")), "")
        return "Z" not in state.split()[1:2]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
