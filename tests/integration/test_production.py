"""Production refuses to start on a database that still holds the demo clinic's accounts,
whose passwords are published (issue 14), and starts once they are gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from psoas.services import accounts
from psoas.settings import Settings
from psoas.storage.db import Database
from psoas.storage.tables import UserRow
from psoas.web.app import create_app
from psoas.web.demo import DEMO_ACCOUNTS, load_demo


def production(url: str) -> Settings:
    return Settings(environment="production", cookie_secure=True, database_url=url, demo=False)


def test_production_refuses_a_database_with_the_demo_accounts(database_url: str) -> None:
    db = Database(database_url)
    load_demo(db, datetime(2026, 12, 4, tzinfo=UTC))
    assert accounts.demo_accounts(db) == len(DEMO_ACCOUNTS)  # every one is on the demo domain
    with pytest.raises(RuntimeError, match="demo clinic"):
        create_app(database_url, settings=production(database_url))
    create_app(database_url, settings=Settings(database_url=database_url))  # development: fine
    with db.session() as s, s.begin():
        s.execute(delete(UserRow).where(UserRow.email.endswith(accounts.DEMO_EMAIL_DOMAIN)))
    assert accounts.demo_accounts(db) == 0
    app = create_app(database_url, settings=production(database_url))
    assert app.state.settings.environment == "production"
    db.close()
