"""Migration 0016: a database that already has places queues each of them for the relay, so the
documents in Meilisearch gain `epci` and `claimed` without a manual reindex."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from api.setup import alembic_config
from core.settings import Settings


def test_upgrading_queues_every_existing_place_for_the_index(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    settings = Settings(
        environment="test", database_url=f"sqlite+aiosqlite:///{path}", var_dir=tmp_path
    )
    config = alembic_config(settings)
    command.upgrade(config, "0012_epci")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for name in ("Fablab de Felletin", "Espace coworking d'Aubusson"):
            connection.execute(
                text(
                    "INSERT INTO space (name, typologies, address, postcode, commune_name, "
                    "fabrique, created_at, updated_at) VALUES (:name, '[]', '', '', '', 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"name": name},
            )

    command.upgrade(config, "0016_space_epci")

    with engine.connect() as connection:
        queued = connection.execute(
            text("SELECT topic, entity_id, processed_at FROM outbox_event ORDER BY entity_id")
        ).all()
        pending = connection.execute(
            text("SELECT count(*) FROM outbox_event WHERE available_at <= :now"),
            {"now": "9999-12-31 00:00:00"},
        ).scalar()
    engine.dispose()
    assert [tuple(row) for row in queued] == [("SPACE", 1, None), ("SPACE", 2, None)]
    assert pending == 2
