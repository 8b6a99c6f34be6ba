"""``psoas admin``: what the server's operator does for a clinic (a new clinic and its first
administrator; from then on the administrator invites the clinic's clinicians on the web)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from psoas.cli.common import fail

admin_app = typer.Typer(help="Clinics on this server (for its operator).", no_args_is_help=True)


@admin_app.command("create-clinic")
def create_clinic(
    name: Annotated[str, typer.Argument(help="the clinic's name, as patients see it")],
    admin_email: Annotated[
        str, typer.Option("--admin-email", help="the first administrator's email (a new account)")
    ],
    admin_name: Annotated[
        str, typer.Option("--admin-name", help="their name, as patients see it")
    ] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="read the password from the first line of stdin (scripts)"
        ),
    ] = False,
) -> None:
    """Create a clinic and its first administrator, a clinician who invites the clinic's other
    clinicians from the Clinic page. The password is asked twice and never shown (or read from
    stdin with --password-stdin); give it to the administrator in person."""
    from datetime import UTC, datetime

    from psoas.services import clinics
    from psoas.services.accounts import AccountError
    from psoas.services.tracking import open_database

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database()
    try:
        clinic, admin = clinics.create_clinic(
            db,
            name=name,
            admin_email=admin_email,
            admin_name=admin_name or admin_email.split("@")[0],
            password=password,
            now=datetime.now(UTC),
        )
    except AccountError as exc:
        raise fail([str(exc)]) from None
    finally:
        db.close()
    typer.echo(
        f"Clinic {clinic.name!r} created; {admin.display_name} <{admin.email}> is its "
        "administrator. They sign in on the web and invite clinicians from the Clinic page."
    )
