"""The one place that knows the configuration.

Nothing reads the environment at import time: `Settings()` reads it when the command line or the
ASGI factory builds the app, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105


class Settings(BaseSettings):
    """Every setting of the app; each can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_VAR_DIR / 'entrelieux.sqlite3'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    database_pool_size: int = 10
    secret_key: str = DEVELOPMENT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = DEFAULT_DATA_DIR
    var_dir: Path = DEFAULT_VAR_DIR
    log_level: str = "info"
    load_demo_data: bool = Field(
        default=True, description="Load the Mission Coworking places on first start."
    )

    # GraphQL limits: a public endpoint must bound what one request may cost.
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 15
    graphql_max_tokens: int = 2000
    graphql_max_page_size: int = 100
    max_request_body_bytes: int = 1024 * 1024

    # Search: without MEILI_URL the app starts its own Meilisearch on loopback (development).
    search_enabled: bool = True
    meili_url: str | None = None
    meili_master_key: str | None = None
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    run_relay: bool = Field(
        default=True, description="Drain the outbox inside the app (off when workers do it)."
    )

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("SECRET_KEY must be set to a real secret in production")
        return self
