"""Runs a benchmark on a SQLite file and on PostgreSQL in a scratch schema (dropped after)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable

from psoas.storage.scratch import postgres_test_url, scratch_schema, unreachable


def on_both(bench: Callable[[str, str], None]) -> None:
    """``bench(label, url)`` on SQLite, then on PostgreSQL if it answers."""
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.db")
    url = postgres_test_url()
    problem = unreachable(url)
    if problem:
        print(f"PostgreSQL not reachable at {url}: {problem}", file=sys.stderr)
        return
    with scratch_schema(url, prefix="bench") as scratch:
        bench("PostgreSQL", scratch)
