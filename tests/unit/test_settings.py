"""Settings that refuse to run a production server unsafely (``PSOAS_ENVIRONMENT``)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from psoas.settings import Settings

SAFE = {
    "PSOAS_ENVIRONMENT": "production",
    "PSOAS_COOKIE_SECURE": "true",
    "PSOAS_DATABASE_URL": "postgresql://psoas@db/psoas",
    "PSOAS_DEMO": "false",
}


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_a_safe_production_configuration_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, **SAFE)
    assert Settings().environment == "production"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"PSOAS_COOKIE_SECURE": "false"}, "PSOAS_COOKIE_SECURE"),
        ({"PSOAS_DEMO": "true"}, "PSOAS_DEMO"),
        ({"PSOAS_DATABASE_URL": ""}, "PSOAS_DATABASE_URL"),
    ],
)
def test_each_unsafe_production_setting_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, str], named: str
) -> None:
    _env(monkeypatch, **{**SAFE, **change})
    with pytest.raises(ValidationError, match=named):
        Settings()


def test_development_allows_the_demo_without_https(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, PSOAS_ENVIRONMENT="development", PSOAS_DEMO="true")
    monkeypatch.setenv("PSOAS_COOKIE_SECURE", "false")
    assert Settings().demo is True


def test_the_web_app_and_the_server_command_refuse_unsafe_production_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from psoas.web.app import create_app

    _env(monkeypatch, **{**SAFE, "PSOAS_COOKIE_SECURE": "false"})
    with pytest.raises(ValidationError, match="PSOAS_COOKIE_SECURE"):
        create_app("sqlite://")
    env = {"PATH": "/usr/bin:/bin", "PSOAS_ENVIRONMENT": "production"}
    served = subprocess.run(
        [sys.executable, "-m", "psoas", "web", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert served.returncode == 2 and "Traceback" not in served.stderr
    assert "PSOAS_COOKIE_SECURE must be true" in served.stderr
    assert "PSOAS_DATABASE_URL must be set explicitly" in served.stderr
