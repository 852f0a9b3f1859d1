from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer, Flag, SupportTicket, SurveyResponse
from customers.selectors import customer_search
from tests.factories import (
    AdminFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    ScoringPolicyFactory,
    SurveyResponseFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(c.name for c in qs)


def test_search_finds_a_word_inside_the_name_ignoring_case():
    CustomerFactory(name="Northwind Traders")
    CustomerFactory(name="Contoso")
    assert names(customer_search(query="wind")) == ["Northwind Traders"]
    assert names(customer_search(query="  NORTHWIND  ")) == ["Northwind Traders"]


def test_search_by_domain_external_id_and_contact_email():
    acme = CustomerFactory(name="Acme", domain="acme.com", external_id="ZD-77")
    ContactFactory(customer=acme, email="Jane.Doe@Acme.com")
    CustomerFactory(name="Other", domain="other.com")
    assert names(customer_search(query="acme.com")) == ["Acme"]
    assert names(customer_search(query="@ACME.com")) == ["Acme"]
    assert names(customer_search(query="ZD-77")) == ["Acme"]
    assert names(customer_search(query="jane.doe@acme.com")) == ["Acme"]
    assert names(customer_search(query="nobody@acme.com")) == []


def test_filters_by_tier_and_alarm():
    now = timezone.now()
    flagged = CustomerFactory(name="Flagged", tier=Customer.Tier.STRATEGIC)
    FlagFactory(customer=flagged)
    detractor = CustomerFactory(name="Detractor", tier=Customer.Tier.SMB)
    SurveyResponseFactory(customer=detractor, kind=SurveyResponse.Kind.NPS, score=6)
    low_csat = CustomerFactory(name="Low CSAT")
    SurveyResponseFactory(customer=low_csat, kind=SurveyResponse.Kind.CSAT, score=2)
    ticket = CustomerFactory(name="Escalated")
    TicketFactory(customer=ticket, escalated=True)
    urgent = CustomerFactory(name="Urgent ticket")
    TicketFactory(customer=urgent, priority=SupportTicket.Priority.URGENT)
    # Not alarms: a passive score, an old detractor, a solved urgent ticket, an old urgent one, a dismissed flag.
    quiet = CustomerFactory(name="Quiet")
    SurveyResponseFactory(customer=quiet, score=7)
    SurveyResponseFactory(customer=quiet, score=1, responded_at=now - timedelta(days=61))
    TicketFactory(customer=quiet, priority=SupportTicket.Priority.URGENT, status=SupportTicket.Status.SOLVED)
    TicketFactory(
        customer=quiet,
        priority=SupportTicket.Priority.HIGH,
        created_at=now - timedelta(days=31),
        updated_at=now - timedelta(days=31),
    )
    FlagFactory(customer=quiet, status=Flag.Status.DISMISSED, dismissed_reason="Handled by the account team.")

    assert names(customer_search(alarm=True)) == ["Detractor", "Escalated", "Flagged", "Low CSAT", "Urgent ticket"]
    assert names(customer_search(alarm=True, tier=Customer.Tier.STRATEGIC)) == ["Flagged"]
    assert names(customer_search(tier=Customer.Tier.SMB)) == ["Detractor"]


def test_list_page_shows_alarms_contacts_and_a_flag_button_for_leads(client):
    acme = CustomerFactory(name="Acme Corp")
    ContactFactory(customer=acme, name="Jane Doe", email="jane@acme.com")
    SurveyResponseFactory(customer=acme, score=2)
    FlagFactory(customer=acme, urgency=Flag.Urgency.URGENT)
    client.force_login(LeadFactory())
    response = client.get("/customers/", {"q": "acme"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme Corp" in body and "mailto:jane@acme.com" in body
    assert "Urgent flag" in body and "NPS 2" in body
    assert f'href="/flags/new/?customer={acme.pk}"' in body


def test_executive_sees_customers_but_no_flag_button(client):
    CustomerFactory(name="Acme Corp")
    client.force_login(ExecutiveFactory().user)
    body = client.get("/customers/").content.decode()
    assert "Acme Corp" in body and "/flags/new/" not in body


def test_user_without_a_role_is_refused(client):
    client.force_login(UserFactory())
    assert client.get("/customers/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_filter_values_are_named_not_a_500(client):
    CustomerFactory(name="Acme Corp")
    client.force_login(AdminFactory())
    response = client.get("/customers/", {"tier": "galactic", "page": "x", "q": "acme"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tier: Select a valid choice" in body and "Acme Corp" in body


def test_empty_states(client):
    client.force_login(LeadFactory())
    assert "No customers yet" in client.get("/customers/").content.decode()
    assert "No customer matches “zzz”" in client.get("/customers/", {"q": "zzz"}).content.decode()


def test_pagination_keeps_the_filters(client):
    for n in range(30):
        CustomerFactory(name=f"Globex {n:02d}", tier=Customer.Tier.ENTERPRISE)
    client.force_login(LeadFactory())
    first = client.get("/customers/", {"q": "globex", "tier": "enterprise"}).content.decode()
    assert "30 customers" in first and "page 1 of 2" in first
    assert "?q=globex&amp;tier=enterprise&amp;page=2" in first
    second = client.get("/customers/", {"q": "globex", "tier": "enterprise", "page": 2}).content.decode()
    assert "Globex 29" in second and "Globex 00" not in second


def test_list_query_count_does_not_grow_with_customers(client, django_assert_max_num_queries):
    for _ in range(40):
        customer = ContactFactory().customer
        SurveyResponseFactory(customer=customer, score=3)
        TicketFactory(customer=customer, escalated=True)
        FlagFactory(customer=customer)
    ScoringPolicyFactory()
    client.force_login(LeadFactory())
    # session, user, roles, policy, count, page, primary contacts, three alarm label queries
    with django_assert_max_num_queries(10):
        response = client.get("/customers/", {"alarm": "1"})
    assert response.status_code == 200
    assert response.content.count(b'href="/flags/new/?customer=') == 25
    with django_assert_max_num_queries(11):  # and the e-mail lookup
        response = client.get("/customers/", {"q": "someone@customer1.example"})
    assert response.status_code == 200
