"""The customers' calls: who reached them last (the cooldown) and who called them last (the relationship)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q

from ..models import CallLog


@dataclass
class CallHistory:
    """The customer's calls: cooldown (last reached) and relationship (who called last)."""

    last_reached_at: datetime | None = None
    last_reached_by: int | None = None
    last_called_by: int | None = None
    last_called_at: datetime | None = None


def read_call_history(*, customer_id=None, customer_ids=None) -> dict[int, CallHistory]:
    """One aggregate over (customer, executive): the last call and the last reached call of each pair.

    The build reads it only for the customers it is about to place (`customer_ids`): who called
    them last decides whose sheet they go to. Cooldowns come from `read_cooldowns`.
    """
    qs = (
        CallLog.objects.values("customer_id", "executive_id")
        .annotate(last=Max("called_at"), last_reached=Max("called_at", filter=Q(outcome=CallLog.Outcome.REACHED)))
        .order_by()
    )
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    history: dict[int, CallHistory] = {}
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    for row in qs:
        h = history.setdefault(row["customer_id"], CallHistory())
        # Ties on the timestamp go to the lower executive id, so the answer never depends on row order.
        if h.last_called_at is None or (row["last"], -row["executive_id"]) > (h.last_called_at, -h.last_called_by):
            h.last_called_at, h.last_called_by = row["last"], row["executive_id"]
        if row["last_reached"]:
            _note_reached(h, row["last_reached"], row["executive_id"])
    return history


def read_cooldowns(*, since: datetime) -> dict[int, CallHistory]:
    """The customers reached after `since` (the cooldown's reach): when last, and by whom.

    A customer reached before `since` is out of cooldown whatever else happened, so the read
    covers a few weeks of calls, not the program's whole history.
    """
    qs = (
        CallLog.objects.filter(outcome=CallLog.Outcome.REACHED, called_at__gt=since)
        .values("customer_id", "executive_id")
        .annotate(last=Max("called_at"))
        .order_by()
    )
    history: dict[int, CallHistory] = {}
    for row in qs:
        _note_reached(history.setdefault(row["customer_id"], CallHistory()), row["last"], row["executive_id"])
    return history


def _note_reached(h: CallHistory, at: datetime, executive_id: int) -> None:
    if h.last_reached_at is None or (at, -executive_id) > (h.last_reached_at, -h.last_reached_by):
        h.last_reached_at, h.last_reached_by = at, executive_id
