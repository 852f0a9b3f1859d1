"""A support lead flags a customer in real Chromium and follows the flag to the call's outcome.

The builder, the call-logging service and the lead's e-mail (notifications) are the real ones.
"""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from callsheets.builder import build_week
from callsheets.models import CallLog, SheetEntry, week_start_of
from callsheets.services.calls import PromiseInput, call_log
from ceocalls.celery import app as celery_app
from customers.models import Flag
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    LeadFactory,
    ScoringPolicyFactory,
)


@pytest.fixture
def eager_tasks():
    """The e-mail task runs in-process even when an earlier test started the session's real worker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lead_flags_a_customer_and_sees_it_scheduled_then_called(login_page, live_server, screenshot_dir, eager_tasks):
    ScoringPolicyFactory()
    executive = ExecutiveFactory(
        user__first_name="Jane", user__last_name="Doe", weekday=1, start_time=time(10, 0), timezone="Europe/Oslo"
    )
    lead = LeadFactory(first_name="Sam", last_name="Torres")
    # In London: Jane's Tuesday 10:00 in Oslo is 09:00 there, inside calling hours (03:00 in Chicago is not).
    customer = CustomerFactory(name="Northwind Traders", timezone="Europe/London")
    ContactFactory(customer=customer, name="Nina Berg")
    for name in ("Northgate Bank", "Contoso", "Fabrikam"):
        CustomerFactory(name=name)

    page = login_page(lead)
    started = timezone.now()
    page.goto(f"{live_server.url}/customers/")
    page.fill("#id_q", "northwind")
    row = page.locator("tr", has_text="Northwind Traders")
    expect(row).to_be_visible()  # arrives as you type, without pressing Search
    expect(page.locator("tr", has_text="Northgate Bank")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "flags_1_search.png", full_page=True)
    row.get_by_role("link", name="Flag").click()

    expect(page.get_by_test_id("chosen-customer")).to_contain_text("Northwind Traders")
    page.fill("textarea[name=reason]", "She hung up on our engineer after the third outage this month.")
    # Not urgent: this story is the weekly build's (an urgent flag is placed at once: tests/urgent).
    page.get_by_role("button", name="Flag Northwind Traders").click()
    expect(page.get_by_text("Northwind Traders is flagged.")).to_be_visible()
    expect(page.get_by_text("Waiting for the next call-sheet build")).to_be_visible()
    assert timezone.now() - started < timedelta(seconds=30)
    page.screenshot(path=screenshot_dir / "flags_2_raised.png", full_page=True)
    flag = Flag.objects.get(customer=customer)
    assert (flag.urgency, flag.raised_by) == ("normal", lead)

    week = week_start_of(timezone.localdate()) + timedelta(days=7)
    build_week(week=week)
    flag.refresh_from_db()
    sheet = flag.sheet
    assert flag.status == Flag.Status.SCHEDULED and sheet.executive == executive
    entry = SheetEntry.objects.get(sheet=sheet, flag=flag)

    page.goto(f"{live_server.url}/flags/")
    slot = timezone.localtime(sheet.slot_starts_at, executive.zoneinfo)
    expect(page.get_by_test_id("flag-row")).to_contain_text(
        f"Jane Doe will call on {slot:%a %-d %b} at 10:00, Oslo time (09:00 for the customer, London time), "
        "first on the list."
    )
    page.screenshot(path=screenshot_dir / "flags_3_scheduled.png", full_page=True)

    mail.outbox.clear()
    call_log(
        entry_id=entry.pk,
        by=executive.user,
        outcome=CallLog.Outcome.REACHED,
        duration_minutes=12,
        notes="Apologised; she wants the postmortem in writing.",
        sentiment=CallLog.Sentiment.UNHAPPY,
        promises=[
            PromiseInput(
                promise="Send the written postmortem",
                owner=executive.user,
                due_date=timezone.localdate() + timedelta(days=5),
            )
        ],
    )
    (email,) = mail.outbox
    assert email.to == [lead.email] and "Northwind Traders" in email.subject
    assert "Send the written postmortem" in email.body

    page.goto(f"{live_server.url}/flags/")
    row = page.get_by_test_id("flag-row")
    expect(row).to_contain_text(re.compile(r"Called by Jane Doe on \w{3} \d+ \w{3}: reached"))
    expect(row).to_contain_text("Spoke with Nina Berg.")
    expect(row).to_contain_text("Send the written postmortem")
    expect(row).not_to_contain_text("postmortem in writing")  # call notes are not the lead's to read
    page.screenshot(path=screenshot_dir / "flags_4_called.png", full_page=True)
