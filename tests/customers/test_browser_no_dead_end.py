"""A lead meets a flag with no callable contact in real Chromium, adds the phone number from the flag
page, and reads what happens next; an admin then puts it on a sheet and the page names the call."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callsheets.models import week_start_of
from customers.models import Flag
from tests.factories import AdminFactory, ContactFactory, CustomerFactory, ExecutiveFactory, FlagFactory, LeadFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_lead_adds_a_phone_and_an_admin_places_the_flag(login_page, live_server, screenshot_dir):
    executive = ExecutiveFactory(
        user__first_name="Maya", user__last_name="Lindqvist", weekday=1, start_time=time(10), timezone="Europe/Oslo"
    )
    lead = LeadFactory(first_name="Lena", last_name="Lead")
    customer = CustomerFactory(name="Fjord Freight", timezone="Europe/London")
    ContactFactory(customer=customer, name="Sam Silent", phone="")
    flag = FlagFactory(
        customer=customer,
        raised_by=lead,
        not_placed_reason="No callable contact: every contact is marked do-not-call or has no phone number.",
    )

    page = login_page(lead)
    page.goto(f"{live_server.url}/flags/{flag.pk}/")
    expect(page.get_by_test_id("flag-plan")).to_contain_text("No callable contact for Fjord Freight")
    form = page.get_by_test_id("contact-form")
    expect(form).to_have_attribute("open", "")
    page.screenshot(path=screenshot_dir / "flag_plan_1_no_contact.png", full_page=True)
    expect(form.get_by_label("Contact", exact=True)).to_have_value(str(customer.contacts.get().pk))  # chosen for her
    form.get_by_label("Phone").fill("+44 20 7946 0018")
    form.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_text("Sam Silent can be called now; the flag is placed again.")).to_be_visible()
    expect(page.get_by_test_id("flag-plan")).to_contain_text("Waiting for the next call-sheet build")
    expect(page.get_by_text("Contact added by Lena Lead (a phone number for Sam Silent)")).to_be_visible()
    page.screenshot(path=screenshot_dir / "flag_plan_2_contact_added.png", full_page=True)

    admin_page = login_page(AdminFactory(first_name="Ada", last_name="Admin"))
    admin_page.goto(f"{live_server.url}/flags/{flag.pk}/")
    admin_page.get_by_text("Put on a sheet (admins decide)").click()
    place = admin_page.get_by_test_id("place-form")
    place.get_by_label("Executive").select_option(str(executive.pk))
    week = week_start_of(timezone.localdate()) + timedelta(weeks=1)
    place.get_by_label("Week").fill(week.isoformat())
    place.get_by_label("Why this sheet?").fill("The CFO asked for Maya by name.")
    place.get_by_role("button", name="Put on this sheet").click()
    expect(admin_page.get_by_test_id("flag-plan")).to_contain_text("Maya Lindqvist will call on Tue", timeout=10000)
    expect(admin_page.get_by_test_id("flag-plan")).to_contain_text("first on the list")
    expect(admin_page.get_by_text("The CFO asked for Maya by name.").first).to_be_visible()
    admin_page.screenshot(path=screenshot_dir / "flag_plan_3_placed.png", full_page=True)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.SCHEDULED and flag.sheet.executive == executive
