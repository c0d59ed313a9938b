"""Our own Meilisearch starts whatever its random master key looks like."""

from __future__ import annotations

from pathlib import Path

import httpx

from search.server import MeilisearchServer


def test_a_master_key_starting_with_a_dash_is_not_taken_for_an_option(tmp_path: Path) -> None:
    # token_urlsafe draws "-" first one time in 64: the server exited with 2 ("unexpected argument").
    server = MeilisearchServer(data_dir=tmp_path, master_key="-Zmaster-key-with-a-leading-dash")
    server.start()
    try:
        answer = httpx.get(
            f"{server.url}/indexes", headers={"Authorization": f"Bearer {server.master_key}"}
        )
        assert answer.status_code == 200
    finally:
        server.stop()
