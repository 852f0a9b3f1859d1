import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from tests.factories import AdminFactory, CommitmentFactory

from .helpers import make_commitments

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_exports_exactly_what_the_filters_select(client):
    late = CommitmentFactory(due_date=timezone.localdate() - timedelta(days=2), promise="Call back with the fix date")
    CommitmentFactory()
    client.force_login(AdminFactory())
    response = client.get("/commitments/?overdue=1&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [int(r["id"]) for r in rows] == [late.pk]
    row = rows[0]
    assert row["promise"] == "Call back with the fix date"
    assert row["customer"] == late.customer.name
    assert row["made_by"] == late.call.executive.name
    assert (row["status"], row["overdue"], row["customer_told"]) == ("open", "yes", "no")
    assert row["due_date"] == late.due_date.isoformat()


def test_csv_is_scoped_to_the_executive(client):
    mine = CommitmentFactory()
    CommitmentFactory()
    client.force_login(mine.call.executive.user)
    assert [int(r["id"]) for r in read_csv(client.get("/commitments/?format=csv"))] == [mine.pk]


def test_csv_neutralises_spreadsheet_formulas(client):
    CommitmentFactory(promise='=HYPERLINK("http://x")')
    client.force_login(AdminFactory())
    assert read_csv(client.get("/commitments/?format=csv"))[0]["promise"].startswith("'=")


@pytest.mark.parametrize("n", [10, 1000])
def test_csv_queries_do_not_grow(client, django_assert_max_num_queries, n):
    make_commitments(n)
    client.force_login(AdminFactory())
    with django_assert_max_num_queries(12):
        rows = read_csv(client.get("/commitments/?format=csv"))
    assert len(rows) == n
