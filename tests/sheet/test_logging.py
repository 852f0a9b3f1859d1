from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callsheets.models import CallLog, Commitment, SheetEntry
from callsheets.services.calls import PromiseInput, call_log, entry_skip
from customers.models import Flag
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def post_data(entry, promises=(), **fields):
    """The card's form as a browser sends it: call fields, then commitment rows."""
    p = f"e{entry.pk}"
    data = {f"{p}-outcome": "reached", f"{p}-duration_minutes": "12", f"{p}-sentiment": "unhappy", f"{p}-notes": ""}
    data.update({f"{p}-{k}": v for k, v in fields.items()})
    rows = list(promises) or [{}]
    data.update({f"{p}-c-TOTAL_FORMS": str(len(rows)), f"{p}-c-INITIAL_FORMS": "0"})
    default_owner = entry.sheet.executive.user_id
    for i, row in enumerate(rows):
        data[f"{p}-c-{i}-promise"] = row.get("promise", "")
        data[f"{p}-c-{i}-owner"] = str(row.get("owner", default_owner))
        data[f"{p}-c-{i}-due_date"] = row.get("due_date", "")
    return data


def in_days(n):
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def test_logging_a_reached_call_with_two_promises(client):
    entry = SheetEntryFactory()
    executive = entry.sheet.executive
    colleague = UserFactory(first_name="Tom", last_name="Reed")
    client.force_login(executive.user)

    response = client.post(
        f"/sheet/entries/{entry.pk}/log/",
        post_data(
            entry,
            notes="Angry about the outage; calmer by the end.",
            promises=[
                {"promise": "Credit the March invoice", "due_date": in_days(7)},
                {"promise": "Engineer calls back about SSO", "owner": colleague.pk, "due_date": in_days(2)},
            ],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sheet/{entry.sheet.week_start}/#entry-{entry.pk}"
    call = CallLog.objects.get()
    assert (call.entry, call.executive, call.customer, call.contact) == (
        entry,
        executive,
        entry.customer,
        entry.contact,
    )
    assert (call.outcome, call.duration_minutes, call.sentiment) == ("reached", 12, "unhappy")
    assert call.logged_by == executive.user
    promises = {c.promise: c for c in Commitment.objects.all()}
    assert promises["Credit the March invoice"].owner == executive.user
    assert promises["Engineer calls back about SSO"].owner == colleague
    assert all(c.customer == entry.customer and c.status == "open" for c in promises.values())
    entry.refresh_from_db()
    assert entry.status == SheetEntry.Status.CALLED

    html = client.get(f"/sheet/{entry.sheet.week_start}/").content.decode()
    assert "Credit the March invoice" in html and "Tom Reed" in html and "1 of 1 called" in html


def test_blank_promise_rows_are_ignored(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, outcome="voicemail"))
    assert response.status_code == 302
    assert CallLog.objects.get().outcome == "voicemail"
    assert not Commitment.objects.exists()


def test_a_past_due_date_is_refused_beside_the_field_and_input_is_kept(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)

    response = client.post(
        f"/sheet/entries/{entry.pk}/log/",
        post_data(entry, notes="Keep this note", promises=[{"promise": "Refund them", "due_date": in_days(-1)}]),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "is in the past" in html
    assert "Keep this note" in html and "Refund them" in html
    assert 'class="call-form has-errors"' in html
    assert not CallLog.objects.exists() and not Commitment.objects.exists()
    entry.refresh_from_db()
    assert entry.status == SheetEntry.Status.PENDING


def test_a_due_date_without_a_promise_is_refused(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, promises=[{"due_date": in_days(3)}]))
    assert response.status_code == 200
    assert "Say what was promised." in response.content.decode()
    assert not CallLog.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": ""}, "Choose how the call went."),
        ({"outcome": "shouted"}, "Select a valid choice"),
        ({"duration_minutes": "9999"}, "less than or equal to 600"),
        ({"duration_minutes": "ten"}, "Enter a whole number"),
    ],
)
def test_bad_call_fields_are_named(client, fields, message):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CallLog.objects.exists()


def test_a_missing_management_form_is_an_error_not_a_500(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    response = client.post(f"/sheet/entries/{entry.pk}/log/", {f"e{entry.pk}-outcome": "reached"})
    assert response.status_code == 200
    assert not CallLog.objects.exists()


def test_logging_a_flagged_entry_marks_the_flag_called(client):
    flag = FlagFactory(status=Flag.Status.SCHEDULED)
    entry = SheetEntryFactory(customer=flag.customer, flag=flag)
    client.force_login(entry.sheet.executive.user)

    client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry))

    flag.refresh_from_db()
    assert flag.status == Flag.Status.CALLED
    assert flag.call == CallLog.objects.get()


def test_posting_again_corrects_the_call_and_adds_promises(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, outcome="no_answer"))

    response = client.post(
        f"/sheet/entries/{entry.pk}/log/",
        post_data(
            entry, outcome="reached", notes="Called back", promises=[{"promise": "Send SLA", "due_date": in_days(1)}]
        ),
    )

    assert response.status_code == 302
    call = CallLog.objects.get()
    assert (call.outcome, call.notes) == ("reached", "Called back")
    assert Commitment.objects.get().promise == "Send SLA"


