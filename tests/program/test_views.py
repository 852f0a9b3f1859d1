import csv
import io
import re
from datetime import timedelta

import pytest

from callsheets.models import week_start_of
from tests.commitments.helpers import make_commitments
from tests.factories import AdminFactory, ExecutiveFactory, LeadFactory

from .scenario import last_week_scenario

pytestmark = pytest.mark.django_db


def test_only_program_admins(client):
    assert client.get("/program/").url.startswith("/accounts/login/")
    for user in (ExecutiveFactory().user, LeadFactory()):
        client.force_login(user)
        assert client.get("/program/").status_code == 403
        assert client.post("/program/build/", {"week": "2026-11-23"}).status_code == 403
        assert client.get("/program/executives/").status_code == 403


def test_page_draws_every_chart_with_its_table_and_csv_link(client):
    week, _ = last_week_scenario()
    client.force_login(AdminFactory())
    response = client.get("/program/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 6
    for title in (
        "Calls per week: planned, made, reached",
        "Flags raised by support leads, and how many were called",
        "Promises made each week, and what became of them",
        "Promises kept, per executive",
        "Change in survey score: called customers against those not called",
    ):
        assert f"<title>{title}</title>" in html
    for table in ("calls", "flags", "commitments", "executives", "effect"):
        assert f'id="table-{table}"' in html
        assert f"format=csv&amp;table={table}" in html
    assert "(1 customer)" in html  # each effect bar says how many customers it rests on
    assert "67 %" in html  # completion
    # No asset from another host (a CSRF token may well contain the letters "cdn").
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_table_csv(client):
    week, executive = last_week_scenario()
    client.force_login(AdminFactory())
    response = client.get(f"/program/?start={week}&end={week}&format=csv&table=executives")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Executive", "Planned", "Made", "Reached", "Completion %"]
    assert rows[1][:5] == [executive.name, "3", "2", "1", "67"]
    response = client.get(f"/program/?start={week}&end={week}&format=csv&table=calls")
    assert list(csv.reader(io.StringIO(response.content.decode())))[1] == [str(week), "3", "2", "1", "67", "50"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=yesterday", "start: give a date as YYYY-MM-DD."),
        ("start=2026-06-01&end=2026-01-05", "is after end"),
        ("start=2020-01-06&end=2026-01-05", "Choose at most 104 weeks"),
        ("executive=zz", "executive: zz is not the id of an executive."),
        ("weeks=0", "weeks: give at least 1."),
    ],
)
def test_bad_period_says_why(client, query, message):
    client.force_login(AdminFactory())
    response = client.get(f"/program/?{query}")
    assert response.status_code == 400 and message in response.content.decode()
    assert message in client.get(f"/program/?{query}&format=csv&table=calls").content.decode()


def test_unknown_csv_table(client):
    client.force_login(AdminFactory())
    response = client.get("/program/?format=csv&table=secrets")
    assert response.status_code == 400 and b"table: choose one of calls" in response.content


def test_presets_choose_the_number_of_weeks(client):
    client.force_login(AdminFactory())
    m = client.get("/program/?weeks=13").context["m"]
    assert len(m.weeks) == 13 and m.end == week_start_of(m.end)


def test_empty_program_renders(client):
    client.force_login(AdminFactory())
    response = client.get("/program/")
    assert response.status_code == 200
    assert "Nothing in this period." in response.content.decode()


@pytest.mark.parametrize("n", [10, 1000])
def test_program_queries_do_not_grow(client, django_assert_max_num_queries, n):
    last_week_scenario()
    make_commitments(n)
    client.force_login(AdminFactory())
    with django_assert_max_num_queries(16):  # 14, and the alarm-to-call speed: the policy and one query
        response = client.get("/program/")
    assert response.status_code == 200
    assert response.context["m"].total.promises >= n


def test_period_with_executive_filter(client):
    week, executive = last_week_scenario()
    other = ExecutiveFactory()
    client.force_login(AdminFactory())
    m = client.get(f"/program/?executive={other.pk}&start={week - timedelta(weeks=2)}").context["m"]
    assert m.total.planned == 0
    m = client.get(f"/program/?executive={executive.pk}&start={week - timedelta(weeks=2)}").context["m"]
    assert m.total.planned == 3
