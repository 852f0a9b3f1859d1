import re
from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ceocalls.roles import EXECUTIVES
from customers.validators import validate_timezone

from ..models import Executive

_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAYS = {**{name: i for i, name in enumerate(_NAMES)}, **{name[:3]: i for i, name in enumerate(_NAMES)}}
SLOT = re.compile(r"^\s*(?P<day>[a-z]+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*$", re.IGNORECASE)


def parse_slot(value: str) -> tuple[int, time]:
    """'tue 10:00' (or 'Tuesday 10:00') → (1, time(10, 0)); anything else is a ValidationError."""
    match = SLOT.match(value or "")
    if not match:
        raise ValidationError(f'Slot {value!r} is not like "tue 10:00": a weekday and a 24-hour time.')
    day = match["day"].lower()
    if day not in DAYS:
        raise ValidationError(f"Slot {value!r}: {match['day']!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun).")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValidationError(f"Slot {value!r}: {hour:02d}:{minute:02d} is not a time of day.")
    return DAYS[day], time(hour, minute)


@transaction.atomic
def executive_upsert(
    *,
    email: str,
    name: str,
    slot: str,
    timezone: str,
    minutes_per_call: int = 15,
    duration_minutes: int = 60,
    title: str = "",
    password: str | None = None,
) -> tuple[Executive, bool]:
    """Creates or updates the user (username = e-mail), puts it in Executives and sets its slot."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not an e-mail address.") from None
    validate_timezone(timezone)
    weekday, start_time = parse_slot(slot)
    if not 0 < duration_minutes <= 480:
        raise ValidationError(f"--duration must be between 1 and 480 minutes, not {duration_minutes}.")
    if not 0 < minutes_per_call <= duration_minutes:
        raise ValidationError(f"--minutes-per-call must be between 1 and {duration_minutes}, not {minutes_per_call}.")
    if not (name or "").strip():
        raise ValidationError("--name must not be empty.")
    if len(title or "") > 120:
        raise ValidationError(f"--title is {len(title)} characters long; at most 120 fit.")
    first, _, last = (name or "").strip().partition(" ")
    User = get_user_model()
    if password:
        # AUTH_PASSWORD_VALIDATORS, as the password pages apply them; judged against the person's own name and e-mail.
        try:
            validate_password(password, user=User(username=email, email=email, first_name=first, last_name=last))
        except ValidationError as exc:
            raise ValidationError(f"--password is refused: {' '.join(exc.messages)}") from None
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    user.email, user.first_name, user.last_name = email, first, last
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=EXECUTIVES))
    executive, _ = Executive.objects.update_or_create(
        user=user,
        defaults={
            "weekday": weekday,
            "start_time": start_time,
            "timezone": timezone,
            "minutes_per_call": minutes_per_call,
            "duration_minutes": duration_minutes,
            "title": title or "",
            "is_active": True,
        },
    )
    return executive, created


@transaction.atomic
def executive_update_slot(
    *,
    executive_id: int,
    weekday: int | None,
    start_time: time | None,
    duration_minutes: int,
    minutes_per_call: int,
    timezone: str,
    is_active: bool,
) -> Executive:
    """Sets an executive's weekly slot; errors name the field they belong to."""
    errors = {}
    if (weekday is None) != (start_time is None):
        errors["start_time" if start_time is None else "weekday"] = "Give both the day and the start time, or neither."
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = f"{weekday} is not a weekday (0 Monday … 6 Sunday)."
    if not 0 < duration_minutes <= 480:
        errors["duration_minutes"] = f"The slot lasts 1 to 480 minutes, not {duration_minutes}."
    elif not 0 < minutes_per_call <= duration_minutes:
        errors["minutes_per_call"] = (
            f"A call takes 1 to {duration_minutes} minutes (the slot's length), not {minutes_per_call}."
        )
    try:
        validate_timezone(timezone)
    except ValidationError as exc:
        errors["timezone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    executive = Executive.objects.select_for_update().get(pk=executive_id)
    executive.weekday, executive.start_time = weekday, start_time
    executive.duration_minutes, executive.minutes_per_call = duration_minutes, minutes_per_call
    executive.timezone, executive.is_active = timezone, is_active
    executive.save(
        update_fields=[
            "weekday",
            "start_time",
            "duration_minutes",
            "minutes_per_call",
            "timezone",
            "is_active",
            "updated_at",
        ]
    )
    return executive
