"""Issue 14 in a real browser (Chromium, on SQLite then PostgreSQL): download everything psoas
holds about you from the account page, then delete the account with the password."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from tests.e2e.test_journeys import PASSWORD, shot, sign_up


def test_download_my_data_then_delete_the_account(page: Any, server: Any) -> None:
    email = sign_up(page)
    page.goto("/account")
    with page.expect_download() as started:
        page.click("text=Download everything psoas holds about you")
    download = started.value
    assert download.suggested_filename.startswith("psoas-my-data-")
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        account = json.loads(archive.read("account.json"))
    assert {"README.txt", "account.json", "audit.json", "record/backup.json"} <= names
    assert account["email"] == email

    page.click("text=Delete your account")
    page.wait_for_load_state()
    assert page.url.endswith("/account/delete")
    assert page.locator("text=What is kept").is_visible()
    page.fill("#password", "not my password at all")
    page.click("button:has-text('Delete my account')")
    page.wait_for_load_state()
    assert page.locator(".errors").inner_text().count("not recognised") == 1
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Delete my account')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your account is deleted"
    shot(page, "account-deleted")
    assert page.request.get("/api/v1/me").status == 401
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    assert page.url.endswith("/signin")  # nobody can sign in to it any more
