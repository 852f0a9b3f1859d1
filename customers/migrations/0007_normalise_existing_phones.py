"""Reads every stored phone number once (customers.phones): E.164 and extension beside the text as
written, a national number read in the country of the contact's or customer's time zone (no
customer has a `country` yet). A number that cannot be made international keeps an empty E.164:
it is shown as written and marked "can't be dialled from abroad"."""

from django.db import migrations

from customers.phones import phone_read, phone_region

BATCH = 2000


def normalise(apps, schema_editor):
    Contact = apps.get_model("customers", "Contact")
    rows = Contact.objects.exclude(phone="").select_related("customer").order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        changed = []
        for contact in batch:
            region = phone_region(
                contact_timezone=contact.timezone,
                country=contact.customer.country,
                customer_timezone=contact.customer.timezone,
            )
            phone = phone_read(contact.phone, region=region)
            if (contact.phone_e164, contact.phone_extension) != (phone.e164, phone.extension):
                contact.phone_e164, contact.phone_extension = phone.e164, phone.extension
                changed.append(contact)
        Contact.objects.bulk_update(changed, ["phone_e164", "phone_extension"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_contact_phone_e164_customer_country")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
