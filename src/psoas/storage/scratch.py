"""A scratch PostgreSQL schema for the tests and the benchmarks: created empty, dropped after.

Both run against the PostgreSQL at ``$PSOAS_TEST_POSTGRES_URL`` (by default the ``test``
database on 127.0.0.1:5432), each in a schema of its own so that runs never see each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_test_url() -> str:
    """The PostgreSQL the tests and benchmarks use: ``$PSOAS_TEST_POSTGRES_URL`` or the default."""
    return os.environ.get("PSOAS_TEST_POSTGRES_URL", DEFAULT_TEST_URL)


def unreachable(url: str, *, timeout_seconds: int = 3) -> str | None:
    """None when the PostgreSQL at ``url`` answers, else the first line of why not."""
    try:
        engine = create_engine(
            url, poolclass=NullPool, connect_args={"connect_timeout": timeout_seconds}
        )
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def scratch_schema(url: str, *, prefix: str = "scratch") -> Iterator[str]:
    """``url`` with its search_path set to a new, empty schema, which is dropped (with all it
    holds) on leaving. Connecting errors are raised as they come (see :func:`unreachable`)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, poolclass=NullPool)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in url else "?"
        try:
            yield f"{url}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
