"""Every free text has a limit, the same in the service (the rule) and the form (maxlength, a counter, the message)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from callsheets.models import CallLog, Commitment
from callsheets.services.calls import call_log
from callsheets.services.commitments import commitment_complete
from ceocalls import limits
from customers.models import Flag, FlagNote
from customers.services.flags import flag_add_note, flag_raise
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    CommitmentFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 9, 20, tzinfo=UTC)  # during the executive's Tuesday slot


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def entry():
    executive = ExecutiveFactory(timezone="Europe/Oslo")
    return SheetEntryFactory(sheet=CallSheetFactory(executive=executive, week_start=date(2026, 11, 23)), position=1)


def call_post(entry, notes="", promise=""):
    p = f"e{entry.pk}"
    return {
        f"{p}-outcome": "reached",
        f"{p}-notes": notes,
        f"{p}-c-TOTAL_FORMS": "1",
        f"{p}-c-INITIAL_FORMS": "0",
        f"{p}-c-0-promise": promise,
        f"{p}-c-0-owner": str(entry.sheet.executive.user_id),
        f"{p}-c-0-due_date": "2026-12-01" if promise else "",
    }


def test_the_limits_are_the_documented_numbers():
    assert {limit.name: limit.limit for limit in limits.ALL} == {
        "Call notes": 5000,
        "A promise": 500,
        "The reason for the flag": 2000,
        "A note on a flag": 2000,
        "The reason for dismissing": 1000,
        "The resolution": 1000,
        "The subject": 200,
        "The follow-up e-mail": 5000,
    }


def test_call_notes_over_5000_characters_are_refused_beside_the_field(client, entry):
    client.force_login(entry.sheet.executive.user)

    response = client.post(f"/sheet/entries/{entry.pk}/log/", call_post(entry, notes="n" * 20_000))

    html = response.content.decode()
    assert response.status_code == 200
    message = "Call notes can be at most 5,000 characters; this is 20,000."
    assert message in html and html.index(message) > html.index(f'name="e{entry.pk}-notes"')
    assert not CallLog.objects.exists()

    assert client.post(f"/sheet/entries/{entry.pk}/log/", call_post(entry, notes="n" * 5000)).status_code == 302
    assert len(CallLog.objects.get().notes) == 5000


def test_a_line_break_counts_as_one_character_as_in_the_browser(client, entry):
    client.force_login(entry.sheet.executive.user)
    notes = "line\r\n" * 999 + "end"  # 4,998 characters as the browser counts them, 5,997 as CRLF

    assert client.post(f"/sheet/entries/{entry.pk}/log/", call_post(entry, notes=notes)).status_code == 302
    assert CallLog.objects.get().notes == notes.replace("\r\n", "\n")


def test_a_promise_over_500_characters_is_refused(client, entry):
    client.force_login(entry.sheet.executive.user)

    response = client.post(f"/sheet/entries/{entry.pk}/log/", call_post(entry, promise="p" * 1_000_000))

    assert response.status_code == 200
    assert "A promise can be at most 500 characters; this is 1,000,000." in response.content.decode()
    assert not Commitment.objects.exists() and not CallLog.objects.exists()


def test_the_call_form_carries_maxlength_and_a_counter(client, entry):
    client.force_login(entry.sheet.executive.user)

    html = client.get(f"/sheet/entries/{entry.pk}/log/").content.decode()  # the card's form, opened

    assert 'maxlength="5000"' in html and 'maxlength="500"' in html and "data-counter" in html
    assert "/static/js/char-counter.js" in html
    assert "<script>" not in html.split("</main>", 1)[0]  # no inline script on the page's body


def test_flag_reason_note_and_dismissal_are_limited(client):
    customer = CustomerFactory()
    client.force_login(LeadFactory())

    response = client.post("/flags/new/", {"customer": customer.pk, "reason": "r" * 2001, "urgency": "normal"})
    assert response.status_code == 200
    assert "The reason for the flag can be at most 2,000 characters; this is 2,001." in response.content.decode()
    assert not Flag.objects.exists()
    assert 'maxlength="2000"' in client.get("/flags/new/", {"customer": customer.pk}).content.decode()

    flag = FlagFactory(customer=customer)
    response = client.post(f"/flags/{flag.pk}/notes/", {"text": "t" * 2001})
    assert response.status_code == 400
    assert "A note on a flag can be at most 2,000 characters; this is 2,001." in response.content.decode()
    assert not FlagNote.objects.exists()

    client.force_login(AdminFactory())
    response = client.post(f"/flags/{flag.pk}/dismiss/", {"reason": "d" * 1001})
    assert response.status_code == 400
    assert "The reason for dismissing can be at most 1,000 characters; this is 1,001." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_resolution_over_1000_characters_is_refused(client):
    commitment = CommitmentFactory()
    client.force_login(commitment.call.executive.user)

    url = f"/commitments/{commitment.pk}/complete/"
    response = client.post(url, {"complete-resolution": "x" * 1001})
    assert response.status_code == 400
    assert "The resolution can be at most 1,000 characters; this is 1,001." in response.content.decode()

    response = client.post(
        "/commitments/bulk/", {"ids": [commitment.pk], "action": "drop", "text": "y" * 1001, "next": "/commitments/"}
    )
    assert response.status_code == 400
    assert "The resolution can be at most 1,000 characters; this is 1,001." in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_the_services_refuse_long_text_whatever_the_door(entry):
    user = entry.sheet.executive.user
    with pytest.raises(ValidationError) as raised:
        call_log(entry_id=entry.pk, by=user, outcome="reached", notes="n" * 5001)
    assert "Call notes can be at most 5,000 characters" in raised.value.message_dict["notes"][0]

    with pytest.raises(ValidationError) as raised:
        flag_raise(customer_id=CustomerFactory().pk, by=LeadFactory(), reason="r" * 2001)
    assert "reason" in raised.value.message_dict

    with pytest.raises(ValidationError):
        flag_add_note(flag_id=FlagFactory().pk, by=LeadFactory(), text="t" * 2001)

    with pytest.raises(ValidationError, match="The resolution can be at most 1,000 characters"):
        commitment_complete(commitment_id=CommitmentFactory().pk, by=AdminFactory(), resolution="x" * 1001)
    assert not CallLog.objects.filter(entry=entry).exists() and not FlagNote.objects.exists()
