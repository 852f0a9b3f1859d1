"""A per-file row reader for ticket and survey files, compiled once from the header: the same records as
`records.clean_ticket` and `clean_survey`, at a fraction of the Python per row.

`ticket_row_reader(fmt, bound)` returns `read(cells) -> TicketRecord`. For each column the file
has it picks a reader once (by column index, no dict of values per row) with a fast path for the
common shapes — printable text (`str.isprintable()` is false for every control character and
lone surrogate), an ISO 8601 date-time with a zone read by `datetime.fromisoformat`, words
looked up in a dict — and the field's own cleaner (imports.fields) for anything else. Any
value a cleaner refuses, any cross-field problem and any row shorter than the header sends the
row through the generic path (`fmt.clean(fmt.values(...))`), which names every problem of the
row exactly as before: the fast path only ever accepts what the generic path accepts, with the
same result (a property test compares the two).
"""

from collections.abc import Callable
from datetime import UTC, datetime

from customers.models import SupportTicket

from . import fields as f
from .records import MISSING, MatchKeys, SurveyRecord, TicketRecord

EARLIEST, LATEST = f.EARLIEST_YEAR, f.LATEST_YEAR
_fromisoformat = datetime.fromisoformat


class _Generic(Exception):
    """This row needs the generic path (a refused value or a cross-field problem)."""


def _text(max_length: int, *, required: bool = False, multiline: bool = False) -> Callable[[str], str]:
    def read(raw: str) -> str:
        value = raw.strip()
        if value.isprintable() and len(value) <= max_length:  # no control character, no surrogate
            if required and not value:
                raise _Generic
            return value
        try:
            return f.text(raw, max_length=max_length, required=required, multiline=multiline)
        except f.FieldError:
            raise _Generic from None

    return read


def _email(raw: str) -> str:
    value = raw.strip()
    if not value:
        return ""
    if value.isprintable() and len(value) <= 254:
        value = value.lower()
        if f._is_email(value):  # cached per address
            return value
    raise _Generic  # the generic path says why (or reads what the fast path did not)


def _when(*, required: bool = False) -> Callable[[str], datetime | None]:
    def read(raw: str):
        value = raw.strip()
        if not value:
            if required:
                raise _Generic
            return None
        # ASCII, no control character, not all digits (those are Unix seconds): an ISO 8601
        # date-time with a zone is read as parse_datetime reads it (it tries fromisoformat first).
        if value.isascii() and value.isprintable() and not value.isdigit():
            try:
                parsed = _fromisoformat(value)
                if parsed.tzinfo is not None:  # fromisoformat's zones are fixed offsets
                    parsed = parsed.astimezone(UTC)
                    if EARLIEST <= parsed.year <= LATEST:
                        return parsed
            except (ValueError, OverflowError):
                pass
        try:
            return f.when(raw, required=required)
        except f.FieldError:
            raise _Generic from None

    return read


