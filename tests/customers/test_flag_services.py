import pytest
from django.core.exceptions import ValidationError

from customers.models import Flag
from customers.services.flags import FlagAlreadyActive, flag_add_note, flag_dismiss, flag_mark_called, flag_raise
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    ContactFactory,
    CustomerFactory,
    FlagFactory,
    LeadFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def test_raise_stores_every_field():
    contact = ContactFactory()
    ticket = TicketFactory(customer=contact.customer)
    lead = LeadFactory()
    flag = flag_raise(
        customer_id=contact.customer.pk,
        by=lead,
        reason="  She hung up.  ",
        urgency="urgent",
        ticket_id=ticket.pk,
        contact_id=contact.pk,
    )
    assert (flag.customer, flag.raised_by, flag.reason, flag.urgency) == (
        contact.customer,
        lead,
        "She hung up.",
        "urgent",
    )
    assert (flag.ticket, flag.contact, flag.status, flag.origin) == (ticket, contact, "open", "lead")


def test_raise_refuses_bad_input_field_by_field():
    customer = CustomerFactory()
    other_ticket = TicketFactory()
    other_contact = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        flag_raise(
            customer_id=customer.pk,
            by=LeadFactory(),
            reason=" ",
            urgency="panic",
            ticket_id=other_ticket.pk,
            contact_id=other_contact.pk,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"reason", "urgency", "ticket", "contact"}
    assert "belongs to another customer" in errors["ticket"][0]
    with pytest.raises(ValidationError) as exc:
        flag_raise(customer_id=987654, by=LeadFactory(), reason="x")
    assert exc.value.message_dict == {"customer": ["There is no customer with id 987654."]}
    assert not Flag.objects.exists()


def test_raise_refuses_a_do_not_call_contact():
    contact = ContactFactory(do_not_call=True)
    with pytest.raises(ValidationError) as exc:
        flag_raise(customer_id=contact.customer.pk, by=LeadFactory(), reason="x", contact_id=contact.pk)
    assert "asked not to be called" in exc.value.message_dict["contact"][0]


def test_second_active_flag_is_not_created_but_the_open_one_is_returned():
    first = FlagFactory()
    with pytest.raises(FlagAlreadyActive) as exc:
        flag_raise(customer_id=first.customer.pk, by=LeadFactory(), reason="Also angry with us.")
    assert exc.value.flag == first
    assert Flag.objects.count() == 1


def test_a_called_flag_does_not_block_a_new_one():
    FlagFactory(status=Flag.Status.CALLED)
    old = Flag.objects.get()
    new = flag_raise(customer_id=old.customer.pk, by=LeadFactory(), reason="Angry again.")
    assert new.pk != old.pk


def test_add_note_can_raise_urgency_but_not_on_a_finished_flag():
    flag = FlagFactory()
    note = flag_add_note(flag_id=flag.pk, by=LeadFactory(), text="Her CFO called too.", make_urgent=True)
    flag.refresh_from_db()
    assert note.made_urgent and flag.urgency == Flag.Urgency.URGENT
    again = flag_add_note(flag_id=flag.pk, by=LeadFactory(), text="And the CTO.", make_urgent=True)
    assert not again.made_urgent
    with pytest.raises(ValidationError):
        flag_add_note(flag_id=flag.pk, by=LeadFactory(), text="   ")
    flag.status = Flag.Status.CALLED
    flag.save()
    with pytest.raises(ValidationError, match="already called"):
        flag_add_note(flag_id=flag.pk, by=LeadFactory(), text="Late news.")


def test_dismiss_needs_a_reason_and_happens_once():
    flag = FlagFactory()
    admin = AdminFactory()
    with pytest.raises(ValidationError):
        flag_dismiss(flag_id=flag.pk, by=admin, reason="")
    flag_dismiss(flag_id=flag.pk, by=admin, reason="The account team is on it.")
    flag.refresh_from_db()
    assert (flag.status, flag.dismissed_by, flag.dismissed_reason) == ("dismissed", admin, "The account team is on it.")
    assert flag.closed_at is not None
    with pytest.raises(ValidationError, match="already dismissed"):
        flag_dismiss(flag_id=flag.pk, by=admin, reason="Again.")


def test_mark_called_is_idempotent_for_the_same_call():
    flag = FlagFactory(status=Flag.Status.SCHEDULED)
    call = CallLogFactory(customer=flag.customer)
    flag_mark_called(flag=flag, call=call)
    flag_mark_called(flag=flag, call=call)
    flag.refresh_from_db()
    assert (flag.status, flag.call, flag.called_at) == ("called", call, call.called_at)
