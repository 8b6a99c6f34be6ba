"""Settings from the environment (prefix PSOAS_)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('psoas', appauthor=False)) / 'psoas.db'}"


class Settings(BaseSettings):
    """``PSOAS_DATABASE_URL``: SQLite file by default (in the user's data directory), or a
    PostgreSQL URL such as ``postgresql://user@host/dbname``. ``PSOAS_PROFILE``: the profile
    the terminal commands use when ``--profile`` is not given."""

    model_config = SettingsConfigDict(env_prefix="PSOAS_", extra="ignore")

    database_url: str = ""
    profile: str = "me"

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
