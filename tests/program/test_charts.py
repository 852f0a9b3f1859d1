"""Chart axes: counts step by whole numbers; rates and score changes may step by fractions."""

import re

import pytest

from callsheets import charts
from tests.factories import AdminFactory

from .scenario import last_week_scenario


@pytest.mark.parametrize(
    "low, high, ticks",
    [(0, 1, [0, 1]), (0, 2, [0, 1, 2]), (0, 3, [0, 1, 2, 3]), (0, 7, [0, 2, 4, 6, 8]), (0, 40, [0, 10, 20, 30, 40])],
)
def test_count_axes_step_by_whole_numbers(low, high, ticks):
    assert charts.nice_ticks(low, high, integer=True) == ticks


def test_other_axes_keep_fractional_steps():
    assert charts.nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert charts.nice_ticks(-0.5, 1.5) == [-0.5, 0.0, 0.5, 1.0, 1.5]


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" font-weight="normal" fill="#495057">([^<]*)<', svg)


def test_a_column_chart_of_counts_has_no_fractional_tick():
    svg = charts.column_chart(
        "Calls", ["w1", "w2"], [charts.Series("Made", [1, 0], charts.BLUE)], y_label="calls", counts=True
    )
    assert axis_labels(svg) == ["0", "1"]


@pytest.mark.django_db
def test_the_program_page_counts_in_whole_numbers(client):
    last_week_scenario()
    client.force_login(AdminFactory())
    drawn = client.get("/program/").context["charts"]
    for key in ("calls", "flags", "commitments"):
        labels = axis_labels(drawn[key])
        assert labels and all(label.lstrip("-").isdigit() for label in labels), (key, labels)
