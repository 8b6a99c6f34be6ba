"""The email settings refuse what would send broken or unsafe links (issue 14)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from psoas.settings import Settings


def test_smtp_needs_a_sender_and_the_public_address() -> None:
    with pytest.raises(ValidationError, match="PSOAS_SMTP_FROM and PSOAS_PUBLIC_URL"):
        Settings(smtp_host="mail.example.org")
    with pytest.raises(ValidationError, match="PSOAS_PUBLIC_URL must start with https://"):
        Settings(smtp_host="m", smtp_from="a@b.org", public_url="psoas.example.org")
    ok = Settings(smtp_host="m", smtp_from="a@b.org", public_url="https://psoas.example.org")
    assert ok.mail_configured and not Settings().mail_configured


def test_production_refuses_mail_in_the_clear() -> None:
    safe = {
        "environment": "production",
        "cookie_secure": True,
        "database_url": "postgresql://psoas@db/psoas",
        "smtp_host": "mail.example.org",
        "smtp_from": "psoas@example.org",
        "public_url": "https://psoas.example.org",
    }
    assert Settings(**safe).smtp_tls == "starttls"
    with pytest.raises(ValidationError, match="PSOAS_SMTP_TLS"):
        Settings(**safe, smtp_tls="none")


def test_the_smtp_password_never_shows_in_the_settings_repr() -> None:
    shown = repr(
        Settings(
            smtp_host="m",
            smtp_from="a@b.org",
            public_url="https://x.org",
            smtp_password="hunter2-secret",
        )
    )
    assert "hunter2-secret" not in shown
