from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from callsheets.models import CallLog, SheetEntry
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_executive_lands_on_this_weeks_sheet_with_a_briefing_per_customer(client):
    sheet = CallSheetFactory(entries=6)
    client.force_login(sheet.executive.user)

    response = client.get("/sheet/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tuesday" in html and "10:00–11:00" in html and "Europe/Oslo" in html
    for entry in sheet.entries.all():
        assert entry.customer.name in html
        assert f'href="/customers/{entry.customer_id}/"' in html
        assert entry.contact.name in html and "VP Operations" in html
    assert html.count('href="tel:+1312555') == 6
    assert "Backups" in html  # capacity 4: positions 5 and 6 are set apart
    assert "0 of 4 called" in html


def test_slot_and_local_times_are_in_each_persons_zone(client):
    executive = ExecutiveFactory(timezone="Europe/Oslo", start_time=time(14, 0))
    sheet = CallSheetFactory(executive=executive, week_start=date(2026, 11, 16))
    SheetEntryFactory(sheet=sheet, position=1, customer__timezone="America/Chicago")
    SheetEntryFactory(sheet=sheet, position=2, customer__timezone="Asia/Tokyo")
    SheetEntryFactory(sheet=sheet, position=3, customer__timezone="Europe/Oslo")
    client.force_login(executive.user)

    html = client.get(f"/sheet/{sheet.week_start}/").content.decode()

    assert "Tuesday 17 November, 14:00–15:00" in html
    # 14:00 in Oslo is 07:00 in Chicago in November; the second call comes 15 minutes later
    assert "≈ 14:00 in Oslo · <strong>07:00 in Chicago</strong>: early" in html
    assert "≈ 14:15 in Oslo · <strong>22:15 in Tokyo</strong>: late at night" in html
    assert "≈ <strong>14:30</strong>, same time zone as you: afternoon" in html


def test_reasons_quote_the_customer_and_link_tickets_to_the_timeline(client):
    entry = SheetEntryFactory(
        reasons=[
            {"code": "nps_detractor", "text": 'NPS 0 on 12 Nov: "Don\'t bother, <b>idiots</b>"', "points": 56},
            {"code": "urgent_ticket", "text": '1 urgent ticket, #4812 "Billing says we owe $400"', "points": 12},
        ]
    )
    client.force_login(entry.sheet.executive.user)

    html = client.get(f"/sheet/{entry.sheet.week_start}/").content.decode()

    assert '<span class="quote">“Don&#x27;t bother, &lt;b&gt;idiots&lt;/b&gt;”</span>' in html
    assert f'<a href="/customers/{entry.customer_id}/#ticket-4812">#4812</a>' in html


def test_card_shows_last_call_and_open_promises_with_overdue_marked(client):
    entry = SheetEntryFactory()
    today = timezone.localdate()
    earlier = CallLogFactory(customer=entry.customer, notes="Promised a credit.\nSecond line not shown.")
    CommitmentFactory(call=earlier, promise="Credit the March invoice", due_date=today - timedelta(days=3))
    CommitmentFactory(call=earlier, promise="Send the roadmap", due_date=today + timedelta(days=3))
    CommitmentFactory(call=earlier, promise="Already kept", status="done", completed_at=timezone.now())
    client.force_login(entry.sheet.executive.user)

    html = client.get(f"/sheet/{entry.sheet.week_start}/").content.decode()

    assert earlier.executive.name in html and "“Promised a credit.”" in html
    assert "Second line not shown" not in html
    assert "Credit the March invoice" in html and "Send the roadmap" in html
    assert "Already kept" not in html
    assert html.count('class="overdue">overdue') == 1


def test_page_queries_do_not_grow_with_entries_calls_or_commitments(client, django_assert_max_num_queries):
    def sheet_with(n):
        sheet = CallSheetFactory(entries=n)
        for entry in sheet.entries.all()[: n // 2]:
            call = CallLogFactory(executive=sheet.executive, customer=entry.customer, entry=entry)
            CommitmentFactory(call=call)
            CommitmentFactory(call=CallLogFactory(customer=entry.customer), due_date=timezone.localdate())
            entry.status = SheetEntry.Status.CALLED
            entry.save()
        return sheet

    small, big = sheet_with(4), sheet_with(40)
    counts = []
    for sheet, n in ((small, 4), (big, 40)):
        client.force_login(sheet.executive.user)
        # 15: the page budget; the open urgent calls above the sheet are one of them.
        with django_assert_max_num_queries(15) as captured:
            response = client.get(f"/sheet/{sheet.week_start}/")
        assert response.status_code == 200
        assert response.content.count(b'href="tel:') == n
        assert (
            response.content.count(b"Credit the March invoice") == n
        )  # half the cards: promised on their call, and still open from an earlier one
        counts.append(len(captured))
        with django_assert_max_num_queries(14):
            assert client.get(f"/sheet/{sheet.week_start}/print/").status_code == 200
    assert counts[0] == counts[1]


def test_any_day_of_a_week_opens_that_weeks_monday(client):
    sheet = CallSheetFactory()
    client.force_login(sheet.executive.user)
    thursday = sheet.week_start + timedelta(days=3)

    response = client.get(f"/sheet/{thursday}/?executive={sheet.executive.pk}")

    assert response.status_code == 302
    assert response["Location"] == f"/sheet/{sheet.week_start}/?executive={sheet.executive.pk}"


@pytest.mark.parametrize(
    "path",
    [
        "/sheet/2026-13-45/",
        "/sheet/2026-02-30/print/",
        "/sheet/?executive=abc",
        "/sheet/0001-01-01/",  # a Monday with no week before it: once an OverflowError (500)
        "/sheet/0001-01-01/print/",
        "/sheet/9999-12-27/",  # a Monday with no week after it
        "/sheet/9999-12-31/",
    ],
)
def test_impossible_dates_and_ids_are_404_not_500(client, path):
    client.force_login(ExecutiveFactory().user)
    assert client.get(path).status_code == 404


def test_previous_and_next_week_links(client):
    sheet = CallSheetFactory()
    client.force_login(sheet.executive.user)
    html = client.get("/sheet/").content.decode()
    assert f'href="/sheet/{sheet.week_start - timedelta(days=7)}/"' in html
    assert f'href="/sheet/{sheet.week_start + timedelta(days=7)}/"' in html


def test_another_executives_sheet_is_404(client):
    mine, theirs = CallSheetFactory(entries=1), CallSheetFactory(entries=1)
    client.force_login(mine.executive.user)

    assert client.get(f"/sheet/?executive={theirs.executive.pk}").status_code == 404
    assert client.get(f"/sheet/{theirs.week_start}/print/?executive={theirs.executive.pk}").status_code == 404
    assert client.get(f"/sheet/?executive={mine.executive.pk}").status_code == 200


def test_program_admin_opens_anyones_sheet_and_can_switch(client):
    sheet = CallSheetFactory(entries=2)
    other = ExecutiveFactory()
    client.force_login(AdminFactory())

    picker = client.get("/sheet/")
    assert picker.status_code == 200
    assert f'href="/sheet/?executive={sheet.executive.pk}"' in picker.content.decode()

    html = client.get(f"/sheet/?executive={sheet.executive.pk}").content.decode()
    assert f"{sheet.executive.name}'s calls" in html
    assert sheet.entries.first().customer.name in html
    assert f'<option value="{other.pk}"' in html
    assert f"?executive={sheet.executive.pk}" in html  # week links keep whose sheet it is


def test_someone_with_no_sheet_role_is_refused(client):
    client.force_login(LeadFactory())
    assert client.get("/sheet/").status_code == 403
    client.force_login(UserFactory())
    assert client.get("/sheet/").status_code == 403
    client.logout()
    assert client.get("/sheet/")["Location"].startswith("/accounts/login/")


def test_executive_without_profile_is_told_what_is_missing(client):
    client.force_login(UserFactory(roles=["Executives"]))
    response = client.get("/sheet/")
    assert response.status_code == 200
    assert "No executive profile yet" in response.content.decode()


def test_no_sheet_yet_says_when_it_is_built(client):
    executive = ExecutiveFactory()
    client.force_login(executive.user)
    html = client.get("/sheet/").content.decode()
    assert "built every Friday" in html
    assert "/program/build/" not in html  # an executive cannot build


def test_admin_sees_build_now_posting_week_executive_and_next(client):
    executive = ExecutiveFactory()
    week = executive.current_week_start() + timedelta(days=7)
    client.force_login(AdminFactory())

    html = client.get(f"/sheet/{week}/?executive={executive.pk}").content.decode()

    assert 'action="/program/build/"' in html and "Build now" in html
    assert f'name="week" value="{week}"' in html
    assert f'name="executive" value="{executive.pk}"' in html
    assert f'name="next" value="/sheet/{week}/?executive={executive.pk}"' in html


def test_past_week_without_sheet(client):
    executive = ExecutiveFactory()
    client.force_login(executive.user)
    week = executive.current_week_start() - timedelta(days=21)
    html = client.get(f"/sheet/{week}/").content.decode()
    assert "This week is over and no call sheet was built for it" in html


def test_logged_call_shows_on_the_card_with_its_promises(client):
    entry = SheetEntryFactory(status=SheetEntry.Status.CALLED)
    call = CallLogFactory(entry=entry, executive=entry.sheet.executive, customer=entry.customer, notes="Good talk")
    CommitmentFactory(call=call, promise="Ship the fix by Friday")
    client.force_login(entry.sheet.executive.user)

    html = client.get("/sheet/").content.decode()

    assert "✓ Reached" in html and "Good talk" in html and "Ship the fix by Friday" in html
    assert "Correct or add a promise" in html
    assert CallLog.objects.count() == 1


def test_print_view_has_every_entry_and_room_to_write(client):
    sheet = CallSheetFactory(entries=6)
    client.force_login(sheet.executive.user)

    response = client.get(f"/sheet/{sheet.week_start}/print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<section class="print-entry') == 6
    assert "Backups" in html and "☐ Reached" in html and "print-rule" in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>")[0]


def test_flag_on_the_card_says_who_raised_it(client):
    flag = FlagFactory(urgency="urgent", reason="Threatened to churn")
    entry = SheetEntryFactory(customer=flag.customer, flag=flag)
    client.force_login(entry.sheet.executive.user)
    html = client.get("/sheet/").content.decode()
    assert "Urgent flag" in html and "Threatened to churn" in html and flag.raised_by.get_full_name() in html


def test_flag_reason_already_in_the_reasons_is_not_repeated(client):
    flag = FlagFactory(reason="Threatened to churn over the outages")
    entry = SheetEntryFactory(
        customer=flag.customer,
        flag=flag,
        reasons=[{"code": "flag", "text": "Flag from a lead: Threatened to churn over the outages", "points": 60}],
    )
    client.force_login(entry.sheet.executive.user)
    html = client.get("/sheet/").content.decode()
    assert html.count("Threatened to churn over the outages") == 1


def test_next_week_not_built_says_when_it_will_be(client):
    executive = ExecutiveFactory()
    client.force_login(executive.user)
    week = executive.current_week_start() + timedelta(days=14)
    html = client.get(f"/sheet/{week}/").content.decode()
    friday = week - timedelta(days=3)
    assert f"This one will appear on Friday {friday.day} {friday:%b}." in html


def test_sheet_page_shows_the_calendar_feed_with_its_replace_button(client):
    sheet = CallSheetFactory(entries=2)
    client.force_login(sheet.executive.user)
    body = client.get(f"/sheet/{sheet.week_start:%Y-%m-%d}/").content.decode()
    assert f"/calendar/{sheet.executive.calendar_token}.ics" in body
    assert f"/calendar/{sheet.executive.pk}/new-token/" in body


def test_the_people_a_promise_can_go_to_are_listed_once_per_page_not_once_per_row(client):
    sheet = CallSheetFactory(entries=6)
    staff = UserFactory.create_batch(30)
    client.force_login(sheet.executive.user)

    html = client.get(f"/sheet/{sheet.week_start}/").content.decode()
    entry = sheet.entries.first()
    opened = client.get(f"/sheet/entries/{entry.pk}/log/", HTTP_HX_REQUEST="true").content.decode()

    # A card's form arrives when opened; its owner <select> holds only its chosen person (the
    # executive) and static/js/sheet.js copies the page's one list into it. The empty promise row
    # is on the page once, too.
    assert html.count("data-owner-select") == 1
    assert html.count(f'<option value="{staff[0].pk}">') == 1
    assert html.count(f'<option value="{sheet.executive.user_id}" selected>') == 1
    assert opened.count("data-owner-select") == 1 and f'<option value="{staff[0].pk}">' not in opened
    assert f'<option value="{sheet.executive.user_id}" selected>' in opened
    assert html.count('<template id="tpl-promise-row">') == 1 and "__card__-c-__prefix__-owner" in html


def test_a_rejected_promise_keeps_its_chosen_owner_and_shows_the_error_beside_the_field(client):
    sheet = CallSheetFactory(entries=1)
    colleague = UserFactory(first_name="Tom", last_name="Reed")
    entry = sheet.entries.get()
    client.force_login(sheet.executive.user)
    p = f"e{entry.pk}"
    data = {
        f"{p}-outcome": "reached",
        f"{p}-c-TOTAL_FORMS": "1",
        f"{p}-c-INITIAL_FORMS": "0",
        f"{p}-c-0-promise": "Fix the rounding",
        f"{p}-c-0-owner": str(colleague.pk),
        f"{p}-c-0-due_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
    }

    html = client.post(f"/sheet/entries/{entry.pk}/log/", data).content.decode()

    assert f'<option value="{colleague.pk}" selected>Tom Reed</option>' in html
    assert f'id="id_{p}-c-0-due_date_error" class="invalid-feedback"' in html
    assert "is-invalid" in html and "is in the past" in html
    assert "Fix the rounding</textarea>" in html
