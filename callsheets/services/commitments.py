"""Writes to commitments: close, drop, reassign, move, tell the customer; one at a time or in bulk.

Every change leaves a CommitmentChange row (who, when, field, from → to). Bulk variants are
all-or-nothing: they lock the selected rows, check every one, and write only when all pass, so a
refused batch changes nothing. Only commitments the acting user may review can be changed.
"""

from collections.abc import Callable, Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ceocalls.limits import RESOLUTION, normalize_text

from ..models import Commitment, CommitmentChange

MAX_BULK = 500


def user_label(user) -> str:
    """How a person appears in a change history: name and e-mail, or whatever there is."""
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name and user.email else (name or user.email or user.get_username())


def _locked(ids: Iterable[int], by: AbstractBaseUser) -> list[Commitment]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ValidationError("Select at least one commitment.")
    if len(ids) > MAX_BULK:
        raise ValidationError(f"Select at most {MAX_BULK} commitments at a time, not {len(ids)}.")
    rows = list(
        Commitment.objects.for_reviewer(by)
        .filter(id__in=ids)
        .select_for_update(of=("self",))
        .select_related("owner", "customer")
        .order_by("id")
    )
    missing = len(ids) - len(rows)
    if missing:
        raise ValidationError(
            f"{missing} of the selected commitments do not exist or are not yours to change; nothing was changed."
        )
    return rows


def _require_open(rows: list[Commitment], verb: str) -> None:
    closed = [c for c in rows if c.status != Commitment.Status.OPEN]
    if closed:
        names = "; ".join(f"#{c.pk} {c.customer.name} ({c.get_status_display().lower()})" for c in closed[:5])
        more = f" and {len(closed) - 5} more" if len(closed) > 5 else ""
        raise ValidationError(f"Only open commitments can be {verb}: {names}{more}. Nothing was changed.")


def _apply(
    rows: list[Commitment],
    by: AbstractBaseUser,
    fields: list[str],
    change: Callable[[Commitment], list[tuple[str, str, str]]],
    note: str = "",
) -> list[Commitment]:
    """Runs `change` on each row (it edits the row and returns (field, old, new) triples), then saves."""
    now = timezone.now()
    history = []
    for c in rows:
        for field, old, new in change(c):
            history.append(CommitmentChange(commitment=c, by=by, at=now, field=field, old=old, new=new, note=note))
    Commitment.objects.bulk_update(rows, [*fields, "updated_at"])
    CommitmentChange.objects.bulk_create(history)
    return rows


def _stamp(c: Commitment) -> None:
    c.updated_at = timezone.now()


@transaction.atomic
def commitment_bulk_complete(
    *, commitment_ids: Iterable[int], by: AbstractBaseUser, resolution: str
) -> list[Commitment]:
    """Marks open commitments done with what was done; a done or dropped one refuses the batch."""
    resolution = normalize_text(resolution)
    if not resolution:
        raise ValidationError("Say what was done to keep the promise.")
    if RESOLUTION.error(resolution):
        raise ValidationError(RESOLUTION.error(resolution))
    rows = _locked(commitment_ids, by)
    _require_open(rows, "marked done")
    now = timezone.now()

    def change(c):
        c.status, c.resolution, c.completed_at = Commitment.Status.DONE, resolution, now
        _stamp(c)
        return [("status", "open", "done"), ("resolution", "", resolution)]

    return _apply(rows, by, ["status", "resolution", "completed_at"], change)


@transaction.atomic
def commitment_bulk_drop(*, commitment_ids: Iterable[int], by: AbstractBaseUser, reason: str) -> list[Commitment]:
    """Drops open commitments with the reason; the reason is kept as the resolution."""
    reason = normalize_text(reason)
    if not reason:
        raise ValidationError("Give a reason for dropping the promise.")
    if RESOLUTION.error(reason):
        raise ValidationError(RESOLUTION.error(reason))
    rows = _locked(commitment_ids, by)
    _require_open(rows, "dropped")
    now = timezone.now()

    def change(c):
        c.status, c.resolution, c.completed_at = Commitment.Status.DROPPED, reason, now
        _stamp(c)
        return [("status", "open", "dropped"), ("resolution", "", reason)]

    return _apply(rows, by, ["status", "resolution", "completed_at"], change, note=reason)


@transaction.atomic
def commitment_bulk_reassign(
    *, commitment_ids: Iterable[int], by: AbstractBaseUser, owner: AbstractBaseUser, note: str = ""
) -> list[Commitment]:
    """Gives open commitments a new owner; rows already owned by `owner` are left as they are."""
    if owner is None or not owner.is_active:
        raise ValidationError("Choose an active user as the new owner.")
    rows = _locked(commitment_ids, by)
    _require_open(rows, "reassigned")
    rows = [c for c in rows if c.owner_id != owner.pk]
    new = user_label(owner)

    def change(c):
        old = user_label(c.owner)
        c.owner = owner
        _stamp(c)
        return [("owner", old, new)]

    return _apply(rows, by, ["owner"], change, note=note.strip())


@transaction.atomic
def commitment_bulk_move_due(
    *, commitment_ids: Iterable[int], by: AbstractBaseUser, due_date: date, note: str = ""
) -> list[Commitment]:
    """Moves the due date of open commitments; a date in the past is refused."""
    if due_date is None:
        raise ValidationError("Choose the new due date.")
    if due_date < timezone.localdate():
        raise ValidationError(f"The new due date {due_date:%d %b %Y} is in the past.")
    rows = _locked(commitment_ids, by)
    _require_open(rows, "moved")
    rows = [c for c in rows if c.due_date != due_date]

    def change(c):
        old = c.due_date.isoformat()
        c.due_date = due_date
        _stamp(c)
        return [("due_date", old, due_date.isoformat())]

    return _apply(rows, by, ["due_date"], change, note=note.strip())


@transaction.atomic
def commitment_bulk_mark_told(
    *, commitment_ids: Iterable[int], by: AbstractBaseUser, told: bool = True
) -> list[Commitment]:
    """Records that the customer was (or, to correct a mistake, was not) told of the result."""
    rows = [c for c in _locked(commitment_ids, by) if c.customer_told != told]

    def change(c):
        c.customer_told = told
        _stamp(c)
        return [("customer_told", "no" if told else "yes", "yes" if told else "no")]

    return _apply(rows, by, ["customer_told"], change)


def commitment_complete(*, commitment_id: int, by: AbstractBaseUser, resolution: str) -> Commitment:
    """Marks one open commitment done; a second call is refused, not repeated."""
    return commitment_bulk_complete(commitment_ids=[commitment_id], by=by, resolution=resolution)[0]


def commitment_drop(*, commitment_id: int, by: AbstractBaseUser, reason: str) -> Commitment:
    return commitment_bulk_drop(commitment_ids=[commitment_id], by=by, reason=reason)[0]


def commitment_reassign(*, commitment_id: int, by: AbstractBaseUser, owner: AbstractBaseUser, note: str = "") -> None:
    commitment_bulk_reassign(commitment_ids=[commitment_id], by=by, owner=owner, note=note)


def commitment_move_due(*, commitment_id: int, by: AbstractBaseUser, due_date: date, note: str = "") -> None:
    commitment_bulk_move_due(commitment_ids=[commitment_id], by=by, due_date=due_date, note=note)


def commitment_mark_told(*, commitment_id: int, by: AbstractBaseUser, told: bool = True) -> None:
    commitment_bulk_mark_told(commitment_ids=[commitment_id], by=by, told=told)
