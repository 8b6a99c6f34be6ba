"""Settings from the environment (prefix PSOAS_)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Digits, spaces, ``+`` and ``-``, at least one digit, at most 15 characters (112, 999, 911,
#: 000, +44 20 7946 0000 ...).
EMERGENCY_NUMBER = re.compile(r"^(?=.*[0-9])[0-9+\- ]{1,15}$")


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('psoas', appauthor=False)) / 'psoas.db'}"


class Settings(BaseSettings):
    """``PSOAS_DATABASE_URL``: SQLite file by default (in the user's data directory), or a
    PostgreSQL URL such as ``postgresql://user@host/dbname``. ``PSOAS_PROFILE``: the profile
    the terminal commands use when ``--profile`` is not given. ``PSOAS_ENVIRONMENT``:
    development or production (production refuses unsafe settings). ``PSOAS_COOKIE_SECURE``:
    send the session cookie over HTTPS only. ``PSOAS_DEMO``: the demo clinic is loaded.
    ``PSOAS_EMERGENCY_NUMBER``: the local emergency telephone number every result tells the
    person to call (``112`` by default, the European number; ``999`` in the UK, ``911`` in North
    America, ``000`` in Australia): digits, spaces, ``+`` and ``-``, at most 15 characters. The
    web pages show it as a tap-to-call link."""

    model_config = SettingsConfigDict(env_prefix="PSOAS_", extra="ignore")

    database_url: str = ""
    profile: str = "me"
    environment: Literal["development", "production"] = "development"
    cookie_secure: bool = False
    demo: bool = False
    emergency_number: str = "112"
    #: Web Push: the VAPID private key (PEM text or a PEM file's path); empty: made once and
    #: kept in the database. The subject is how push services reach the server's keeper.
    vapid_private_key: str = ""
    vapid_subject: str = "mailto:admin@example.com"
    #: The web app sends due reminders itself every ``reminder_every_seconds``; turn it off when
    #: cron runs ``psoas reminders send`` instead (both at once is safe too).
    reminder_scheduler: bool = True
    reminder_every_seconds: int = Field(default=60, ge=5, le=3600)
    #: The largest request body the web app reads; a larger one is refused (413) unread.
    max_request_bytes: int = Field(default=1_000_000, ge=10_000, le=100_000_000)
    #: The address people open the web app at (https://psoas.example.org): links in emails
    #: use it, never the Host a request names. Needed when SMTP is set.
    public_url: str = ""
    #: SMTP for password reset and email checks; empty host: no email (an administrator resets
    #: passwords with ``psoas account reset-password``). tls: starttls, ssl or none.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"

    @field_validator("emergency_number")
    @classmethod
    def _emergency_number(cls, value: str) -> str:
        value = value.strip()
        if not EMERGENCY_NUMBER.match(value):
            raise ValueError(
                "must be a telephone number: digits, spaces, + and -, at most 15 characters "
                "(for example 112 or 999)"
            )
        return value

    @model_validator(mode="after")
    def _mail_is_complete(self) -> Settings:
        """SMTP needs a sender and the address links point at (a reset link built from a
        request's Host could point anywhere)."""
        if self.smtp_host and not (self.smtp_from and self.public_url):
            raise ValueError("PSOAS_SMTP_HOST needs PSOAS_SMTP_FROM and PSOAS_PUBLIC_URL too")
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ValueError("PSOAS_PUBLIC_URL must start with https:// (or http://)")
        if self.environment == "production" and self.smtp_host and self.smtp_tls == "none":
            raise ValueError("unsafe production settings: PSOAS_SMTP_TLS must not be none")
        return self

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host)

    @model_validator(mode="after")
    def _safe_in_production(self) -> Settings:
        """Refuse settings that are unsafe on a real server: a production server never starts
        (and no command runs) with them."""
        if self.environment != "production":
            return self
        problems = []
        if not self.cookie_secure:
            problems.append("PSOAS_COOKIE_SECURE must be true (serve over HTTPS)")
        if self.demo:
            problems.append("PSOAS_DEMO must be false: demo accounts have published passwords")
        if not self.database_url:
            problems.append("PSOAS_DATABASE_URL must be set explicitly")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
