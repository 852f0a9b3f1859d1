"""Customers, contacts, tickets and survey responses for the demo, from one seeded random source.

Each customer has a hidden mood (angry, neutral, happy) that shapes its tickets and scores,
so the signals agree with each other the way they do in real accounts.
"""

import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from customers.models import Contact, Customer, SupportTicket, SurveyResponse
from customers.phones import contact_normalise_phone

from . import text

# time zone, phone pattern (# is a random digit; fictional ranges where the country has them),
# written as customers' records hold them: some national, one with the UK's "(0)", one with an
# extension; customers.phones reads them in the country of the time zone.
ZONES = [
    ("America/New_York", "(212) 555-01##"),
    ("America/Chicago", "+1 312 555 01##"),
    ("America/Denver", "303-555-01## ext. 2#"),
    ("America/Los_Angeles", "+1 415 555 01##"),
    ("Europe/London", "+44 (0)20 7946 0###"),
    ("Europe/Berlin", "+49 30 9012 ####"),
    ("Europe/Oslo", "22 60 ## ##"),
    ("Europe/Paris", "+33 1 70 18 ## ##"),
    ("Asia/Singapore", "+65 6550 ####"),
    ("Australia/Sydney", "+61 2 9123 ####"),
    ("Asia/Tokyo", "+81 3 4550 ####"),
]
ZONE_WEIGHTS = [16, 12, 5, 12, 12, 9, 6, 7, 4, 4, 3]
# tier, share of customers, revenue range
TIERS = [
    (Customer.Tier.STRATEGIC, 0.05, (2_000_000, 12_000_000)),
    (Customer.Tier.ENTERPRISE, 0.15, (500_000, 2_000_000)),
    (Customer.Tier.MID_MARKET, 0.35, (80_000, 500_000)),
    (Customer.Tier.SMB, 0.45, (8_000, 80_000)),
]
TICKETS_PER_TIER = {"strategic": (18, 34), "enterprise": (9, 20), "mid_market": (3, 12), "smb": (0, 6)}
CONTACTS_PER_TIER = {"strategic": (3, 4), "enterprise": (2, 3), "mid_market": (1, 3), "smb": (1, 2)}


@dataclass
class DemoCustomer:
    customer: Customer
    mood: str
    contacts: list = field(default_factory=list)


def _pick_tier(rng: random.Random) -> tuple[str, tuple[int, int]]:
    roll = rng.random()
    for tier, share, revenue in TIERS:
        roll -= share
        if roll < 0:
            return tier, revenue
    return TIERS[-1][0], TIERS[-1][2]


def make_customers(rng: random.Random, count: int) -> list[DemoCustomer]:
    names = [f"{a} {b}" for a, b in itertools.product(text.NAME_PARTS, text.NAME_KINDS)]
    rng.shuffle(names)
    made = []
    for i in range(count):
        name = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        tier, (low, high) = _pick_tier(rng)
        zone, _ = rng.choices(ZONES, ZONE_WEIGHTS)[0]
        lifecycle = rng.choices(
            [
                Customer.Lifecycle.ACTIVE,
                Customer.Lifecycle.AT_RISK,
                Customer.Lifecycle.ONBOARDING,
                Customer.Lifecycle.CHURNED,
            ],
            [82, 8, 6, 4],
        )[0]
        mood = rng.choices(["angry", "neutral", "happy"], [15, 60, 25])[0]
        if lifecycle == Customer.Lifecycle.AT_RISK:
            mood = "angry"
        slug = name.lower().replace(" ", "")
        made.append(
            DemoCustomer(
                Customer(
                    external_id=f"DEMO-{i + 1:05d}",
                    name=name,
                    domain=f"{slug}.com",
                    annual_revenue=Decimal(round(rng.uniform(low, high), -3)),
                    tier_id=tier,
                    timezone=zone,
                    lifecycle_status=lifecycle,
                ),
                mood,
            )
        )
    Customer.objects.bulk_create([d.customer for d in made], batch_size=500)
    return made


def make_contacts(rng: random.Random, customers: list[DemoCustomer]) -> int:
    prefixes = dict(ZONES)
    rows = []
    for d in customers:
        c = d.customer
        low, high = CONTACTS_PER_TIER[c.tier_id]
        no_phone = rng.random() < 0.03  # a few accounts nobody can phone: the builder must say so
        used = set()
        for n in range(rng.randint(low, high)):
            first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
            while (first, last) in used:
                first = rng.choice(text.FIRST_NAMES)
            used.add((first, last))
            local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
            local = local.replace("'", "").replace(" ", "")
            contact = Contact(
                customer=c,
                name=f"{first} {last}",
                title=text.CONTACT_TITLES[(n + rng.randint(0, 12)) % len(text.CONTACT_TITLES)],
                email=f"{local}@{c.domain}",
                phone="" if no_phone else _phone(rng, prefixes[c.timezone]),
                is_primary=n == 0,
                do_not_call=n > 0 and rng.random() < 0.05,
            )
            contact_normalise_phone(contact, customer=c)
            d.contacts.append(contact)
            rows.append(contact)
    Contact.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _phone(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)


def _ticket_subject(rng: random.Random) -> str:
    return rng.choice(text.TICKET_SUBJECTS).format(
        n=rng.randint(20400, 48999), m=rng.choice([12, 40, 85, 200]), amount=rng.choice(["400", "1,250", "3,980"])
    )


