"""customers 0007 reads every stored number once: E.164 and extension in the customer's country."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("customers", "0006_contact_phone_e164_customer_country")]
AFTER = [("customers", "0007_normalise_existing_phones")]


@pytest.mark.django_db(transaction=True)
def test_existing_numbers_are_normalised_in_the_country_of_their_time_zone():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Customer, Contact = apps.get_model("customers", "Customer"), apps.get_model("customers", "Contact")
    chicago = Customer.objects.create(external_id="C-1", name="Acme", timezone="America/Chicago")
    nowhere = Customer.objects.create(external_id="C-2", name="Nowhere", timezone="UTC")
    rows = {
        "us": Contact.objects.create(customer=chicago, name="Dana", phone="(312) 555-0101 ext. 12"),
        "uk": Contact.objects.create(customer=chicago, name="Ann", phone="+44 (0)20 7946 0123"),
        "oslo": Contact.objects.create(customer=chicago, name="Kari", phone="22 12 34 56", timezone="Europe/Oslo"),
        "utc": Contact.objects.create(customer=nowhere, name="Pat", phone="(312) 555-0101"),
        "text": Contact.objects.create(customer=chicago, name="Lee", phone="ask reception"),
        "none": Contact.objects.create(customer=chicago, name="Sam", phone=""),
    }

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    try:
        stored = {
            key: tuple(Contact.objects.filter(pk=c.pk).values_list("phone", "phone_e164", "phone_extension").get())
            for key, c in rows.items()
        }
        assert stored == {
            "us": ("(312) 555-0101 ext. 12", "+13125550101", "12"),
            "uk": ("+44 (0)20 7946 0123", "+442079460123", ""),
            "oslo": ("22 12 34 56", "+4722123456", ""),
            "utc": ("(312) 555-0101", "", ""),  # no country to read it in: kept, not dialable
            "text": ("ask reception", "", ""),
            "none": ("", "", ""),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
