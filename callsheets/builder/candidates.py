"""Who can be called: the fields a customer is judged and ranked by, callable contacts, the listening draw."""

import functools
import random
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, Max, Min, OuterRef

from customers.models import Contact, Customer

QUIET_SAMPLE_FROM = 8  # a base wider than this many batches of ids is sampled, a narrower one read whole


def callable_contacts():
    return Contact.objects.filter(do_not_call=False).exclude(phone="").order_by("-is_primary", "name", "id")


@functools.cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """ZoneInfo keeps only 8 zones for sure; past that it may read the tzdata file again each time."""
    return zoneinfo.ZoneInfo(name)


# Customer's fields a build judges and ranks by (in the model's field order).
RANKING_FIELDS = ("id", "external_id", "name", "annual_revenue", "tier_id", "timezone", "lifecycle_status")


class CustomerRow:
    """A customer as a build judges and ranks it: RANKING_FIELDS and `has_callable_contact`.

    A build looks at tens of thousands of customers and places a few hundred; a model instance
    for each would cost more than the rest of the ranking. `as_customer()` makes the Customer
    (with these fields) for the few placed. A row compares equal to the Customer it stands for.
    """

    __slots__ = (*RANKING_FIELDS, "has_callable_contact")

    def __init__(
        self, id, external_id, name, annual_revenue, tier_id, timezone, lifecycle_status, has_callable_contact
    ):  # noqa: A002
        self.id, self.external_id, self.name, self.annual_revenue = id, external_id, name, annual_revenue
        self.tier_id, self.timezone, self.lifecycle_status = tier_id, timezone, lifecycle_status
        self.has_callable_contact = bool(has_callable_contact)

    @property
    def pk(self) -> int:
        return self.id

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zone(self.timezone)

    def as_customer(self) -> Customer:
        values = [getattr(self, n) for n in RANKING_FIELDS]
        values[RANKING_FIELDS.index("annual_revenue")] = Decimal(f"{self.annual_revenue:.2f}")  # read as a float
        customer = Customer.from_db(Customer.objects.db, RANKING_FIELDS, values)
        customer.has_callable_contact = self.has_callable_contact
        return customer

    def __eq__(self, other):
        if isinstance(other, CustomerRow | Customer):
            return self.id == other.pk
        return NotImplemented

    def __hash__(self):
        return hash(self.id)

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<CustomerRow {self.id}: {self.name}>"


def read_ranking(customer_ids) -> dict[int, CustomerRow]:
    """What judging and ranking needs, for the customers given: one query (read_signals brings the
    same for every customer with an alarm; this is for the listening draw and one customer)."""
    has_contact = Exists(callable_contacts().filter(customer_id=OuterRef("pk")))
    rows = (
        Customer.objects.filter(id__in=list(customer_ids))
        .annotate(has_callable_contact=has_contact)
        .order_by()
        .values_list(*RANKING_FIELDS, "has_callable_contact")
    )
    return {row[0]: CustomerRow(*row) for row in rows}


def read_contacts(customers) -> None:
    """Puts each customer's callable contacts, best first, on `customer.callable_contacts`: one query."""
    by_id = {c.id: c for c in customers}
    for customer in by_id.values():
        customer.callable_contacts = []
    for contact in callable_contacts().filter(customer_id__in=list(by_id)):
        by_id[contact.customer_id].callable_contacts.append(contact)


def read_customers(customer_ids) -> dict[int, Customer]:
    """Customers (their ranking fields) with their callable contacts (explain_customer reads one): two queries."""
    customers = {cid: row.as_customer() for cid, row in read_ranking(customer_ids).items()}
    read_contacts(customers.values())
    return customers


@dataclass
class QuietDraw:
    ids: list  # in the order drawn
    pool: int  # customers that could take a listening call
    estimated: bool  # `pool` is estimated from the sample (a large base), not counted


def read_quiet_draw(*, seed: str, exclude: set, need: int) -> QuietDraw:
    """`need` customers for listening calls (not churned, with a callable contact, not in `exclude`),
    drawn at random with `seed`: the same seed and data give the same customers, in the same order.

    A large customer base is sampled by id (candidate ids in a seeded random order, checked a
    batch at a time: two or three queries) instead of shipping every customer's id to Python; a
    small one, or a pool too sparse for a few batches, is read whole and shuffled.
    """
    pool = Customer.objects.exclude(lifecycle_status=Customer.Lifecycle.CHURNED).filter(
        Exists(callable_contacts().filter(customer_id=OuterRef("pk")))
    )
    bounds = Customer.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return QuietDraw([], 0, False)
    span = bounds["high"] - bounds["low"] + 1
    batch = 2 * need + 100  # about two of three customers can take a listening call
    if span > QUIET_SAMPLE_FROM * batch:
        rng, ids = random.Random(seed), range(bounds["low"], bounds["high"] + 1)
        drawn, tried, hits = [], set(), 0
        for size in (batch, 4 * batch, 16 * batch):  # one batch is nearly always enough
            chunk = [i for i in rng.sample(ids, min(span, size)) if i not in tried]
            tried.update(chunk)
            found = set(pool.filter(id__in=chunk).values_list("id", flat=True))
            hits += len(found)
            drawn += [i for i in chunk if i in found and i not in exclude]
            if len(drawn) >= need:
                return QuietDraw(drawn[:need], round(hits / len(tried) * span), True)
    ids = list(pool.order_by("id").values_list("id", flat=True))
    drawn = [i for i in ids if i not in exclude]
    random.Random(seed).shuffle(drawn)
    return QuietDraw(drawn[:need], len(ids), False)
