"""Cleaners for single values, shared by every file format and by the webhooks.

Each takes the raw value (a CSV cell is a string; JSON may give numbers, lists or null) and
returns a Python value or raises FieldError with a sentence that names what was expected.
"""

import functools
import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ceocalls.timezones import known_timezones
from customers.phones import country_code, has_control_characters

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999  # in UTC; the database's check constraints say the same
FREE_TEXT_CONTROLS = "\t\n\r"
SHOWN_LIMIT = 60


class FieldError(ValueError):
    pass


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(raw, *, limit: int = SHOWN_LIMIT) -> str:
    """A value as an error message may quote it: control characters escaped, long values cut,
    so a report never carries what it refused (PostgreSQL stores no NUL in text or jsonb)."""
    value = str(raw)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return "".join(ch if not _is_control(ch) else ascii(ch)[1:-1] for ch in value)


def _is_control(ch: str) -> bool:
    # Cc: NUL, ESC, DEL, ...; Cs: a lone surrogate (JSON "\ud800"), which no database can store.
    return unicodedata.category(ch) in ("Cc", "Cs")


def refuse_controls(value: str, *, allowed: str = "") -> str:
    for position, ch in enumerate(value, start=1):
        if _is_control(ch) and ch not in allowed:
            name = {"\x00": "a NUL character", "\t": "a tab", "\n": "a line break", "\r": "a line break"}.get(ch)
            what = name or f"the control character U+{ord(ch):04X}"
            raise FieldError(f"contains {what} (at character {position}); remove it and try again")
    return value


def text(raw, *, max_length: int, required: bool = False, multiline: bool = False) -> str:
    """A string; control characters are refused (free text, `multiline`, may hold tabs and line breaks)."""
    if isinstance(raw, dict | list):
        raise FieldError("must be a string, not a JSON object or list")
    value = "" if raw is None else str(raw).strip()
    storable(value)  # NUL and lone surrogates first, in the words the webhooks report
    refuse_controls(value, allowed=FREE_TEXT_CONTROLS if multiline else "")
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
        raise FieldError(f"“{shown(raw)}” is not one of: {allowed}")
    return mapping[key]


def when(raw, *, required: bool = False) -> datetime | None:
    """ISO 8601 date or date-time; a value without a zone is read in TIME_ZONE; numbers are Unix seconds.

    The one date reader of files, uploads and webhooks. The result is in UTC and between the years
    1900 and 2999 there: `0001-01-01T00:00:00+14:00` is year 0 in UTC, which no page could show.
    """
    if is_blank(raw):
        if required:
            raise FieldError("is required")
        return None
    if isinstance(raw, bool | dict | list):
        raise FieldError("must be an ISO 8601 date or date-time, not a JSON true/false, object or list")
    if isinstance(raw, int | float):
        return _in_range(_from_unix(raw), raw)
    value = refuse_controls(str(raw).strip())
    if ASCII_DIGITS.fullmatch(value):
        return _in_range(_from_unix(int(value)), value)
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, datetime.min.time()) if isinstance(day, date) else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise FieldError(f"“{shown(value)}” is not an ISO 8601 date or date-time (2024-03-01 or 2024-03-01T09:15:00Z)")
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise FieldError(_out_of_range(value)) from None
    return _in_range(parsed, value)


def _in_range(moment: datetime, raw) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise FieldError(_out_of_range(raw))
    return moment


def _out_of_range(raw) -> str:
    return f"“{shown(raw)}” is outside the years {EARLIEST_YEAR}–{LATEST_YEAR} (in UTC)"


def _from_unix(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise FieldError(
            f"{shown(seconds)} is not a Unix time in seconds between {EARLIEST_YEAR} and {LATEST_YEAR}"
        ) from None


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
    raise FieldError(f"“{shown(raw)}” is not true or false")


ASCII_DIGITS = re.compile(r"[0-9]+")
ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
ASCII_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,6})?")


def integer(raw, *, minimum: int | None = None, maximum: int | None = None, default: int | None = None) -> int:
    """A whole number written with the ASCII digits 0-9 only: "٣" and "1_0" (which int() takes) are refused."""
    if is_blank(raw):
        if default is None:
            raise FieldError("is required")
        return default
    if isinstance(raw, bool):
        raise FieldError(f"{str(raw).lower()} is not a whole number")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and ASCII_INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise FieldError(f"“{shown(raw)}” is not a whole number (digits 0-9 only)")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise FieldError(f"{shown(value)} is out of range ({minimum}–{maximum})")
    return value


def money(raw) -> Decimal:
    """An amount such as 120000.50: ASCII digits, an optional point; no sign, currency or exponent."""
    if is_blank(raw):
        return Decimal(0)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise FieldError(f"“{shown(raw)}” is not a number (write 120000.50, no currency sign)")
    value = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        value = str(int(raw))
    if not ASCII_DECIMAL.fullmatch(value):
        raise FieldError(f"“{shown(raw)}” is not a number (write 120000.50, no currency sign)")
    try:
        amount = Decimal(value)
    except InvalidOperation:  # the pattern lets through only what Decimal reads; kept for safety
        raise FieldError(f"“{shown(raw)}” is not a number (write 120000.50, no currency sign)") from None
    if amount >= Decimal("1e12"):
        raise FieldError(f"{shown(raw)} is out of range (0 or more, below 1,000,000,000,000)")
    return amount.quantize(Decimal("0.01"))


def email(raw) -> str:
    value = text(raw, max_length=254).lower()
    if not value:
        return ""
    if not _is_email(value):
        raise FieldError(f"“{shown(value)}” is not an e-mail address")
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
        raise FieldError(f"“{shown(value)}” is not a known time zone; use an IANA name such as Europe/Oslo")
    return value


MAX_TAGS, MAX_TAG_LENGTH = 200, 100


def tags(raw) -> list[str]:
    """A JSON list of strings, or a string of tags separated by spaces or commas (Zendesk writes spaces)."""
    if is_blank(raw):
        return []
    if isinstance(raw, dict) or (not isinstance(raw, list | str)):
        raise FieldError("must be text or a JSON list of strings")
    items = raw if isinstance(raw, list) else refuse_controls(str(raw)).replace(",", " ").split()
    cleaned = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError("must be a JSON list of strings")
        tag = refuse_controls(item.strip().lower())
        if len(tag) > MAX_TAG_LENGTH:
            raise FieldError(f"has a tag {len(tag)} characters long; at most {MAX_TAG_LENGTH} fit")
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise FieldError(f"has {len(cleaned)} tags; at most {MAX_TAGS} are kept per ticket")
    return cleaned


def domain(raw) -> str:
    value = text(raw, max_length=253).lower().removeprefix("@")
    if value and ("." not in value or " " in value or "/" in value or "@" in value):
        raise FieldError(f"“{shown(value)}” is not an e-mail domain such as acme.com")
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
    if isinstance(raw, str) and has_control_characters(raw.strip()):
        raise FieldError("contains a control character (a tab, line break or NUL); write the number on one line")
    return text(raw, max_length=40)
