"""Cleaners for single values, shared by every file format and by the webhooks.

Each takes the raw value (a CSV cell is a string; JSON may give numbers, lists or null) and
returns a Python value or raises FieldError with a sentence that names what was expected.
"""

import functools
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ceocalls.timezones import known_timezones
from customers.phones import country_code, has_control_characters


class FieldError(ValueError):
    pass


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw, *, max_length: int, required: bool = False) -> str:
    if isinstance(raw, dict | list):
        raise FieldError("must be a string, not a JSON object or list")
    value = "" if raw is None else str(raw).strip()
    storable(value)
    if required and not value:
        raise FieldError("is required")
    if len(value) > max_length:
        raise FieldError(f"is {len(value)} characters long; at most {max_length} fit")
    return value


def storable(value: str) -> str:
    """Refuses what PostgreSQL cannot store in a text column: NUL, and lone UTF-16 surrogates
    (JSON's "\\ud800" escape), which are not text. Checked on receipt, so the row never fails later."""
    if "\x00" in value:
        raise FieldError("contains a NUL character (\\u0000), which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError("contains a lone UTF-16 surrogate (\\ud800–\\udfff), which is not text") from None
    return value


def choice(raw, mapping: dict[str, str], *, default: str | None = None) -> str:
    """Looks the value up case-insensitively in `mapping` (spelling -> stored value)."""
    if is_blank(raw):
        if default is None:
            raise FieldError("is required")
        return default
    key = str(raw).strip().lower()
    if key not in mapping:
        allowed = ", ".join(sorted({k for k in mapping if not k.isdigit()}))
        raise FieldError(f"“{raw}” is not one of: {allowed}")
    return mapping[key]


def when(raw, *, required: bool = False) -> datetime | None:
    """ISO 8601 date or date-time; a value without a zone is read in TIME_ZONE; numbers are Unix seconds."""
    if is_blank(raw):
        if required:
            raise FieldError("is required")
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_unix(raw)
    value = str(raw).strip()
    if value.isdigit():
        return _from_unix(int(value))
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, datetime.min.time()) if isinstance(day, date) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise FieldError(f"“{value}” is not an ISO 8601 date or date-time (2024-03-01 or 2024-03-01T09:15:00Z)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _from_unix(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise FieldError(f"{seconds} is not a Unix time in seconds") from None


TRUE_WORDS = {"true", "yes", "1", "y", "t"}
FALSE_WORDS = {"false", "no", "0", "n", "f", ""}


def boolean(raw) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    value = str(raw).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise FieldError(f"“{raw}” is not true or false")


def integer(raw, *, minimum: int | None = None, maximum: int | None = None, default: int | None = None) -> int:
    if is_blank(raw):
        if default is None:
            raise FieldError("is required")
        return default
    if isinstance(raw, bool):
        raise FieldError(f"{str(raw).lower()} is not a whole number")
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError:
        raise FieldError(f"“{raw}” is not a whole number") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise FieldError(f"{value} is out of range ({minimum}–{maximum})")
    return value


def money(raw) -> Decimal:
    if is_blank(raw):
        return Decimal(0)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise FieldError(f"“{raw}” is not a number (write 120000.50, no currency sign)") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise FieldError(f"{raw} is out of range (0 or more, below 1,000,000,000,000)")
    return value.quantize(Decimal("0.01"))


def email(raw) -> str:
    value = text(raw, max_length=254).lower()
    if not value:
        return ""
    if not _is_email(value):
        raise FieldError(f"“{value}” is not an e-mail address")
    return value


@functools.lru_cache(maxsize=65_536)
def _is_email(value: str) -> bool:
    """Django's validator, once per address (a file names each requester many times)."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def time_zone(raw, *, default: str) -> str:
    value = text(raw, max_length=64) or default
    if value not in known_timezones():
        raise FieldError(f"“{value}” is not a known time zone; use an IANA name such as Europe/Oslo")
    return value


def tags(raw) -> list[str]:
    """A JSON list, or a string of tags separated by spaces or commas (Zendesk writes spaces)."""
    if is_blank(raw):
        return []
    items = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
    cleaned = []
    for item in items:
        tag = storable(str(item).strip().lower())
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def domain(raw) -> str:
    value = text(raw, max_length=253).lower().removeprefix("@")
    if value and ("." not in value or " " in value or "/" in value or "@" in value):
        raise FieldError(f"“{value}” is not an e-mail domain such as acme.com")
    return value


def country(raw) -> str:
    """ISO 3166 alpha-2, any case ('no' -> 'NO', 'UK' -> 'GB'); blank -> ''."""
    try:
        return country_code(text(raw, max_length=64))
    except ValueError as exc:
        raise FieldError(str(exc)) from None


def phone(raw) -> str:
    """The number as written, any text (customers.phones reads it; what it cannot dial is kept
    and marked), but never control characters."""
    value = text(raw, max_length=40)
    if has_control_characters(value):
        raise FieldError("contains a control character (a tab, line break or NUL); write the number on one line")
    return value
