"""Every page and e-mail that shows a contact's number links it through one builder ({% load phones %}):
the same tel: link, the number in international format, the extension, the text as written."""

import re
from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.template import Context, Template

from notifications import services
from tests.factories import AdminFactory, ContactFactory, CustomerFactory, FlagFactory, SheetEntryFactory
from tests.notifications.factories import executive_in, sheet_with

pytestmark = pytest.mark.django_db

TUESDAY_MORNING_OSLO = datetime(2027, 3, 23, 6, 30, tzinfo=UTC)
WEEK = date(2027, 3, 22)


def tel_links(html: str) -> set[str]:
    return set(re.findall(r'href="(tel:[^"]*)"', html))


@pytest.fixture
def chicago():
    """A Chicago customer whose records write the number nationally, with an extension; an
    executive in Oslo with it first on next week's sheet, and a flag naming the contact."""
    customer = CustomerFactory(name="Acme Corp", timezone="America/Chicago")
    contact = ContactFactory(customer=customer, name="Jane Doe", phone="(312) 555-0101 ext. 12")
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0), email="ingrid@example.com")
    sheet = sheet_with(executive, WEEK, customers=0, backups=0)
    SheetEntryFactory(sheet=sheet, position=1, customer=customer, contact=contact)
    flag = FlagFactory(customer=customer, contact=contact)
    return {"contact": contact, "executive": executive, "flag": flag}


def pages(client, chicago) -> dict[str, str]:
    contact = chicago["contact"]
    client.force_login(chicago["executive"].user)
    bodies = {
        "sheet": client.get(f"/sheet/{WEEK}/").content.decode(),
        "print": client.get(f"/sheet/{WEEK}/print/").content.decode(),
    }
    client.force_login(AdminFactory())
    bodies["customer"] = client.get(f"/customers/{contact.customer_id}/").content.decode()
    bodies["flag"] = client.get(f"/flags/{chicago['flag'].pk}/").content.decode()
    assert services.briefings_send_due(now=TUESDAY_MORNING_OSLO) == {"sent": 1}
    (message,) = mail.outbox
    bodies["email"] = message.alternatives[0][0]
    bodies["email_text"] = message.body
    return bodies


def test_sheet_print_customer_flag_and_email_link_the_same_number(client, chicago):
    bodies = pages(client, chicago)

    for name in ("sheet", "print", "customer", "flag", "email"):
        assert tel_links(bodies[name]) == {"tel:+13125550101"}, name
        assert "+1 312-555-0101" in bodies[name], name
        assert "12" in bodies[name].split("+1 312-555-0101", 1)[1][:200], name  # the extension beside it
    for name in ("print", "customer", "flag", "email"):
        assert "ext. 12" in bodies[name] and "(312) 555-0101 ext. 12" in bodies[name], name
    assert "then extension <strong>12</strong>" in bodies["sheet"]
    assert "+1 312-555-0101 ext. 12, as written: (312) 555-0101 ext. 12" in bodies["email_text"]


def test_a_number_that_cannot_be_dialled_from_abroad_is_shown_as_written_and_never_linked(client, chicago):
    contact = chicago["contact"]
    contact.phone = "555-0101 (front desk)"
    contact.phone_e164 = contact.phone_extension = ""
    contact.save()

    bodies = pages(client, chicago)

    for name in ("sheet", "print", "customer", "flag", "email"):
        assert tel_links(bodies[name]) == set(), name
        assert "555-0101 (front desk)" in bodies[name], name
        assert "dialled from abroad" in bodies[name], name
    assert "555-0101 (front desk) (can't be dialled from abroad)" in bodies["email_text"]


def test_a_do_not_call_number_is_not_a_link(client, chicago):
    contact = chicago["contact"]
    contact.do_not_call = True
    contact.save()
    client.force_login(AdminFactory())
    body = client.get(f"/customers/{contact.customer_id}/").content.decode()
    assert tel_links(body) == set() and "+1 312-555-0101" in body


def test_the_tags_take_a_contact_a_phone_or_text():
    contact = ContactFactory(customer__timezone="Europe/Oslo", phone="22 12 34 56")
    rendered = Template(
        "{% load phones %}{{ c|tel_href }}|{{ c.phone_number|tel_href }}|{{ '+47 22 12 34 56'|tel_href }}"
        "|{{ '22 12 34 56'|tel_href }}|{{ c|phone_display }}"
    ).render(Context({"c": contact}))
    assert rendered == "tel:+4722123456|tel:+4722123456|tel:+4722123456||+47 22 12 34 56"
