"""The validated shape of one ticket, survey response or customer row, whatever it came from.

A format (formats/) turns a CSV row or a webhook's JSON into `Values`: our field name ->
(the sender's name for it, raw value). The `clean_*` functions here validate those values the
same way for files and webhooks and collect every problem of the row, each naming the sender's
column or key. A field the sender did not supply at all is MISSING: a new row takes the default,
an existing row keeps what it has.
"""

from dataclasses import dataclass, field
from datetime import datetime

from customers.models import Customer, SupportTicket, SurveyResponse

from . import fields as f


class _Missing:
    def __repr__(self):
        return "MISSING"

    def __bool__(self):
        return False


MISSING = _Missing()


class RecordInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{column}: {message}" for column, message in errors))
        self.errors = errors


class Values(dict):
    """our field name -> (the sender's label, raw value); absent keys were not supplied."""

    def __init__(self, labels: dict[str, str] | None = None):
        super().__init__()
        self.labels = labels or {}

    def put(self, name: str, label: str, raw) -> None:
        self[name] = (label, raw)

    def label(self, name: str) -> str:
        return self[name][0] if name in self else self.labels.get(name, name)


class _Collector:
    def __init__(self, values: Values):
        self.values, self.errors = values, []

    def get(self, name: str, cleaner, *args, required: bool = False, **kwargs):
        if name not in self.values:
            if required:
                self.errors.append((self.values.label(name), "is required"))
            return MISSING
        label, raw = self.values[name]
        if required and f.is_blank(raw):
            self.errors.append((label, "is required"))
            return MISSING
        try:
            return cleaner(raw, *args, **kwargs)
        except f.FieldError as exc:
            self.errors.append((label, str(exc)))
            return MISSING

    def fail(self, name: str, message: str) -> None:
        self.errors.append((self.values.label(name), message))

    def done(self) -> None:
        if self.errors:
            raise RecordInvalid(self.errors)


@dataclass
class MatchKeys:
    """What a row says about its customer, tried in this order (CONTRACT §4)."""

    customer_external_id: str = ""
    email: str = ""
    company: str = ""
    column: str = ""  # the sender's name for the key that was used, for error messages

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2] if "@" in self.email else ""

    def describe(self) -> str:
        said = [
            f"customer_external_id “{self.customer_external_id}”" if self.customer_external_id else "",
            f"e-mail “{self.email}”" if self.email else "",
            f"company “{self.company}”" if self.company else "",
        ]
        return ", ".join(s for s in said if s) or "no customer id, e-mail or company"


def _match_keys(c: _Collector, *, email_field: str) -> MatchKeys:
    keys = MatchKeys(
        customer_external_id=c.get("customer_external_id", f.text, max_length=64) or "",
        email=c.get(email_field, f.email) or "",
        company=c.get("company", f.text, max_length=200) or "",
    )
    if not (keys.customer_external_id or keys.email or keys.company) and not c.errors:
        c.fail(email_field, "is empty, and so is every other column naming the customer")
    used = "customer_external_id" if keys.customer_external_id else email_field if keys.email else "company"
    keys.column = c.values.label(used)
    return keys


@dataclass
class TicketRecord:
    source: str
    external_id: str
    match: MatchKeys
    subject: str
    created_at: datetime
    status: object = MISSING
    priority: object = MISSING
    updated_at: object = MISSING
    solved_at: object = MISSING
    escalated: object = MISSING
    reopen_count: object = MISSING
    tags: object = MISSING
    satisfaction: object = MISSING

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


