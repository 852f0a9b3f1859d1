import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def known_time_zones() -> frozenset[str]:
    """zoneinfo.available_timezones() re-reads tzdata on every call (about 4 ms): read it once."""
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """Accepts IANA zone names only (Europe/Oslo), the ones zoneinfo can load."""
    if value not in known_time_zones():
        raise ValidationError(f"“{value}” is not a known time zone; use an IANA name such as Europe/Oslo.")
