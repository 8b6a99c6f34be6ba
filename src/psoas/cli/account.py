"""``psoas account``: what the server's administrator does for a person's account (a clinic
without email resets passwords here)."""

from __future__ import annotations

from typing import Annotated

import typer

from psoas.cli.common import fail

account_app = typer.Typer(
    help="Accounts on this server (for its administrator).", no_args_is_help=True
)


@account_app.command("reset-password")
def reset_password(
    email: Annotated[str, typer.Argument(help="the email the person signs in with")],
    remove_two_factor: Annotated[
        bool,
        typer.Option(
            "--remove-two-factor", help="also turn off two-step sign-in (a lost phone and codes)"
        ),
    ] = False,
) -> None:
    """Set a new password for a person (asked twice, never shown). Every session, API token and
    trusted browser of theirs ends. Give the new password to them in person or by phone."""
    from psoas.services import account_links
    from psoas.services.accounts import AccountError, NotFound
    from psoas.services.tracking import open_database

    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    db = open_database()
    try:
        user = account_links.reset_password_by_admin(
            db, email=email, password=password, remove_two_factor=remove_two_factor
        )
    except (AccountError, NotFound) as exc:
        raise fail([str(exc).strip("'\"")]) from None
    finally:
        db.close()
    done = "Password reset" + (" and two-step sign-in removed" if remove_two_factor else "")
    typer.echo(f"{done} for {user.email}. Their other sessions and API tokens have ended.")
