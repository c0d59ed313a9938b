"""The supervisor's `WorkerSocket`: what a spawned worker unpickles from it (api/reuseport.py)."""

from __future__ import annotations

import asyncio
import pickle
import socket

import pytest

from api.reuseport import WorkerSocket


def test_the_supervisors_socket_takes_no_connection_and_each_worker_gets_its_own() -> None:
    with WorkerSocket.bind_to("127.0.0.1", 0) as held:
        address = held.getsockname()
        with pytest.raises(ConnectionRefusedError):  # bound, never listening: never a connection
            socket.create_connection(address, timeout=5).close()
        first, second = _spawned(held), _spawned(held)
        with first, second:
            assert type(first) is socket.socket
            assert first.getsockname() == second.getsockname() == address
            assert first.fileno() != second.fileno()
            assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)


async def test_connections_accepted_on_a_workers_socket_have_tcp_nodelay() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; without it, an
    answer sent in two writes waited ~40 ms for the client's delayed ACK."""
    with WorkerSocket.bind_to("127.0.0.1", 0) as held:
        listening = _spawned(held)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
    async with server:
        _, writer = await asyncio.open_connection(*listening.getsockname())
        assert await asyncio.wait_for(accepted, 10)
        writer.close()


def _spawned(held: WorkerSocket) -> socket.socket:
    """What a worker spawned by uvicorn's supervisor unpickles (its arguments, from its parent)."""
    return pickle.loads(pickle.dumps(held))  # noqa: S301 (our own bytes)
