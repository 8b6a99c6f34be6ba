"""Alembic environment: the engine comes from psoas.storage.db (never from a config file).

On SQLite a migration that changes a table in batch mode copies it into a new table and drops
the old one. With foreign keys on, that drop would delete (ON DELETE CASCADE) every row that
points at the table: an account's notes, invitations and audit entries with the users table.
So foreign keys are off while migrations run (SQLite only takes that outside a transaction),
every reference is checked before the migration commits, and they are on again after.
"""

from __future__ import annotations

from alembic import context

from psoas.storage.tables import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
