"""``psoas admin``: what the server's operator does for a clinic (a new clinic and its first
administrator; from then on the administrator invites the clinic's clinicians on the web)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any

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


AsAdmin = Annotated[
    str,
    typer.Option(
        "--as",
        help="the email of an administrator of the clinic: the change is recorded as theirs",
    ),
]


def _run_as(admin_email: str, act: Callable[..., object]) -> object:
    """Run ``act(db, admin, now)`` for the administrator with this email; errors to stderr."""
    from datetime import UTC, datetime

    from psoas.services import clinics
    from psoas.services.accounts import AccountError, NotFound
    from psoas.services.tracking import open_database

    db = open_database()
    try:
        admin = clinics.user_by_email(db, email=admin_email)
        return act(db, admin, datetime.now(UTC))
    except NotFound as exc:
        raise fail(
            [f"--as/clinician: no such {exc.args[0] if exc.args else 'thing'} in that clinic"]
        ) from None
    except AccountError as exc:
        raise fail([str(exc)]) from None
    finally:
        db.close()


@admin_app.command("remove-clinician")
def remove_clinician(
    clinician_email: Annotated[str, typer.Argument(help="the clinician to remove")],
    admin_email: AsAdmin,
) -> None:
    """Remove a clinician from the clinic: their places in its care teams end at once; each
    patient they led gets another clinician of the team as lead (or none) and is told."""
    from psoas.services import clinics

    def act(db: Any, admin: Any, now: Any) -> object:
        target = clinics.user_by_email(db, email=clinician_email)
        return clinics.remove_clinician(db, admin=admin, clinician_id=target.id, now=now)

    affected = _run_as(admin_email, act)
    typer.echo(f"{clinician_email} removed from the clinic; {affected} care-team place(s) ended.")


@admin_app.command("add-admin")
def add_admin(
    clinician_email: Annotated[str, typer.Argument(help="a clinician of the clinic")],
    admin_email: AsAdmin,
) -> None:
    """Make a clinician of the clinic an administrator too."""
    from psoas.services import clinics

    def act(db: Any, admin: Any, now: Any) -> object:
        target = clinics.user_by_email(db, email=clinician_email)
        clinics.set_admin(db, admin=admin, clinician_id=target.id, is_admin=True, now=now)
        return None

    _run_as(admin_email, act)
    typer.echo(f"{clinician_email} is now an administrator of the clinic.")


@admin_app.command("hand-over")
def hand_over(
    clinician_email: Annotated[str, typer.Argument(help="the clinician who takes the role")],
    admin_email: AsAdmin,
) -> None:
    """Hand the administrator role to a colleague (the one handing over stays a clinician)."""
    from psoas.services import clinics

    def act(db: Any, admin: Any, now: Any) -> object:
        target = clinics.user_by_email(db, email=clinician_email)
        clinics.hand_over(db, admin=admin, clinician_id=target.id, now=now)
        return None

    _run_as(admin_email, act)
    typer.echo(f"{clinician_email} is now the administrator; {admin_email} is not any more.")


@admin_app.command("rename-clinic")
def rename_clinic(
    name: Annotated[str, typer.Argument(help="the clinic's new name, as patients see it")],
    admin_email: AsAdmin,
) -> None:
    """Rename the administrator's clinic."""
    from psoas.services import clinics

    def act(db: Any, admin: Any, now: Any) -> object:
        return clinics.rename_clinic(db, admin=admin, name=name, now=now)

    clinic = _run_as(admin_email, act)
    typer.echo(f"The clinic is now called {getattr(clinic, 'name', name)!r}.")
