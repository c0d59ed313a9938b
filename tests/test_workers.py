"""`entrelieux serve --workers N` as real processes: N HTTP workers, the relays once in the parent.

PostgreSQL only (SQLite is refused with --workers > 1, tested here on a SQLite file).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.loopback import pid_alive
from tests.serve_process import (
    COMMAND,
    ROOT,
    endpoint,
    environment_for,
    own_database_url,
    prepare,
    start,
)

POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
PROCESS = re.compile(r'^entrelieux_process\{pid="(\d+)"\} 1\.0$', re.MULTILINE)
PUBLISH = (
    "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: "Thermoformeuse", commune: "Guéret" }) { __typename } }'
)
SEARCH = '{ search(input: { text: "thermoformeuse" }) { totalHits } }'
POLL_SECONDS = 30


def test_several_workers_on_sqlite_are_refused_naming_postgresql(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
    environment = environment_for(tmp_path, database_url, WEB_CONCURRENCY="2")
    served = subprocess.run(
        [*COMMAND, "serve"], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert served.returncode == 2
    assert "--workers 2 needs PostgreSQL" in served.stderr
    assert not (tmp_path / "serve.sqlite3").exists(), "refused before migrating anything"


def test_zero_workers_are_refused(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
    environment = environment_for(tmp_path, database_url)
    served = subprocess.run(
        [*COMMAND, "serve", "--workers", "0"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2
    assert "--workers must be at least 1, not 0" in served.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """`serve` with WEB_CONCURRENCY=2 on a PostgreSQL database of its own; (process, url, token)."""
    if not POSTGRESQL:
        pytest.skip("serve --workers needs PostgreSQL (TEST_DATABASE_URL)")
    with own_database_url(tmp_path, "workers") as database_url:
        environment = environment_for(
            tmp_path,
            database_url,
            RATE_LIMITS_ENABLED="false",
            WEB_CONCURRENCY="2",
            # Longer than any wait below: the relay must be woken by the workers' commits.
            OUTBOX_POLL_SECONDS=str(POLL_SECONDS),
        )
        secret = prepare(environment)
        # (a migration on a fresh database, then two workers' imports: slow on a busy machine)
        server, base = start(environment, tmp_path / "serve.log", within=240)
        try:
            yield server, base, secret
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=20)


def test_two_workers_answer_and_the_relay_runs_once_in_the_parent(
    served: tuple[subprocess.Popen[bytes], str, str], tmp_path: Path
) -> None:
    server, base, secret = served
    workers = _worker_pids(base, 2)
    assert server.pid not in workers
    assert all(_parent_of(pid) == server.pid for pid in workers)
    # One Meilisearch, started and supervised by the parent, which the workers use.
    known = endpoint(tmp_path)
    assert known["owner"] == server.pid
    assert _parent_of(known["pid"]) == server.pid
    headers = {"Authorization": f"Bearer {known['key']}"}
    with httpx.Client(base_url=known["url"], headers=headers, timeout=10) as meilisearch:
        _wait_for_search(base, '{ search(input: { text: "rien" }) { totalHits } }', 0)
        _wait_until_idle(meilisearch)  # (the communes index, filled at start, queues ahead)

        # Published through a worker, searchable at once: the commit's NOTIFY wakes the parent's
        # relay (core/commit_notices.py), which would otherwise wait for its poll (30 s here).
        for title in ("Presse à balancier", "Presse plieuse"):
            published = time.monotonic()
            _publish(base, secret, title)
            query = f'{{ search(input: {{ text: "{title}" }}) {{ totalHits }} }}'
            _wait_for_search(base, query, 1, within=POLL_SECONDS)
            waited = time.monotonic() - published
            assert waited < 2, f"{title!r} searchable after {waited:.1f} s: the relay was not woken"
        time.sleep(2)  # (the tasks of what was pushed in the meantime)
        before = _listing_additions(meilisearch)

        # The parent frozen, its relay with it: a listing published through a worker waits in the
        # outbox. Were a worker relaying, it would be searchable at once (woken by the commit).
        os.kill(server.pid, signal.SIGSTOP)
        try:
            _publish(base, secret, "Thermoformeuse")
            time.sleep(3)
            assert _search(base, SEARCH) == 0
            assert _listing_additions(meilisearch) == before
        finally:
            os.kill(server.pid, signal.SIGCONT)
        _wait_for_search(base, SEARCH, 1)
        time.sleep(1)  # a second relay, were there one, would have pushed it by now too
        assert _listing_additions(meilisearch) == before + 1, "indexed exactly once"


def test_a_dead_worker_is_replaced_and_stopping_serve_stops_every_process(
    served: tuple[subprocess.Popen[bytes], str, str], tmp_path: Path
) -> None:
    server, base, _ = served
    first = _worker_pids(base, 2)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    replaced = _worker_pids(base, 2, without=victim)
    assert victim not in replaced
    assert len(replaced & first) == 1
    meilisearch = endpoint(tmp_path)["pid"]

    server.send_signal(signal.SIGTERM)  # the parent only, as a service manager does
    assert server.wait(timeout=60) == 0
    for pid in [*replaced, meilisearch]:
        assert _gone(pid), f"pid {pid} outlived serve"
    assert not (tmp_path / "meilisearch" / "endpoint.json").exists()


def test_workers_and_meilisearch_die_with_a_killed_serve(
    served: tuple[subprocess.Popen[bytes], str, str], tmp_path: Path
) -> None:
    server, base, _ = served
    workers = _worker_pids(base, 2)
    meilisearch = endpoint(tmp_path)["pid"]
    server.kill()
    server.wait(timeout=20)
    for pid in [*workers, meilisearch]:
        assert _gone(pid), f"pid {pid} outlived a SIGKILLed serve"


def test_connections_opened_at_once_are_spread_over_the_workers(
    served: tuple[subprocess.Popen[bytes], str, str],
) -> None:
    """Each worker listens on a socket of its own (SO_REUSEPORT): the kernel spreads new
    connections by hash. With one shared socket, the first worker woken by a burst accepted
    every connection queued (wrk's 10 keep-alive connections all went to one worker)."""
    server, base, _ = served
    workers = sorted(_worker_pids(base, 2))
    port = int(base.rsplit(":", 1)[1])
    answered: dict[int, int] = {}
    connections: list[socket.socket] = []
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:  # all 30 wait in the kernel's queues, then one worker runs a second before the other:
        # with one shared queue, it would accept all 30
        for _ in range(30):
            connection = socket.create_connection(("127.0.0.1", port), timeout=30)
            connections.append(connection)
            connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        os.kill(workers[0], signal.SIGCONT)
        time.sleep(1)
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    try:
        for connection in connections:
            pid = int(PROCESS.findall(_read_all(connection))[0])
            answered[pid] = answered.get(pid, 0) + 1
    finally:
        for connection in connections:
            connection.close()
    assert set(answered) == set(workers), answered
    assert server.pid not in answered
    # Binomial(30, 1/2) by the hash: below 5 for either worker once in ~17,000 runs.
    assert min(answered.values()) >= 5, answered


def _read_all(connection: socket.socket) -> str:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def _publish(base: str, secret: str, title: str) -> None:
    query = PUBLISH.replace("Thermoformeuse", title)
    answer = httpx.post(
        f"{base}/graphql",
        headers={"Authorization": f"Bearer {secret}"},
        json={"query": query},
        timeout=10,
    ).json()
    assert answer["data"] == {"listingPublish": {"__typename": "ListingSuccess"}}, answer


def _worker_pids(base: str, count: int, without: int | None = None) -> set[int]:
    """The pids that answer /metrics, each connection a new one, until `count` distinct."""
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            text = httpx.get(f"{base}/metrics", timeout=5).text
        except httpx.HTTPError:
            time.sleep(0.2)
            continue
        seen.update(int(pid) for pid in PROCESS.findall(text))
        alive = {pid for pid in seen if pid != without and pid_alive(pid)}
        if len(alive) >= count:
            return alive
    raise AssertionError(f"{count} workers did not answer within 60 s: {seen}")


def _parent_of(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1])


def _gone(pid: int, within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _search(base: str, query: str) -> int | None:
    found = httpx.post(f"{base}/graphql", json={"query": query}, timeout=10).json()
    return int(found["data"]["search"]["totalHits"]) if found.get("data") else None


def _wait_for_search(base: str, query: str, hits: int, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while (found := _search(base, query)) != hits:
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def _wait_until_idle(meilisearch: httpx.Client) -> None:
    deadline = time.monotonic() + 120
    while meilisearch.get("/tasks", params={"statuses": "enqueued,processing"}).json()["total"]:
        assert time.monotonic() < deadline, "Meilisearch still busy after 2 minutes"
        time.sleep(0.2)


def _listing_additions(meilisearch: httpx.Client) -> int:
    """How many document additions Meilisearch has been asked on the listings index."""
    tasks = meilisearch.get(
        "/tasks", params={"indexUids": "listings", "types": "documentAdditionOrUpdate"}
    ).json()
    return int(tasks["total"])
