"""The one place that knows the configuration.

Nothing reads the environment at import time: `Settings()` reads it when the command line or the
ASGI factory builds the app, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105
MAX_SESSION_SECONDS = 12 * 3600


class OidcProvider(BaseModel):
    """One OpenID Connect provider people sign in with (an item of OIDC_PROVIDERS)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="In /auth/login/{name}.")
    label: str = Field(min_length=1, max_length=100, description="Shown on the sign-in page.")
    discovery_url: str = Field(description="Its /.well-known/openid-configuration URL.")
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email"])
    kind: Literal["generic", "proconnect"] = "generic"
    access_token_audience: str | None = Field(
        default=None, description="`aud` of its JWT access tokens for this API; else client_id."
    )

    @field_validator("discovery_url")
    @classmethod
    def _discovery_url(cls, value: str) -> str:
        parts = urlsplit(value)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError("discovery_url must be https (http only on loopback)")
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scopes(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("scopes must include 'openid'")
        return value


def _origin(value: str) -> str:
    """`scheme://host[:port]`, no path: what browsers send in the Origin header."""
    value = value.rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", value):
        raise ValueError(f"{value!r} is not an origin such as https://entrelieux.fr")
    return value


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
        default=True, description="Load the demo (places, listings, exchanges) on first start."
    )
    shared_data_dir: Path | None = Field(
        default=PROJECT_ROOT.parent / "shared" / "data",
        description="The shared open data (../shared/data): the demo reads the fablabs.io labs "
        "and machines there at load time (their licence keeps them out of the project).",
    )

    # GraphQL limits: a public endpoint must bound what one request may cost.
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 15
    graphql_max_tokens: int = 2000
    graphql_max_page_size: int = Field(default=100, gt=0)
    graphql_max_radius_km: float = Field(
        default=1000.0, gt=0, description="The widest radius a search or a match may ask for."
    )
    # Query cost (issue 13, cost): measured on the parsed document before validation
    # (schema/cost.py); a document over either limit is refused before any resolver runs.
    graphql_max_cost: int = Field(
        default=20_000,
        gt=0,
        description="The most a request's document may cost: every field 1, the fields that "
        "search or scan more, a list's items times its page size (schema/cost.py).",
    )
    graphql_max_fields: int = Field(
        default=500, gt=0, description="The most fields a document may hold, fragments expanded."
    )
    max_request_body_bytes: int = 1024 * 1024

    # Bad input (issue 13, input).
    graphql_max_json_depth: int = Field(
        default=64,
        ge=2,
        le=500,
        description="How deep a request's JSON body (or a multipart `operations` or `map` field) "
        "may nest arrays and objects; deeper is refused with 400 before anything reads it.",
    )

    # Search: without MEILI_URL the app starts its own Meilisearch on loopback (development).
    search_enabled: bool = True
    meili_url: str | None = None
    meili_master_key: str | None = None
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    outbox_batch_size: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="Events the relay pushes in one Meilisearch task: large batches let a first "
        "start's demo catch up in seconds, since each task has a fixed cost.",
    )
    run_relay: bool = Field(
        default=True, description="Drain the outbox inside the app (off when workers do it)."
    )
    web_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="HTTP processes of `entrelieux serve` (uvicorn's variable; --workers "
        "overrides it); the relays run once, in the parent. More than 1 needs PostgreSQL.",
    )

    # Operations (issue 13, ops): our own Meilisearch's supervision, /metrics, logs.
    search_watch_seconds: float = Field(
        default=1.0, gt=0, le=60, description="How often the app checks its own Meilisearch runs."
    )
    search_restart_seconds: float = Field(
        default=0.5, gt=0, le=60, description="The first pause before restarting it; doubles."
    )
    search_restart_max_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="The longest pause between two restarts."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that may read /metrics from anywhere; without it, loopback only.",
    )
    metrics_max_operations: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Operation names /metrics labels one by one; later names count as 'other'.",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", description="auto: one JSON object a line in production, text otherwise."
    )

    # Time bounds (issue 13, time): how long one GraphQL operation may run, and what it may ask of
    # Meilisearch. Decided in `api/deadlines.py` (the deadline) and `search/client.py` (search).
    graphql_deadline_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="An HTTP GraphQL operation still running this long after its body was read "
        "is cancelled and answered 504 TIMEOUT (WebSocket subscriptions are not bounded by it).",
    )
    meili_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="The longest one search (or multi-search) may take, waiting for a slot "
        "included; past it the field answers SEARCH_UNAVAILABLE.",
    )
    search_max_concurrent_per_request: int = Field(
        default=4, ge=1, le=100, description="Searches one request may have in flight at once."
    )
    search_max_concurrent: int = Field(
        default=32, ge=1, le=1000, description="Searches one app process may have in flight."
    )

    # Sign-in. Without OIDC_PROVIDERS, `entrelieux serve` in development starts the demo provider.
    oidc_providers: list[OidcProvider] = Field(
        default_factory=list,
        description="JSON list of {name, label, discovery_url, client_id, client_secret, scopes, "
        "kind}; kind 'proconnect' turns on ProConnect's rules.",
    )
    dev_oidc_provider: bool = Field(
        default=True, description="In development without OIDC_PROVIDERS, run the demo provider."
    )
    public_url: str | None = Field(
        default=None,
        description="The URL browsers use (https://entrelieux.fr): redirect URIs and cookies.",
    )
    session_idle_seconds: Annotated[int, Field(gt=0, le=MAX_SESSION_SECONDS)] = 2 * 3600
    session_absolute_seconds: Annotated[int, Field(gt=0, le=MAX_SESSION_SECONDS)] = 12 * 3600
    login_state_seconds: Annotated[int, Field(gt=0, le=3600)] = 600
    cors_allowed_origins: list[str] = Field(
        default_factory=list, description="Origins (JSON list) allowed to call the API."
    )

    # The web app: built by `make run` into frontend/dist, served at `/`.
    frontend_dir: Path = Field(
        default=PROJECT_ROOT / "frontend" / "dist", description="The built web app."
    )
    # Trusted documents (`schema/trusted_documents.py`): the web app's operations by their id.
    trusted_documents: Literal["off", "browsers"] = Field(
        default="off",
        description="browsers: a request from a browser (the session cookie, or an Origin or "
        "Sec-Fetch-* header, and no Authorization) may only run the web app's documents "
        "(PERSISTED_DOCUMENT_REQUIRED otherwise); bearer tokens and other clients keep the whole "
        "API. off: any client may send any document.",
    )
    trusted_documents_file: Path | None = Field(
        default=None,
        description="The manifest of the web app's documents (id to text); default: "
        "trusted-documents.json of FRONTEND_DIR, written by its build. Missing: none trusted.",
    )
    map_tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        max_length=500,
        description="The map tiles' URL template ({z}/{x}/{y}); empty: maps without tiles.",
    )
    map_attribution: str = Field(
        default="© les contributeurs d’OpenStreetMap",
        max_length=300,
        description="The tiles' credit line, shown on every map.",
    )

    # HTTP security headers (issue 13, hygiene): api/security_headers.py.
    hsts_max_age_seconds: int = Field(
        default=365 * 24 * 3600,
        ge=0,
        description="Strict-Transport-Security's max-age, sent only when PUBLIC_URL is https "
        "(0: none).",
    )

    # Photos: files in a folder under VAR_DIR (default) or an S3-compatible object store.
    media_storage: Literal["local", "s3"] = Field(
        default="local", description="Where photos are kept: a local folder or an S3 bucket."
    )
    media_dir: Path | None = Field(
        default=None, description="The local folder of photos; default VAR_DIR/media."
    )
    media_url: str = Field(
        default="/media",
        max_length=500,
        description="Where browsers fetch photos: /media (served by the app) or the public URL "
        "of the bucket or its CDN (https://cdn.example.org/photos), without a trailing slash.",
    )
    media_s3_bucket: str | None = Field(default=None, description="The bucket (S3 storage).")
    media_s3_endpoint_url: str | None = Field(
        default=None, description="The S3 endpoint (MinIO: http://minio:9000); none: AWS."
    )
    media_s3_region: str = "us-east-1"
    media_s3_access_key_id: str | None = None
    media_s3_secret_access_key: SecretStr | None = None
    media_s3_prefix: str = Field(
        default="", max_length=200, description="A folder of the bucket to keep the photos in."
    )
    photo_max_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="The largest photo file accepted (10 MiB)."
    )
    photo_max_pixels: int = Field(
        default=40_000_000,
        gt=0,
        description="The most pixels a photo may decode to (a decompression bomb is refused).",
    )
    photo_widths: list[int] = Field(
        default_factory=lambda: [320, 640, 1280],
        min_length=1,
        description="The widths each photo is served at (never wider than it is).",
    )
    photos_per_listing: int = Field(default=8, gt=0, le=50)

    # Mail: without SMTP_HOST, notification e-mails are written to the log (development).
    smtp_host: str | None = Field(default=None, description="The SMTP relay; none: to the log.")
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="starttls", description="STARTTLS (587), implicit TLS (465) or none (loopback)."
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = Field(
        default="Entrelieux <ne-pas-repondre@entrelieux.local>",
        description="The From header of every e-mail the app sends.",
    )

    # Rate limits (issue 13, rate): budgets per caller over a sliding window, shared by every app
    # process through the `rate_limit` table (core/rate_limiter.py). Each budget is a number per
    # window of `..._seconds`; GraphQL budgets are in points (a request costs its query cost, at
    # least RATE_LIMIT_GRAPHQL_REQUEST_POINTS). Off in the test environment unless
    # RATE_LIMITS_ENABLED says otherwise.
    rate_limits_enabled: bool | None = Field(
        default=None, description="On or off; unset: on, except in the test environment."
    )
    rate_limit_sync_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often a process adds its counts to the shared table and reads the "
        "others': the most the shared state lags (sooner when a caller nears a limit).",
    )
    rate_limit_graphql_anonymous: int = Field(
        default=20_000, gt=0, description="GraphQL points per window for an anonymous client IP."
    )
    rate_limit_graphql_token: int = Field(
        default=100_000, gt=0, description="GraphQL points per window for one bearer token."
    )
    rate_limit_graphql_person: int = Field(
        default=100_000, gt=0, description="GraphQL points per window for a signed-in browser."
    )
    rate_limit_graphql_seconds: int = Field(default=60, gt=0, le=86_400)
    rate_limit_graphql_request_points: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="The least a GraphQL request costs its caller, whatever its document: the "
        "HTTP request's own work (so a flood of cheap requests is limited too).",
    )
    rate_limit_login: int = Field(
        default=30, gt=0, description="Sign-ins started (/auth/login) per window and client IP."
    )
    rate_limit_login_seconds: int = Field(default=600, gt=0, le=86_400)
    rate_limit_bad_tokens: int = Field(
        default=20,
        gt=0,
        description="Refused bearer tokens per window and client IP; then 429 before checking.",
    )
    rate_limit_bad_tokens_seconds: int = Field(default=600, gt=0, le=86_400)
    rate_limit_creations: int = Field(
        default=300,
        gt=0,
        description="Creating mutations (schema/rate_limits.py) per window and organization.",
    )
    rate_limit_creations_seconds: int = Field(default=3600, gt=0, le=86_400)
    pending_login_max_rows: int = Field(
        default=10_000,
        gt=0,
        description="Sign-ins in progress kept at most; past it the oldest are dropped.",
    )
    # The response cache (issue 14, cache): anonymous reads answered from memory while the data
    # version they were computed at is still the database's (api/response_cache.py).
    response_cache_enabled: bool | None = Field(
        default=None, description="On or off; unset: on, except in the test environment."
    )
    response_cache_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Memory for cached answers per process (their bodies); least recently used "
        "first out.",
    )
    response_cache_max_age_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="The longest an answer is kept even when nothing was written: a place's "
        "verification turns 'to recheck' with time alone (dates are in the key).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (JSON list; CIDR allowed) of reverse proxies whose "
        "X-Forwarded-For names the client; empty: the peer's address is the client's.",
    )

    @property
    def base_url(self) -> str:
        """`public_url`, or where `serve` listens in development."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset({_origin(self.base_url), *self.cors_allowed_origins})

    @property
    def trusted_documents_path(self) -> Path:
        return self.trusted_documents_file or self.frontend_dir / "trusted-documents.json"

    @property
    def media_folder(self) -> Path:
        return self.media_dir or self.var_dir / "media"

    @property
    def max_upload_body_bytes(self) -> int:
        """A multipart GraphQL request carries one photo, plus its operation and boundaries."""
        return self.photo_max_bytes + 64 * 1024

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.environment == "production"
        return self.log_format == "json"

    @property
    def rate_limits_on(self) -> bool:
        if self.rate_limits_enabled is None:
            return self.environment != "test"
        return self.rate_limits_enabled

    @property
    def response_cache_on(self) -> bool:
        if self.response_cache_enabled is None:
            return self.environment != "test"
        return self.response_cache_enabled

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("SECRET_KEY must be set to a real secret in production")
        return self

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^/?#\s]+", value.rstrip("/")):
            raise ValueError("PUBLIC_URL must be scheme://host[:port], without a path")
        return value.rstrip("/") if value else value

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, value: str) -> str:
        value = value.rstrip("/")
        if not re.fullmatch(r"(https?://[^/?#\s]+)?(/[A-Za-z0-9._~/-]*)?", value) or not value:
            raise ValueError("MEDIA_URL is /path or https://host[/path], without a query")
        return value

    @field_validator("photo_widths")
    @classmethod
    def _photo_widths(cls, value: list[int]) -> list[int]:
        if any(width < 16 or width > 4096 for width in value):
            raise ValueError("PHOTO_WIDTHS are between 16 and 4096 pixels")
        return sorted(set(value))

    @model_validator(mode="after")
    def _check_media(self) -> Settings:
        if self.media_storage == "s3" and not self.media_s3_bucket:
            raise ValueError("MEDIA_S3_BUCKET must be set when MEDIA_STORAGE is s3")
        return self

    @field_validator("cors_allowed_origins")
    @classmethod
    def _cors_origins(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("CORS_ALLOWED_ORIGINS is an allow-list: '*' is refused")
        return [_origin(origin) for origin in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: list[str]) -> list[str]:
        for proxy in value:
            ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad one
        return value

    @model_validator(mode="after")
    def _check_sign_in(self) -> Settings:
        names = [provider.name for provider in self.oidc_providers]
        if len(names) != len(set(names)):
            raise ValueError("OIDC_PROVIDERS: each provider needs its own name")
        if self.session_idle_seconds > self.session_absolute_seconds:
            raise ValueError("SESSION_IDLE_SECONDS must not exceed SESSION_ABSOLUTE_SECONDS")
        https = (self.public_url or "").startswith("https://")
        if self.environment == "production" and self.oidc_providers and not https:
            raise ValueError("PUBLIC_URL must be set to an https URL in production")
        return self
