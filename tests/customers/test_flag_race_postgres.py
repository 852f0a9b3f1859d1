"""Two leads flag the same customer at the same moment: one flag is created, the other lead gets it back."""

import threading

import pytest
from django.db import connection

from customers.models import Flag
from customers.services.flags import FlagAlreadyActive, flag_raise
from tests.factories import CustomerFactory, LeadFactory

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
