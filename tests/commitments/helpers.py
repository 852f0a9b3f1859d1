"""Many commitments fast: a few calls made by factories, then one bulk_create."""

from datetime import timedelta

from django.utils import timezone

from callsheets.models import Commitment
from tests.factories import CallLogFactory


def make_commitments(n: int, calls: int = 5, **fields) -> list[Commitment]:
    today = timezone.localdate()
    logs = [CallLogFactory() for _ in range(calls)]
    rows = []
    for i in range(n):
        call = logs[i % calls]
        rows.append(
            Commitment(
                call=call,
                customer=call.customer,
                promise=f"Promise number {i}",
                owner=call.executive.user,
                due_date=today + timedelta(days=(i % 20) - 10),
                **fields,
            )
        )
    return Commitment.objects.bulk_create(rows)
