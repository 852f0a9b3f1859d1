"""Who reads a call's notes (CONTRACT §2): executives and program admins; a note its author marks
private only its author and program admins; support leads never. One rule, on every page, e-mail
and CSV that could carry a note."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail

from callsheets.models import CallLog, call_notes_readable
from callsheets.services.calls import PromiseInput, call_correct, call_log
from customers.models import Flag
from notifications.services.emails import briefing_send
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
    UserFactory,
)
from tests.sheet.test_logging import post_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # Thursday; both executives' slots were on Tuesday 24 Nov
WEEK = date(2026, 11, 23)
PRIVATE = "Her husband is ill; she may step back in spring"
SHARED = "Wants the export fixed before renewal"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """Bea called Nordlys on her sheet (private notes) after Anna had called them (shared notes); Nordlys is
    on Anna's sheet next week. Sam flagged Nordlys; Bea's call answered it, with promises owned by Sam and Anna."""
    anna = ExecutiveFactory(user__first_name="Anna", user__last_name="Berg")
    bea = ExecutiveFactory(user__first_name="Bea", user__last_name="Holm")
    lead = LeadFactory(first_name="Sam")
    customer = CustomerFactory(name="Nordlys AS")
    earlier = CallLogFactory(executive=anna, customer=customer, notes=SHARED, called_at=NOW - timedelta(days=40))
    bea_sheet = CallSheetFactory(executive=bea, week_start=WEEK)
    flag = FlagFactory(customer=customer, raised_by=lead, status=Flag.Status.SCHEDULED, sheet=bea_sheet)
    entry = SheetEntryFactory(sheet=bea_sheet, customer=customer, position=1, flag=flag)
    with django_capture_on_commit_callbacks(execute=True):
        call = call_log(
            entry_id=entry.pk,
            by=bea.user,
            outcome="reached",
            notes=PRIVATE,
            notes_private=True,
            promises=[
                PromiseInput("Send the export fix date", lead, NOW.date() + timedelta(days=7)),
                PromiseInput("Anna checks in after renewal", anna.user, NOW.date() + timedelta(days=30)),
            ],
        )
    anna_sheet = CallSheetFactory(executive=anna, week_start=WEEK + timedelta(days=7))
    SheetEntryFactory(sheet=anna_sheet, customer=customer, position=1)
    owned = {c.owner_id: c for c in call.commitments.all()}
    return {
        "anna": anna,
        "bea": bea,
        "lead": lead,
        "admin": AdminFactory(),
        "customer": customer,
        "flag": flag,
        "call": call,
        "earlier": earlier,
        "lead_commitment": owned[lead.pk],
        "anna_commitment": owned[anna.user.pk],
        "anna_week": anna_sheet.week_start,
    }


def page(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_the_rule(world):
    call, earlier = world["call"], world["earlier"]
    readers = {
        name: (call_notes_readable(call, world[name] if name in ("lead", "admin") else world[name].user))
        for name in ("anna", "bea", "lead", "admin")
    }
    assert readers == {"anna": False, "bea": True, "lead": False, "admin": True}
    assert call_notes_readable(earlier, world["anna"].user) and call_notes_readable(earlier, world["bea"].user)
    assert not call_notes_readable(earlier, world["lead"])
    assert not call_notes_readable(earlier, UserFactory())  # no role, no notes
    superuser = UserFactory(is_superuser=True)
    assert call_notes_readable(call, superuser)
    # The same rule as a query.
    for user in (world["anna"].user, world["bea"].user, world["lead"], world["admin"], superuser):
        as_query = set(CallLog.objects.notes_readable_by(user).values_list("pk", flat=True))
        assert as_query == {c.pk for c in CallLog.objects.all() if call_notes_readable(c, user)}


def test_the_customer_page(client, world):
    path = f"/customers/{world['customer'].pk}/"
    anna = page(client, world["anna"].user, path)
    assert PRIVATE not in anna and SHARED in anna
    assert "Bea Holm keeps the notes of this call private." in anna
    for who in ("bea", "admin"):
        html = page(client, world[who].user if who == "bea" else world[who], path)
        assert PRIVATE in html and SHARED in html
    lead = page(client, world["lead"], path)
    assert PRIVATE not in lead and SHARED not in lead and "Call notes are for executives and program admins." in lead
    assert "keeps the notes of this call private" not in lead


def test_the_sheet_card_and_its_print_view_of_another_executive(client, world):
    anna, week = world["anna"], world["anna_week"]
    for path in (f"/sheet/{week}/", f"/sheet/{week}/print/"):
        html = page(client, anna.user, path)
        assert "Nordlys AS" in html and "Bea Holm" in html  # the last call is named, its notes are not
        assert PRIVATE not in html
        admin = page(client, world["admin"], f"{path}?executive={anna.pk}")
        assert PRIVATE[:40] in admin


def test_the_authors_own_sheet_shows_her_private_note_marked_private(client, world):
    html = page(client, world["bea"].user, f"/sheet/{WEEK}/")
    assert PRIVATE in html and ">Private</span>" in html
    # the correction form, opened from the card
    form = page(client, world["bea"].user, f"/sheet/entries/{world['call'].entry_id}/log/")
    assert "Private: only you and program admins read these notes" in form
    assert 'name="e{}-notes_private"'.format(world["call"].entry_id) in form and "checked" in form
    admin = page(client, world["admin"], f"/sheet/entries/{world['call'].entry_id}/log/")
    assert "Private: only Bea Holm and program admins read these notes" in admin


def test_flag_pages_never_show_notes_to_a_lead(client, world):
    flag = world["flag"]
    lead = page(client, world["lead"], f"/flags/{flag.pk}/")
    assert "Bea Holm" in lead and PRIVATE not in lead
    assert PRIVATE in page(client, world["admin"], f"/flags/{flag.pk}/")
    CallLog.objects.filter(pk=world["call"].pk).update(notes_private=False)
    assert PRIVATE not in page(client, world["lead"], f"/flags/{flag.pk}/")  # not even a shared note


def test_commitment_pages(client, world):
    lead_c, anna_c = world["lead_commitment"], world["anna_commitment"]
    assert PRIVATE not in page(client, world["lead"], f"/commitments/{lead_c.pk}/")  # a lead owns it
    assert PRIVATE not in page(client, world["anna"].user, f"/commitments/{anna_c.pk}/")  # Anna owns it
    assert PRIVATE in page(client, world["bea"].user, f"/commitments/{anna_c.pk}/")
    assert PRIVATE in page(client, world["admin"], f"/commitments/{lead_c.pk}/")
    for user in (world["lead"], world["admin"]):
        client.force_login(user)
        csv = b"".join(client.get("/commitments/", {"format": "csv"}).streaming_content).decode()
        assert "Send the export fix date" in csv and PRIVATE not in csv and SHARED not in csv


def test_e_mails_never_carry_notes(world):
    assert mail.outbox, "the lead was told of the call"
    call_correct(call_id=world["call"].pk, by=world["bea"].user, outcome="voicemail", notes=PRIVATE + " (later)")
    sheet = world["anna"].sheets.get(week_start=world["anna_week"])
    briefing_send(executive=world["anna"], sheet=sheet)
    for message in mail.outbox:
        texts = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
        for text in texts:
            assert PRIVATE not in text and SHARED not in text, message.subject


def test_the_program_csv_carries_no_notes(client, world):
    client.force_login(world["admin"])
    for table in ("calls", "flags", "commitments", "executives", "effect"):
        response = client.get("/program/", {"format": "csv", "table": table, "start": "2026-09-01"})
        assert response.status_code == 200
        assert PRIVATE not in response.content.decode() and SHARED not in response.content.decode()


def test_the_admin_shows_private_notes_to_program_admins_only(client, world):
    call = world["call"]
    client.force_login(AdminFactory())
    assert PRIVATE in client.get(f"/admin/callsheets/calllog/{call.pk}/change/").content.decode()
    found = client.get("/admin/callsheets/calllog/", {"q": "husband"}).content.decode()
    assert "1 result" in found
    # A staff executive (no admin role) given the admin's view permission: the rule still holds.
    anna = world["anna"].user
    anna.is_staff = True
    anna.save()
    anna.user_permissions.add(Permission.objects.get(codename="view_calllog"))
    client.force_login(anna)
    html = client.get(f"/admin/callsheets/calllog/{call.pk}/change/").content.decode()
    assert "Nordlys AS" in html and PRIVATE not in html
    assert SHARED in client.get(f"/admin/callsheets/calllog/{world['earlier'].pk}/change/").content.decode()
    assert "0 results" in client.get("/admin/callsheets/calllog/", {"q": "husband"}).content.decode()


def test_the_card_form_marks_a_note_private_and_the_correction_unmarks_it(client):
    entry = SheetEntryFactory(sheet=CallSheetFactory(week_start=WEEK))
    client.force_login(entry.sheet.executive.user)
    data = post_data(entry, notes=PRIVATE, notes_private="on")
    assert client.post(f"/sheet/entries/{entry.pk}/log/", data).status_code == 302
    call = CallLog.objects.get()
    assert call.notes_private and call.notes == PRIVATE
    # The correction form comes with the box ticked; left ticked it stays private, unticked it is shared.
    data = post_data(entry, notes=PRIVATE, notes_private="on")
    client.post(f"/sheet/entries/{entry.pk}/log/", data)
    call.refresh_from_db()
    assert call.notes_private
    client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, notes=PRIVATE))
    call.refresh_from_db()
    assert not call.notes_private


def test_a_correction_from_another_door_keeps_the_mark_unless_it_says_otherwise():
    executive = ExecutiveFactory()
    entry = SheetEntryFactory(sheet=CallSheetFactory(executive=executive, week_start=WEEK))
    call = call_log(entry_id=entry.pk, by=executive.user, outcome="reached", notes=PRIVATE, notes_private=True)
    call_correct(call_id=call.pk, by=executive.user, outcome="voicemail", notes=PRIVATE)
    call.refresh_from_db()
    assert call.notes_private and call.outcome == "voicemail"
    call_correct(call_id=call.pk, by=executive.user, outcome="voicemail", notes=PRIVATE, notes_private=False)
    call.refresh_from_db()
    assert not call.notes_private
