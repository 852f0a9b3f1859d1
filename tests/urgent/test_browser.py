"""A support lead raises an urgent flag in real Chromium; the flag page names the executive and the time,
and the executive's sheet has the customer first."""

from datetime import time

import pytest
import time_machine
from playwright.sync_api import expect

from callsheets.models import SheetEntry
from ceocalls.celery import app as celery_app
from tests.factories import ContactFactory, CustomerFactory, ExecutiveFactory, LeadFactory, ScoringPolicyFactory

from .conftest import NOW


@pytest.fixture(autouse=True)
def frozen_clock():
    """Monday 30 Nov 2026, 08:00 in Chicago; the clock runs so the browser and the server can work."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leads_urgent_flag_names_the_executive_and_the_time_at_once(
    login_page, live_server, screenshot_dir, eager_tasks
):
    ScoringPolicyFactory()
    maya = ExecutiveFactory(
        user__first_name="Maya", user__last_name="Lindqvist", weekday=1, start_time=time(10, 0),
        timezone="America/Chicago",
    )  # fmt: skip
    customer = CustomerFactory(name="Northwind Traders", timezone="America/Chicago")
    ContactFactory(customer=customer, name="Nina Berg", phone="+1 312 555 0101")
    lead = LeadFactory(first_name="Sam", last_name="Torres")

    page = login_page(lead)
    page.goto(f"{live_server.url}/flags/new/?customer={customer.pk}")
    page.fill("textarea[name=reason]", "CFO says they will not renew unless someone senior calls this week.")
    page.get_by_label("Urgent: first on the soonest sheet").check()
    page.get_by_role("button", name="Flag Northwind Traders").click()
    expect(page.get_by_text("Northwind Traders is flagged.")).to_be_visible()
    expect(page.locator(".flag-state").first).to_contain_text("Maya Lindqvist will call on Tue 1 Dec at 10:00")
    expect(page.locator(".flag-state").first).to_contain_text("first on the list")
    page.screenshot(path=screenshot_dir / "urgent_1_flag_page.png", full_page=True)
    entry = SheetEntry.objects.get(customer=customer)
    assert (entry.position, entry.sheet.executive) == (1, maya)

    sheet = login_page(maya.user)
    sheet.goto(f"{live_server.url}/sheet/2026-11-30/")
    first = sheet.locator("article.entry-card").first
    expect(first).to_contain_text("Northwind Traders")
    expect(first).to_contain_text("CFO says they will not renew")
    sheet.screenshot(path=screenshot_dir / "urgent_2_sheet.png", full_page=True)
