"""The scoring policy form refuses negative windows and weights, naming the field."""

import pytest

from callsheets.forms.policy import ScoringPolicyForm
from callsheets.models import ScoringPolicy

pytestmark = pytest.mark.django_db


def valid_data(**changes):
    data = {k: v for k, v in ScoringPolicy(name="Autumn").snapshot().items() if k in ScoringPolicyForm.Meta.fields}
    data["is_active"] = False
    data.update(changes)
    return data


def test_defaults_are_valid():
    form = ScoringPolicyForm(data=valid_data())
    assert form.is_valid(), form.errors
    form.save()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ticket_window_days", -5, "Ticket window (days) must be at least 1, not -5."),
        ("survey_window_days", 0, "Survey window (days) must be at least 1, not 0."),
        ("cooldown_days", -1, "Cooldown (days) cannot be negative (-1)."),
        ("weight_nps_detractor", -8, "NPS detractor weight cannot be negative (-8)."),
        ("revenue_weight", -0.5, "Revenue weight cannot be negative (-0.5)."),
        ("business_hours_end", 8, "Business hours end must be after the start (9) and at most 24, not 8."),
    ],
)
def test_bad_numbers_are_refused_beside_their_field(field, value, message):
    form = ScoringPolicyForm(data=valid_data(**{field: value}))
    assert not form.is_valid()
    assert form.errors == {field: [message]}
    assert not ScoringPolicy.objects.filter(name="Autumn").exists()
