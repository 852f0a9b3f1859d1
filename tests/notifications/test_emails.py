"""Every e-mail rendered, both parts, with the people and periods that get it."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import get_template

from callsheets.models import CallLog
from customers.services.flags import flag_mark_called
from notifications import services
from notifications.models import EmailDelivery, EmailKind
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CommitmentFactory,
    CustomerFactory,
    FlagFactory,
    LeadFactory,
    UserFactory,
)

from .factories import executive_in, sheet_with

pytestmark = pytest.mark.django_db

TUESDAY_MORNING_OSLO = datetime(2027, 3, 23, 6, 30, tzinfo=UTC)  # 07:30 in Oslo (CET)


def parts(message) -> tuple[str, str]:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return message.body, html


def test_weekly_briefing_on_the_morning_of_the_slot_day(settings):
    settings.SITE_URL = "https://calls.example.com"
    executive = executive_in(
        "Europe/Oslo", weekday=1, start=time(10, 0), first_name="Ingrid", email="ingrid@example.com"
    )
    sheet = sheet_with(executive, date(2027, 3, 22), customers=2, backups=1)
    first = sheet.entries.order_by("position").first()
    first.customer.name = "Fjord & Sons <AS>"
    first.customer.save()

    assert services.briefings_send_due(now=TUESDAY_MORNING_OSLO) == {"sent": 1}

    (message,) = mail.outbox
    assert message.to == ["ingrid@example.com"]
    assert message.subject == "Your customer calls Tuesday 23 Mar, 10:00: 2 customers"
    text, html = parts(message)
    assert "Good morning Ingrid" in text and "Good morning Ingrid" in html
    assert "Tuesday 23 March, 10:00–11:00 (Europe/Oslo)" in text
    assert "1. Fjord & Sons <AS>" in text  # plain text is not HTML-escaped
    assert "Fjord &amp; Sons &lt;AS&gt;" in html
    assert "https://calls.example.com/sheet/2027-03-22/" in text
    assert 'href="https://calls.example.com/sheet/2027-03-22/"' in html
    assert 'href="https://calls.example.com/sheet/2027-03-22/print/"' in html
    assert f'href="https://calls.example.com/customers/{first.customer_id}/"' in html
    assert f"tel:{first.contact.phone.replace(' ', '')}" in html
    assert "Backups:" in text and "NPS 2 on 12 Nov" in text
    # 10:00 in Oslo is 04:00 for the contact in Chicago (the factories' customer zone).
    assert f"{first.contact.phone_number.display} (04:00 their time)" in text
    assert "04:00 their time" in html
    assert 'href="https://calls.example.com/notifications/"' in html


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 3, 22, 6, 30, tzinfo=UTC),  # Monday: not the slot day
        datetime(2027, 3, 23, 4, 30, tzinfo=UTC),  # 05:30 in Oslo: before NOTIFY_BRIEFING_HOUR
        datetime(2027, 3, 23, 10, 0, tzinfo=UTC),  # 11:00 in Oslo: the slot is over
    ],
)
def test_no_briefing_outside_the_morning_of_the_slot_day(now):
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))
    sheet_with(executive, date(2027, 3, 22))
    assert services.briefings_send_due(now=now) == {}
    assert mail.outbox == []


def test_briefing_follows_the_executives_zone_across_the_clock_change():
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))
    sheet_with(executive, date(2027, 3, 29))
    # 05:30 UTC is 07:30 in Oslo after the change to summer time on 28 March.
    services.briefings_send_due(now=datetime(2027, 3, 30, 5, 30, tzinfo=UTC))
    (message,) = mail.outbox
    assert message.subject.startswith("Your customer calls Tuesday 30 Mar, 10:00")


def test_briefing_waits_for_a_sheet_and_goes_once_it_is_built():
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))
    assert services.briefings_send_due(now=TUESDAY_MORNING_OSLO) == {"no_sheet": 1}
    assert not EmailDelivery.objects.exists()
    sheet_with(executive, date(2027, 3, 22))
    assert services.briefings_send_due(now=TUESDAY_MORNING_OSLO + timedelta(hours=1)) == {"sent": 1}
    assert services.briefings_send_due(now=TUESDAY_MORNING_OSLO + timedelta(hours=2)) == {"skipped": 1}
    assert len(mail.outbox) == 1


def test_overdue_digest_lists_all_of_an_owners_overdue_commitments_in_one_email(settings):
    settings.SITE_URL = "https://calls.example.com"
    today = date(2027, 5, 10)
    owner = UserFactory(first_name="Kari", email="kari@example.com")
    late = CommitmentFactory(owner=owner, due_date=today - timedelta(days=3), promise="Credit the March invoice")
    later = CommitmentFactory(owner=owner, due_date=today - timedelta(days=1), promise="Send the SLA report")
    CommitmentFactory(owner=owner, due_date=today, promise="Not overdue yet")
    other = CommitmentFactory(due_date=today - timedelta(days=10))

    assert services.overdue_digests_send(today=today) == {"sent": 2}

    mine = next(m for m in mail.outbox if m.to == ["kari@example.com"])
    assert mine.subject == "2 overdue commitments to customers"
    text, html = parts(mine)
    for part in (text, html):
        assert "Credit the March invoice" in part and "Send the SLA report" in part
        assert "Not overdue yet" not in part
        assert late.customer.name in part and later.customer.name in part
    assert "due Fri 7 May 2027 (3 days ago)" in text
    assert f'href="https://calls.example.com/commitments/?owner={owner.pk}&amp;overdue=1"' in html
    assert any(m.to == [other.owner.email] for m in mail.outbox)


def test_overdue_digest_at_most_once_a_day():
    today = date(2027, 5, 10)
    CommitmentFactory(due_date=today - timedelta(days=2))
    services.overdue_digests_send(today=today)
    services.overdue_digests_send(today=today)
    assert len(mail.outbox) == 1
    services.overdue_digests_send(today=today + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_program_weekly_numbers_go_to_program_admins(frozen_now):
    frozen_now(datetime(2027, 5, 10, 8, 30, tzinfo=UTC))  # Monday: reports 3–9 May
    admin = AdminFactory(email="admin@example.com")
    UserFactory(email="not-an-admin@example.com")
    in_week = datetime(2027, 5, 5, 14, 0, tzinfo=UTC)
    first = CallLogFactory(called_at=in_week)
    # The same customer reached twice by the same executive that week: one customer called, as /program/ counts.
    CallLogFactory(called_at=in_week + timedelta(days=1), executive=first.executive, customer=first.customer)
    CallLogFactory(called_at=in_week, outcome=CallLog.Outcome.VOICEMAIL)
    CallLogFactory(called_at=datetime(2027, 4, 28, 14, 0, tzinfo=UTC))  # the week before
    long_ago = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
    # Made this week on an earlier call, overdue now; made long ago and kept this week; made long ago, overdue now.
    CommitmentFactory(call__called_at=long_ago, created_at=in_week, due_date=date(2027, 5, 1))
    CommitmentFactory(call__called_at=long_ago, status="done", completed_at=in_week, created_at=long_ago)
    CommitmentFactory(call__called_at=long_ago, created_at=long_ago, due_date=date(2027, 4, 20))
    FlagFactory(urgency="urgent")
    FlagFactory()

    assert services.program_weekly_send() == {"sent": 1}

    (message,) = mail.outbox
    assert message.to == [admin.email]
    assert message.subject == "CEO calls, week of 3 May: 2 customers called, 2 promises overdue now"
    text, html = parts(message)
    assert "week of 3 May–9 May 2027" in text
    assert "2 customers called of 0 planned, by 2 executives; 1 reached" in text
    assert "1 made: 0 kept so far, 0 dropped, 1 now overdue" in text
    assert "2 promises overdue now in all, whenever made (10 May)" in text
    assert "2 waiting for a call today, 1 of them urgent" in text
    assert "/program/?start=2027-05-03&end=2027-05-03" in text
    assert "<strong>2</strong> of 0 planned, by 2 executives" in html
    assert EmailDelivery.objects.get().period_key == "2027-W18"


def test_lead_gets_the_outcome_and_commitments_once_the_call_is_committed(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://calls.example.com"
    lead = LeadFactory(first_name="Siri", email="siri@example.com")
    customer = CustomerFactory(name="Nordlys AS")
    flag = FlagFactory(customer=customer, raised_by=lead, reason="Hung up on us after the third outage.")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        call = CallLogFactory(customer=customer, sentiment="unhappy")
        flag_mark_called(flag=flag, call=call)
        # Logged after the flag in the same transaction: must still be in the e-mail.
        CommitmentFactory(call=call, promise="Credit the March invoice", due_date=date(2027, 6, 1))
        assert mail.outbox == []

    (message,) = mail.outbox
    assert message.to == ["siri@example.com"]
    assert message.subject == f"Your flag on Nordlys AS: {call.executive.name} called — reached"
    text, html = parts(message)
    for part in (text, html):
        assert "Hung up on us after the third outage." in part
        assert "Outcome: Reached" in part and "unhappy" in part
        assert "Credit the March invoice" in part and "due 1 Jun 2027" in part
    assert 'href="https://calls.example.com/flags/"' in html
    assert f"https://calls.example.com/customers/{customer.pk}/" in text
    flag.refresh_from_db()
    assert flag.lead_notified_at is not None

    assert services.flag_outcome_send(flag_id=flag.pk) == "unchanged"  # what the lead was told still holds
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get().period_key == f"flag-{flag.pk}-call-{call.pk}"


def test_flag_outcome_without_commitments_or_lead():
    flag = FlagFactory(call=CallLogFactory(outcome=CallLog.Outcome.NO_ANSWER), status="called")
    assert services.flag_outcome_send(flag_id=flag.pk) == "sent"
    text, html = parts(mail.outbox[0])
    assert "No commitments were recorded on the call." in text and "No commitments were recorded" in html
    assert "Outcome: No answer" in text

    from_ticket = FlagFactory(raised_by=None, origin="ticket_tag", call=CallLogFactory(), status="called")
    assert services.flag_outcome_send(flag_id=from_ticket.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", [k.value for k in EmailKind])
def test_each_kind_of_email_has_its_three_templates(kind):
    for suffix in ("subject.txt", "txt", "html"):
        assert get_template(f"emails/{kind}.{suffix}")


def test_hourly_sweep_sends_flag_outcomes_whose_task_never_ran(frozen_now):
    now = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)
    frozen_now(now)
    # Marked called without the on-commit task (as if the broker was down at the time).
    recent = FlagFactory(status="called", call=CallLogFactory())  # a call of last week, logged now
    old = FlagFactory(status="called", call=CallLogFactory())
    CallLog.objects.filter(pk=old.call_id).update(created_at=now - timedelta(days=5))  # logged long ago
    FlagFactory(status="called", call=CallLogFactory(), lead_notified_at=now)  # told already

    assert services.flag_outcomes_send_missed() == {"sent": 1}
    assert services.flag_outcomes_send_missed() == {}
    assert [m.to for m in mail.outbox] == [[recent.raised_by.email]]


def test_a_broker_outage_does_not_fail_the_logged_call(django_capture_on_commit_callbacks, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr("notifications.tasks.send_flag_outcome.delay", broker_down)
    flag = FlagFactory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        flag_mark_called(flag=flag, call=CallLogFactory(customer=flag.customer))
    flag.refresh_from_db()
    assert flag.status == "called" and flag.lead_notified_at is None
    assert services.flag_outcomes_send_missed() == {"sent": 1}
