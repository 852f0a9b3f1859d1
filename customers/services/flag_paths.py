"""No dead ends for a flag: a contact added from the flag page, an admin's placement, a call that did
not reach the customer carried to the next slot.

Each function owns its transaction and writes a FlagNote, so the flag's history says what happened
and who decided it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from callsheets.hours import urgent_deadline
from callsheets.models import (
    CallLog,
    Executive,
    ScoringPolicy,
    SheetEntry,
    UrgentCall,
    week_start_of,
    year_in_range,
)
from callsheets.services import placement
from ceocalls.limits import FLAG_NOTE, normalize_text
from ceocalls.people import display_name

from ..models import Contact, Flag, FlagNote
from ..phones import contact_normalise_phone
from ..validators import validate_timezone

NOT_REACHED = (CallLog.Outcome.VOICEMAIL, CallLog.Outcome.NO_ANSWER)
MAX_ATTEMPTS = 3  # not reached this often: the flag goes back to its lead to decide
PHONE_MAX = Contact._meta.get_field("phone").max_length
DIGITS = frozenset("0123456789")  # ASCII only: '٣'.isdigit() is true
NAME_MAX = Contact._meta.get_field("name").max_length
TITLE_MAX = Contact._meta.get_field("title").max_length


def _active_flag(flag_id: int) -> Flag:
    flag = Flag.objects.select_for_update(of=("self",)).select_related("customer", "contact").get(pk=flag_id)
    if flag.status not in Flag.ACTIVE_STATUSES:
        raise ValidationError(
            f"This flag is already {flag.get_status_display().lower()}; raise a new flag for the customer instead."
        )
    return flag


# --- No callable contact ------------------------------------------------------------------------


def _clean_phone(phone: str, errors: dict) -> str:
    phone = " ".join((phone or "").split())
    if not phone:
        errors["phone"] = "Give a phone number the executive can call."
    elif len(phone) > PHONE_MAX:
        errors["phone"] = f"A phone number has at most {PHONE_MAX} characters; this one has {len(phone)}."
    elif sum(ch in DIGITS for ch in phone) < 5 or any(ch not in DIGITS and ch not in "+-(). /x" for ch in phone):
        errors["phone"] = f"{phone!r} is not a phone number: digits, with + ( ) - . / spaces allowed."
    return phone


@transaction.atomic
def flag_contact_add(
    *,
    flag_id: int,
    by,
    contact_id: int | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    title: str = "",
    contact_timezone: str = "",
) -> Contact:
    """From the flag page: gives an existing contact of the flag's customer a phone number, or adds a
    new contact (name, e-mail, phone, title); the flag then names that contact and is placed again.

    Errors are keyed by field (contact, name, email, phone, title, timezone). A contact marked
    do-not-call is refused: that is the customer's wish, not a missing number.
    """
    flag = _active_flag(flag_id)
    customer = flag.customer
    errors: dict[str, str] = {
        field: "This field cannot hold a NUL character."
        for field, value in (("name", name), ("email", email), ("phone", phone), ("title", title))
        if "\x00" in (value or "")
    }
    if errors:
        raise ValidationError(errors)
    phone = _clean_phone(phone, errors)
    if contact_id:
        contact = Contact.objects.select_for_update().filter(pk=contact_id, customer=customer).first()
        if contact is None:
            raise ValidationError({"contact": f"{customer.name} has no contact with id {contact_id}."})
        if contact.do_not_call:
            errors["contact"] = f"{contact.name} asked not to be called; add another contact instead."
        if errors:
            raise ValidationError(errors)
        contact.phone = phone
        contact_normalise_phone(contact, customer=customer)
        contact.save(update_fields=["phone", "phone_e164", "phone_extension", "updated_at"])
        what = f"a phone number for {contact.name}"
    else:
        name, title = normalize_text(name), normalize_text(title)
        email = (email or "").strip()
        if not name:
            errors["name"] = "Give the contact's name."
        elif len(name) > NAME_MAX:
            errors["name"] = f"A name has at most {NAME_MAX} characters."
        if len(title) > TITLE_MAX:
            errors["title"] = f"A title has at most {TITLE_MAX} characters."
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = f"{email!r} is not an e-mail address."
            else:
                if customer.contacts.filter(email__iexact=email).exists():
                    errors["email"] = f"{customer.name} already has a contact with {email}; add the phone to it."
        if contact_timezone:
            try:
                validate_timezone(contact_timezone)
            except ValidationError:
                errors["timezone"] = f"{contact_timezone!r} is not a time zone; use a name such as Europe/Oslo."
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                contact = Contact(
                    customer=customer, name=name, title=title, email=email, phone=phone, timezone=contact_timezone
                )
                contact_normalise_phone(contact, customer=customer)
                contact.save()
        except IntegrityError:
            raise ValidationError({"email": f"{customer.name} already has a contact with {email}."}) from None
        what = f"a new contact, {contact}"
    flag.contact = contact
    flag.save(update_fields=["contact", "updated_at"])
    _replace_flag(flag, by=by, what=what)
    return contact


def _replace_flag(flag: Flag, *, by=None, what: str = "") -> None:
    """Places the flag again now that it has a callable contact.

    The reason the last build gave for leaving it off no longer holds, so it is cleared and the
    flag's history says so; an urgent flag is placed at once (callsheets.services.urgent, after the
    commit), any other waits for the next build.
    """
    if flag.not_placed_reason:
        flag.not_placed_reason = ""
        flag.save(update_fields=["not_placed_reason", "updated_at"])
    who = display_name(by) if by else "someone"
    added = f" ({what})" if what else ""
    placed = "it is placed again now" if flag.is_urgent else "the next build places it again"
    FlagNote.objects.create(flag=flag, author=by, text=f"Contact added by {who}{added}; {placed}.")
    if flag.is_urgent:
        from callsheets.services.urgent import urgent_place_on_commit

        urgent_place_on_commit(flag)


# --- Admins decide ----------------------------------------------------------------------------


@transaction.atomic
def flag_place(
    *, flag_id: int, by, executive_id: int, week, position: int | None = 1, reason: str, now: datetime | None = None
) -> SheetEntry:
    """An admin puts a flag on a chosen executive's sheet for a chosen week, at `position` (1 by
    default; None: after the main calls), with a reason kept in the flag's history.

    Takes the build's lock; the sheet is created if that week was not built; the entry is pinned, so
    the next build keeps it. Refused, in a sentence keyed by field: no reason, an inactive executive
    or one without a slot, a week out of range or whose slot is over, a slot outside calling hours in
    the contact's zone, no callable contact, a customer already called or skipped that week.
    """
    now = now or timezone.now()
    reason = normalize_text(reason).replace("\x00", " ")
    if not reason:
        raise ValidationError({"reason": "Say why this flag goes on this sheet; the flag's history keeps it."})
    if FLAG_NOTE.error(reason):
        raise ValidationError({"reason": FLAG_NOTE.error(reason)})
    if week is None or not year_in_range(week):
        raise ValidationError({"week": "Choose a week between 1900 and 2999."})
    if position is not None and not 1 <= position <= 100:
        raise ValidationError({"position": "A position is a number from 1 to 100."})
    placement.take_build_lock()
    flag = _active_flag(flag_id)
    executive = Executive.objects.select_related("user").filter(pk=executive_id).first()
    if executive is None:
        raise ValidationError({"executive": f"There is no executive with id {executive_id}."})
    if not executive.is_active or not executive.has_slot:
        raise ValidationError({"executive": f"{executive.name} has no weekly slot now; choose another executive."})
    week_start = week_start_of(week)
    start = executive.slot_start(week_start)
    if start + timedelta(minutes=executive.duration_minutes) <= now:
        raise ValidationError(
            {"week": f"{executive.name}'s slot of the week of {week_start:%-d %b %Y} is over; choose a later week."}
        )
    contact = placement.callable_contact(flag)
    if contact is None:
        raise ValidationError(
            f"{flag.customer.name} has no callable contact; add a phone number to a contact first (above)."
        )
    policy = ScoringPolicy.objects.active()
    zone = placement.contact_zone(contact, flag.customer)
    if not placement.within_calling_hours(start, executive.duration_minutes, zone, policy):
        raise ValidationError({"executive": placement.hours_refusal(zone, policy, start)})
    sheet = placement.sheet_for(executive, week_start)
    text = f"Placed by {display_name(by) or 'a program admin'}: {reason}"
    entry = placement.entry_insert(
        sheet=sheet,
        customer=flag.customer,
        contact=contact,
        flag=flag,
        position=position,
        reason_text=text[:500],
        code="placed_by_admin",
    )
    placement.drop_other_pending_entries(flag, entry, now)
    placement.flag_schedule_on(flag, sheet, now)
    where = f"{'position ' + str(entry.position) if not entry.is_backup else 'a backup place'}"
    FlagNote.objects.create(
        flag=flag,
        author=by,
        text=f"Put on {executive.name}'s sheet for the week of {week_start:%-d %b %Y}, {where}: {reason}",
    )
    return entry


# --- Not reached ------------------------------------------------------------------------------


def flag_not_reached(*, flag: Flag, call: CallLog, now: datetime | None = None) -> Flag:
    """A call on a flag's entry that did not reach the customer (voicemail, no answer): the flag stays
    active and is carried to the next slot within calling hours (retry_slot), pinned there; its lead
    is told after the commit. After MAX_ATTEMPTS such calls, or with no slot to go to, the flag is
    answered "not reached" and goes back to its lead, as before.

    Called by call_log inside its transaction, after the build's lock.
    """
    now = now or timezone.now()
    flag = Flag.objects.select_for_update(of=("self",)).select_related("customer", "contact").get(pk=flag.pk)
    if flag.status not in Flag.ACTIVE_STATUSES:
        return flag
    attempts = CallLog.objects.filter(entry__flag=flag, outcome__in=NOT_REACHED).count()
    contact = call.contact if call.contact_id and call.contact.is_callable else placement.callable_contact(flag)
    target = None
    if attempts < MAX_ATTEMPTS and contact is not None:
        policy = ScoringPolicy.objects.active()
        after = max(now, call.called_at)
        target = placement.retry_slot(flag=flag, contact=contact, executive=call.executive, now=after, policy=policy)
        if flag.is_urgent:
            # The urgent window, counted from the failed attempt: a retry after it is too late.
            deadline = urgent_deadline(call.called_at, flag.customer.timezone, policy)
            if (target is None or target.starts_at > deadline) and not UrgentCall.objects.filter(flag=flag).exists():
                return _retry_outside_slot(flag=flag, call=call, contact=contact, deadline=deadline, now=now)
    if target is None:
        from .flags import flag_mark_called

        return flag_mark_called(flag=flag, call=call)
    placement.take_build_lock()
    sheet = target.sheet_or_new()
    when = timezone.localtime(call.called_at, call.executive.zoneinfo)
    text = f"Not reached on {when:%a %-d %b} ({call.get_outcome_display().lower()}): tried again"
    try:
        with transaction.atomic():
            entry = placement.entry_insert(
                sheet=sheet,
                customer=flag.customer,
                contact=contact,
                flag=flag,
                position=1 if flag.is_urgent else None,
                reason_text=text,
                code="not_reached",
            )
    except ValidationError:  # the customer is already called or skipped that week
        from .flags import flag_mark_called

        return flag_mark_called(flag=flag, call=call)
    placement.flag_schedule_on(flag, sheet, now)
    flag.call = call  # the latest attempt: the lead's e-mail tells it, with the next one
    flag.save(update_fields=["call", "updated_at"])
    start = timezone.localtime(target.starts_at, target.executive.zoneinfo)
    FlagNote.objects.create(
        flag=flag,
        author=None,
        text=(
            f"{call.executive.name} {_outcome_words(call)} on {when:%a %-d %b}; "
            f"{target.executive.name} tries again on {start:%a %-d %b} "
            f"({'position ' + str(entry.position)})."
        ),
    )
    from notifications.tasks import send_flag_outcome

    transaction.on_commit(lambda: send_flag_outcome.delay(flag.pk), robust=True)
    return flag


def _retry_outside_slot(*, flag: Flag, call: CallLog, contact: Contact, deadline: datetime, now: datetime) -> Flag:
    """An urgent flag not reached, with no slot of anyone left in its window: the same executive (or,
    when they are no longer active, the one with the fewest open urgent calls) calls again outside
    the slot by the window's deadline, counted from the failed attempt. Shown atop their sheet and
    e-mailed to them like any urgent call; the lead is told after the commit."""
    from callsheets.services.urgent import _least_busy

    executive = call.executive
    if not executive.is_active:
        active = list(Executive.objects.filter(is_active=True).select_related("user"))
        if not active:
            from .flags import flag_mark_called

            return flag_mark_called(flag=flag, call=call)
        executive = _least_busy(active)
    UrgentCall.objects.create(
        flag=flag, executive=executive, customer=flag.customer, contact=contact, deadline=deadline, created_at=now
    )
    SheetEntry.objects.filter(flag=flag, status=SheetEntry.Status.PENDING, call__isnull=True).delete()
    flag.status, flag.sheet, flag.scheduled_at, flag.call = Flag.Status.SCHEDULED, None, now, call
    flag.save(update_fields=["status", "sheet", "scheduled_at", "call", "updated_at"])
    when = timezone.localtime(call.called_at, call.executive.zoneinfo)
    due = timezone.localtime(deadline, flag.customer.zoneinfo)
    FlagNote.objects.create(
        flag=flag,
        author=None,
        text=(
            f"{call.executive.name} {_outcome_words(call)} on {when:%a %-d %b}; no slot is left in the urgent "
            f"window, so {executive.name} tries again outside the slot, by {due:%a %-d %b %H:%M} "
            f"({flag.customer.timezone})."
        ),
    )
    from notifications.tasks import send_flag_outcome, send_urgent_notice

    transaction.on_commit(lambda: send_urgent_notice.delay(flag.pk), robust=True)
    transaction.on_commit(lambda: send_flag_outcome.delay(flag.pk), robust=True)
    return flag


def _outcome_words(call: CallLog) -> str:
    return "left a voicemail" if call.outcome == CallLog.Outcome.VOICEMAIL else "had no answer"
