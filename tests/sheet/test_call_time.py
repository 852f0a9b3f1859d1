"""A call is dated when it took place, typed on the executive's clock, never in the future."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from callsheets.models import CallLog, Commitment
from callsheets.services.calls import call_correct, call_log
from customers.models import Flag
from tests.factories import CallSheetFactory, ExecutiveFactory, FlagFactory, LeadFactory, SheetEntryFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 23)
SLOT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Oslo (UTC+1 in November)
SUNDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # logging the Tuesday call five days later
DURING = datetime(2026, 11, 24, 9, 20, 30, tzinfo=UTC)  # 10:20:30 in Oslo, inside the slot


@pytest.fixture
def sheet():
    executive = ExecutiveFactory(timezone="Europe/Oslo", weekday=1, minutes_per_call=15)
    sheet = CallSheetFactory(executive=executive, week_start=WEEK)
    for position in (1, 2, 3):
        SheetEntryFactory(sheet=sheet, position=position)
    return sheet


def entry_at(sheet, position):
    return sheet.entries.get(position=position)


def post_data(entry, **fields):
    p = f"e{entry.pk}"
    data = {f"{p}-outcome": "reached", f"{p}-duration_minutes": "12", f"{p}-sentiment": "", f"{p}-notes": ""}
    data.update({f"{p}-{k}": v for k, v in fields.items()})
    data.update({f"{p}-c-TOTAL_FORMS": "1", f"{p}-c-INITIAL_FORMS": "0"})
    data.update({f"{p}-c-0-promise": "", f"{p}-c-0-owner": str(entry.sheet.executive.user_id), f"{p}-c-0-due_date": ""})
    return data


def field_value(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
    return tag.split('value="', 1)[1].split('"', 1)[0]


def test_after_the_slot_the_form_offers_the_entrys_time_on_the_slot(client, sheet):
    first, second = entry_at(sheet, 1), entry_at(sheet, 2)
    with time_machine.travel(SUNDAY, tick=False):
        client.force_login(sheet.executive.user)  # on the frozen clock: idle sessions end
        # the card's form is opened on demand: its own page (or the htmx fragment of it)
        html = client.get(f"/sheet/entries/{second.pk}/log/").content.decode()
        first_html = client.get(f"/sheet/entries/{first.pk}/log/", HTTP_HX_REQUEST="true").content.decode()

    assert field_value(html, f"e{second.pk}-called_at") == "2026-11-24T10:15"  # the second call: 10:00 + 15 min
    assert field_value(first_html, f"e{first.pk}-called_at") == "2026-11-24T10:00"
    assert "When (Oslo time)" in html and 'max="2026-11-29T13:00"' in html


def test_during_the_slot_the_form_offers_now(client, sheet):
    with time_machine.travel(DURING, tick=False):
        client.force_login(sheet.executive.user)  # on the frozen clock: idle sessions end
        html = client.get(f"/sheet/entries/{entry_at(sheet, 3).pk}/log/").content.decode()

    assert field_value(html, f"e{entry_at(sheet, 3).pk}-called_at") == "2026-11-24T10:20"


def test_a_tuesday_call_logged_on_sunday_is_dated_tuesday_everywhere(client, sheet):
    entry = entry_at(sheet, 2)
    flag = FlagFactory(customer=entry.customer, raised_by=LeadFactory(), status=Flag.Status.SCHEDULED, sheet=sheet)
    entry.flag = flag
    entry.save()
    data = post_data(entry, called_at="2026-11-24T10:15")
    p = f"e{entry.pk}"
    data.update({f"{p}-c-0-promise": "Credit the invoice", f"{p}-c-0-due_date": "2026-12-04"})

    with time_machine.travel(SUNDAY, tick=False):
        client.force_login(sheet.executive.user)  # on the frozen clock: idle sessions end
        response = client.post(f"/sheet/entries/{entry.pk}/log/", data)
        assert response.status_code == 302
        call = CallLog.objects.get()
        assert call.called_at == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
        assert "Called Tue 24 Nov, 10:15" in client.get(f"/sheet/{WEEK}/").content.decode()
        commitment = Commitment.objects.get()
        detail = client.get(f"/commitments/{commitment.pk}/").content.decode()
        assert "on the call of Tuesday 24 Nov 2026, 10:15" in detail
        client.force_login(flag.raised_by)
        assert "on Tue 24 Nov: reached" in client.get(f"/flags/{flag.pk}/").content.decode()
    flag.refresh_from_db()
    assert flag.called_at == call.called_at


def test_a_blank_time_after_the_slot_takes_the_entrys_time_on_the_slot(client, sheet):
    entry = entry_at(sheet, 3)
    with time_machine.travel(SUNDAY, tick=False):
        client.force_login(sheet.executive.user)  # on the frozen clock: idle sessions end
        assert client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, called_at="")).status_code == 302
    assert CallLog.objects.get().called_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-11-29T14:00", "The call cannot be in the future: it is now Sun 29 Nov, 13:00 (Europe/Oslo)."),
        ("2026-10-01T10:00", "A call on the sheet of the week of 23 Nov 2026 cannot be before Mon 16 Nov 2026"),
        ("yesterday", "Enter the date and time of the call, like 2026-11-24 10:15."),
    ],
)
def test_an_impossible_time_is_refused_beside_the_field(client, sheet, typed, message):
    entry = entry_at(sheet, 1)
    with time_machine.travel(SUNDAY, tick=False):
        client.force_login(sheet.executive.user)  # on the frozen clock: idle sessions end
        response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, called_at=typed))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert html.index(message) > html.index(f'name="e{entry.pk}-called_at"')  # beside the field, not on top
    assert f'value="{typed}"' in html  # what was typed is kept
    assert not CallLog.objects.exists()


def test_the_service_refuses_a_call_in_the_future_whatever_the_door(sheet):
    entry = entry_at(sheet, 1)
    with time_machine.travel(SUNDAY, tick=False), pytest.raises(ValidationError) as raised:
        call_log(
            entry_id=entry.pk,
            by=sheet.executive.user,
            outcome="reached",
            called_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        )
    assert "called_at" in raised.value.error_dict
    assert not CallLog.objects.exists()


def test_correcting_the_time_moves_the_call_and_its_flag(client, sheet):
    entry = entry_at(sheet, 1)
    flag = FlagFactory(customer=entry.customer, status=Flag.Status.SCHEDULED, sheet=sheet)
    entry.flag = flag
    entry.save()
    with time_machine.travel(SUNDAY, tick=False):
        call = call_log(entry_id=entry.pk, by=sheet.executive.user, outcome="reached")
        assert call.called_at == SLOT  # logged after the slot, no time given: the entry's time on it
        client.force_login(sheet.executive.user)
        response = client.post(f"/sheet/entries/{entry.pk}/log/", post_data(entry, called_at="2026-11-25T16:45"))
        assert response.status_code == 302
        with pytest.raises(ValidationError):
            call_correct(call_id=call.pk, by=sheet.executive.user, outcome="reached", called_at=SUNDAY.replace(day=30))

    call.refresh_from_db()
    flag.refresh_from_db()
    assert call.called_at == flag.called_at == datetime(2026, 11, 25, 15, 45, tzinfo=UTC)


def test_an_untouched_time_in_a_correction_keeps_the_seconds(sheet):
    entry = entry_at(sheet, 1)
    with time_machine.travel(DURING, tick=False):
        call = call_log(entry_id=entry.pk, by=sheet.executive.user, outcome="no_answer")
        assert call.called_at == DURING  # during the slot: now
        # The form shows the time to the minute and posts it back unchanged: the call keeps its second.
        call_correct(call_id=call.pk, by=sheet.executive.user, outcome="reached", called_at=DURING.replace(second=0))
    call.refresh_from_db()
    assert (call.called_at, call.outcome) == (DURING, "reached")
