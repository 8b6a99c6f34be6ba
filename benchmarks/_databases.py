"""Runs a benchmark on a SQLite file and on PostgreSQL in a scratch schema (dropped after)."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text

PG = os.environ.get("PSOAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def on_both(bench: Callable[[str, str], None]) -> None:
    """``bench(label, url)`` on SQLite, then on PostgreSQL if it answers."""
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.db")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL not reachable at {PG}: {exc}".splitlines()[0], file=sys.stderr)
        return
    sep = "&" if "?" in PG else "?"
    try:
        bench("PostgreSQL", f"{PG}{sep}options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
