from datetime import timedelta

import pytest

from callsheets.selectors.metrics import CALLED, NOT_CALLED, program_metrics
from tests.factories import CallSheetFactory, CustomerFactory, SurveyResponseFactory

from .scenario import last_week_scenario

pytestmark = pytest.mark.django_db


def test_numbers_for_a_known_week():
    week, executive = last_week_scenario()
    m = program_metrics(start=week - timedelta(weeks=3), end=week + timedelta(weeks=1))
    b = m.by_week[week]
    assert (b.planned, b.made, b.reached) == (3, 2, 1)
    assert round(b.completion_rate) == 67
    assert (b.flags_raised, b.flags_called, b.flag_median_days) == (2, 1, 1.0)
    assert (b.promises, b.kept, b.kept_on_time, b.kept_late, b.overdue, b.dropped, b.open_not_due) == (
        5,
        2,
        1,
        1,
        1,
        1,
        1,
    )
    assert b.kept_rate == 50.0
    assert m.by_executive[executive.pk].kept_rate == 50.0
    assert m.by_week[week + timedelta(weeks=1)].planned == 0

    effect = {(r.group, r.kind): r for r in m.effect}
    called, not_called = effect[(CALLED, "NPS")], effect[(NOT_CALLED, "NPS")]
    assert (called.customers, called.before, called.after, called.change) == (1, 3, 8, 5)
    assert (not_called.customers, not_called.change) == (1, 1)
    assert effect[(CALLED, "CSAT")].customers == 0
    assert m.effect_population == {CALLED: 1, NOT_CALLED: 1}


def test_a_period_before_anything_happened_is_empty():
    week, _ = last_week_scenario()
    m = program_metrics(start=week - timedelta(weeks=10), end=week - timedelta(weeks=5))
    assert m.total.planned == m.total.made == m.total.promises == 0
    assert m.total.completion_rate is None and m.total.kept_rate is None


def test_executive_filter():
    week, executive = last_week_scenario()
    m = program_metrics(start=week, end=week, executive_id=executive.pk + 1000)
    assert m.total.planned == 0 and m.total.flags_raised == 0
    m = program_metrics(start=week, end=week, executive_id=executive.pk)
    assert m.total.planned == 3 and m.total.flags_raised == 1  # the unplaced flag is on nobody's sheet


def test_customers_left_off_for_capacity_join_the_not_called_group():
    week, executive = last_week_scenario()
    sheet = executive.sheets.get(week_start=week)
    left_off, also_skipped = CustomerFactory(), CustomerFactory()
    sheet.inputs = {
        "left_off": [
            {"customer_id": left_off.pk, "code": "capacity", "text": "Sheets full"},
            {"customer_id": also_skipped.pk, "code": "cooldown", "text": "Called 3 weeks ago"},
        ]
    }
    sheet.save()
    for customer, before, after in ((left_off, 2, 6), (also_skipped, 2, 10)):
        SurveyResponseFactory(customer=customer, score=before, responded_at=sheet.slot_starts_at - timedelta(days=9))
        SurveyResponseFactory(customer=customer, score=after, responded_at=sheet.slot_starts_at + timedelta(days=9))
    m = program_metrics(start=week, end=week)
    not_called = next(r for r in m.effect if r.group == NOT_CALLED and r.kind == "NPS")
    assert m.effect_population[NOT_CALLED] == 2  # the backup and the capacity one, not the cooldown one
    assert (not_called.customers, not_called.change) == (2, 2.5)  # (+1 and +4) / 2


@pytest.mark.parametrize(
    "left_off",
    [
        {"customer_id": 1, "code": "capacity"},  # an object, not a list
        "capacity",
        None,
        [None, "x", 3, {"code": "capacity"}, {"code": "capacity", "customer_id": 0}, {"customer_id": 5}],
    ],
)
def test_a_snapshot_of_another_shape_adds_nobody_to_the_not_called_group(left_off):
    """The SQL that reads the snapshot on PostgreSQL and the Python reading elsewhere agree on oddities."""
    week, executive = last_week_scenario()
    sheet = executive.sheets.get(week_start=week)
    before = program_metrics(start=week, end=week).effect_population[NOT_CALLED]
    sheet.inputs = {"left_off": left_off}
    sheet.save()
    assert program_metrics(start=week, end=week).effect_population[NOT_CALLED] == before


def test_a_customer_left_off_by_two_sheets_counts_once():
    week, executive = last_week_scenario()
    before = program_metrics(start=week, end=week).effect_population[NOT_CALLED]
    twice = CustomerFactory()
    for sheet in (executive.sheets.get(week_start=week), CallSheetFactory(week_start=week, entries=0)):
        sheet.inputs = {"left_off": [{"customer_id": twice.pk, "code": "capacity"}]}
        sheet.save()
    assert program_metrics(start=week, end=week).effect_population[NOT_CALLED] == before + 1