def make_tickets(rng: random.Random, customers: list[DemoCustomer], now: datetime) -> list[SupportTicket]:
    tickets = []
    for d in customers:
        low, high = TICKETS_PER_TIER[d.customer.tier_id]
        count = int(rng.randint(low, high) * (1.6 if d.mood == "angry" else 1))
        for _ in range(count):
            created = now - timedelta(days=rng.uniform(0.2, 182), hours=rng.uniform(0, 8))
            age = (now - created).days
            urgent, high_p = (0.12, 0.25) if d.mood == "angry" else (0.03, 0.14)
            priority = rng.choices(
                ["urgent", "high", "normal", "low"], [urgent, high_p, 0.55, 1 - urgent - high_p - 0.55]
            )[0]
            if age > 14:
                status = rng.choices(["closed", "solved", "open", "pending"], [60, 33, 4, 3])[0]
            else:
                status = rng.choices(["new", "open", "pending", "hold", "solved"], [10, 40, 20, 5, 25])[0]
            updated = min(now, created + timedelta(hours=rng.uniform(1, 24 * min(age + 1, 20))))
            solved = updated if status in ("solved", "closed") else None
            reopens = rng.choices([0, 1, 2, 3], [85, 10, 4, 1] if d.mood != "angry" else [65, 20, 10, 5])[0]
            escalated = rng.random() < {"urgent": 0.4, "high": 0.1}.get(priority, 0.02)
            satisfaction = ""
            if solved and rng.random() < 0.4:
                satisfaction = "bad" if (d.mood == "angry" and rng.random() < 0.6) or rng.random() < 0.08 else "good"
            tickets.append(
                SupportTicket(
                    source=SupportTicket.Source.ZENDESK,
                    customer=d.customer,
                    requester=rng.choice(d.contacts) if d.contacts else None,
                    subject=_ticket_subject(rng),
                    status=status,
                    priority=priority,
                    created_at=created,
                    updated_at=max(updated, created),
                    solved_at=solved,
                    escalated=escalated,
                    reopen_count=reopens,
                    tags=sorted(rng.sample(text.TICKET_TAGS, rng.randint(1, 2))),
                    satisfaction=satisfaction,
                )
            )
    tickets.sort(key=lambda t: t.created_at)
    for n, ticket in enumerate(tickets):
        ticket.external_id = str(20400 + n)
    SupportTicket.objects.bulk_create(tickets, batch_size=1000)
    return tickets


def _nps(rng: random.Random, mood: str) -> tuple[int, str]:
    score = {
        "angry": rng.choices(range(0, 7), [3, 3, 3, 3, 2, 2, 2])[0],
        "neutral": rng.choices(range(4, 11), [1, 2, 4, 6, 6, 3, 2])[0],
        "happy": rng.choices(range(8, 11), [2, 4, 4])[0],
    }[mood]
    pool = (
        text.NPS_DETRACTOR_COMMENTS
        if score <= 6
        else text.NPS_PASSIVE_COMMENTS
        if score <= 8
        else text.NPS_PROMOTER_COMMENTS
    )
    return score, rng.choice(pool)


def make_surveys(
    rng: random.Random, customers: list[DemoCustomer], tickets: list[SupportTicket], now: datetime
) -> list[SurveyResponse]:
    responses = []
    the_idiots_quote = text.NPS_DETRACTOR_COMMENTS[0]
    quoted = False
    for d in customers:
        for _ in range(rng.choices([0, 1, 2, 3], [35, 35, 20, 10])[0]):
            score, comment = _nps(rng, d.mood)
            responded = now - timedelta(days=rng.uniform(1, 180))
            if (
                not quoted
                and d.mood == "angry"
                and d.customer.tier_id in ("strategic", "enterprise")
                and d.contacts[0].phone
            ):
                score, comment, responded, quoted = 0, the_idiots_quote, now - timedelta(days=10, hours=3), True
            elif comment == the_idiots_quote:
                comment = text.NPS_DETRACTOR_COMMENTS[1]
            responses.append(
                SurveyResponse(
                    source=SurveyResponse.Source.DELIGHTED,
                    customer=d.customer,
                    contact=rng.choice(d.contacts) if d.contacts else None,
                    kind=SurveyResponse.Kind.NPS,
                    score=score,
                    comment=comment,
                    responded_at=responded,
                )
            )
    moods = {d.customer.pk: d for d in customers}
    for ticket in tickets:
        if ticket.solved_at and rng.random() < 0.12:
            d = moods[ticket.customer_id]
            low = d.mood == "angry" and rng.random() < 0.6
            score = rng.choice([1, 2]) if low else rng.choice([3, 4, 5, 5])
            responses.append(
                SurveyResponse(
                    source=SurveyResponse.Source.CSV,
                    customer=ticket.customer,
                    contact=ticket.requester,
                    kind=SurveyResponse.Kind.CSAT,
                    score=score,
                    comment=rng.choice(text.CSAT_LOW_COMMENTS if score <= 2 else text.CSAT_OK_COMMENTS),
                    responded_at=min(now, ticket.solved_at + timedelta(hours=rng.uniform(1, 48))),
                    external_id=f"CSAT-{ticket.external_id}",
                )
            )
    responses.sort(key=lambda r: r.responded_at)
    for n, response in enumerate(responses):
        if not response.external_id:
            response.external_id = f"DL-{880000 + n}"
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    return responses
