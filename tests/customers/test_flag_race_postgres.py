"""Two leads flag the same customer at the same moment: one flag is created, the other lead gets it back."""

import threading

import pytest
from django.db import connection

from customers.models import Flag, FlagNote
from customers.services.flags import FlagAlreadyActive, flag_raise, flag_raise_from_ticket
from tests.factories import CustomerFactory, LeadFactory, TicketFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_flags_make_one_and_hand_the_other_lead_the_open_flag():
    customer = CustomerFactory()
    leads = [LeadFactory(), LeadFactory()]
    barrier = threading.Barrier(2)
    results = []

    def raise_flag(lead):
        try:
            barrier.wait()
            results.append(flag_raise(customer_id=customer.pk, by=lead, reason="Angry call."))
        except FlagAlreadyActive as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_flag, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    flag = Flag.objects.get(customer=customer)
    created = [r for r in results if isinstance(r, Flag)]
    refused = [r for r in results if isinstance(r, FlagAlreadyActive)]
    assert len(created) == 1 and len(refused) == 1
    assert refused[0].flag.pk == flag.pk == created[0].pk


def _at_once(*calls):
    """Runs the calls in threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except FlagAlreadyActive as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_same_tagged_ticket_imported_twice_at_once_flags_once():
    ticket = TicketFactory()

    results = _at_once(*[lambda: flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")] * 2)

    assert sorted(type(r).__name__ for r in results) == ["Flag", "NoneType"]
    assert (Flag.objects.filter(ticket=ticket).count(), FlagNote.objects.count()) == (1, 0)


def test_a_lead_and_a_tagged_ticket_at_once_make_one_flag_and_lose_nothing():
    customer = CustomerFactory()
    ticket = TicketFactory(customer=customer)
    lead = LeadFactory()

    results = _at_once(
        lambda: flag_raise(customer_id=customer.pk, by=lead, reason="Angry call."),
        lambda: flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call"),
    )

    flag = Flag.objects.get(customer=customer)
    if flag.origin == Flag.Origin.LEAD:  # the lead won: the ticket is a note on the lead's flag
        assert FlagNote.objects.get().ticket == ticket
    else:  # the ticket won: the lead is handed the open flag to add to
        assert any(isinstance(r, FlagAlreadyActive) and r.flag.pk == flag.pk for r in results)
