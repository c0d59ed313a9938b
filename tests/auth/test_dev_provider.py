"""`entrelieux serve` in development offers the demo provider as "dev"; its port survives restarts."""

from __future__ import annotations

import json
from pathlib import Path

from api.auth.dev_provider import DEV_LABEL, start_for_development, wanted
from api.auth.oidc import Providers
from core.db import Database
from core.settings import Settings
from tests.auth.conftest import Browser, app_client


async def test_development_starts_the_demo_provider_and_signs_in_through_it(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    development = Settings.model_validate(
        settings.model_dump()
        | {"environment": "development", "var_dir": tmp_path, "public_url": "http://testserver"}
    )
    assert wanted(development)
    providers = Providers()
    server = await start_for_development(development, providers)
    assert server is not None
    try:
        assert [p["label"] for p in providers.listing()] == [DEV_LABEL]
        remembered = json.loads((tmp_path / "oidc" / "provider.json").read_text())
        assert remembered["port"] == server.port
        async with app_client(development, database, providers=providers) as http:
            browser = Browser(http)
            response = await browser.sign_in("dev", "agent-montreuil")
            await browser.aclose()
        assert response.status_code == 303, response.text
    finally:
        server.stop()
        await providers.close()


def test_a_configured_provider_or_production_turns_the_demo_provider_off(
    settings: Settings,
) -> None:
    assert not wanted(settings)  # environment "test"
    assert not wanted(Settings(environment="development", dev_oidc_provider=False))
