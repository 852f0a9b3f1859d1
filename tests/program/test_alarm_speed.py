"""From alarm to call, per urgency: medians and 90th percentiles in calendar and business hours,
against the urgent window, and every urgent alarm that missed it with the reason."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from callsheets.models import CallLog
from callsheets.selectors.speed import business_hours_between, percentile, speed_for_weeks
from customers.models import Flag
from notifications import services as emails
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    ScoringPolicyFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # Wednesday of the week after
WEEK = date(2026, 11, 30)
MON = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # an alarm on Monday 10:00 in London


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def london(**kwargs):
    c = CustomerFactory(timezone="Europe/London", **kwargs)
    ContactFactory(customer=c)
    return c


def alarm(urgent=True, at=MON, customer=None, **kwargs):
    return FlagFactory(
        customer=customer or london(),
        urgency=Flag.Urgency.URGENT if urgent else Flag.Urgency.NORMAL,
        created_at=at,
        **kwargs,
    )


def call(flag, after: timedelta, outcome=CallLog.Outcome.REACHED):
    return CallLogFactory(customer=flag.customer, called_at=flag.created_at + after, outcome=outcome)


def test_percentiles_and_business_hours():
    assert percentile([], 0.9) is None and percentile([5.0], 0.9) == 5.0
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    policy = ScoringPolicyFactory.build()  # 09–17 business hours
    friday_16 = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    # Friday 16:00 → Monday 10:00 in London: one hour on Friday, one on Monday.
    assert business_hours_between(friday_16, friday_16 + timedelta(days=2, hours=18), "Europe/London", policy) == 2.0
    # The same moments in Tokyo (01:00 Saturday → 19:00 Monday): Monday 09–17 only.
    assert business_hours_between(friday_16, friday_16 + timedelta(days=2, hours=18), "Asia/Tokyo", policy) == 8.0


def test_speed_per_urgency_against_the_window():
    ScoringPolicyFactory()
    fast = alarm()
    call(fast, timedelta(hours=2))  # Monday 12:00: reached, in the window (Tuesday 17:00)
    voicemail = alarm()
    call(voicemail, timedelta(hours=1), CallLog.Outcome.VOICEMAIL)
    call(voicemail, timedelta(days=2))  # reached on Wednesday: too late
    alarm(customer=CustomerFactory(timezone="Europe/London"))  # no contact, never called
    sheet = CallSheetFactory(executive=ExecutiveFactory(weekday=3), week_start=WEEK)  # Thursday: after the window
    alarm(status=Flag.Status.SCHEDULED, sheet=sheet)
    running = alarm(at=NOW - timedelta(hours=1))  # raised an hour ago: its window is still running
    slow = alarm(urgent=False)
    call(slow, timedelta(days=7))

    speed = speed_for_weeks(WEEK, WEEK + timedelta(weeks=1))
    urgent, normal = speed.row("urgent"), speed.row("normal")
    assert (urgent.alarms, urgent.attempted, urgent.reached) == (5, 2, 2)
    assert urgent.attempt_calendar.values == [2.0, 1.0] and urgent.attempt_calendar.median == 1.5
    assert urgent.reached_calendar.values == [2.0, 48.0] and urgent.reached_calendar.p90 == pytest.approx(43.4)
    assert urgent.reached_business.values == [2.0, 16.0]  # Mon 10–17, Tue 9–17, Wed 9–10
    assert (urgent.window_met, urgent.window_missed, urgent.window_running) == (1, 3, 1)
    assert (normal.alarms, normal.reached, normal.reached_calendar.median) == (1, 1, 168.0)
    why = {m.flag_id: m.why for m in speed.missed}
    assert why[voicemail.pk].startswith("Not reached: called in the window")
    assert len(speed.missed) == 3 and running.pk not in why
    assert sorted(w.split(":")[0] for w in why.values()) == ["No contact", "No slot in the window", "Not reached"]


def test_the_program_page_and_the_weekly_email_show_it(client, settings):
    fast = alarm()
    call(fast, timedelta(hours=2))
    missed = alarm(customer=CustomerFactory(name="Quiet Ltd", timezone="Europe/London"))
    client.force_login(AdminFactory())
    body = client.get(f"/program/?start={WEEK}&end={WEEK}").content.decode()
    assert "From alarm to call" in body and 'data-urgency="urgent"' in body
    assert f'href="/flags/{missed.pk}/">Quiet Ltd</a>' in body and "No contact: the customer has no callable" in body
    csv = client.get(f"/program/?start={WEEK}&end={WEEK}&format=csv&table=speed").content.decode()
    assert csv.splitlines()[0].startswith(
        'Urgency,Alarms (flags raised),Called,Reached,"To first call: median, calendar h"'
    )
    assert csv.splitlines()[1].startswith("Urgent,2,1,1,2.0,2.0,2.0,2.0,2.0,2.0,2.0,2.0,1,1,0")
    with time_machine.travel(datetime(2026, 12, 7, 8, 30, tzinfo=UTC), tick=False):
        emails.program_weekly_send()
    [email] = mail.outbox
    assert "From alarm to call" in email.body and "Urgent: 2 alarms, 1 called, 1 reached" in email.body
    assert "Quiet Ltd, alarm Mon 30 Nov 10:00: No contact" in email.body


@pytest.mark.parametrize("n", [3, 30])
def test_the_speed_is_one_query_whatever_the_number_of_flags(n, django_assert_num_queries):
    ScoringPolicyFactory()
    for _ in range(n):
        flag = alarm()
        call(flag, timedelta(hours=3), CallLog.Outcome.NO_ANSWER)
        call(flag, timedelta(hours=30))
    with django_assert_num_queries(2):  # the policy, and the flags with their calls
        speed = speed_for_weeks(WEEK, WEEK)
    assert speed.row("urgent").reached == n
