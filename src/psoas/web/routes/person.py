"""The person's data: download everything psoas holds about you (the account page and the API),
and delete your account and health data, confirmed with your password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from psoas.services import accounts, person, throttle
from psoas.web.deps import DB, SESSION_COOKIE, BrowserUser, CurrentUser, Now
from psoas.web.pages import render

router = APIRouter()

ZIP = "application/zip"


def _archive(request: Request, db: DB, user: accounts.User, now: Now) -> Response:
    data = person.export_archive(
        db, user=user, now=now, emergency_number=request.app.state.settings.emergency_number
    )
    name = f"psoas-my-data-{now:%Y-%m-%d}.zip"
    return Response(
        data, media_type=ZIP, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/account/my-data.zip", include_in_schema=False)
def my_data_page(request: Request, db: DB, now: Now, user: CurrentUser) -> Response:
    return _archive(request, db, user, now)


@router.get(
    "/api/v1/me/data",
    response_class=Response,
    tags=["account"],
    responses={200: {"content": {ZIP: {}}, "description": "a zip file"}},
)
def api_my_data(request: Request, db: DB, now: Now, user: CurrentUser) -> Response:
    """Everything psoas holds about you in one zip: your account (no secrets), who opened your
    record, the follow-ups shared with you, and every record download (JSON backup, CSV, FHIR,
    and the handout and calendar when there is a program to show)."""
    return _archive(request, db, user, now)


def _delete_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "account/delete.html",
        status_code=status_code,
        title="Delete your account",
        kept=person.KEPT_AFTER_DELETION,
        backups=person.BACKUPS_NOTE,
        **extra,
    )


@router.get("/account/delete", include_in_schema=False)
def delete_page(request: Request, user: BrowserUser) -> Response:
    return _delete_page(request)


@router.post("/account/delete", include_in_schema=False)
def delete_form(
    request: Request,
    db: DB,
    now: Now,
    user: BrowserUser,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        done = person.delete_account(db, user=user, password=password, now=now)
    except throttle.Throttled as exc:
        page = _delete_page(request, status_code=429, errors=[str(exc)])
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except accounts.AccountError as exc:
        return _delete_page(request, status_code=400, errors=[str(exc)])
    request.state.user = None  # the page that says so is shown signed out
    page = render(
        request,
        "account/deleted.html",
        title="Account deleted",
        done=done,
        role=user.role,
        kept=person.KEPT_AFTER_DELETION,
        backups=person.BACKUPS_NOTE,
    )
    page.delete_cookie(SESSION_COOKIE, path="/")
    return page


class DeleteIn(BaseModel):
    password: str = Field(description="your current password, to confirm", max_length=1024)


class DeletedOut(BaseModel):
    removed: dict[str, int] = Field(description="what was deleted: how many of each")
    kept_audit_entries: int = Field(description="entries of the audit log kept")
    kept: str = Field(description="what is kept, and why")


@router.post(
    "/api/v1/me/delete",
    response_model=DeletedOut,
    tags=["account"],
    responses={
        400: {"description": "the password was not recognised; nothing was deleted"},
        403: {"description": "an API token cannot delete the account"},
        429: {"description": "too many wrong passwords; wait and try again"},
    },
)
def api_delete(
    response: Response, db: DB, now: Now, user: BrowserUser, body: DeleteIn
) -> DeletedOut:
    """Delete your account and your health data (from a signed-in browser; never with an API
    token). Only the log of who opened your record is kept."""
    try:
        done = person.delete_account(db, user=user, password=body.password, now=now)
    except throttle.Throttled as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(exc), {"Retry-After": str(exc.retry_after)}
        ) from exc
    except accounts.AccountError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    response.delete_cookie(SESSION_COOKIE, path="/")
    return DeletedOut(
        removed=done.removed,
        kept_audit_entries=done.kept_audit_entries,
        kept=person.KEPT_AFTER_DELETION,
    )
