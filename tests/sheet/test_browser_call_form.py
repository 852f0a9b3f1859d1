"""In Chromium: the card's call time and character counters; a ticket-tag flag's page."""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from callsheets.models import CallLog
from customers.services.flags import flag_raise_from_ticket
from tests.factories import AdminFactory, ContactFactory, FlagFactory, LeadFactory, TicketFactory
from tests.sheet.realistic import realistic_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_call_form_offers_a_time_and_counts_characters(login_page, live_server, screenshot_dir):
    sheet = realistic_sheet()
    second = sheet.entries.get(position=2)
    page = login_page(sheet.executive.user)
    page.goto(f"{live_server.url}/sheet/")
    card = page.locator(f"#entry-{second.pk}")

    card.get_by_text("Left voicemail", exact=True).click()
    when = card.locator("input[name$='-called_at']")
    assert when.get_attribute("type") == "datetime-local"
    offered = datetime.strptime(when.input_value(), "%Y-%m-%dT%H:%M")
    now_there = timezone.localtime(timezone.now(), sheet.executive.zoneinfo).replace(tzinfo=None)
    assert offered <= now_there  # never a time in the future
    assert "When (Oslo time)" in card.inner_text()

    notes = card.locator("textarea[name$='-notes']")
    counter = card.locator(".char-counter").first
    assert counter.inner_text() == "0 / 5,000 characters"
    notes.fill("No answer on the mobile; left a message with the assistant.")
    assert counter.inner_text() == "59 / 5,000 characters"
    notes.fill("x" * 6000)  # a paste longer than the limit stops at it
    assert notes.input_value() == "x" * 5000
    assert "near-limit" in counter.get_attribute("class")
    notes.fill("Left a message with the assistant; Dana calls back Thursday. " + "https://status.example.com/" * 8)
    card.get_by_role("button", name="+ Add another promise").click()
    card.locator("textarea[name$='-c-1-promise']").fill("Send the outage report")
    assert card.locator("textarea[name$='-c-1-promise'] + .char-counter").inner_text() == "22 / 500 characters"
    card.scroll_into_view_if_needed()
    card.screenshot(path=screenshot_dir / "sheet-card-call-form.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280  # the long URL wraps inside the card

    when.fill(offered.strftime("%Y-%m-%dT%H:%M"))
    card.locator("textarea[name$='-c-1-promise']").fill("")
    card.get_by_role("button", name="Save call").click()
    card = page.locator(f"#entry-{second.pk}")
    card.get_by_text("Correct or add a promise").wait_for()
    assert f"Called {offered:%a %-d %b, %H:%M}" in card.inner_text()
    card.screenshot(path=screenshot_dir / "sheet-card-called.png")
    call = CallLog.objects.get(entry=second)
    assert timezone.localtime(call.called_at, sheet.executive.zoneinfo).replace(tzinfo=None) == offered


def test_a_ticket_tag_flag_page_names_its_ticket(login_page, live_server, screenshot_dir):
    contact = ContactFactory(name="Dana Whitfield", customer__name="Acme Logistics")
    ticket = TicketFactory(
        customer=contact.customer,
        requester=contact,
        external_id="4900",
        subject="Shipments stuck in customs for a week",
        priority="urgent",
    )
    flag = flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")
    FlagFactory(raised_by=LeadFactory(first_name="Sam", last_name="Torres"), reason="Asked for the CEO by name.")
    later = TicketFactory(customer=contact.customer, external_id="4901", subject="Invoice disputed again")
    flag_raise_from_ticket(ticket_id=later.pk, tag="ceo-call")

    page = login_page(AdminFactory(first_name="Rita", last_name="Okafor"))
    page.goto(f"{live_server.url}/flags/{flag.pk}/")
    text = page.locator("[data-testid=flag-card]").inner_text()
    assert "from Zendesk ticket #4900" in text and "Zendesk ticket #4901 added on" in text
    assert page.locator("textarea[name=text] + .char-counter").inner_text() == "0 / 2,000 characters"
    page.screenshot(path=screenshot_dir / "flag-ticket-tag.png", full_page=True)

    page.goto(f"{live_server.url}/flags/")
    rows = page.locator("[data-testid=flag-row]")
    assert rows.count() == 2
    assert re.search(r"from Zendesk ticket #4900", rows.first.inner_text() + rows.last.inner_text())
    page.screenshot(path=screenshot_dir / "flag-list-admin.png", full_page=True)
