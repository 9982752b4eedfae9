"""The staff admin driven by a real browser: Debian's Chromium
through Playwright against pytest-django's live server.

Skipped on a machine without /usr/bin/chromium; with REQUIRE_SERVICES=1 (CI, where `.ci/run`
installs the browser) a missing browser fails the test instead. Screenshots of every step
land in `test-output/browser/` (gitignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.models import Plan, Role, SubscriptionEvent
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from adminpanel.models import AdminNote, ErrorLog
from adminpanel.tests.factories import ActivityFactory, ErrorLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
# The CI machine has no network: without these Chromium keeps trying to reach Google's
# services in the background and fills the log with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-output" / "browser"
STEP_TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    required = os.environ.get("REQUIRE_SERVICES", "") in ("1", "true", "yes")
    if not CHROMIUM.exists():
        if required:
            pytest.fail(
                f"REQUIRE_SERVICES=1 but {CHROMIUM} is missing: install Debian's chromium "
                "(apt-get install -y chromium), as .ci/run does."
            )
        pytest.skip(f"needs Debian's chromium at {CHROMIUM}")


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop registered as running on this thread, and
    # Django then refuses ORM calls from it (SynchronousOnlyOperation). The test thread only
    # reads and writes the test database between browser steps, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _run_action(page, action: str, row_text: str) -> None:
    """Tick the one row showing `row_text`, choose `action` and press Go."""
    page.locator("#result_list tbody tr").filter(has_text=row_text).locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.locator("button[name=index]").click()


def test_staff_walks_through_the_admin_in_a_real_browser(page, live_server):
    from playwright.sync_api import expect

    staff = UserFactory(email="staff@example.com", role=Role.ADMIN, is_staff=True, is_superuser=True)
    pro_users = [UserFactory(email=f"pro{i}@example.com", subscription_plan=Plan.PRO) for i in range(2)]
    starter = UserFactory(email="starter@example.com", subscription_plan=Plan.STARTER)
    free = UserFactory(email="free@example.com", subscription_plan=Plan.FREE)
    UserFactory(email="big@example.com", subscription_plan=Plan.ENTERPRISE)
    error = ErrorLogFactory(error_type="UploadError", message="Transcoding failed for upload 42")
    ActivityFactory(user=starter, action="user.login")
    admin_url = f"{live_server.url}/django-admin"

    # Log in through the form.
    page.goto(f"{admin_url}/")
    expect(page).to_have_url(re.compile(r"/django-admin/login/"))
    page.fill("#id_username", staff.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    _shot(page, "01-login")
    page.locator("#login-form [type=submit]").click()

    # The dashboard with its server-side SVG charts.
    expect(page.locator("#dashboard")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.locator("#dashboard svg.cc-chart").count() >= 2
    _shot(page, "02-dashboard")

    # Users, filtered by plan through the sidebar link.
    page.goto(f"{admin_url}/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator('#changelist-filter details[data-filter-title="subscription plan"]').get_by_role(
        "link", name="Pro", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"subscription_plan__exact=pro"))
    # The URL changes when the navigation commits, before the new list is parsed: wait for
    # the rows themselves, or the read below can race the page and see none.
    listed_links = page.locator("#result_list tbody th a")
    expect(listed_links).to_have_count(len(pro_users))
    listed = listed_links.all_inner_texts()
    assert sorted(listed) == sorted(user.email for user in pro_users)
    _shot(page, "03-users-filtered-by-plan")

    # A note added through the inline on a user's page.
    page.get_by_role("link", name=pro_users[0].email, exact=True).click()
    page.fill("textarea[name='admin_notes-0-content']", "Asked for an invoice by post.")
    _shot(page, "04-user-note")
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    note = AdminNote.objects.get(user=pro_users[0])
    assert note.content == "Asked for an invoice by post." and note.author_id == staff.pk
    _shot(page, "05-user-saved")

    # "Change plan" from the changelist: a confirmation page, then apply.
    page.goto(f"{admin_url}/accounts/user/")
    _run_action(page, "change_plan", free.email)
    page.select_option("select[name=plan]", Plan.PRO)
    page.select_option("select[name=status]", "active")
    _shot(page, "06-change-plan-confirm")
    page.locator("input[name=apply]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Plan changed for 1 user(s).")
    free.refresh_from_db()
    assert (free.subscription_plan, free.subscription_status) == (Plan.PRO, "active")
    assert SubscriptionEvent.objects.filter(user=free, to_plan=Plan.PRO, changed_by=staff).count() == 1
    _shot(page, "07-plan-changed")

    # An error resolved through its action, with a note.
    page.goto(f"{admin_url}/adminpanel/errorlog/")
    _run_action(page, "mark_resolved", error.message)
    page.fill("textarea[name=notes]", "Re-encoded the file by hand.")
    _shot(page, "08-resolve-error")
    page.locator("input[name=apply]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("1 error(s) marked resolved.")
    error = ErrorLog.objects.get(pk=error.pk)
    assert error.resolved and error.resolved_by_id == staff.pk and error.notes == "Re-encoded the file by hand."
    _shot(page, "09-error-resolved")

    # The audit log, downloaded as CSV.
    page.goto(f"{admin_url}/auditlog/logentry/")
    expect(page.locator("#result_list")).to_contain_text("ERROR_RESOLVE")
    _shot(page, "10-audit-log")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == "audit-log.csv"
    exported = Path(download.path()).read_text(encoding="utf-8")
    assert exported.startswith("id,timestamp,action,")
    assert "ERROR_RESOLVE" in exported and staff.email in exported
