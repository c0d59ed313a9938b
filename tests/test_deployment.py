"""The production topology stays in step with the app's settings."""

from pathlib import Path

import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_variable_compose_gives_the_app_is_a_setting() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    settings = {name.upper() for name in Settings.model_fields}

    for service in ("app", "worker"):
        variables = set(compose["services"][service]["environment"])
        assert variables <= settings, variables - settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production")
