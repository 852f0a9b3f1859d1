"""An executive finds their calendar feed and e-mail settings in real Chromium."""

import pytest

from notifications.models import NotificationPreference
from tests.factories import ExecutiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executive_turns_off_the_briefing_and_replaces_the_feed_address(login_page, live_server, screenshot_dir):
    executive = ExecutiveFactory()
    old_token = executive.calendar_token
    page = login_page(executive.user)

    page.click("text=E-mail & calendar")
    page.wait_for_url("**/notifications/")
    feed = page.locator("input.font-monospace")
    assert feed.input_value().endswith(f"/calendar/{old_token}.ics")
    page.screenshot(path=str(screenshot_dir / "notifications-preferences.png"), full_page=True)

    page.uncheck("#id_weekly_briefing")
    page.click("button:text('Save')")
    page.wait_for_selector("text=Your e-mail preferences are saved.")
    assert not page.is_checked("#id_weekly_briefing")
    assert NotificationPreference.objects.get(user=executive.user).weekly_briefing is False

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:text('Replace address')")
    page.wait_for_selector("text=feed has a new address")
    executive.refresh_from_db()
    assert executive.calendar_token != old_token
    assert page.locator("input.font-monospace").input_value().endswith(f"/calendar/{executive.calendar_token}.ics")
    assert page.request.get(f"{live_server.url}/calendar/{old_token}.ics").status == 404
    feed = page.request.get(f"{live_server.url}/calendar/{executive.calendar_token}.ics")
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
