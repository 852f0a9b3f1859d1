"""The Django admin is one more door: it writes commitments, calls and sheet entries through the
same services as the pages, so every change keeps its history and its rules."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callsheets.models import CallLog, Commitment, CommitmentChange, SheetEntry
from tests.adminform import change_form_data
from tests.factories import AdminFactory, CallSheetFactory, CommitmentFactory, SheetEntryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:callsheets_commitment_changelist"


@pytest.fixture
def admin_user():
    return AdminFactory(first_name="Rita", last_name="Okafor")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_mark_done_asks_what_was_done_then_records_the_history(admin_client, admin_user):
    c = CommitmentFactory(due_date=timezone.localdate() - timedelta(days=3))
    url = reverse(CHANGELIST)
    asked = admin_client.post(url, {"action": "mark_done", "_selected_action": [c.pk], "index": 0})
    assert asked.status_code == 200 and "What was done" in asked.content.decode()
    assert Commitment.objects.get(pk=c.pk).status == "open"

    empty = admin_client.post(url, {"action": "mark_done", "_selected_action": [c.pk], "post": "yes", "text": " "})
    assert "write a sentence; nothing was changed" in empty.content.decode()

    done = admin_client.post(
        url, {"action": "mark_done", "_selected_action": [c.pk], "post": "yes", "text": "Credit issued"}, follow=True
    )
    assert "1 commitment marked done." in done.content.decode()
    c.refresh_from_db()
    assert (c.status, c.resolution) == ("done", "Credit issued") and c.completed_at is not None
    change = CommitmentChange.objects.get(commitment=c, field="status")
    assert (change.old, change.new, change.by) == ("open", "done", admin_user)


def test_drop_and_told_actions_go_through_the_services(admin_client, admin_user):
    a, b = CommitmentFactory(), CommitmentFactory()
    url = reverse(CHANGELIST)
    admin_client.post(
        url, {"action": "drop", "_selected_action": [a.pk, b.pk], "post": "yes", "text": "Customer churned"}
    )
    assert set(Commitment.objects.values_list("status", flat=True)) == {"dropped"}
    assert CommitmentChange.objects.filter(field="status", new="dropped", by=admin_user).count() == 2
    response = admin_client.post(url, {"action": "mark_told", "_selected_action": [a.pk], "index": 0}, follow=True)
    assert "1 of 1 commitments changed to: customer told of the result." in response.content.decode()
    assert CommitmentChange.objects.filter(commitment=a, field="customer_told", new="yes").exists()


def test_a_refused_action_changes_nothing_and_says_why(admin_client):
    open_one = CommitmentFactory()
    closed = CommitmentFactory(status="done", completed_at=timezone.now(), resolution="x")
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "mark_done", "_selected_action": [open_one.pk, closed.pk], "post": "yes", "text": "Done"},
        follow=True,
    )
    assert "Only open commitments can be marked done" in response.content.decode()
    assert Commitment.objects.get(pk=open_one.pk).status == "open"


def test_status_is_read_only_and_a_forced_status_is_ignored(admin_client):
    c = CommitmentFactory()
    url = reverse("admin:callsheets_commitment_change", args=[c.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="completed_at"' not in page and 'name="resolution"' not in page
    data = change_form_data(page, "commitment_form", status="done", resolution="sneaky")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.resolution, c.completed_at) == ("open", "", None)
    assert "commitment_completed_at_matches_status" not in admin_client.get(url).content.decode()


def test_editing_the_words_and_due_date_records_each_change(admin_client, admin_user):
    c = CommitmentFactory(promise="Credit the March invoice")
    url = reverse("admin:callsheets_commitment_change", args=[c.pk])
    new_due = c.due_date + timedelta(days=10)
    data = change_form_data(
        admin_client.get(url).content.decode(),
        "commitment_form",
        promise="Credit the March and April invoices",
        due_date=new_due.isoformat(),
    )
    assert admin_client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert (c.promise, c.due_date) == ("Credit the March and April invoices", new_due)
    changes = {ch.field: ch for ch in CommitmentChange.objects.filter(commitment=c)}
    assert set(changes) == {"promise", "due_date"}
    assert changes["promise"].old == "Credit the March invoice" and changes["promise"].by == admin_user
    assert changes["due_date"].new == new_due.isoformat() and changes["due_date"].note == "Changed in the admin."


def test_a_past_due_date_is_refused_beside_the_field(admin_client):
    c = CommitmentFactory()
    url = reverse("admin:callsheets_commitment_change", args=[c.pk])
    data = change_form_data(admin_client.get(url).content.decode(), "commitment_form", due_date="2001-01-01")
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "The new due date 01 Jan 2001 is in the past." in response.content.decode()
    assert not CommitmentChange.objects.exists()


def test_commitments_and_their_history_are_not_added_or_edited_around_the_services(admin_client):
    c = CommitmentFactory()
    CommitmentChange.objects.create(commitment=c, field="status", old="open", new="done")
    assert admin_client.get(reverse("admin:callsheets_commitment_add")).status_code == 403
    assert admin_client.get(reverse("admin:callsheets_commitmentchange_add")).status_code == 403
    change = CommitmentChange.objects.get()
    page = admin_client.get(reverse("admin:callsheets_commitmentchange_change", args=[change.pk])).content.decode()
    assert 'name="new"' not in page


def test_correcting_a_call_in_the_admin_goes_through_call_correct(admin_client, admin_user, monkeypatch):
    c = CommitmentFactory()
    call = c.call
    from callsheets.services import calls

    seen = []
    real = calls.call_correct
    monkeypatch.setattr(calls, "call_correct", lambda **kw: seen.append(kw) or real(**kw))
    url = reverse("admin:callsheets_calllog_change", args=[call.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="commitments-0-status"' not in page and 'name="called_at' not in page
    data = change_form_data(page, "calllog_form", outcome="voicemail", notes="Left a message.")
    assert admin_client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert (call.outcome, call.notes) == (CallLog.Outcome.VOICEMAIL, "Left a message.")
    assert seen and seen[0]["call_id"] == call.pk and seen[0]["by"] == admin_user
    assert admin_client.get(reverse("admin:callsheets_calllog_add")).status_code == 403


def test_skipping_an_entry_in_the_admin_moves_a_backup_up(admin_client):
    # A Chicago executive: the slot is 10:00 for the (Chicago) customers, inside calling hours.
    sheet = CallSheetFactory(executive__timezone="America/Chicago")
    main = SheetEntryFactory(sheet=sheet, position=1)
    backup = SheetEntryFactory(sheet=sheet, position=2, is_backup=True)
    url = reverse("admin:callsheets_sheetentry_changelist")
    response = admin_client.post(url, {"action": "skip", "_selected_action": [main.pk], "index": 0}, follow=True)
    assert "1 of 1 skipped." in response.content.decode()
    assert SheetEntry.objects.get(pk=main.pk).status == "skipped"
    assert SheetEntry.objects.get(pk=backup.pk).is_backup is False
    again = admin_client.post(url, {"action": "skip", "_selected_action": [main.pk], "index": 0}, follow=True)
    assert "it cannot be skipped" in again.content.decode()
    page = admin_client.get(reverse("admin:callsheets_sheetentry_change", args=[main.pk])).content.decode()
    assert 'name="status"' not in page and 'name="position"' not in page
    sheet_page = admin_client.get(reverse("admin:callsheets_callsheet_change", args=[sheet.pk])).content.decode()
    assert 'name="entries-0-status"' not in sheet_page
