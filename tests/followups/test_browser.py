"""The follow-up in Debian's headless Chromium: from the sheet card to a sent e-mail, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from callsheets.models import CallFollowUp
from callsheets.services.calls import PromiseInput, call_log
from tests.sheet.realistic import realistic_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executive_edits_and_sends_the_follow_up_once(login_page, live_server, screenshot_dir):
    sheet = realistic_sheet()
    executive = sheet.executive
    entry = sheet.entries.get(position=1)
    call = call_log(
        entry_id=entry.pk,
        by=executive.user,
        outcome="reached",
        notes="Furious about the double charge on the invoice; the CFO is leaving in March.",
        called_at=timezone.now() - timedelta(minutes=20),
        promises=[PromiseInput("Refund the double charge", executive.user, timezone.localdate() + timedelta(days=5))],
    )
    page = login_page(executive.user)

    page.goto(f"{live_server.url}/sheet/")
    page.locator(f"#entry-{entry.pk}").get_by_role("link", name="Write follow-up").click()
    page.wait_for_url(f"**/calls/{call.pk}/follow-up/")
    body = page.locator("textarea[name=body]")
    assert "Refund the double charge, by" in body.input_value()
    assert "CFO" not in body.input_value()
    page.locator("input[name=subject]").fill("Thank you, and what happens next")
    body.fill(body.input_value().replace("Thank you for taking the time", "Many thanks for taking the time"))
    page.screenshot(path=screenshot_dir / "follow-up-draft.png", full_page=True)
    page.get_by_role("button", name=f"Send to {entry.contact.email}").dblclick()

    page.get_by_text(f"The follow-up went to {entry.contact.email}.").wait_for()
    assert page.locator("textarea").count() == 0  # read-only once sent
    assert "Many thanks for taking the time" in page.locator("#follow-up").inner_text()
    page.screenshot(path=screenshot_dir / "follow-up-sent.png", full_page=True)
    sent = [m for m in mail.outbox if m.to == [entry.contact.email]]  # (the lead's flag e-mail may be there too)
    assert len(sent) == 1 and sent[0].subject == "Thank you, and what happens next"

    page.go_back()  # the form again, from the browser's history: sending it changes nothing
    if page.locator("button[type=submit]", has_text="Send to").count():
        page.locator("button[type=submit]", has_text="Send to").click()
        page.get_by_text("it was not sent again").wait_for()
    assert len([m for m in mail.outbox if m.to == [entry.contact.email]]) == 1
    assert CallFollowUp.objects.get().status == "sent"

    page.goto(f"{live_server.url}/sheet/")
    card = page.locator(f"#entry-{entry.pk}")
    assert "Follow-up sent" in card.inner_text()
    card.screenshot(path=screenshot_dir / "follow-up-card.png")
