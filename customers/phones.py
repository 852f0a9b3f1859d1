"""Phone numbers that dial: one reader, one `tel:` rule, one way to show a number.

A contact keeps its number three ways (customers.models.Contact):

- `phone`: the text as the source wrote it, "(312) 555-0101 ext. 12", shown where it says more
  than the formatted number;
- `phone_e164`: the number in E.164, "+13125550101", or "" when it cannot be made international
  (no country to read a national number in, not a number, a short code): such a number is shown
  as written and marked "can't be dialled from abroad", never turned into a link;
- `phone_extension`: "12", dialled by hand once the switchboard answers (the link is the bare
  E.164 number: dialers disagree on RFC 3966's ";ext=" and on pauses).

A national number is read in the contact's country: the contact's own time zone when it has
one, else the customer's `country` (ISO 3166 alpha-2, from the customers file), else the country
of the customer's time zone (IANA's zone.tab, shipped by the pinned `tzdata` package). A number
written with + (or a country's international prefix, 00 or 011) needs no country.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

NOT_DIALABLE = "can't be dialled from abroad"
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
EXTENSION_MAX = 20


@dataclass(frozen=True)
class Phone:
    """One number as written and as dialled; `e164` is empty when it cannot be dialled from abroad."""

    written: str
    e164: str = ""
    extension: str = ""

    @property
    def dialable(self) -> bool:
        return bool(self.e164)

    @property
    def tel(self) -> str:
        """'tel:+13125550101', or '' for a number that cannot be dialled from abroad."""
        return f"tel:{self.e164}" if self.e164 else ""

    @property
    def international(self) -> str:
        """'+1 312-555-0101' (without the extension), or the text as written when not dialable."""
        return _international(self.e164) if self.e164 else self.written

    @property
    def display(self) -> str:
        """'+1 312-555-0101 ext. 12': the number as the pages and e-mails show it."""
        return f"{self.international} ext. {self.extension}" if self.extension else self.international

    @property
    def original(self) -> str:
        """The text as written when its digits differ from the formatted number's, a national
        "(312) 555-0101" or a "+44 (0)20 …" ('' otherwise, and for a number not dialable, which
        is shown as written anyway)."""
        if not self.dialable or _digits(self.written) == _digits(self.display):
            return ""
        return self.written


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@functools.lru_cache(maxsize=4096)
def _international(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        return e164


def has_control_characters(text: str) -> bool:
    """A tab, newline, NUL, DEL or any other Unicode control character (category Cc)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def phone_read(text, *, region: str | None = None) -> Phone:
    """Reads a phone number as written; never raises.

    `region` (ISO 3166 alpha-2) is the country a national number is read in. The result has an
    E.164 number only when phonenumbers finds it valid; anything else (text that is no number, a
    national number without a region, control characters) is kept as written, not dialable.
    """
    written = "" if text is None else str(text).strip()
    if not written or has_control_characters(written):
        return Phone(written)
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = None
    try:
        number = phonenumbers.parse(written, region)
    except NumberParseException:
        return Phone(written)
    if not phonenumbers.is_valid_number(number):
        return Phone(written)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    extension = number.extension or ""
    if not E164.fullmatch(e164):
        return Phone(written)
    if extension and not (extension.isascii() and extension.isdigit() and len(extension) <= EXTENSION_MAX):
        return Phone(written)  # an extension that cannot be written down as digits: kept as written
    return Phone(written, e164, extension)


# --- countries ------------------------------------------------------------------------------


def _tz_file(name: str) -> str:
    """A table of the tz database: the pinned tzdata package's copy, else the system's."""
    try:
        return (resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return Path("/usr/share/zoneinfo", name).read_text(encoding="utf-8")


def _rows(table: str):
    for line in table.splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@functools.cache
def _zone_countries() -> dict[str, str]:
    """IANA zone name -> ISO 3166 alpha-2, from zone.tab, with the tz database's links
    (Asia/Calcutta, US/Eastern) resolved to the zone they name. Read once per process."""
    countries = {row[2]: row[0] for row in _rows(_tz_file("zone.tab")) if len(row) >= 3}
    try:
        links = [line.split() for line in _tz_file("tzdata.zi").splitlines() if line.startswith("L ")]
    except (OSError, ModuleNotFoundError):
        links = []
    for _, target, alias in (link for link in links if len(link) == 3):
        if alias not in countries and target in countries:
            countries[alias] = countries[target]
    return countries


@functools.cache
def iso_countries() -> frozenset[str]:
    """Every ISO 3166 alpha-2 code (iso3166.tab)."""
    return frozenset(row[0] for row in _rows(_tz_file("iso3166.tab")) if row and len(row[0]) == 2)


def country_for_timezone(zone: str) -> str:
    """'America/Chicago' -> 'US', 'Europe/Oslo' -> 'NO'; '' for UTC and zones of no country."""
    return _zone_countries().get(zone or "", "")


def country_code(raw) -> str:
    """'no' -> 'NO', 'UK' -> 'GB'; '' for blank; raises ValueError for anything that is not a code."""
    value = "" if raw is None else str(raw).strip().upper()
    if not value:
        return ""
    value = {"UK": "GB"}.get(value, value)
    if value not in iso_countries():
        raise ValueError(f"“{raw}” is not an ISO 3166 country code (two letters, such as US, GB or NO)")
    return value


def phone_region(*, contact_timezone: str = "", country: str = "", customer_timezone: str = "") -> str | None:
    """The country a contact's national number is read in, most specific first: the contact's
    own time zone, the customer's country, the customer's time zone."""
    return country_for_timezone(contact_timezone) or country or country_for_timezone(customer_timezone) or None


def contact_normalise_phone(contact, *, customer=None) -> bool:
    """Sets `phone_e164` and `phone_extension` of a contact (not saved) from its `phone`, read in
    its region (phone_region); returns whether either changed. The one rule for every path that
    writes a contact's phone: the imports, the admin, the demo, the data migration."""
    customer = customer or contact.customer
    region = phone_region(
        contact_timezone=contact.timezone, country=customer.country, customer_timezone=customer.timezone
    )
    phone = phone_read(contact.phone, region=region)
    changed = (contact.phone_e164, contact.phone_extension) != (phone.e164, phone.extension)
    contact.phone_e164, contact.phone_extension = phone.e164, phone.extension
    return changed
