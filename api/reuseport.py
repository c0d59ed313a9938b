"""One listening socket per HTTP worker, all on the same host:port (SO_REUSEPORT).

uvicorn's supervisor binds one socket and hands it to every worker: they then share one accept
queue, and asyncio accepts up to `backlog` connections per wake-up, so the first worker woken by
a burst (wrk opening its 10 keep-alive connections) takes them all and the other idles. With a
socket of its own per worker bound with SO_REUSEPORT, the kernel spreads new connections across
the sockets by a hash of the peer's address and port.

`WorkerSocket` is what the supervisor holds: bound (the address is taken, port 0 resolved, a
port in use fails at once in the parent) but never listening, so the kernel gives it no
connection. uvicorn pickles the supervisor's sockets into each worker it spawns (at the start,
when it replaces a dead one, on SIGHUP or SIGTTIN); a `WorkerSocket` pickles as "bind a new
SO_REUSEPORT socket to my address", so every worker, replacements included, unpickles a socket of
its own, which its server then listens on. uvicorn's `Multiprocess` needs nothing else.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from typing import Any

STARTUP_FAILURE = 3  # uvicorn's exit code for "would fail the same way again": no restart loop


class WorkerSocket(socket.socket):
    """The supervisor's placeholder; each worker gets its own socket on the same address."""

    @classmethod
    def bind_to(cls, host: str, port: int) -> WorkerSocket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = cls(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            _share_port(sock)
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        return sock

    def __reduce__(self) -> tuple[Callable[..., socket.socket], tuple[Any, ...]]:
        return worker_socket, (int(self.family), self.getsockname())


def worker_socket(family: int, address: Any) -> socket.socket:
    """In a worker, while it unpickles its arguments: its own socket, bound to `address`.

    Created with proto IPPROTO_TCP, not 0: asyncio copies the listening socket's proto into each
    accepted one and sets TCP_NODELAY only when it reads IPPROTO_TCP. With proto 0 (what uvicorn's
    `bind_socket` creates for its workers) Nagle stays on, and an answer written in two sends waits
    for the client's delayed ACK: ~40 ms a request (p50 48 ms instead of 8 in bench/workers_bench).
    """
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        _share_port(sock)
        sock.bind(address)
    except OSError as error:
        sock.close()
        print(f"worker: cannot bind {address}: {error}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    return sock


def _share_port(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
