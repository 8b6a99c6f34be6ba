"""What leaves psoas: exports (JSON backup, CSV, FHIR R4, iCalendar) and progress charts.

Every function here is pure: it takes a :class:`~psoas.domain.tracking.History` (or a program
version) and returns text or bytes. Nothing reads the clock, the database or the file system.
Import from the submodules (:mod:`psoas.reports.exports`, :mod:`psoas.reports.charts`) so that
code needing only one of them does not load matplotlib or the FHIR models.
"""
