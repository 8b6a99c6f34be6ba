"""A clinic's own exercises, held to the catalog's safety rules (issue 13; table in 0012).

:func:`catalog_for_clinic` is the one place that says which exercises a clinic's clinicians
pick from and which a patient's program may hold: psoas's catalog, plus the clinic's own.
"""

from __future__ import annotations

from psoas.catalog import load_catalog
from psoas.domain.catalog import Catalog
from psoas.storage.db import Database


def catalog_for_clinic(db: Database, clinic_id: int | None) -> Catalog:
    """The exercises of psoas's catalog, plus those of the clinic ``clinic_id`` (none yet)."""
    del db, clinic_id
    return load_catalog()
