"""build_callsheets, as CONTRACT §3 describes it."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from callsheets.models import CallSheet, SheetEntry
from tests.builder.conftest import NOW, callable_customer
from tests.factories import ExecutiveFactory, FlagFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("build_callsheets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def data(executive, policy):
    angry = callable_customer(name="Angry Inc", external_id="C-ANGRY")
    SurveyResponseFactory(customer=angry, score=0, comment="Useless", responded_at=NOW - timedelta(days=1))
    callable_customer(name="Quiet Co")
    return angry


def test_text_prints_each_sheet_and_a_summary_line_last(data, executive):
    out, _ = run("--week", "2026-11-23")
    lines = out.strip().splitlines()
    assert f"<{executive.user.email}>, week of 2026-11-23" in out
    assert "1. Angry Inc (" in out and "NPS 0 on " in out and '"Useless"' in out
    assert "listen Quiet Co" in out
    assert lines[-1] == "Built 1 sheet for the week of 2026-11-23: 2 entries; left off: none."
    assert SheetEntry.objects.count() == 2


def test_json_is_the_contract_shape_and_dry_run_saves_nothing(data, executive):
    out, _ = run("--week", "2026-11-25", "--dry-run", "--format", "json")
    sheets = json.loads(out)  # nothing but the JSON on stdout
    assert sheets[0]["executive"] == executive.user.email and sheets[0]["week"] == "2026-11-23"
    first = sheets[0]["entries"][0]
    assert {"position", "customer_external_id", "customer", "contact_email", "score", "backup", "reasons"} <= set(first)
    assert first["customer_external_id"] == "C-ANGRY" and first["backup"] is False
    assert first["reasons"][0]["code"] == "nps_detractor" and first["reasons"][0]["text"].startswith("NPS 0 on ")
    assert not CallSheet.objects.exists()


def test_default_week_is_next_week(data):
    out, _ = run()
    assert CallSheet.objects.get().week_start.isoformat() in out.splitlines()[-1]


def test_executive_option_builds_only_that_sheet(data, executive):
    other = ExecutiveFactory(user__email="coo@example.com")
    run("--week", "2026-11-23", "--executive", "COO@example.com")
    assert list(CallSheet.objects.values_list("executive", flat=True)) == [other.id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-13-45"], "--week '2026-13-45' is not a date like 2026-11-23 (YYYY-MM-DD)."),
        (["--week", "0001-01-01"], "--week '0001-01-01' is outside the years a call sheet can have (1900–2999)."),
        (
            ["--executive", "nobody@example.com"],
            "--executive 'nobody@example.com': no executive has that e-mail address.",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(data, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message
    assert not CallSheet.objects.exists()


def test_executive_without_slot_is_told(policy):
    ExecutiveFactory(weekday=None, start_time=None, user__email="noslot@example.com")
    out, _ = run("--week", "2026-11-23", "--executive", "noslot@example.com")
    assert out.splitlines() == [
        "noslot@example.com has no weekly slot: no sheet",
        "Built 0 sheets for the week of 2026-11-23: 0 entries; left off: none.",
    ]


def test_left_off_customers_are_counted_in_the_summary(executive, policy):
    for _ in range(3):
        customer = callable_customer()
        customer.contacts.update(phone="")
        FlagFactory(customer=customer)
    out, _ = run("--week", "2026-11-23")
    assert out.splitlines()[-1].endswith("left off: 3 no callable contact.")


def test_bad_week_exits_non_zero_from_the_shell(db, tmp_path):
    import subprocess
    import sys

    db_path = tmp_path / "x.sqlite3"
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{db_path}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "build_callsheets", "--week", "2026-13-45"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "CommandError: --week '2026-13-45' is not a date like 2026-11-23 (YYYY-MM-DD)."