def test_the_service_refuses_a_second_log_of_the_same_entry():
    entry = SheetEntryFactory()
    user = entry.sheet.executive.user
    call_log(entry_id=entry.pk, by=user, outcome="reached")
    with pytest.raises(ValidationError, match="already logged"):
        call_log(entry_id=entry.pk, by=user, outcome="reached")
    assert CallLog.objects.count() == 1


def test_the_service_refuses_an_inactive_owner_and_writes_nothing():
    entry = SheetEntryFactory()
    gone = UserFactory(is_active=False)
    promise = PromiseInput(promise="Call back", owner=gone, due_date=timezone.localdate())
    with pytest.raises(ValidationError, match="can no longer sign in"):
        call_log(entry_id=entry.pk, by=entry.sheet.executive.user, outcome="reached", promises=[promise])
    assert not CallLog.objects.exists()
    entry.refresh_from_db()
    assert entry.status == SheetEntry.Status.PENDING


def test_another_executive_cannot_log_or_skip_my_entries(client):
    entry = SheetEntryFactory()
    client.force_login(ExecutiveFactory().user)
    assert client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry)).status_code == 404
    assert client.post(f"/sheet/entries/{entry.pk}/skip/").status_code == 404
    assert not CallLog.objects.exists()


def test_a_program_admin_can_log_for_an_executive(client):
    entry = SheetEntryFactory()
    admin = AdminFactory()
    client.force_login(admin)
    response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry))
    assert (
        response["Location"]
        == f"/sheet/{entry.sheet.week_start}/?executive={entry.sheet.executive.pk}#entry-{entry.pk}"
    )
    call = CallLog.objects.get()
    assert call.executive == entry.sheet.executive and call.logged_by == admin


def test_the_log_url_answers_get_with_the_cards_form_and_refuses_other_methods(client):
    entry = SheetEntryFactory()
    client.force_login(entry.sheet.executive.user)
    page = client.get(f"/sheet/entries/{entry.pk}/log/")
    fragment = client.get(f"/sheet/entries/{entry.pk}/log/", HTTP_HX_REQUEST="true").content.decode()

    # Without JavaScript the form is a page of its own (the card and a way back); htmx gets the form alone.
    assert page.status_code == 200 and "Back to the call sheet" in page.content.decode()
    assert f'name="e{entry.pk}-outcome"' in page.content.decode() and "Save call" in page.content.decode()
    assert fragment.lstrip().startswith("<form") and f'name="e{entry.pk}-outcome"' in fragment
    assert client.put(f"/sheet/entries/{entry.pk}/log/").status_code == 405


def test_the_sheet_offers_each_cards_form_on_demand(client):
    sheet = CallSheetFactory(entries=3)
    client.force_login(sheet.executive.user)
    html = client.get(f"/sheet/{sheet.week_start}/").content.decode()

    # Most visits only read the sheet: each card links to its form (a page, or htmx swaps it in).
    # Its outcome buttons are links that bring the form with that outcome picked.
    for entry in sheet.entries.all():
        url = f"/sheet/entries/{entry.pk}/log/?outcome=reached"
        assert f'href="{url}" hx-get="{url}"' in html
    assert 'class="call-form' not in html and html.count(">Left voicemail</a>") == 3
    entry = sheet.entries.first()
    opened = client.get(f"/sheet/entries/{entry.pk}/log/?outcome=voicemail", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="voicemail" checked' in opened and opened.count(" checked") == 1


def test_skipping_a_main_call_moves_the_first_backup_up(client):
    # capacity 4: positions 5 and 6 are backups; the slot is 10:00 where the customers are (Chicago)
    sheet = CallSheetFactory(entries=6, executive__timezone="America/Chicago")
    first = sheet.entries.get(position=1)
    client.force_login(sheet.executive.user)

    response = client.post(f"/sheet/entries/{first.pk}/skip/")

    assert response.status_code == 302
    entries = {e.position: e for e in sheet.entries.all()}
    assert entries[1].status == SheetEntry.Status.SKIPPED
    assert entries[5].is_backup is False and entries[6].is_backup is True
    html = client.get(response["Location"]).content.decode()
    assert "moves up from the backups" in html

    client.post(f"/sheet/entries/{first.pk}/skip/", {"undo": "1"})
    first.refresh_from_db()
    assert first.status == SheetEntry.Status.PENDING


def test_skipping_a_backup_moves_nothing_and_a_called_entry_cannot_be_skipped(client):
    sheet = CallSheetFactory(entries=6)
    backup = sheet.entries.get(position=5)
    assert entry_skip(entry_id=backup.pk, by=sheet.executive.user) is None
    assert sheet.entries.filter(is_backup=True).count() == 2

    called = sheet.entries.get(position=2)
    call_log(entry_id=called.pk, by=sheet.executive.user, outcome="reached")
    client.force_login(sheet.executive.user)
    response = client.post(f"/sheet/entries/{called.pk}/skip/", follow=True)
    assert "cannot be skipped" in response.content.decode()
    called.refresh_from_db()
    assert called.status == SheetEntry.Status.CALLED
