"""Flags and a customer's lifecycle change in the admin only through the services."""

import pytest
from django.urls import reverse

from customers.models import Customer, Flag
from tests.adminform import change_form_data
from tests.factories import AdminFactory, ContactFactory, CustomerFactory, FlagFactory

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


def test_a_contact_edited_in_the_admin_is_read_like_every_other_path(admin_client):
    contact = ContactFactory(customer__timezone="America/Chicago", phone="+1 312 555 0101")
    url = reverse("admin:customers_contact_change", args=[contact.pk])
    page = admin_client.get(url).content.decode()
    assert "+1 312-555-0101" in page  # "Dialled as", read-only

    response = admin_client.post(url, change_form_data(page, "contact_form", phone="(312) 555-0199 ext. 7"))

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.phone_e164, contact.phone_extension) == (
        "(312) 555-0199 ext. 7",
        "+13125550199",
        "7",
    )
    page = admin_client.get(url).content.decode()
    bad = admin_client.post(url, change_form_data(page, "contact_form", phone="+1 312\x07555 0101"))
    assert "cannot contain control characters" in bad.content.decode()


def test_contacts_inline_and_a_new_country_in_the_customer_admin_read_numbers_again(admin_client):
    customer = CustomerFactory(timezone="UTC")
    contact = ContactFactory(customer=customer, phone="020 7946 0123")
    assert contact.phone_e164 == ""  # UTC: no country to read a national number in
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = admin_client.get(url).content.decode()
    assert "dialled from abroad" in page

    response = admin_client.post(url, change_form_data(page, "customer_form", country="GB"))

    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert contact.phone_e164 == "+442079460123"

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, change_form_data(page, "customer_form", **{"contacts-0-phone": "22 12 34 56"}))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone_e164 == ""  # a Norwegian number read in the UK is no number
    response = admin_client.post(
        url,
        change_form_data(
            admin_client.get(url).content.decode(),
            "customer_form",
            **{"contacts-0-phone": "22 12 34 56", "contacts-0-timezone": "Europe/Oslo"},
        ),
    )
    contact.refresh_from_db()
    assert contact.phone_e164 == "+4722123456"  # the contact's own zone comes first
