"""Queries and memory grow with the batch, not with the file (the benchmark measures speed)."""

import io
import math
import tracemalloc

import pytest
from django.db import connection

from customers.models import SupportTicket
from imports.services import tickets_import
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def ticket_file(rows: int, emails: int = 50) -> io.BytesIO:
    lines = ["external_id,requester_email,subject,status,priority,created_at,tags"]
    lines += [
        f"Z{n},person{n % emails}@big.example,Ticket number {n},open,normal,2026-11-01T09:00:00Z,a b"
        for n in range(rows)
    ]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def inserts_per_batch() -> int:
    """PostgreSQL takes a batch of 1000 in one INSERT; SQLite's parameter limit splits it."""
    fields = [f for f in SupportTicket._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [SupportTicket()] * 1000)
    return math.ceil(1000 / min(per_insert, 1000))


def test_queries_grow_with_batches_not_rows(django_assert_max_num_queries):
    CustomerFactory(domain="big.example")
    # 3 batches of 1000: a few lookups and the inserts each, plus the transaction's savepoint
    with django_assert_max_num_queries(3 * (4 + inserts_per_batch()) + 2):
        result = tickets_import(stream=ticket_file(3000), name="big.csv", file_format="csv")
    assert (result.created, result.rejected) == (3000, 0)

    with django_assert_max_num_queries(3 * 4 + 2):  # unchanged rows: lookups only
        again = tickets_import(stream=ticket_file(3000), name="big.csv", file_format="csv")
    assert again.unchanged == 3000
    assert SupportTicket.objects.count() == 3000


def peak_bytes(rows: int) -> int:
    stream = ticket_file(rows)
    tracemalloc.start()
    try:
        result = tickets_import(stream=stream, name="big.csv", file_format="csv", dry_run=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert result.created == rows


def test_memory_stays_flat_as_the_file_grows():
    CustomerFactory(domain="big.example")
    small, large = peak_bytes(1200), peak_bytes(4800)
    assert large < small * 1.5, (small, large)
