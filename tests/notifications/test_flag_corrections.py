"""A corrected call is passed on to the lead who raised the flag: once per change, never for no change."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from callsheets.services.calls import PromiseInput, call_correct, call_log
from customers.models import Flag
from notifications import services
from notifications.models import EmailDelivery
from tests.factories import (
    CallSheetFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # Thursday; the slot was Tuesday 24 Nov, 10:00 in Oslo


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def entry():
    executive = ExecutiveFactory(timezone="Europe/Oslo", user__first_name="Maya", user__last_name="Lindqvist")
    sheet = CallSheetFactory(executive=executive, week_start=date(2026, 11, 23))
    customer = CustomerFactory(name="Nordlys AS")
    lead = LeadFactory(first_name="Siri", email="siri@example.com")
    flag = FlagFactory(customer=customer, raised_by=lead, status=Flag.Status.SCHEDULED, sheet=sheet)
    return SheetEntryFactory(sheet=sheet, position=1, customer=customer, flag=flag)


def log(entry, capture, **fields):
    with capture(execute=True):
        return call_log(entry_id=entry.pk, by=entry.sheet.executive.user, **({"outcome": "reached"} | fields))


def correct(call, capture, **fields):
    with capture(execute=True):
        return call_correct(call_id=call.pk, by=call.executive.user, **fields)


def test_correcting_the_outcome_after_the_leads_email_sends_one_correction(
    entry, django_capture_on_commit_callbacks, client
):
    call = log(entry, django_capture_on_commit_callbacks, sentiment="satisfied")
    assert [m.subject for m in mail.outbox] == ["Your flag on Nordlys AS: Maya Lindqvist called — reached"]

    correct(call, django_capture_on_commit_callbacks, outcome="voicemail", sentiment="satisfied")

    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == ["siri@example.com"]
    assert message.subject == "Correction: your flag on Nordlys AS: Maya Lindqvist's call — left voicemail"
    text, html = message.body, message.alternatives[0][0]
    for part in (text, html):
        assert "Outcome: left voicemail (was reached)." in part
        assert "mood" not in part  # only what changed is listed
    first = EmailDelivery.objects.get(kind="flag_outcome")
    correction = EmailDelivery.objects.get(kind="flag_correction")
    assert correction.period_key == f"flag-{entry.flag_id}-call-{call.pk}-after-{first.pk}"
    assert correction.status == "sent" and correction.content["outcome"] == "voicemail"

    # The same change told again (a retried task, the hourly sweep) sends nothing.
    assert services.flag_outcome_send(flag_id=entry.flag_id) == "unchanged"
    assert services.flag_outcomes_send_missed() == {}
    assert len(mail.outbox) == 2


def test_an_unchanged_correction_sends_nothing(entry, django_capture_on_commit_callbacks):
    call = log(entry, django_capture_on_commit_callbacks, sentiment="unhappy", notes="Angry.")

    # Notes and minutes are not in the lead's e-mail; the outcome, mood and day stay the same.
    correct(call, django_capture_on_commit_callbacks, outcome="reached", sentiment="unhappy", notes="Calmer.")
    correct(call, django_capture_on_commit_callbacks, outcome="reached", sentiment="unhappy", duration_minutes=9)

    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.count() == 1


def test_a_correction_before_the_first_email_went_out_sends_one_email(entry, django_capture_on_commit_callbacks):
    # The log's on-commit task does not run (the broker was down)…
    with django_capture_on_commit_callbacks(execute=False):
        call = call_log(entry_id=entry.pk, by=entry.sheet.executive.user, outcome="reached")
    # …then the call is corrected before the hourly sweep sends the outcome.
    correct(call, django_capture_on_commit_callbacks, outcome="no_answer")
    assert services.flag_outcomes_send_missed() == {}  # told already, by the correction's task

    (message,) = mail.outbox
    assert message.subject == "Your flag on Nordlys AS: Maya Lindqvist called — no answer"
    assert "Outcome: No answer" in message.body
    assert EmailDelivery.objects.get().kind == "flag_outcome"


def test_each_change_is_told_once_and_a_promise_added_is_a_change(entry, django_capture_on_commit_callbacks):
    call = log(entry, django_capture_on_commit_callbacks)
    correct(call, django_capture_on_commit_callbacks, outcome="voicemail")
    correct(call, django_capture_on_commit_callbacks, outcome="reached", sentiment="delighted")
    promise = PromiseInput(promise="Send the roadmap", owner=call.executive.user, due_date=date(2026, 12, 4))
    correct(call, django_capture_on_commit_callbacks, outcome="reached", sentiment="delighted", promises=[promise])

    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Your flag on Nordlys AS"] + ["Correction"] * 3
    assert "Outcome: reached (was left voicemail)." in mail.outbox[2].body
    assert "The customer's mood: delighted (was not recorded)." in mail.outbox[2].body
    assert "A commitment was added." in mail.outbox[3].body and "Send the roadmap" in mail.outbox[3].body
    keys = list(EmailDelivery.objects.order_by("id").values_list("pk", "period_key"))
    for (previous, _), (_, key) in zip(keys, keys[1:], strict=False):
        assert key.endswith(f"-after-{previous}")  # each correction is claimed on the e-mail before it


def test_moving_the_call_to_another_day_is_told(entry, django_capture_on_commit_callbacks):
    call = log(entry, django_capture_on_commit_callbacks, called_at=NOW - timedelta(days=1))
    correct(
        call, django_capture_on_commit_callbacks, outcome="reached", called_at=datetime(2026, 11, 24, 9, 5, tzinfo=UTC)
    )

    assert "The call was on Tuesday 24 Nov 2026 (was Wed 25 Nov)." in mail.outbox[1].body


def test_the_hourly_sweep_sends_a_correction_whose_task_never_ran(entry, django_capture_on_commit_callbacks):
    call = log(entry, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # the broker is down
            call_correct(call_id=call.pk, by=call.executive.user, outcome="rescheduled")
        assert len(mail.outbox) == 1

        assert services.flag_outcomes_send_missed() == {"sent": 1}
        assert services.flag_outcomes_send_missed() == {}

    assert mail.outbox[1].subject.startswith("Correction:") and "rescheduled (was reached)" in mail.outbox[1].body


def test_a_lead_who_turned_flag_emails_off_gets_no_correction(entry, django_capture_on_commit_callbacks):
    call = log(entry, django_capture_on_commit_callbacks)
    services.preference_update(user=entry.flag.raised_by, flag_outcome=False)
    correct(call, django_capture_on_commit_callbacks, outcome="voicemail")
    assert len(mail.outbox) == 1


def test_outcome_emails_sent_before_contents_were_kept_count_as_telling_the_call_as_it_is(
    entry, django_capture_on_commit_callbacks
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0002_flag_correction")
    call = log(entry, django_capture_on_commit_callbacks, sentiment="unhappy")
    EmailDelivery.objects.update(content={})  # as the migration finds the rows

    migration.told_before_this_migration(apps, None)

    assert EmailDelivery.objects.get().content == {
        "outcome": "reached",
        "sentiment": "unhappy",
        "day": "2026-11-24",  # logged on Thursday, after the slot: the slot's day
        "commitments": [],
    }
    assert services.flag_outcome_send(flag_id=entry.flag_id) == "unchanged"
    correct(call, django_capture_on_commit_callbacks, outcome="voicemail", sentiment="unhappy")
    assert len(mail.outbox) == 2


def test_a_correction_committed_while_the_outcome_was_sent_is_found_by_the_sweep(
    entry, django_capture_on_commit_callbacks, monkeypatch
):
    """The outcome e-mail read the call before the correction committed; the correction's own task lost
    the claim to it. The lead was told the old outcome, and the sweep tells them the new one."""
    from notifications.services import flag_emails

    with django_capture_on_commit_callbacks(execute=False):
        call = call_log(entry_id=entry.pk, by=entry.sheet.executive.user, outcome="reached")
    read = flag_emails.selectors.flag_with_outcome
    sending_ends = time_machine.travel(NOW + timedelta(seconds=2), tick=False)

    def read_then_corrected(*, flag_id):
        facts = read(flag_id=flag_id)  # at NOW
        with (
            time_machine.travel(NOW + timedelta(seconds=1), tick=False),
            django_capture_on_commit_callbacks(execute=False),  # its task will find the claim taken
        ):
            call_correct(call_id=call.pk, by=call.executive.user, outcome="voicemail")
        sending_ends.start()  # the e-mail goes out after the correction committed
        return facts

    monkeypatch.setattr(flag_emails.selectors, "flag_with_outcome", read_then_corrected)
    assert services.flag_outcome_send(flag_id=entry.flag_id) == "sent"
    sending_ends.stop()
    monkeypatch.setattr(flag_emails.selectors, "flag_with_outcome", read)
    assert "Outcome: Reached" in mail.outbox[0].body

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert services.flag_outcomes_send_missed() == {"sent": 1}
    assert "Outcome: left voicemail (was reached)." in mail.outbox[1].body
