import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from callsheets.models import CallLog, UrgentCall, week_start_of
from customers.models import Flag, FlagNote
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client):
    user = LeadFactory(first_name="Lena", last_name="Lead")
    client.force_login(user)
    return user


def test_only_leads_and_admins_reach_the_flag_pages(client):
    flag = FlagFactory()
    for user, code in [
        (ExecutiveFactory().user, 403),
        (UserFactory(), 403),
        (LeadFactory(), 200),
        (AdminFactory(), 200),
    ]:
        client.force_login(user)
        assert client.get("/flags/").status_code == code
        assert client.get("/flags/new/").status_code == code
        assert client.get(f"/flags/{flag.pk}/").status_code == code
    client.force_login(ExecutiveFactory().user)
    response = client.post("/flags/new/", {"customer": flag.customer.pk, "reason": "x", "urgency": "normal"})
    assert response.status_code == 403


def test_new_flag_form_lists_only_that_customers_tickets_and_contacts(client, lead):
    contact = ContactFactory(name="Jane Doe")
    TicketFactory(customer=contact.customer, subject="Export times out")
    TicketFactory(subject="Someone else's ticket")
    body = client.get("/flags/new/", {"customer": contact.customer.pk}).content.decode()
    assert contact.customer.name in body and "Export times out" in body and "Jane Doe" in body
    assert "Someone else&#x27;s ticket" not in body and "Someone else's ticket" not in body


def test_raise_a_flag_through_the_form(client, lead):
    contact = ContactFactory()
    ticket = TicketFactory(customer=contact.customer)
    response = client.post(
        "/flags/new/",
        {
            "customer": contact.customer.pk,
            "reason": "She hung up on us.",
            "urgency": "urgent",
            "ticket": ticket.pk,
            "contact": contact.pk,
        },
    )
    flag = Flag.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/flags/{flag.pk}/"
    assert (flag.raised_by, flag.urgency, flag.ticket, flag.contact) == (lead, "urgent", ticket, contact)
    body = client.get(response["Location"]).content.decode()
    # Urgent, and nobody to call: the flag says so at once instead of waiting for a build.
    assert "is flagged" in body and "there is no active executive to call" in body


