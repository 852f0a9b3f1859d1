"""On PostgreSQL every branch of the customer search is an index lookup, never a scan of the table.

With sequential scans priced out, a plan that still shows one has no usable index: that is what
would make /customers/ slow on 100,000 customers.
"""

import pytest
from django.db import connection

from customers.selectors import customer_search
from tests.factories import ContactFactory, FlagFactory, ScoringPolicyFactory, SurveyResponseFactory, TicketFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.fixture(autouse=True)
def some_rows():
    ScoringPolicyFactory()
    for _ in range(5):
        contact = ContactFactory()
        FlagFactory(customer=contact.customer)
        SurveyResponseFactory(customer=contact.customer, score=2)
        TicketFactory(customer=contact.customer, escalated=True)


@pytest.mark.parametrize(
    "query, index",
    [
        ("wind", "customer_name_trgm_idx"),
        ("acme.com", "customer_domain_idx"),
        ("C00042", "customers_customer_external_id"),
    ],
)
def test_search_uses_an_index(query, index):
    text = plan(customer_search(query=query)[:25])
    assert index in text
    assert "Seq Scan" not in text, text


def test_contact_email_lookup_uses_the_lower_email_index():
    from django.db.models.functions import Lower

    from customers.models import Contact

    text = plan(Contact.objects.annotate(email_lower=Lower("email")).filter(email_lower="jane@acme.com"))
    assert "contact_email_lower_idx" in text


def test_alarm_filter_reads_indexes_only():
    text = plan(customer_search(alarm=True)[:25])
    assert "Seq Scan" not in text, text


def test_unfiltered_list_is_ordered_from_the_name_index():
    text = plan(customer_search()[:25])
    assert "customer_name_upper_idx" in text and "Seq Scan" not in text, text
