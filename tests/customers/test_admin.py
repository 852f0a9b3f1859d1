"""Flags and a customer's lifecycle change in the admin only through the services."""

import pytest
from django.urls import reverse

from customers.models import Customer, Flag
from tests.adminform import change_form_data
from tests.factories import AdminFactory, CustomerFactory, FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return AdminFactory(first_name="Rita", last_name="Okafor")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_dismiss_asks_why_and_goes_through_flag_dismiss(admin_client, admin_user):
    flag = FlagFactory()
    url = reverse("admin:customers_flag_changelist")
    asked = admin_client.post(url, {"action": "dismiss", "_selected_action": [flag.pk], "index": 0})
    assert "Why they are dismissed" in asked.content.decode()
    assert Flag.objects.get(pk=flag.pk).status == "open"
    done = admin_client.post(
        url,
        {"action": "dismiss", "_selected_action": [flag.pk], "post": "yes", "text": "Already handled by the CFO"},
        follow=True,
    )
    assert "1 flag dismissed." in done.content.decode()
    flag.refresh_from_db()
    assert (flag.status, flag.dismissed_by, flag.dismissed_reason) == (
        "dismissed",
        admin_user,
        "Already handled by the CFO",
    )
    assert flag.closed_at is not None


def test_dismissing_a_batch_with_a_closed_flag_dismisses_none(admin_client):
    open_flag = FlagFactory()
    called = FlagFactory(status="called")
    response = admin_client.post(
        reverse("admin:customers_flag_changelist"),
        {"action": "dismiss", "_selected_action": [open_flag.pk, called.pk], "post": "yes", "text": "Not needed"},
        follow=True,
    )
    assert "it cannot be dismissed. Nothing was dismissed." in response.content.decode()
    assert Flag.objects.get(pk=open_flag.pk).status == "open"


def test_a_flags_status_cannot_be_edited_or_a_flag_added_around_the_services(admin_client):
    flag = FlagFactory()
    url = reverse("admin:customers_flag_change", args=[flag.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="notes-0-text"' not in page
    admin_client.post(url, change_form_data(page, "flag_form", status="closed"))
    assert Flag.objects.get(pk=flag.pk).status == "open"
    assert admin_client.get(reverse("admin:customers_flag_add")).status_code == 403
    assert admin_client.get(reverse("admin:customers_flagnote_add")).status_code == 403


def test_lifecycle_is_read_only_and_set_by_the_actions(admin_client):
    customer = CustomerFactory()
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="lifecycle_status"' not in page
    response = admin_client.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "mark_churned", "_selected_action": [customer.pk], "index": 0},
        follow=True,
    )
    assert "1 of 1 marked churned." in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).lifecycle_status == Customer.Lifecycle.CHURNED