def clean_ticket(values: Values, *, source: str, statuses: dict, priorities: dict, satisfactions: dict) -> TicketRecord:
    c = _Collector(values)
    external_id = c.get("external_id", f.text, max_length=64, required=True)
    match = _match_keys(c, email_field="requester_email")
    subject = c.get("subject", f.text, max_length=500, required=True, multiline=True)
    created_at = c.get("created_at", f.when, required=True)
    solved_at = c.get("solved_at", f.when)
    closed_at = c.get("closed_at", f.when)  # Freshdesk: read and checked even beside "Resolved time"
    if not solved_at and closed_at:
        solved_at = closed_at
    record = TicketRecord(
        source=source,
        external_id=external_id or "",
        match=match,
        subject=subject or "(no subject)",
        created_at=created_at,
        status=c.get("status", f.choice, statuses, default=SupportTicket.Status.NEW),
        priority=c.get("priority", f.choice, priorities, default=SupportTicket.Priority.NORMAL),
        updated_at=c.get("updated_at", f.when),
        solved_at=solved_at,
        escalated=c.get("escalated", f.boolean),
        reopen_count=c.get("reopen_count", f.integer, minimum=0, maximum=100000, default=0),
        tags=c.get("tags", f.tags),
        satisfaction=c.get("satisfaction", f.choice, satisfactions, default=""),
    )
    if created_at:
        if record.updated_at is None or record.updated_at is MISSING:
            record.updated_at = max(created_at, record.solved_at or created_at)
        elif record.updated_at < created_at:
            c.fail("updated_at", f"{record.updated_at:%Y-%m-%d %H:%M} is before the ticket was created")
        if record.solved_at and record.solved_at < created_at:
            late = "solved_at" if solved_at is not closed_at else "closed_at"
            c.fail(late, f"{record.solved_at:%Y-%m-%d %H:%M} is before the ticket was created")
        if closed_at and closed_at < created_at and solved_at is not closed_at:
            c.fail("closed_at", f"{closed_at:%Y-%m-%d %H:%M} is before the ticket was created")
    c.done()
    return record


@dataclass
class SurveyRecord:
    source: str
    external_id: str
    match: MatchKeys
    kind: str
    score: int
    responded_at: datetime
    comment: object = MISSING

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


SCORE_RANGES = {SurveyResponse.Kind.NPS: (0, 10), SurveyResponse.Kind.CSAT: (1, 5)}


def clean_survey(values: Values, *, source: str, kinds: dict) -> SurveyRecord:
    c = _Collector(values)
    external_id = c.get("external_id", f.text, max_length=64, required=True)
    match = _match_keys(c, email_field="email")
    kind = c.get("kind", f.choice, kinds, default=SurveyResponse.Kind.NPS) or SurveyResponse.Kind.NPS
    score = c.get("score", f.integer, required=True)
    low, high = SCORE_RANGES[kind]
    if isinstance(score, int) and not low <= score <= high:
        c.fail("score", f"{score} is out of range for {kind.upper()} ({low}–{high})")
    record = SurveyRecord(
        source=source,
        external_id=external_id or "",
        match=match,
        kind=kind,
        score=score,
        responded_at=c.get("responded_at", f.when, required=True),
        comment=c.get("comment", f.text, max_length=10000, multiline=True),
    )
    c.done()
    return record


@dataclass
class CustomerRow:
    external_id: str
    name: object = MISSING
    domain: object = MISSING
    annual_revenue: object = MISSING
    tier: object = MISSING  # the file's label, any text: imports.services.customers finds or makes its Tier
    timezone: object = MISSING
    country: object = MISSING
    contact: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Two rows with one key in a batch are written in separate batches (the runner splits)."""
        return (self.external_id, self.contact.get("email") or (self.contact.get("name") or "").lower())

    def customer_fields(self) -> dict:
        names = ["name", "domain", "annual_revenue", "tier", "timezone", "country"]
        return {n: getattr(self, n) for n in names if getattr(self, n) is not MISSING}


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_title", "contact_do_not_call")


def clean_customer(values: Values) -> CustomerRow:
    c = _Collector(values)
    external_id = c.get("external_id", f.text, max_length=64, required=True)
    row = CustomerRow(
        external_id=external_id or "",
        name=c.get("name", f.text, max_length=200, required=True),
        domain=c.get("domain", f.domain),
        annual_revenue=c.get("annual_revenue", f.money),
        tier=c.get("tier", f.text, max_length=100) or Customer.Tier.SMB,  # a label; the writer finds its tier
        timezone=c.get("timezone", f.time_zone, default="UTC"),
        country=c.get("country", f.country),
    )
    contact = {
        "name": c.get("contact_name", f.text, max_length=200),
        "email": c.get("contact_email", f.email),
        "phone": c.get("contact_phone", f.phone),
        "title": c.get("contact_title", f.text, max_length=200),
        "do_not_call": c.get("contact_do_not_call", f.boolean),
    }
    if any(contact[k] for k in ("name", "email", "phone", "title")):
        if not contact["name"]:
            c.fail("contact_name", "is required when the row has a contact")
        row.contact = {k: v for k, v in contact.items() if v is not MISSING}
    c.done()
    return row
