import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from callsheets.models import Commitment
from tests.factories import AdminFactory, CommitmentFactory

from .scenario import last_week_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_chases_overdue_promises_then_shows_the_program(login_page, live_server, screenshot_dir):
    last_week_scenario()  # one overdue promise among five, and a week of calls for the charts
    late = [
        CommitmentFactory(due_date=timezone.localdate() - timedelta(days=d), promise=f"Late promise {d}")
        for d in (2, 5, 9)
    ]
    CommitmentFactory(promise="Not due yet")
    page = login_page(AdminFactory())

    page.goto(f"{live_server.url}/commitments/")
    page.check("#id_overdue")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/commitments/?*overdue=1*")
    rows = page.locator("#commitments tbody tr")
    assert rows.count() == 4  # the three above and the scenario's
    assert page.locator("#commitments tbody tr.table-overdue").count() == 4
    assert "Not due yet" not in page.content()

    page.check(f'input[name=ids][value="{late[0].pk}"]')
    page.check(f'input[name=ids][value="{late[1].pk}"]')
    assert page.inner_text("#bulk-count") == "2 selected"
    page.select_option("select[name=action]", "done")
    page.fill("input[name=text]", "Credits issued on the December invoice")
    page.click("#bulk button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "2 commitments marked done." in page.content()
    assert page.locator("#commitments tbody tr").count() == 2  # still filtered: two overdue left
    assert set(
        Commitment.objects.filter(status="done", resolution__startswith="Credits").values_list("pk", flat=True)
    ) == {
        late[0].pk,
        late[1].pk,
    }
    page.screenshot(path=screenshot_dir / "commitments-overdue.png", full_page=True)

    with page.expect_download() as download:
        page.click("#export-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert len(exported) == 2 and {r["overdue"] for r in exported} == {"yes"}
    assert late[2].pk in {int(r["id"]) for r in exported}

    page.click("nav >> text=Program")
    page.wait_for_url("**/program/")
    charts = page.locator("svg.chart")
    assert charts.count() == 6
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 600 and box["height"] > 150
    assert page.locator("svg.chart rect[fill='#009E73']").count() > 0  # bars drawn, not an empty frame
    assert page.locator("svg.chart text", has_text="Calls per week: planned, made, reached").is_visible()
    page.screenshot(path=screenshot_dir / "program.png", full_page=True)
