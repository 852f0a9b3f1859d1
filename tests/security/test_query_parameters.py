"""Whatever a list page is asked in its query string, it answers with a page or a message, never a 500;
the program's period is bounded like the sheet's URLs; every CSV guards against spreadsheet formulas."""

import csv
import io
import string
from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceocalls.csvfiles import csv_cell
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    CommitmentFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- The program's period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ({"end": "9999-12-31"}, "end: give a date between 1900 and 2999; 9999-12-31 is not."),
        ({"start": "0001-01-01"}, "start: give a date between 1900 and 2999; 0001-01-01 is not."),
        ({"start": "0001-01-01", "end": "0001-01-07"}, "start: give a date between 1900 and 2999"),
        ({"start": "2030-01-07", "end": "2020-01-06"}, "is after end"),
        ({"start": "1926-01-04", "end": "2026-01-05"}, "Choose at most 104 weeks"),
        ({"weeks": "99999999999999999999"}, "weeks: give at most 104."),
    ],
)
def test_the_programs_period_is_bounded_and_says_why(client, query, message):
    client.force_login(AdminFactory())
    for extra in ({}, {"format": "csv", "table": "calls"}):
        response = client.get("/program/", query | extra)
        assert response.status_code == 400, (query, extra)
        assert message in response.content.decode()


def test_the_edges_of_the_years_still_answer(client):
    client.force_login(AdminFactory())
    assert client.get("/program/", {"start": "1900-01-01", "end": "1900-02-01"}).status_code == 200
    assert client.get("/program/", {"start": "2999-12-01", "end": "2999-12-31"}).status_code == 200


def test_a_build_for_a_week_outside_the_years_is_refused_in_words(client):
    client.force_login(AdminFactory())
    response = client.post("/program/build/", {"week": "9999-12-31"}, follow=True)
    assert response.status_code == 200
    assert "Sheets not built: week: give a date between 1900 and 2999; 9999-12-31 is not." in response.content.decode()


# --- Spreadsheet formulas ----------------------------------------------------------------------


def test_every_cell_that_a_spreadsheet_would_run_gets_an_apostrophe():
    for text in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Acme = good") == "Acme = good"
    assert (csv_cell(-3.5), csv_cell(0), csv_cell(None), csv_cell(date(2026, 11, 23))) == (-3.5, 0, "", "2026-11-23")


def test_the_program_csv_guards_names_and_keeps_negative_numbers(client):
    executive = ExecutiveFactory(user__first_name="=cmd|' /C calc'!A0", user__last_name="")
    sheet = CallSheetFactory(executive=executive, week_start=date(2026, 11, 16))
    SheetEntryFactory(sheet=sheet, position=1)
    client.force_login(AdminFactory())
    response = client.get("/program/", {"format": "csv", "table": "executives", "start": "2026-11-16"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][1] == "1"  # planned: a number, as it was


# --- Never a 500, whatever the query string ----------------------------------------------------

DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-11-23", "-1", "", "now"]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "1", "-1", "1e9", "NaN", "0x10", " 3 ", "9" * 40]),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)  # NUL, surrogates cut out by the codec, emoji
NASTY = st.sampled_from(["\x00", "a\x00b", "'", '"', "%", "\\", "--", "; DROP TABLE x", "é" * 300, "x" * 5000, "😀"])
ANY = st.one_of(DATES, NUMBERS, TEXT, NASTY, st.sampled_from(["csv", "html", "json", "all", "on", "true", "1"]))

# Every list page and the parameters it reads (README, "Pages"), plus one it does not know.
LIST_PAGES = {
    "/customers/": ["q", "tier", "alarm", "page"],
    "/flags/": ["state", "page"],
    "/flags/new/": ["customer", "q"],
    "/commitments/": [
        "executive",
        "owner",
        "customer",
        "status",
        "overdue",
        "due_from",
        "due_to",
        "sort",
        "page",
        "format",
    ],
    "/program/": ["start", "end", "weeks", "executive", "format", "table"],
    "/program/build/status/": [],
    "/program/topics/": ["start", "end", "weeks", "format"],
    "/imports/": ["page"],
    "/sheet/": ["executive"],
    "/sheet/2026-11-23/": ["executive"],
    "/sheet/2026-11-23/print/": ["executive"],
    "/notifications/": [],
}


@pytest.fixture
def signed_in_admin(client):
    """A superuser (every role) and a little of everything, so the filters have rows to refuse or choose."""
    executive = ExecutiveFactory()
    SheetEntryFactory(sheet=CallSheetFactory(executive=executive, week_start=date(2026, 11, 23)))
    CommitmentFactory(call__executive=executive)
    FlagFactory()
    client.force_login(AdminFactory(is_superuser=True))
    return client


def _params(names):
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, ANY))
    unknown = st.dictionaries(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8), ANY, max_size=2)
    return st.tuples(known, unknown).map(lambda pair: pair[1] | pair[0])


def _read(response) -> None:
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a CSV fails while it streams, after the 200


@pytest.mark.parametrize("path", sorted(LIST_PAGES))
def test_no_query_string_makes_a_list_page_fail(signed_in_admin, path):
    client = signed_in_admin

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(params=_params(LIST_PAGES[path]))
    def check(params):
        response = client.get(path, params)
        _read(response)
        assert response.status_code < 500, (path, params)

    check()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pk=NUMBERS, timeline=ANY)
def test_no_id_or_parameter_makes_a_customer_page_fail(signed_in_admin, pk, timeline):
    response = signed_in_admin.get(f"/customers/{pk}/", {"timeline": timeline})
    assert response.status_code < 500


def test_a_nul_in_the_customer_picker_is_a_search_like_any_other(signed_in_admin):
    """Found by the test above: PostgreSQL refused the NUL, and the flag form's picker answered 500."""
    for path in ("/flags/new/", "/customers/"):
        assert signed_in_admin.get(path, {"q": "a\x00b"}).status_code == 200