def _choice(mapping: dict, default: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        key = raw.strip().lower()
        if not key:
            return default
        try:
            return mapping[key]
        except KeyError:
            raise _Generic from None

    return read


_BOOLEANS = dict.fromkeys(f.TRUE_WORDS, True) | dict.fromkeys(f.FALSE_WORDS, False)


def _boolean(raw: str) -> bool:
    try:
        return _BOOLEANS[raw.strip().lower()]
    except KeyError:
        raise _Generic from None


def _count(raw: str) -> int:  # reopen_count: 0–100000, blank 0
    value = raw.strip()
    if not value:
        return 0
    if value.isascii() and value.isdigit() and len(value) <= 6:
        number = int(value)
        if number <= 100_000:
            return number
    raise _Generic


_TAGS_SEEN: dict[str, list[str]] = {}


def _tags(raw: str) -> list[str]:
    known = _TAGS_SEEN.get(raw)
    if known is not None:
        return list(known)
    if not raw.strip():
        return []
    if not (raw.isascii() and raw.isprintable()):
        try:
            return f.tags(raw)
        except f.FieldError:
            raise _Generic from None
    cleaned = list(dict.fromkeys(raw.lower().replace(",", " ").split()))
    if len(cleaned) > f.MAX_TAGS or any(len(tag) > f.MAX_TAG_LENGTH for tag in cleaned):
        raise _Generic
    if len(_TAGS_SEEN) < 10_000:  # a file repeats a few sets of tags
        _TAGS_SEEN[raw] = cleaned
    return list(cleaned)


def ticket_row_reader(fmt, bound: dict[str, tuple[int, str]], *, statuses: dict, priorities: dict, satisfactions: dict):
    """`read(cells)` for a file of `fmt` whose header gave `bound` (our field -> (index, label))."""
    generic = fmt.generic_reader(bound)
    if fmt.adjust is not None or "closed_at" in bound:  # Freshdesk: the generic path
        return generic
    S, P = SupportTicket.Status, SupportTicket.Priority
    readers = {
        "external_id": _text(64, required=True),
        "customer_external_id": _text(64),
        "requester_email": _email,
        "company": _text(200),
        "subject": _text(500, required=True, multiline=True),
        "created_at": _when(required=True),
        "updated_at": _when(),
        "solved_at": _when(),
        "status": _choice(statuses, S.NEW),
        "priority": _choice(priorities, P.NORMAL),
        "escalated": _boolean,
        "reopen_count": _count,
        "tags": _tags,
        "satisfaction": _choice(satisfactions, ""),
    }
    if set(bound) - set(readers):
        return generic
    order = list(readers)
    plan = [(name, bound[name][0], readers[name]) for name in order if name in bound]
    width = max(index for _, index, _ in plan) + 1
    labels = {name: label for name, (_, label) in bound.items()}  # the match key used is always bound
    source = fmt.source
    optional = [n for n in ("status", "priority", "escalated", "reopen_count", "tags", "satisfaction") if n in bound]

    def read(cells: list[str]) -> TicketRecord:
        if len(cells) < width:
            return generic(cells)
        try:
            v = {name: reader(cells[index]) for name, index, reader in plan}
        except _Generic:
            return generic(cells)
        customer_id = v.get("customer_external_id", "")
        email, company = v.get("requester_email", ""), v.get("company", "")
        if not (customer_id or email or company):
            return generic(cells)
        used = "customer_external_id" if customer_id else "requester_email" if email else "company"
        created_at = v["created_at"]
        solved_at = v.get("solved_at", MISSING)
        updated_at = v.get("updated_at", MISSING)
        if updated_at is None or updated_at is MISSING:
            updated_at = max(created_at, solved_at or created_at)
        elif updated_at < created_at:
            return generic(cells)
        if solved_at and solved_at < created_at:
            return generic(cells)
        record = TicketRecord(
            source=source,
            external_id=v["external_id"],
            match=MatchKeys(customer_external_id=customer_id, email=email, company=company, column=labels[used]),
            subject=v["subject"],
            created_at=created_at,
            updated_at=updated_at,
            solved_at=solved_at,
        )
        for name in optional:
            setattr(record, name, v[name])
        return record

    return read


def _score(raw: str) -> int:
    value = raw.strip()
    if value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    raise _Generic  # blank (required), a sign, other digits: the generic path says why


def survey_row_reader(fmt, bound: dict[str, tuple[int, str]], *, kinds: dict, ranges: dict):
    """`read(cells)` for a survey file of `fmt`: the same records as `records.clean_survey`."""
    generic = fmt.generic_reader(bound)
    readers = {
        "external_id": _text(64, required=True),
        "customer_external_id": _text(64),
        "email": _email,
        "company": _text(200),
        "kind": _choice(kinds, next(iter(ranges))),
        "score": _score,
        "responded_at": _when(required=True),
        "comment": _text(10000, multiline=True),
    }
    if fmt.adjust is not None or set(bound) - set(readers):
        return generic
    plan = [(name, bound[name][0], readers[name]) for name in readers if name in bound]
    width = max(index for _, index, _ in plan) + 1
    labels = {name: label for name, (_, label) in bound.items()}
    source, default_kind = fmt.source, next(iter(ranges))

    def read(cells: list[str]) -> SurveyRecord:
        if len(cells) < width:
            return generic(cells)
        try:
            v = {name: reader(cells[index]) for name, index, reader in plan}
        except _Generic:
            return generic(cells)
        customer_id = v.get("customer_external_id", "")
        email, company = v.get("email", ""), v.get("company", "")
        if not (customer_id or email or company):
            return generic(cells)
        used = "customer_external_id" if customer_id else "email" if email else "company"
        kind = v.get("kind") or default_kind
        low, high = ranges[kind]
        if not low <= v["score"] <= high:
            return generic(cells)
        return SurveyRecord(
            source=source,
            external_id=v["external_id"],
            match=MatchKeys(customer_external_id=customer_id, email=email, company=company, column=labels[used]),
            kind=kind,
            score=v["score"],
            responded_at=v["responded_at"],
            comment=v.get("comment", MISSING),
        )

    return read
