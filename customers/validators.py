from django.core.exceptions import ValidationError

from ceocalls.timezones import known_timezones

from .phones import has_control_characters, iso_countries


def validate_timezone(value: str) -> None:
    """Accepts IANA zone names only (Europe/Oslo), the ones zoneinfo can load."""
    if value not in known_timezones():
        raise ValidationError(f"“{value}” is not a known time zone; use an IANA name such as Europe/Oslo.")


def validate_country(value: str) -> None:
    """ISO 3166 alpha-2, upper case (US, GB, NO); blank is allowed by the field."""
    if value and value not in iso_countries():
        raise ValidationError(f"“{value}” is not an ISO 3166 country code; use two capital letters such as US or NO.")


def validate_phone_text(value: str) -> None:
    """Any text a person may write for a number, but no control characters (tab, newline, NUL)."""
    if has_control_characters(value):
        raise ValidationError("A phone number cannot contain control characters (tab, new line, NUL).")
