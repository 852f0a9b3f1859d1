"""The demo's history keeps the product's own rules, and `make run` opens on a sheet that makes sense."""

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from callsheets.builder.assign import within_business_hours
from callsheets.demo import demo_seed, text
from callsheets.demo.history import build_time
from callsheets.models import (
    BuildRun,
    CallFollowUp,
    CallLog,
    CallSheet,
    Commitment,
    CommitmentChange,
    Executive,
    ScoringPolicy,
    SheetEntry,
    UrgentCall,
    week_start_of,
)
from customers.models import Flag

pytestmark = pytest.mark.django_db

# Wednesday 25 Nov 2026, 15:30 UTC: Maya's Tuesday slot is over, Daniel's (10:00 in New York) is under way.
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
OVERRIDES_COOLDOWN = {"urgent_flag", "overdue_commitment"}


@pytest.fixture
def demo(admin_client):
    with time_machine.travel(NOW, tick=False):
        summary = demo_seed(customers=300, seed=42, now=NOW)
    return summary


def zone_of(call: CallLog) -> str:
    return call.contact.effective_timezone if call.contact else call.customer.timezone


def test_the_demo_history_keeps_the_products_rules(demo, admin_client):
    policy = ScoringPolicy.objects.active()
    weeks = sorted(set(CallSheet.objects.values_list("week_start", flat=True)))
    # Eight past weeks and this one, built by the builder; a later sheet only holds what the product's
    # own doors put there ahead of its build (a flag carried to the next slot after a voicemail).
    built_weeks = weeks[:9]
    sheets = list(CallSheet.objects.filter(week_start__in=built_weeks).select_related("executive"))
    for ahead in CallSheet.objects.exclude(week_start__in=built_weeks):
        assert ahead.week_start > NOW.date() and not ahead.entries.filter(pinned=False).exists(), ahead
    calls = list(CallLog.objects.select_related("customer", "contact", "entry__sheet__executive").order_by("called_at"))
    assert demo.sheets == len(sheets) == 3 * 9 and demo.calls == len(calls) > 60

    # At most `listening_calls` listening entries per sheet.
    for sheet in sheets:
        listening = SheetEntry.objects.filter(sheet=sheet, is_listening=True).count()
        assert listening <= policy.listening_calls, f"{sheet}: {listening} listening calls"

    # Every sheet was built by the builder at beat's time, before its slot, with a full snapshot.
    for sheet in sheets:
        assert sheet.built_at == build_time(sheet.week_start) < sheet.slot_starts_at, sheet
        inputs = sheet.inputs
        assert inputs["week_start"] == sheet.week_start.isoformat() and inputs["policy"], sheet
        assert inputs["executive"]["capacity"] == 4 and inputs["executive"]["backups"] == 2, sheet
        page = admin_client.get(f"/admin/callsheets/callsheet/{sheet.pk}/change/").content.decode()
        assert f"Week of {sheet.week_start.isoformat()}: capacity 4 calls + 2 backups." in page
        assert not re.search(r"Week of\s*:|capacity\s+calls|\+\s+backups", page), sheet

    # Each call on its sheet's slot (an urgent call outside the slot, before its deadline), never after
    # the seeding clock, inside the customer's business hours.
    for call in calls:
        if call.entry is None:
            urgent_call = UrgentCall.objects.get(call=call)
            assert call.called_at < urgent_call.deadline and call.called_at <= NOW, call
            assert within_business_hours(call.called_at, call.duration_minutes or 0, zone_of(call), policy), call
            continue
        sheet = call.entry.sheet
        ends = call.called_at + timedelta(minutes=call.duration_minutes or 0)
        slot_end = sheet.slot_starts_at + timedelta(minutes=sheet.executive.duration_minutes)
        assert sheet.slot_starts_at <= call.called_at and ends <= min(slot_end, NOW), call
        assert within_business_hours(call.called_at, call.duration_minutes or 0, zone_of(call), policy), (
            f"{call}: {call.called_at.astimezone(call.customer.zoneinfo):%a %H:%M} in {zone_of(call)}"
        )

    # No customer reached twice within the cooldown, unless an urgent flag or an overdue promise brought them back.
    reached = defaultdict(list)
    for call in calls:
        if call.outcome == CallLog.Outcome.REACHED:
            reached[call.customer_id].append(call)
    for customer_calls in reached.values():
        for earlier, later in zip(customer_calls, customer_calls[1:], strict=False):
            if later.called_at - earlier.called_at < timedelta(days=policy.cooldown_days):
                codes = {r["code"] for r in later.entry.reasons} if later.entry else {"urgent_flag"}  # urgent call
                assert codes & OVERRIDES_COOLDOWN, f"{later.customer} reached {earlier.called_at} and {later.called_at}"

    # Notes, mood and outcome agree; the promises are the ones the notes speak of.
    scripts = {(s.notes, s.sentiment): s for s in text.CALL_SCRIPTS}
    for call in calls:
        if call.outcome == CallLog.Outcome.REACHED:
            script = scripts.get((call.notes, call.sentiment))
            assert script, f"{call}: {call.notes!r} does not go with {call.sentiment!r}"
            assert set(call.commitments.values_list("promise", flat=True)) <= set(script.promises), call
        else:
            assert call.notes in text.NOTES_BY_OUTCOME[call.outcome] and call.sentiment == "", call
            assert not call.commitments.exists(), call
        words = call.notes.lower()
        assert ("voicemail" in words) == (call.outcome == CallLog.Outcome.VOICEMAIL), call
        assert ("no answer" in words) <= (call.outcome == CallLog.Outcome.NO_ANSWER), call
        assert ("next week" in words and "at their request" in words) <= (call.outcome != "reached"), call
        positive = any(w in words for w in ("happy", "delighted", "loves"))
        assert positive <= (call.sentiment in ("satisfied", "delighted")), call


