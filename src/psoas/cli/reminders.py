"""``psoas reminders``: send the Web Push reminders that are due (for cron, or a loop)."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer

from psoas.cli.common import Format, FormatOption, echo_json

reminders_app = typer.Typer(
    help="Reminders that reach people with the page closed (Web Push).", no_args_is_help=True
)


def format_report(report: object) -> str:
    """One line a cron log can keep: what was due, sent, delivered and removed."""
    r = asdict(report)  # type: ignore[call-overload]
    return (
        f"{r['due']} due, {r['sent']} sent ({r['delivered']} delivered, {r['failed']} failed), "
        f"{r['already_claimed']} already sent by another server, "
        f"{r['removed']} expired subscriptions removed"
    )


@reminders_app.command("send")
def send(
    loop: Annotated[
        int | None,
        typer.Option(min=5, max=3600, help="keep running: a round every this many seconds"),
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Send every reminder due now (session times, sitting breaks), once.

    Run it from cron every minute (``* * * * * psoas reminders send``), or with ``--loop 60``.
    Beside the web app's own scheduler, or on several servers, each reminder still goes out
    once: it is claimed in the database before it is sent.
    """
    from psoas.services import push
    from psoas.services.tracking import open_database
    from psoas.settings import Settings

    settings = Settings()
    db = open_database()
    try:
        while True:
            report = push.send_due(db, settings=settings, now=datetime.now(UTC))
            if format is Format.json:
                echo_json(asdict(report))
            else:
                typer.echo(format_report(report))
            if loop is None:
                return
            time.sleep(loop)
    finally:
        db.close()
