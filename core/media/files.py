"""The files one mutation writes and removes, settled with its transaction.

A photo is written to the storage before its row is committed, and its files are removed only
after the row's deletion is committed: so a rollback (a refusal, a bug, a lost race) removes the
files it wrote, and a committed row never points to files already gone. A crash between the two
can leave files no row names (never a row without its files).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from core.media.storage import MediaStorage

logger = logging.getLogger("entrelieux.media")


class FileChanges:
    def __init__(self, storage: MediaStorage) -> None:
        self.storage = storage
        self.written: list[str] = []
        self.doomed: list[str] = []

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        self.written.append(key)  # before: a write that fails half-way is cleaned up too
        await self.storage.put(key, data, media_type)

    def remove_after_commit(self, keys: Sequence[str]) -> None:
        self.doomed.extend(keys)

    async def settle(self, *, committed: bool) -> None:
        """After the transaction: drop what a rollback orphaned, or what a commit released."""
        keys, self.written, self.doomed = (
            (self.doomed if committed else self.written),
            [],
            [],
        )
        if not keys:
            return
        try:
            await self.storage.delete(keys)
        except Exception:
            logger.exception("could not remove %d photo files: %s", len(keys), keys[:3])
