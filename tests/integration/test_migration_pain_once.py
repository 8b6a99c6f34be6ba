"""Migration 0006 on both databases: repeated pain ratings for one session moment, stored by
retries before it, are reduced to the first; daily ratings are untouched; afterwards the
database itself refuses a second rating for the same moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from psoas.storage.db import Database, downgrade, migrate

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_0006_keeps_the_first_rating_of_each_session_moment(empty_database_url: str) -> None:
    db = Database(empty_database_url, migrate_schema=False)
    migrate(db.engine, "0005")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO profiles (name, created_at) VALUES ('me', :at)"), {"at": AT})
        for _ in range(2):
            conn.execute(
                text(
                    "INSERT INTO sessions (profile_id, program_version, started_at, status) "
                    "VALUES (1, 1, :at, 'completed')"
                ),
                {"at": AT},
            )
        rows = [
            (1, "before_session", 5),
            (1, "before_session", 6),  # a retry that stored again
            (1, "before_session", 7),
            (1, "after_session", 3),
            (1, "after_session", 2),
            (2, "before_session", 4),
            (None, "daily", 5),
            (None, "daily", 5),  # two daily ratings are two ratings
        ]
        for session_id, context, score in rows:
            conn.execute(
                text(
                    "INSERT INTO pain_ratings (profile_id, at, score, context, session_id) "
                    "VALUES (1, :at, :score, :context, :sid)"
                ),
                {"at": AT, "score": score, "context": context, "sid": session_id},
            )
    migrate(db.engine, "0006")
    with db.engine.connect() as conn:
        kept = conn.execute(
            text("SELECT session_id, context, score FROM pain_ratings ORDER BY id")
        ).all()
    assert [tuple(r) for r in kept] == [
        (1, "before_session", 5),
        (1, "after_session", 3),
        (2, "before_session", 4),
        (None, "daily", 5),
        (None, "daily", 5),
    ]
    insert = text(
        "INSERT INTO pain_ratings (profile_id, at, score, context, session_id) "
        "VALUES (1, :at, 9, 'before_session', 2)"
    )
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert, {"at": AT})
    downgrade(db.engine, "0005")  # and back: the index goes, the ratings stay
    with db.engine.begin() as conn:
        conn.execute(insert, {"at": AT})
    db.close()
