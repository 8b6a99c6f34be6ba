"""Settings from the environment (prefix PSOAS_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('psoas', appauthor=False)) / 'psoas.db'}"


class Settings(BaseSettings):
    """``PSOAS_DATABASE_URL``: SQLite file by default (in the user's data directory), or a
    PostgreSQL URL such as ``postgresql://user@host/dbname``. ``PSOAS_PROFILE``: the profile
    the terminal commands use when ``--profile`` is not given. ``PSOAS_ENVIRONMENT``:
    development or production (production refuses unsafe settings). ``PSOAS_COOKIE_SECURE``:
    send the session cookie over HTTPS only. ``PSOAS_DEMO``: the demo clinic is loaded."""

    model_config = SettingsConfigDict(env_prefix="PSOAS_", extra="ignore")

    database_url: str = ""
    profile: str = "me"
    environment: Literal["development", "production"] = "development"
    cookie_secure: bool = False
    demo: bool = False

    def check_for_production(self) -> None:
        """Refuse settings that are unsafe on a real server."""
        if self.environment != "production":
            return
        problems = []
        if not self.cookie_secure:
            problems.append("PSOAS_COOKIE_SECURE must be true (serve over HTTPS)")
        if self.demo:
            problems.append("PSOAS_DEMO must be false: demo accounts have published passwords")
        if not self.database_url:
            problems.append("PSOAS_DATABASE_URL must be set explicitly")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