def test_unknown_customer_and_foreign_ticket_are_refused_beside_the_fields(client, lead):
    body = client.get("/flags/new/", {"customer": 424242}).content.decode()
    assert "There is no customer with id 424242" in body

    response = client.post("/flags/new/", {"customer": 424242, "reason": "Kept text.", "urgency": "urgent"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is no customer with id 424242" in body
    assert "Kept text." in body

    customer = CustomerFactory()
    foreign = TicketFactory()
    response = client.post(
        "/flags/new/", {"customer": customer.pk, "reason": "Kept text.", "urgency": "urgent", "ticket": foreign.pk}
    )
    body = response.content.decode()
    assert "belongs to another customer" in body and "Kept text." in body
    assert re.search(r'value="urgent"[^>]*checked', body)
    assert not Flag.objects.exists()


def test_missing_reason_and_customer_are_named(client, lead):
    body = client.post("/flags/new/", {"customer": "", "reason": "", "urgency": "normal"}).content.decode()
    assert "Choose the customer to flag." in body and "Say in a sentence or two why the CEO should call." in body


def test_second_flag_shows_the_open_one_and_adds_to_it(client, lead):
    first = FlagFactory(reason="First story.")
    body = client.get("/flags/new/", {"customer": first.customer.pk}).content.decode()
    assert "is already flagged" in body and "First story." in body

    response = client.post(
        "/flags/new/", {"customer": first.customer.pk, "reason": "Her CFO called too.", "urgency": "urgent"}
    )
    body = response.content.decode()
    assert "is already flagged" in body and "Her CFO called too." in body  # their text, ready to add
    assert Flag.objects.count() == 1

    response = client.post(f"/flags/{first.pk}/notes/", {"text": "Her CFO called too.", "make_urgent": "on"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.urgency == "urgent" and FlagNote.objects.get().author == lead
    # The flag now follows this lead too.
    assert "First story." in client.get("/flags/").content.decode()


def test_empty_note_is_refused_with_the_error_beside_it(client, lead):
    flag = FlagFactory()
    response = client.post(f"/flags/{flag.pk}/notes/", {"text": ""})
    assert response.status_code == 400 and "Write what you want to add." in response.content.decode()


def test_my_flags_for_a_lead_all_for_an_admin_and_filter_by_state(client, lead):
    FlagFactory(raised_by=lead, reason="Mine, open.")
    FlagFactory(raised_by=lead, reason="Mine, dismissed.", status="dismissed", dismissed_reason="Not for the CEO.")
    FlagFactory(reason="Someone else's.")
    body = client.get("/flags/").content.decode()
    assert "My flags" in body and "Mine, open." in body and "Mine, dismissed." in body and "Someone else" not in body
    body = client.get("/flags/", {"state": "dismissed"}).content.decode()
    assert "Mine, dismissed." in body and "Mine, open." not in body and "“Not for the CEO.”" in body
    assert "Showing every state" in client.get("/flags/", {"state": "lost"}).content.decode()

    client.force_login(AdminFactory())
    body = client.get("/flags/").content.decode()
    assert "All flags" in body and "Someone else" in body and "Mine, open." in body


def test_admin_dismisses_with_a_reason_the_lead_reads(client, lead):
    flag = FlagFactory(raised_by=lead)
    admin = AdminFactory(first_name="Ada", last_name="Admin")
    client.force_login(lead)
    assert client.post(f"/flags/{flag.pk}/dismiss/", {"reason": "No."}).status_code == 403
    client.force_login(admin)
    response = client.post(f"/flags/{flag.pk}/dismiss/", {"reason": ""})
    assert response.status_code == 400 and "Tell the lead why" in response.content.decode()
    assert client.post(f"/flags/{flag.pk}/dismiss/", {"reason": "The account team owns this."}).status_code == 302
    client.force_login(lead)
    body = client.get("/flags/").content.decode()
    assert "Dismissed by Ada Admin" in body and "The account team owns this." in body


def test_scheduled_flag_names_the_executive_and_local_slot(client, lead):
    executive = ExecutiveFactory(user__first_name="Jane", user__last_name="Doe", timezone="Europe/Oslo", weekday=1)
    sheet = CallSheetFactory(executive=executive, week_start=date(2026, 11, 30))
    FlagFactory(raised_by=lead, status=Flag.Status.SCHEDULED, sheet=sheet)
    body = client.get("/flags/").content.decode()
    assert "Scheduled on Jane Doe&#x27;s sheet for Tuesday 1 Dec 10:00 (Europe/Oslo)" in body


def test_called_flag_shows_outcome_and_commitments(client, lead):
    executive = ExecutiveFactory(user__first_name="Jane", user__last_name="Doe")
    call = CallLogFactory(
        executive=executive,
        outcome=CallLog.Outcome.REACHED,
        called_at=datetime(2026, 12, 1, 10, 5, tzinfo=ZoneInfo("Europe/Oslo")),
        notes="Private notes.",
    )
    CommitmentFactory(call=call, promise="Credit the March invoice")
    FlagFactory(raised_by=lead, customer=call.customer, status=Flag.Status.CALLED, call=call)
    body = client.get("/flags/").content.decode()
    assert "Called by Jane Doe on Tue 1 Dec: reached" in body and "Credit the March invoice" in body
    assert "Private notes." not in body


def test_unreached_call_invites_a_new_flag(client, lead):
    call = CallLogFactory(outcome=CallLog.Outcome.NO_ANSWER)
    flag = FlagFactory(raised_by=lead, customer=call.customer, status=Flag.Status.CALLED, call=call)
    body = client.get(f"/flags/{flag.pk}/").content.decode()
    assert "not reached (no answer)" in body and f"/flags/new/?customer={call.customer.pk}" in body


def test_open_flag_not_placed_says_why(client, lead):
    flag = FlagFactory(raised_by=lead, not_placed_reason="In cooldown until 3 Jan")
    ContactFactory(customer=flag.customer, phone="+47 22 00 00 00", do_not_call=False)
    assert "Not placed on the last build: In cooldown until 3 Jan" in client.get("/flags/").content.decode()


def test_customer_picker_searches_as_you_type(client, lead):
    CustomerFactory(name="Northwind Traders")
    response = client.get("/flags/new/", {"q": "north"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "Northwind Traders" in body and "/flags/new/?customer=" in body
    assert (
        "No customer matches"
        in client.get("/flags/new/", {"q": "zzz"}, headers={"HX-Request": "true"}).content.decode()
    )


def test_flag_list_query_count_is_fixed(client, lead, django_assert_max_num_queries):
    week = week_start_of(timezone.localdate())
    for n in range(30):
        sheet = CallSheetFactory(week_start=week - timedelta(weeks=n))
        call = CallLogFactory()
        CommitmentFactory(call=call)
        FlagFactory(raised_by=lead, status=Flag.Status.SCHEDULED, sheet=sheet)
        FlagFactory(raised_by=lead, status=Flag.Status.CALLED, call=call, customer=call.customer)
    # 12, whatever the number of flags: the page (sign-in, counts, 25 flags), their sheets and calls
    # prefetched, promises, notes, and the plans' sheet entries and calls.
    with django_assert_max_num_queries(12):
        response = client.get("/flags/")
    assert response.status_code == 200 and response.content.count(b'data-testid="flag-row"') == 25


def test_flag_list_reads_the_urgent_calls_of_a_page_in_one_query(
    client, lead, django_assert_num_queries, django_assert_max_num_queries
):
    def urgent_call_flags(n):
        for _ in range(n):
            flag = FlagFactory(raised_by=lead, status=Flag.Status.SCHEDULED, urgency=Flag.Urgency.URGENT)
            UrgentCall.objects.create(
                flag=flag,
                executive=ExecutiveFactory(),
                customer=flag.customer,
                deadline=timezone.now() + timedelta(days=1),
            )

    urgent_call_flags(2)
    with django_assert_max_num_queries(13) as few:
        body = client.get("/flags/").content.decode()
    assert body.count("An urgent call:") == 2
    urgent_call_flags(6)
    with django_assert_num_queries(len(few)):
        body = client.get("/flags/").content.decode()
    assert body.count("An urgent call:") == 8