def test_the_demo_is_written_through_the_services(demo):
    # Flags answered by a call: the lead was told at the call's time, as the task does.
    called = Flag.objects.filter(status=Flag.Status.CALLED).select_related("call")
    assert called.exists()
    for flag in called:
        assert flag.called_at == flag.call.called_at and flag.lead_notified_at >= flag.call.called_at, flag
    # This week's two urgent flags were placed at once (on a sheet, or as an urgent call outside the
    # slot), and none waits for a build.
    urgent = Flag.objects.filter(urgency=Flag.Urgency.URGENT, created_at__gte=build_time(week_start_of(NOW.date())))
    assert urgent.count() == 2 and not urgent.filter(urgent_handled_at__isnull=True).exists()
    assert not urgent.filter(status=Flag.Status.OPEN).exists()
    # Every kept or dropped promise has its history, at the time it was closed.
    closed = Commitment.objects.exclude(status=Commitment.Status.OPEN)
    assert closed.filter(status="done").exists() and closed.filter(status="dropped").exists()
    for commitment in closed:
        change = CommitmentChange.objects.get(commitment=commitment, field="status")
        assert change.at == commitment.completed_at and commitment.created_at < change.at <= NOW, commitment
    assert Commitment.objects.overdue(today=NOW.date()).exists()  # some promises are late: the page shows them
    assert CallLog.objects.filter(created_at__gt=NOW).count() == 0  # logged after it happened, never later than now
    # Each week was built by the weekly job, on record as a build run at its Friday time.
    runs = BuildRun.objects.order_by("week_start")
    assert [(r.origin, r.state) for r in runs] == [("schedule", "done")] * 9
    assert all(r.started_at == build_time(r.week_start) for r in runs)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 8, 0, tzinfo=UTC),  # Monday morning: no slot yet this week
        datetime(2026, 11, 25, 15, 30, tzinfo=UTC),  # Wednesday: Maya's slot is over, Daniel's under way
        datetime(2026, 11, 29, 20, 0, tzinfo=UTC),  # Sunday evening: every slot is over
    ],
)
def test_make_run_opens_on_a_sheet_that_makes_sense(client, now):
    with time_machine.travel(now, tick=False):
        demo_seed(customers=120, seed=42, now=now)
        call_command("build_callsheets")  # what `make run` does next: next week, then this week
        call_command("build_callsheets", "--week", now.date().isoformat())
        this_week = now.date() - timedelta(days=now.weekday())
        for executive in Executive.objects.with_slot():
            current = CallSheet.objects.get(executive=executive, week_start=this_week)
            assert CallSheet.objects.filter(executive=executive, week_start=this_week + timedelta(days=7)).exists()
            slot_over = executive.slot_end(this_week) <= now
            calls = CallLog.objects.filter(entry__sheet=current)
            if slot_over:
                assert calls.exists(), f"{executive}'s slot is over but nothing is logged"
            if current.slot_starts_at > now:
                assert not calls.exists() and not current.entries.exclude(status="pending").exists()
            assert not CallLog.objects.filter(called_at__gt=now).exists()
        maya = Executive.objects.get(user__email="maya.lindqvist@example.com")
        client.force_login(maya.user)
        page = client.get("/sheet/")
        assert page.status_code == 200
        assert page.context["sheet"].week_start == this_week


def test_the_demo_fills_the_topics_page_and_sends_follow_ups(demo, client):
    """`make run` opens /program/topics/ on real talk, and cards show follow-ups sent and to write."""
    reached = CallLog.objects.filter(outcome="reached")
    sent = CallFollowUp.objects.filter(status="sent").select_related("call")
    assert 0 < sent.count() < reached.count()
    assert all(f.call.outcome == "reached" and f.sent_at > f.call.called_at for f in sent)
    assert all("What we promised" in f.body or not f.call.commitments.exists() for f in sent)
    maya = Executive.objects.get(user__email="maya.lindqvist@example.com")
    client.force_login(maya.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/program/topics/?weeks=8")
    rows = {row.topic.name: row for row in response.context["report"].rows}
    assert response.status_code == 200 and len(rows) >= 8
    for name in ("Outages & reliability", "Billing", "Pricing/renewal", "Support responsiveness"):
        assert rows[name].mentions and rows[name].quotes, name
    assert any(row.promises for row in rows.values())
