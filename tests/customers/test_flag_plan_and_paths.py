"""The lead always knows when, and no flag ends in a dead end: the plan sentence, a contact added from
the flag page, an admin's placement, a voicemail carried to the next slot, and calling hours."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from callsheets.builder import build_week
from callsheets.models import CallLog, CallSheet, SheetEntry
from callsheets.services.calls import call_correct, call_log, entry_skip
from customers.models import Flag, FlagNote
from customers.plan import flag_plan, next_build_at
from customers.services.flag_paths import flag_contact_add, flag_place
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
)

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # Sunday
WEEK = date(2026, 11, 30)  # Monday; Maya's slot is Tuesday 1 Dec 10:00–11:00 Oslo


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def maya():
    return ExecutiveFactory(user__first_name="Maya", user__last_name="Lindqvist", timezone="Europe/Oslo")


@pytest.fixture
def lead(client):
    user = LeadFactory(first_name="Lena", last_name="Lead")
    client.force_login(user)
    return user


def customer(tz="Europe/London", **kwargs):
    c = CustomerFactory(timezone=tz, **kwargs)
    ContactFactory(customer=c, phone="+44 20 7946 0000")
    return c


def on_sheet(sheet, position, flag=None, **kwargs):
    c = flag.customer if flag else customer()
    return SheetEntryFactory(
        sheet=sheet, customer=c, contact=c.contacts.first(), position=position, flag=flag, **kwargs
    )


def scheduled_flag(sheet, position, lead=None, **kwargs):
    flag = FlagFactory(customer=customer(), status=Flag.Status.SCHEDULED, sheet=sheet, raised_by=lead, **kwargs)
    on_sheet(sheet, position, flag)
    return flag


# --- The lead always knows when ---------------------------------------------------------------


def test_the_flag_page_names_who_calls_when_and_where_on_the_list(client, lead, maya):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    first = on_sheet(sheet, 1)
    flag = scheduled_flag(sheet, 2, lead)
    body = client.get(f"/flags/{flag.pk}/").content.decode()
    assert (
        "Maya Lindqvist will call on Tue 1 Dec at 10:15, Oslo time (09:15 for the customer, London time), "
        "second on the list." in body
    )
    # The plan is read from the sheet, not stored: a skip moves it up.
    entry_skip(entry_id=first.pk, by=maya.user)
    assert "will call on Tue 1 Dec at 10:00, Oslo time" in flag_plan(flag).sentence
    assert "first on the list" in flag_plan(flag).sentence
    assert "first on the list" in client.get("/flags/").content.decode()


def test_a_backup_says_so(maya):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    flag = FlagFactory(customer=customer(), status=Flag.Status.SCHEDULED, sheet=sheet)
    on_sheet(sheet, 5, flag, is_backup=True)
    plan = flag_plan(flag)
    assert plan.kind == "backup"
    assert plan.sentence == "A backup on Maya Lindqvist's sheet on Tue 1 Dec: called if a call before it is skipped."


def test_no_room_counts_the_customers_ranked_above_and_names_the_next_build(maya, settings):
    settings.CALLSHEETS_BUILD_WEEKDAY, settings.CALLSHEETS_BUILD_HOUR = "fri", 6
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    for position in range(1, 5):
        on_sheet(sheet, position, score=120.0)
    other, flag = FlagFactory(customer=customer()), FlagFactory(customer=customer())
    flag.not_placed_reason = "No room: every sheet of the week of 30 Nov was full"
    flag.save()
    sheet.inputs = {
        "left_off": [
            {"code": "capacity", "flag_id": other.pk, "score": 90.0},
            {"code": "capacity", "flag_id": flag.pk, "score": 60.0},
        ]
    }
    sheet.save()
    assert (
        flag_plan(flag).sentence == "No room this week: 5 customers ranked above; next build Fri 4 Dec at 06:00 (UTC)."
    )
    assert next_build_at(datetime(2026, 12, 4, 6, 0, tzinfo=UTC)) == datetime(2026, 12, 11, 6, 0, tzinfo=UTC)


def test_waiting_and_called_flags(client, lead, maya):
    waiting = FlagFactory(customer=customer(), raised_by=lead)
    assert flag_plan(waiting).sentence == "Waiting for the next call-sheet build: Fri 4 Dec at 06:00 (UTC)."
    call = CallLogFactory(
        executive=maya, outcome=CallLog.Outcome.REACHED, called_at=datetime(2026, 11, 24, 10, 5, tzinfo=OSLO)
    )
    called = FlagFactory(raised_by=lead, status=Flag.Status.CALLED, call=call, called_at=call.called_at)
    assert flag_plan(called) is None  # its outcome says it all
    assert "Called by Maya Lindqvist on Tue 24 Nov: reached" in client.get(f"/flags/{called.pk}/").content.decode()


def test_the_list_reads_every_plan_in_a_fixed_number_of_queries(client, lead, maya, django_assert_max_num_queries):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    for position in range(1, 4):
        scheduled_flag(sheet, position, lead)
    FlagFactory(customer=customer(), raised_by=lead, not_placed_reason="No room: every sheet was full")
    FlagFactory(customer=CustomerFactory(), raised_by=lead)  # no contact at all
    with django_assert_max_num_queries(20) as few:
        client.get("/flags/")
    for position in range(4, 12):
        scheduled_flag(sheet, position, lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/flags/").content.decode()
    assert body.count('data-testid="flag-plan"') == 13
    assert "No callable contact" in body and "eleventh on the list" not in body


# --- No callable contact -------------------------------------------------------------------------


def test_a_lead_adds_a_phone_number_from_the_flag_page(client, lead):
    bare = CustomerFactory(timezone="Europe/London")
    silent = ContactFactory(customer=bare, phone="", name="Sam Silent")
    flag = FlagFactory(customer=bare, raised_by=lead, not_placed_reason="No callable contact: every contact …")
    body = client.get(f"/flags/{flag.pk}/").content.decode()
    assert "No callable contact for" in body and 'data-testid="contact-form" open' in body
    response = client.post(f"/flags/{flag.pk}/contact/", {"contact": silent.pk, "phone": "call me"})
    assert response.status_code == 400 and "is not a phone number" in response.content.decode()
    response = client.post(f"/flags/{flag.pk}/contact/", {"contact": silent.pk, "phone": "+44 20 7946 0018"})
    assert response.status_code == 302
    silent.refresh_from_db()
    flag.refresh_from_db()
    assert silent.phone == "+44 20 7946 0018" and flag.contact == silent and flag.not_placed_reason == ""
    assert silent.phone_e164 == "+442079460018"
    notes = list(flag.notes.values_list("text", flat=True))
    assert "Contact added by Lena Lead (a phone number for Sam Silent); the next build places it again." in notes
    assert flag_plan(flag).kind == "waiting"


def test_a_new_contact_and_the_refusals(lead):
    bare = CustomerFactory()
    dnc = ContactFactory(customer=bare, do_not_call=True, email="dnc@example.net")
    flag = FlagFactory(customer=bare)
    with pytest.raises(ValidationError) as refused:
        flag_contact_add(flag_id=flag.pk, by=lead, contact_id=dnc.pk, phone="+1 312 555 0100")
    assert "asked not to be called" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        flag_contact_add(flag_id=flag.pk, by=lead, name="", email="nope", phone="+1 312 555 0100")
    assert set(refused.value.error_dict) == {"name", "email"}
    with pytest.raises(ValidationError) as refused:
        flag_contact_add(flag_id=flag.pk, by=lead, name="Dee", email="DNC@example.net", phone="+1 312 555 0100")
    assert "already has a contact with" in str(refused.value)
    contact = flag_contact_add(
        flag_id=flag.pk, by=lead, name="Dee Decider", title="CFO", email="dee@example.net", phone="+1 312 555 0100"
    )
    assert contact.is_callable and contact.customer == bare and contact.title == "CFO"
    flag.status = Flag.Status.CALLED
    flag.save()
    with pytest.raises(ValidationError, match="already called"):
        flag_contact_add(flag_id=flag.pk, by=lead, contact_id=contact.pk, phone="+1 312 555 0101")


# --- Admins decide -------------------------------------------------------------------------------


def test_an_admin_puts_a_flag_first_on_a_full_sheet(maya):
    admin = AdminFactory(first_name="Ada", last_name="Admin")
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    called = on_sheet(sheet, 1, status=SheetEntry.Status.CALLED)
    CallLogFactory(entry=called, executive=maya, customer=called.customer)
    rest = [on_sheet(sheet, p) for p in (2, 3, 4)]
    backup = on_sheet(sheet, 5, is_backup=True)
    elsewhere = CallSheetFactory(executive=ExecutiveFactory(timezone="Europe/London"), week_start=WEEK)
    flag = FlagFactory(customer=customer())
    moved = on_sheet(elsewhere, 1, flag)  # one entry per customer per week: this one goes

    with pytest.raises(ValidationError, match="Say why"):
        flag_place(flag_id=flag.pk, by=admin, executive_id=maya.pk, week=WEEK, reason=" ")
    entry = flag_place(flag_id=flag.pk, by=admin, executive_id=maya.pk, week=WEEK, reason="The CFO asked for Maya.")

    order = list(SheetEntry.objects.filter(sheet=sheet, is_backup=False).order_by("position"))
    assert order == [called, entry, rest[0], rest[1]]  # the logged call never moves
    assert entry.pinned and entry.position == 2
    rest[2].refresh_from_db()
    assert rest[2].is_backup and rest[2].position > backup.position  # the lowest-ranked untouched main
    assert not SheetEntry.objects.filter(pk=moved.pk).exists()
    flag.refresh_from_db()
    assert (flag.status, flag.sheet) == (Flag.Status.SCHEDULED, sheet)
    note = FlagNote.objects.get(flag=flag, author=admin)
    assert note.text == "Put on Maya Lindqvist's sheet for the week of 30 Nov 2026, position 2: The CFO asked for Maya."
    assert "second on the list" in flag_plan(flag).sentence


def test_the_next_full_rebuild_keeps_the_admins_placement(maya):
    admin = AdminFactory()
    flag = FlagFactory(customer=customer())
    entry = flag_place(flag_id=flag.pk, by=admin, executive_id=maya.pk, week=WEEK, position=1, reason="Asked.")
    assert CallSheet.objects.filter(executive=maya, week_start=WEEK).count() == 1  # created: the week was not built
    build_week(WEEK, now=NOW)
    entry.refresh_from_db()
    flag.refresh_from_db()
    assert entry.position == 1 and entry.flag == flag and (flag.status, flag.sheet_id) == ("scheduled", entry.sheet_id)
    assert SheetEntry.objects.filter(customer=flag.customer, week_start=WEEK).count() == 1


def test_an_admins_placement_refuses_what_cannot_be(maya):
    admin = AdminFactory()
    chicago = CustomerFactory(timezone="America/Chicago")
    ContactFactory(customer=chicago)
    flag = FlagFactory(customer=chicago)
    with pytest.raises(ValidationError) as refused:  # Tuesday 10:00 in Oslo is 03:00 in Chicago
        flag_place(flag_id=flag.pk, by=admin, executive_id=maya.pk, week=WEEK, reason="Please.")
    assert "03:00" in str(refused.value) and "outside calling hours (08:00–19:00)" in str(refused.value)
    with pytest.raises(ValidationError, match="is over"):
        flag_place(flag_id=flag.pk, by=admin, executive_id=maya.pk, week=date(2026, 11, 16), reason="Please.")
    with pytest.raises(ValidationError, match="no callable contact"):
        flag_place(flag_id=FlagFactory().pk, by=admin, executive_id=maya.pk, week=WEEK, reason="Please.")


def test_the_place_form_on_the_flag_page(client, lead, maya):
    flag = FlagFactory(customer=customer(), raised_by=lead)
    assert 'data-testid="place-form"' not in client.get(f"/flags/{flag.pk}/").content.decode()
    data = {"executive": maya.pk, "week": "2026-12-01", "position": 1, "reason": "The CEO knows them."}
    assert client.post(f"/flags/{flag.pk}/place/", data).status_code == 403
    client.force_login(AdminFactory())
    assert 'data-testid="place-form"' in client.get(f"/flags/{flag.pk}/").content.decode()
    response = client.post(f"/flags/{flag.pk}/place/", {**data, "week": "soon"})
    assert response.status_code == 400 and "Give the week as a date" in response.content.decode()
    assert client.post(f"/flags/{flag.pk}/place/", data).status_code == 302
    body = client.get(f"/flags/{flag.pk}/").content.decode()
    assert "Maya Lindqvist will call on Tue 1 Dec at 10:00, Oslo time" in body and "The CEO knows them." in body


# --- Not reached ---------------------------------------------------------------------------------


def test_a_voicemail_keeps_the_flag_and_carries_it_to_the_next_slot(maya, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="Lena")
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    flag = scheduled_flag(sheet, 1, lead)
    entry = SheetEntry.objects.get(flag=flag)
    with (
        time_machine.travel(datetime(2026, 12, 1, 10, 5, tzinfo=OSLO), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_log(entry_id=entry.pk, by=maya.user, outcome=CallLog.Outcome.VOICEMAIL)
    with time_machine.travel(datetime(2026, 12, 1, 10, 5, tzinfo=OSLO), tick=False):
        flag.refresh_from_db()
        assert flag.status == Flag.Status.SCHEDULED and flag.sheet.week_start == date(2026, 12, 7)
        carried = SheetEntry.objects.get(flag=flag, sheet=flag.sheet)
        assert carried.pinned and not carried.is_backup
        plan = flag_plan(flag)
    assert plan.sentence == (
        "Voicemail left Tue 1 Dec (Maya Lindqvist); Maya Lindqvist tries again on Tue 8 Dec at 10:00, "
        "Oslo time (09:00 for the customer, London time), first on the list."
    )
    assert "voicemail left on Tue 1 Dec" not in plan.sentence
    [email] = [m for m in mail.outbox if lead.email in m.to]
    assert "What happens next: Voicemail left Tue 1 Dec (Maya Lindqvist); Maya Lindqvist tries again" in email.body


def test_a_voicemail_corrected_to_reached_answers_the_flag_and_frees_the_carried_place(maya):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    flag = scheduled_flag(sheet, 1)
    entry = SheetEntry.objects.get(flag=flag)
    with time_machine.travel(datetime(2026, 12, 1, 10, 5, tzinfo=OSLO), tick=False):
        call = call_log(entry_id=entry.pk, by=maya.user, outcome=CallLog.Outcome.VOICEMAIL)
        assert SheetEntry.objects.filter(flag=flag, pinned=True).count() == 1
        call_correct(call_id=call.pk, by=maya.user, outcome=CallLog.Outcome.REACHED)
    flag.refresh_from_db()
    assert (flag.status, flag.call) == (Flag.Status.CALLED, call)
    assert not SheetEntry.objects.filter(flag=flag, pinned=True).exists()


def test_an_urgent_flag_not_reached_goes_to_the_soonest_slot_in_the_window():
    """Not reached on Friday: the window runs to Monday's close; Daniel's Monday slot is in it,
    Friday's own executive's next slot is not."""
    friday = ExecutiveFactory(user__first_name="Maya", user__last_name="Lindqvist", weekday=4)
    daniel = ExecutiveFactory(
        user__first_name="Daniel", user__last_name="Price", timezone="Europe/London", weekday=0, start_time=time(9)
    )
    sheet = CallSheetFactory(executive=friday, week_start=WEEK)
    flag = scheduled_flag(sheet, 1, urgency=Flag.Urgency.URGENT)
    entry = SheetEntry.objects.get(flag=flag)
    with time_machine.travel(datetime(2026, 12, 4, 10, 5, tzinfo=OSLO), tick=False):
        call_log(entry_id=entry.pk, by=friday.user, outcome=CallLog.Outcome.NO_ANSWER)
        flag.refresh_from_db()
        assert flag.sheet.executive == daniel and flag.sheet.week_start == date(2026, 12, 7)
        assert flag_plan(flag).sentence == (
            "No answer Fri 4 Dec (Maya Lindqvist); Daniel Price tries again on Mon 7 Dec at 09:00, London time, "
            "first on the list."
        )


def test_after_three_attempts_the_flag_goes_back_to_its_lead(maya):
    flag = FlagFactory(customer=customer(), status=Flag.Status.SCHEDULED)
    sheet = CallSheetFactory(executive=maya, week_start=date(2026, 11, 9))
    entry = on_sheet(sheet, 1, flag)
    flag.sheet = sheet
    flag.save()
    for k in range(3):
        day = entry.sheet.week_start + timedelta(days=1)
        with time_machine.travel(datetime.combine(day, time(10, 5), tzinfo=OSLO), tick=False):
            call_log(entry_id=entry.pk, by=maya.user, outcome=CallLog.Outcome.VOICEMAIL)
        flag.refresh_from_db()
        if k < 2:
            assert flag.status == Flag.Status.SCHEDULED
            entry = SheetEntry.objects.get(flag=flag, status=SheetEntry.Status.PENDING)
            assert entry.sheet.week_start == day - timedelta(days=1) + timedelta(weeks=1)
    assert flag.status == Flag.Status.CALLED  # "You can flag the customer again."


# --- Calling hours -------------------------------------------------------------------------------


def test_a_skip_never_promotes_a_backup_outside_calling_hours(maya):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK)
    skipped = on_sheet(sheet, 1)
    night = customer(tz="America/Los_Angeles")  # Tuesday 10:00 in Oslo is 01:00 in Los Angeles
    late = on_sheet_with(sheet, 5, night, is_backup=True)
    awake = on_sheet(sheet, 6, is_backup=True)
    assert entry_skip(entry_id=skipped.pk, by=maya.user) == awake
    late.refresh_from_db()
    assert late.is_backup


def on_sheet_with(sheet, position, c, **kwargs):
    return SheetEntryFactory(sheet=sheet, customer=c, contact=c.contacts.first(), position=position, **kwargs)


@pytest.mark.parametrize(
    ("week", "placed"),
    [(date(2026, 10, 19), False), (date(2026, 10, 26), True), (date(2026, 11, 2), False)],
    ids=["both-summer-time", "oslo-winter-chicago-summer", "both-winter-time"],
)
def test_calling_hours_follow_the_clocks_across_a_dst_change(week, placed):
    """Oslo's 14:00 slot is 07:00 in Chicago, except in the week between the two DST ends (Oslo
    25 Oct, Chicago 1 Nov), when it is 08:00: the only week the Chicago customer may be called."""
    oslo = ExecutiveFactory(timezone="Europe/Oslo", weekday=1, start_time=time(14, 0))
    chicago = CustomerFactory(timezone="America/Chicago")
    ContactFactory(customer=chicago)
    FlagFactory(customer=chicago, urgency=Flag.Urgency.URGENT)
    now = datetime.combine(week - timedelta(days=3), time(12), tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        result = build_week(week, now=now)
    on = [e.customer for s in result.sheets for e in s.entries]
    assert (chicago in on) is placed
    if not placed:
        [left] = [s for s in result.skipped if s.customer.id == chicago.id]
        assert left.code == "calling_hours" and "America/Chicago" in left.text
    assert oslo.slot_start(week).hour == 14


def test_a_voicemail_is_never_carried_outside_calling_hours_across_dst():
    """Called in the gap week (08:00 in Chicago); from next week on Oslo's slot is 07:00 there, so
    the flag goes to the London executive, whose Thursday 15:00 next week is 09:00 in Chicago."""
    oslo = ExecutiveFactory(timezone="Europe/Oslo", weekday=1, start_time=time(14, 0))
    london = ExecutiveFactory(timezone="Europe/London", weekday=3, start_time=time(15, 0))
    chicago = CustomerFactory(timezone="America/Chicago")
    ContactFactory(customer=chicago)
    sheet = CallSheetFactory(executive=oslo, week_start=date(2026, 10, 26))
    flag = FlagFactory(customer=chicago, status=Flag.Status.SCHEDULED, sheet=sheet)
    entry = on_sheet_with(sheet, 1, chicago, flag=flag)
    with time_machine.travel(datetime(2026, 10, 27, 14, 5, tzinfo=OSLO), tick=False):
        call_log(entry_id=entry.pk, by=oslo.user, outcome=CallLog.Outcome.VOICEMAIL)
    flag.refresh_from_db()
    assert flag.sheet.executive == london and flag.sheet.week_start == date(2026, 11, 2)
    start = flag.sheet.slot_starts_at.astimezone(ZoneInfo("America/Chicago"))
    assert (start.date(), start.hour) == (date(2026, 11, 5), 9)


# --- Bad input never gives a 500 -----------------------------------------------------------------

TEXT = st.text(max_size=60) | st.sampled_from(["", " ", "+44 20 7946 0018", "x" * 300, "\x00", "٣٣٣٣٣٣", "a@b"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contact=TEXT, name=TEXT, email=TEXT, phone=TEXT, title=TEXT)
@example(contact="", name="Nul\x00Name", email="", phone="+44 20 7946 0018", title="")
@example(contact="", name="Dee", email="not-an-email", phone="+44 20 7946 0018", title="x" * 300)
def test_any_contact_form_input_is_saved_or_refused_in_words(client, contact, name, email, phone, title):
    flag = FlagFactory(customer=CustomerFactory())
    client.force_login(LeadFactory())
    data = {"contact": contact, "name": name, "email": email, "phone": phone, "title": title}
    response = client.post(f"/flags/{flag.pk}/contact/", data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in response.content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(executive=TEXT, week=TEXT | st.dates().map(str), position=TEXT | st.integers().map(str), reason=TEXT)
def test_any_place_form_input_is_placed_or_refused_in_words(client, executive, week, position, reason):
    flag = FlagFactory(customer=customer())
    client.force_login(AdminFactory())
    data = {"executive": executive, "week": week, "position": position, "reason": reason}
    response = client.post(f"/flags/{flag.pk}/place/", data)
    assert response.status_code in (302, 400)


def test_the_service_refuses_a_nul_in_words(lead):
    flag = FlagFactory(customer=CustomerFactory())
    with pytest.raises(ValidationError) as refused:
        flag_contact_add(flag_id=flag.pk, by=lead, name="Nul\x00", phone="+1 312 555 0100")
    assert refused.value.error_dict.keys() == {"name"}
