"""The bulk actions of /commitments/ in a real browser: a refused action, then the same one fixed,
ends on the list the user came from (it ended on a 405 before); drop asks for confirmation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callsheets.models import Commitment
from tests.factories import AdminFactory, CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_done_after_an_error_then_a_confirmed_drop(login_page, live_server, screenshot_dir):
    today = timezone.localdate()
    late = [
        CommitmentFactory(due_date=today - timedelta(days=d), promise=f"Late promise {d}", customer__name=f"Late {d}")
        for d in (1, 2, 4, 6, 9)
    ]
    CommitmentFactory(promise="Not due yet", due_date=today + timedelta(days=5))
    page = login_page(AdminFactory())
    came_from = f"{live_server.url}/commitments/?overdue=1&sort=due"
    page.goto(came_from)
    assert page.locator("#commitments tbody tr").count() == 5

    # 1. Mark three done without saying what was done: refused, the ticks stay.
    for c in late[:3]:
        page.check(f'input[name=ids][value="{c.pk}"]')
    page.select_option("select[name=action]", "done")
    page.click("#bulk button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Say what was done." in page.content()
    assert page.locator("input[name=ids]:checked").count() == 3
    assert page.inner_text("#bulk-count") == "3 selected"
    page.screenshot(path=screenshot_dir / "commitments-bulk-refused.png", full_page=True)

    # 2. Say it and apply again: saved, and back on the same filtered list with a message.
    page.fill("input[name=text]", "Credits issued on the December invoice")
    with page.expect_navigation() as navigation:
        page.click("#bulk button[type=submit]")
    assert navigation.value.status == 200  # was GET /commitments/bulk/?… → 405
    assert page.url == came_from
    assert page.inner_text(".alert-success").strip().startswith("3 commitments marked done.")
    assert page.locator("#commitments tbody tr").count() == 2
    assert Commitment.objects.filter(status="done").count() == 3
    page.screenshot(path=screenshot_dir / "commitments-bulk-done.png", full_page=True)

    # 3. Drop the other two: a confirmation page first, nothing changed yet.
    page.check("thead input[type=checkbox]")  # select all on the page
    page.select_option("select[name=action]", "drop")
    page.fill("input[name=text]", "The customer moved to another vendor")
    page.click("#bulk button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#bulk-confirm h1").inner_text() == "Drop 2 commitments?"
    assert page.locator("#confirm-rows tbody tr").count() == 2
    assert not Commitment.objects.filter(status="dropped").exists()
    page.screenshot(path=screenshot_dir / "commitments-bulk-confirm.png", full_page=True)

    page.click("#confirm-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == came_from
    assert "2 commitments dropped." in page.inner_text(".alert-success")
    assert page.locator("#empty").is_visible()
    assert set(Commitment.objects.filter(status="dropped").values_list("pk", flat=True)) == {late[3].pk, late[4].pk}
    page.screenshot(path=screenshot_dir / "commitments-bulk-dropped.png", full_page=True)
