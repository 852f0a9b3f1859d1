"""What a build returns: planned (or written) sheets, the customers left off and why, messages."""

from dataclasses import dataclass, field
from datetime import date, datetime

from customers.models import Contact, Customer, Flag

from ..models import Executive


@dataclass
class PlannedEntry:
    position: int
    customer: Customer
    contact: Contact | None
    score: float
    is_backup: bool
    is_listening: bool
    reasons: list
    signals: dict
    flag: Flag | None = None
    kept: bool = False  # an entry with a logged call that the build left where it was
    status: str = "pending"

    @property
    def backup(self) -> bool:
        return self.is_backup

    @property
    def listening(self) -> bool:
        return self.is_listening

    @property
    def top_reason(self) -> str:
        return self.reasons[0]["text"] if self.reasons else ""

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "customer_external_id": self.customer.external_id,
            "customer": self.customer.name,
            "contact_email": self.contact.email if self.contact else "",
            "contact": self.contact.name if self.contact else "",
            "score": self.score,
            "backup": self.is_backup,
            "listening": self.is_listening,
            "kept": self.kept,
            "reasons": [{"code": r["code"], "text": r["text"], "points": r.get("points", 0)} for r in self.reasons],
        }


@dataclass
class PlannedSheet:
    executive: Executive
    week_start: date
    slot_starts_at: datetime
    capacity: int
    backups: int
    entries: list = field(default_factory=list)
    sheet_id: int | None = None
    inputs: dict = field(default_factory=dict)

    @property
    def slot_start(self) -> datetime:
        return self.slot_starts_at

    def ordered(self) -> list:
        return sorted(self.entries, key=lambda e: (e.is_backup, e.position))

    def as_json(self) -> dict:
        return {
            "executive": self.executive.user.email,
            "executive_name": self.executive.name,
            "week": self.week_start.isoformat(),
            "slot_start": self.slot_starts_at.isoformat(),
            "sheet_id": self.sheet_id,
            "entries": [e.as_json() for e in self.ordered()],
        }


@dataclass(slots=True)
class Skipped:
    customer: Customer
    code: str  # churned, cooldown, no_callable_contact, capacity, calling_hours, scheduled_elsewhere
    text: str
    score: float = 0.0
    flag: Flag | None = None

    def as_json(self) -> dict:
        return {
            "customer_id": self.customer.id,
            "customer_external_id": self.customer.external_id,
            "customer": self.customer.name,
            "code": self.code,
            "text": self.text,
            "score": self.score,
            "flag_id": self.flag.id if self.flag else None,
        }


@dataclass
class BuildResult:
    week_start: date
    dry_run: bool
    sheets: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    messages: list = field(default_factory=list)

    def as_json(self) -> list:
        """CONTRACT §3's `--format json`: a list of sheets."""
        return [s.as_json() for s in self.sheets]

    def skipped_counts(self) -> dict:
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.code] = counts.get(s.code, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict:
        """A small JSON-able summary, for the task's result and the admin's job status."""
        return {
            "week": self.week_start.isoformat(),
            "dry_run": self.dry_run,
            "sheets": [
                {
                    "executive": s.executive.user.email,
                    "sheet_id": s.sheet_id,
                    "entries": sum(not e.is_backup for e in s.entries),
                    "backups": sum(e.is_backup for e in s.entries),
                    "listening": sum(e.is_listening for e in s.entries),
                    "kept": sum(e.kept for e in s.entries),
                }
                for s in self.sheets
            ],
            "skipped": self.skipped_counts(),
            "messages": list(self.messages),
        }

    def summary_line(self) -> str:
        placed = sum(len(s.entries) for s in self.sheets)
        skipped = ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in self.skipped_counts().items()) or "none"
        verb = "Would build" if self.dry_run else "Built"
        return (
            f"{verb} {len(self.sheets)} sheet{'s' if len(self.sheets) != 1 else ''} for the week of "
            f"{self.week_start.isoformat()}: {placed} entries; left off: {skipped}."
        )


@dataclass
class Outlook:
    """What the builder would do with one customer right now (the customer page shows it)."""

    state: str  # would_be_listed, cooldown, no_callable_contact, no_signal, churned, on_sheet
    sentence: str
    reasons: list = field(default_factory=list)
    score: float = 0.0
    cooldown_until: date | None = None
