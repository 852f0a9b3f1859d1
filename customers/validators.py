import zoneinfo

from django.core.exceptions import ValidationError


def validate_timezone(value: str) -> None:
    """Accepts IANA zone names only (Europe/Oslo), the ones zoneinfo can load."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone; use an IANA name such as Europe/Oslo.")
