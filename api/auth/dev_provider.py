"""The development OpenID provider: `dev/oidc/provider.mjs` (npm `oidc-provider`) on loopback.

`entrelieux serve` in development without OIDC_PROVIDERS starts it and offers it as "dev"
("Comptes de démonstration"); the tests start their own. Its port and client secret are kept
under var/oidc/ so the issuer, and so the demo people's identities, survive a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.auth.oidc import Providers
from core.loopback import free_port, port_is_free, spawn, stop, wait_until_answers
from core.settings import PROJECT_ROOT, OidcProvider, Settings

logger = logging.getLogger("entrelieux.auth")

SCRIPT = PROJECT_ROOT / "dev" / "oidc" / "provider.mjs"
PACKAGE = PROJECT_ROOT / "node_modules" / "oidc-provider" / "package.json"
DEV_NAME = "dev"
DEV_LABEL = "Comptes de démonstration"
DEV_SCOPES = [
    "openid",
    "email",
    "given_name",
    "usual_name",
    "siret",
    "organizational_unit",
    "legal_category",
]


@dataclass
class DevOidcProvider:
    """`start()` runs the node script and waits for its discovery document; `stop()` ends it."""

    clients: list[dict[str, Any]]
    port: int = field(default_factory=free_port)
    proconnect: bool = False
    accounts: Path | None = None
    jwks: Path | None = None
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def command(self) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed: the development provider needs Node.js")
        if not PACKAGE.is_file():
            raise RuntimeError(f"{PACKAGE.parent} is missing: run `make install` (npm ci)")
        command = [node, str(SCRIPT), "--port", str(self.port), "--issuer", self.issuer]
        command += ["--clients", json.dumps(self.clients)]
        if self.proconnect:
            command.append("--proconnect")
        if self.accounts is not None:
            command += ["--accounts", str(self.accounts)]
        if self.jwks is not None:
            command += ["--jwks", str(self.jwks)]
        return command

    def start(self, timeout: float = 30.0) -> None:
        self.process = spawn(self.command(), self.log_path, cwd=PROJECT_ROOT)
        try:
            wait_until_answers(self.process, self.discovery_url, "the OIDC provider", timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def wanted(settings: Settings) -> bool:
    return settings.is_development and settings.dev_oidc_provider and not settings.oidc_providers


async def start_for_development(settings: Settings, providers: Providers) -> DevOidcProvider | None:
    """Start the demo provider and register it as "dev"; None (logged) when it cannot run."""
    folder = settings.var_dir / "oidc"
    folder.mkdir(parents=True, exist_ok=True)
    remembered = folder / "provider.json"
    known = json.loads(remembered.read_text()) if remembered.is_file() else {}
    port = known.get("port")
    if not isinstance(port, int) or not port_is_free(port):
        port = free_port()
    secret = known.get("client_secret") or secrets.token_urlsafe(32)
    remembered.write_text(json.dumps({"port": port, "client_secret": secret}))
    remembered.chmod(0o600)
    client = {
        "client_id": "entrelieux-dev",
        "client_secret": secret,
        "redirect_uris": [f"{settings.base_url}/auth/callback/{DEV_NAME}"],
        "post_logout_redirect_uris": [f"{settings.base_url}/auth/logout/callback"],
    }
    server = DevOidcProvider(clients=[client], port=port, log_path=folder / "provider.log")
    try:
        await asyncio.to_thread(server.start)
    except RuntimeError:
        logger.exception("the development sign-in provider did not start; sign-in is off")
        return None
    providers.add(
        OidcProvider(
            name=DEV_NAME,
            label=DEV_LABEL,
            discovery_url=server.discovery_url,
            client_id=client["client_id"],
            client_secret=secret,
            scopes=DEV_SCOPES,
        )
    )
    logger.info("development sign-in provider on %s (password 'demo')", server.issuer)
    return server
