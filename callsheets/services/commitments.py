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


def _locked(ids: Iterable[int], by: AbstractBaseUser, *, lock: bool = True) -> list[Commitment]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ValidationError("Select at least one commitment.")
    if len(ids) > MAX_BULK:
        raise ValidationError(f"Select at most {MAX_BULK} commitments at a time, not {len(ids)}.")
    rows = Commitment.objects.for_reviewer(by).filter(id__in=ids).order_by("id")
    if lock:
        rows = rows.select_for_update(of=("self",)).select_related("owner", "customer")
    else:
        rows = rows.select_related("owner", "customer", "call__executive__user")
    rows = list(rows)
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


def _owner_refusal(owner) -> str:
    return "" if owner is not None and owner.is_active else "Choose an active user as the new owner."


def _due_refusal(due_date: date | None) -> str:
    if due_date is None:
        return "Choose the new due date."
    if due_date < timezone.localdate():
        return f"The new due date {due_date:%d %b %Y} is in the past."
    return ""


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
    if refused := _owner_refusal(owner):
        raise ValidationError(refused)
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
    if refused := _due_refusal(due_date):
        raise ValidationError(refused)
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


BULK_VERBS = {"done": "marked done", "drop": "dropped", "reassign": "reassigned", "move_due": "moved"}


def commitment_bulk_check(*, commitment_ids: Iterable[int], by: AbstractBaseUser, action: str) -> list[Commitment]:
    """The rows a bulk action would change, checked as the action itself checks them, without writing.

    For a confirmation step: it raises the same ValidationError the action would, so the user is never
    asked to confirm what would be refused. The action checks again under its row locks.
    """
    rows = _locked(commitment_ids, by, lock=False)
    if action in BULK_VERBS:
        _require_open(rows, BULK_VERBS[action])
    return rows


def commitment_update_errors(
    commitment: Commitment, *, promise: str | None = None, owner=None, due_date: date | None = None
) -> dict[str, str]:
    """What `commitment_update` would refuse, as {field: sentence}; empty when it is fine.

    Only fields that change are checked: an overdue commitment's text can be corrected without
    moving its due date. The admin's change form shows these beside its fields.
    """
    errors = {}
    if promise is not None and promise.strip() != commitment.promise and not promise.strip():
        errors["promise"] = "Say what was promised."
    moves = {
        "owner": owner is not None and owner.pk != commitment.owner_id,
        "due_date": due_date is not None and due_date != commitment.due_date,
    }
    for field in (f for f, changes in moves.items() if changes):
        if commitment.status != Commitment.Status.OPEN:
            errors[field] = (
                f"This commitment is {commitment.get_status_display().lower()}; only an open one can change."
            )
        elif refused := (_owner_refusal(owner) if field == "owner" else _due_refusal(due_date)):
            errors[field] = refused
    return errors


@transaction.atomic
def commitment_update(
    *,
    commitment_id: int,
    by: AbstractBaseUser,
    promise: str | None = None,
    owner=None,
    due_date: date | None = None,
    note: str = "",
) -> Commitment:
    """Changes the supplied fields of one commitment (its words, owner, due date), each change recorded.

    The admin's change form saves through this. Status changes are not here: they are
    `commitment_complete` and `commitment_drop`. A field given with its current value is no change.
    """
    (c,) = _locked([commitment_id], by)
    errors = commitment_update_errors(c, promise=promise, owner=owner, due_date=due_date)
    if errors:
        raise ValidationError(errors)
    changes: list[tuple[str, str, str]] = []
    if promise is not None and promise.strip() != c.promise:
        changes.append(("promise", c.promise, promise.strip()))
        c.promise = promise.strip()
    if owner is not None and owner.pk != c.owner_id:
        changes.append(("owner", user_label(c.owner), user_label(owner)))
        c.owner = owner
    if due_date is not None and due_date != c.due_date:
        changes.append(("due_date", c.due_date.isoformat(), due_date.isoformat()))
        c.due_date = due_date
    if changes:
        _stamp(c)
        _apply([c], by, [field for field, _, _ in changes], lambda _: changes, note=note.strip())
    return c
