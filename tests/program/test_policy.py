from datetime import date

import pytest
from django.db import IntegrityError, transaction

from callsheets.builder import build_week
from callsheets.forms.policy import ScoringPolicyForm
from callsheets.models import ScoringPolicy
from tests.factories import AdminFactory, ContactFactory, ExecutiveFactory

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


def test_a_migrated_database_has_the_default_policy():
    # Migration 0005 creates it; non-transactional tests run on the migrated database before any flush.
    policy = ScoringPolicy.objects.get(is_active=True)
    assert policy.name == "Default" and policy.cooldown_days == 60 and policy.ticket_points_cap == 40


def test_reading_the_policy_never_writes_even_when_none_is_active(client, django_assert_max_num_queries):
    ScoringPolicy.objects.all().delete()
    policy = ScoringPolicy.objects.active()
    assert policy.pk is None and policy.is_active and policy.cooldown_days == 60  # the defaults, unsaved
    customer = ContactFactory().customer
    client.force_login(AdminFactory())
    for url in ("/program/policy/", "/customers/", f"/customers/{customer.pk}/", "/program/"):
        assert client.get(url).status_code == 200, url
    assert not ScoringPolicy.objects.exists()
    assert "No policy is saved yet" in client.get("/program/policy/").content.decode()
    assert build_week(date(2026, 11, 23), dry_run=True).sheets == []  # the builder reads the defaults too
    assert not ScoringPolicy.objects.exists()


def test_saving_the_policy_page_creates_the_active_policy_when_none_is(client):
    ScoringPolicy.objects.all().delete()
    client.force_login(AdminFactory())
    response = client.post("/program/policy/", current_values() | {"name": "Default", "cooldown_days": 30})
    assert response.status_code == 302
    policy = ScoringPolicy.objects.get()
    assert policy.is_active and policy.cooldown_days == 30


def test_a_negative_ticket_cap_is_refused_by_the_database():
    policy = ScoringPolicy.objects.get(is_active=True)
    policy.ticket_points_cap = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()
