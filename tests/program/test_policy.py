import pytest

from callsheets.forms.policy import ScoringPolicyForm
from callsheets.models import ScoringPolicy
from tests.factories import AdminFactory, ExecutiveFactory

pytestmark = pytest.mark.django_db


def current_values() -> dict:
    policy = ScoringPolicy.objects.active()
    return {
        name: value
        for name, value in policy.snapshot().items()
        if name in ScoringPolicyForm.Meta.fields and name != "is_active"
    }


def test_admin_edits_the_active_policy(client):
    admin = AdminFactory()
    client.force_login(admin)
    assert client.get("/program/policy/").status_code == 200
    data = current_values() | {"weight_flag": 75, "cooldown_days": 45}
    response = client.post("/program/policy/", data)
    assert response.status_code == 302
    policy = ScoringPolicy.objects.active()
    assert (policy.weight_flag, policy.cooldown_days, policy.updated_by) == (75, 45, admin)
    assert ScoringPolicy.objects.filter(is_active=True).count() == 1
    assert "Scoring policy saved." in client.get(response.url).content.decode()


def test_a_negative_weight_is_refused_beside_its_field(client):
    client.force_login(AdminFactory())
    before = current_values()
    response = client.post("/program/policy/", before | {"weight_flag": -5})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "cannot be negative (-5)" in html
    assert 'value="-5"' in html  # the input is kept
    assert current_values() == before


def test_only_admins_edit_the_policy(client):
    client.force_login(ExecutiveFactory().user)
    assert client.get("/program/policy/").status_code == 403
