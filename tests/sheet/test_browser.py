"""The call sheet in Debian's headless Chromium: what an executive does at 9:58 on a Tuesday."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callsheets.models import CallLog, Commitment
from tests.factories import UserFactory
from tests.sheet.realistic import realistic_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executive_logs_a_reached_call_with_two_promises_without_leaving_the_page(
    login_page, live_server, screenshot_dir
):
    sheet = realistic_sheet()
    UserFactory(first_name="Tom", last_name="Reed", email="tom.reed@example.com")
    executive = sheet.executive
    first = sheet.entries.get(position=1)
    page = login_page(executive.user)

    page.goto(f"{live_server.url}/sheet/")
    page.screenshot(path=screenshot_dir / "sheet-desktop.png", full_page=True)
    card = page.locator(f"#entry-{first.pk}")
    assert card.locator("a[href^='tel:']").get_attribute("href") == "tel:+13125550142"
    assert "in Chicago" in card.inner_text()

    page.evaluate("window.stillHere = true")
    card.get_by_text("Reached", exact=True).click()
    card.locator("textarea[name$='-notes']").fill("Dana is angry about the outages; agreed to a January review.")
    card.locator("input[name$='-duration_minutes']").fill("14")
    card.locator("select[name$='-sentiment']").select_option("unhappy")
    due = timezone.localdate() + timedelta(days=7)
    card.locator("textarea[name$='-c-0-promise']").fill("Credit December for the three outages")
    card.locator("input[name$='-c-0-due_date']").fill(due.isoformat())
    card.get_by_role("button", name="+ Add another promise").click()
    card.locator("textarea[name$='-c-1-promise']").fill("Route export fix for large fleets")
    card.locator("select[name$='-c-1-owner']").select_option(label="Tom Reed")
    card.locator("input[name$='-c-1-due_date']").fill((due + timedelta(days=7)).isoformat())
    card.screenshot(path=screenshot_dir / "sheet-card-filled.png")
    card.get_by_role("button", name="Save call").click()

    card = page.locator(f"#entry-{first.pk}")
    card.get_by_text("Promised", exact=True).wait_for()
    assert page.evaluate("window.stillHere") is True  # htmx swapped the card; the page never reloaded
    assert page.locator("#sheet-progress").inner_text() == "1 of 4 called"
    card.screenshot(path=screenshot_dir / "sheet-card-logged.png")

    call = CallLog.objects.get(entry=first)
    assert (call.outcome, call.duration_minutes, call.sentiment) == ("reached", 14, "unhappy")
    assert sorted(Commitment.objects.filter(call=call).values_list("promise", "owner__first_name")) == [
        ("Credit December for the three outages", "Astrid"),
        ("Route export fix for large fleets", "Tom"),
    ]

    page.reload()
    card = page.locator(f"#entry-{first.pk}")
    text = card.inner_text()
    assert "Credit December for the three outages" in text and "Route export fix for large fleets" in text
    assert "Tom Reed" in text and "Reached · 14 min · unhappy" in text


def test_a_mistake_is_shown_beside_the_field_and_the_typing_is_kept(login_page, live_server, screenshot_dir):
    sheet = realistic_sheet()
    second = sheet.entries.get(position=2)
    page = login_page(sheet.executive.user)
    page.goto(f"{live_server.url}/sheet/")
    card = page.locator(f"#entry-{second.pk}")

    card.get_by_text("Reached", exact=True).click()
    card.locator("textarea[name$='-notes']").fill("Ingrid wants the rounding fixed this month.")
    card.locator("textarea[name$='-c-0-promise']").fill("Fix NOK rounding")
    card.locator("input[name$='-c-0-due_date']").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    card.get_by_role("button", name="Save call").click()

    card = page.locator(f"#entry-{second.pk}")
    card.locator(".invalid-feedback").first.wait_for()
    assert "is in the past" in card.locator(".invalid-feedback").first.inner_text()
    assert card.locator("textarea[name$='-notes']").input_value() == "Ingrid wants the rounding fixed this month."
    assert card.locator("textarea[name$='-c-0-promise']").input_value() == "Fix NOK rounding"
    card.screenshot(path=screenshot_dir / "sheet-card-error.png")
    assert not CallLog.objects.filter(entry=second).exists()


def test_skipping_moves_a_backup_up(login_page, live_server):
    sheet = realistic_sheet()
    fourth = sheet.entries.get(position=4)
    # The first backup is in Singapore, where the fourth call's time is 22:00: outside calling
    # hours, so the second backup (New York, 09:00 there) moves up instead.
    singapore, backup = sheet.entries.get(position=5), sheet.entries.get(position=6)
    page = login_page(sheet.executive.user)
    page.goto(f"{live_server.url}/sheet/")

    page.locator(f"#entry-{fourth.pk}").get_by_role("button", name="Skip this call").click()

    page.locator(f"#entry-{backup.pk} .entry-number").wait_for()
    assert page.locator(f"#entry-{backup.pk} .entry-number").inner_text() == "4"
    assert "Skipped this week." in page.locator(f"#entry-{fourth.pk}").inner_text()
    singapore.refresh_from_db()
    assert singapore.is_backup


def test_print_view_and_phone_layout(login_page, live_server, screenshot_dir):
    sheet = realistic_sheet()
    page = login_page(sheet.executive.user)

    page.goto(f"{live_server.url}/sheet/{sheet.week_start}/print/")
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    assert page.locator("section.print-entry").count() == 6
    page.screenshot(path=screenshot_dir / "sheet-print.png", full_page=True)
    page.pdf(path=screenshot_dir / "sheet-print.pdf", format="A4")

    phone = login_page(sheet.executive.user, viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/sheet/")
    call_button = phone.locator("a.btn-call").first
    box = call_button.bounding_box()
    assert box["width"] > 330  # thumb-sized, full width
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=screenshot_dir / "sheet-phone.png")
    phone.screenshot(path=screenshot_dir / "sheet-phone-full.png", full_page=True)
