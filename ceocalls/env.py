"""Small readers for settings from the environment that fail loudly on bad values.

A bad value raises ImproperlyConfigured with one sentence naming the variable, so
`manage.py` prints one clear line instead of a traceback deep inside Django.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from ceocalls.timezones import known_timezones

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str, base_dir) -> dict:
    """Turns DATABASE_URL into Django's DATABASES['default']; sqlite and postgres only."""
    import dj_database_url

    scheme = urlparse(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} cannot be used: expected sqlite:///path or postgres://user@host/db."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types on garbage
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be parsed: {exc}") from None
    if scheme == "sqlite":
        name = config["NAME"] or "db.sqlite3"
        if name != ":memory:" and not os.path.isabs(name):
            name = str(base_dir / name)
        config["NAME"] = name
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"timeout": 20}
    elif not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
    return config


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def env_timezone(name: str, default: str) -> str:
    value = env_str(name, default).strip() or default
    if value not in known_timezones():
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone; use an IANA name such as Europe/Oslo.")
    return value


def env_hour(name: str, default: int) -> int:
    hour = env_int(name, default)
    if not 0 <= hour <= 23:
        raise ImproperlyConfigured(f"{name}={hour} is not an hour of the day (0-23).")
    return hour


def env_weekday(name: str, default: str) -> str:
    day = env_str(name, default).strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ImproperlyConfigured(f"{name}={os.environ.get(name)!r} is not a weekday: use mon, tue, … sun.")
    return day


def env_positive_int(name: str, default: int, *, allow_zero: bool = False) -> int:
    """A whole number above zero (or zero, when zero means "off"), else one line naming the variable."""
    value = env_int(name, default)
    if value < 0 or (value == 0 and not allow_zero):
        floor = "0 (off) or more" if allow_zero else "at least 1"
        raise ImproperlyConfigured(f"{name}={value} must be {floor}.")
    return value
