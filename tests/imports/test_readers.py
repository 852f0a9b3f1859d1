"""The value readers of imports/fields.py: every input either reads or fails with FieldError."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports import fields as f

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.lists(st.text(max_size=10), max_size=4),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
DATE_LIKE = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.builds(
        lambda d, h, m: f"{d.isoformat()}{'+' if h >= 0 else '-'}{abs(h):02d}:{m:02d}",
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.integers(-23, 23),
        st.sampled_from([0, 30, 45]),
    ),
    st.integers(-(10**20), 10**20).map(str),
)


def _reads_or_refuses(reader, raw, **kwargs):
    try:
        return reader(raw, **kwargs)
    except f.FieldError as exc:
        assert str(exc) and "\x00" not in str(exc)
        return None


@settings(max_examples=200, deadline=None)
@given(raw=st.one_of(ANYTHING, DATE_LIKE))
def test_the_date_reader_gives_a_utc_time_within_1900_to_2999_or_a_sentence(raw):
    value = _reads_or_refuses(f.when, raw)
    if value is not None:
        assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0
        assert 1900 <= value.year <= 2999


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1899-12-31T23:59:59Z",
        "3000-01-01",
        "99999999999999",
        "1_700_000_000",
        "١٧٠٠٠٠٠٠٠٠",
        "2024-03-01\x00",
        float("nan"),
        float("inf"),
        True,
        [2024],
    ],
)
def test_hostile_dates_are_refused(raw):
    with pytest.raises(f.FieldError):
        f.when(raw)


def test_the_edges_of_the_range_are_read_in_utc():
    assert f.when("1900-01-01T00:00:00Z") == datetime(1900, 1, 1, tzinfo=UTC)
    assert f.when("2999-12-31T23:59:59+00:00") == datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert f.when("2024-03-01T09:15:00+01:00") == datetime(2024, 3, 1, 8, 15, tzinfo=UTC)
    assert f.when("1700000000") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(raw=ANYTHING)
def test_the_number_readers_take_ascii_digits_only(raw):
    value = _reads_or_refuses(f.integer, raw, minimum=0, maximum=100000, default=0)
    if value is not None and isinstance(raw, str) and raw.strip():
        assert raw.strip().lstrip("+").isascii() and raw.strip().lstrip("+").isdigit()
    amount = _reads_or_refuses(f.money, raw)
    if amount is not None:
        assert isinstance(amount, Decimal) and amount.is_finite() and 0 <= amount < Decimal("1e12")


@pytest.mark.parametrize("raw", ["٣", "1_0", "²", " 1 0", "0x10", "1e3", "-٣"])
def test_numbers_that_python_reads_but_people_did_not_write_are_refused(raw):
    with pytest.raises(f.FieldError, match="whole number"):
        f.integer(raw, default=0)


@pytest.mark.parametrize("raw", ["1_000", "٣", "1e5", "NaN", "Infinity", "-5", "$100"])
def test_amounts_are_digits_and_a_point(raw):
    with pytest.raises(f.FieldError, match="not a number"):
        f.money(raw)
    assert f.money("120000.5") == Decimal("120000.50")


@settings(max_examples=200, deadline=None)
@given(raw=ANYTHING, multiline=st.booleans())
def test_the_text_reader_lets_no_control_character_through(raw, multiline):
    value = _reads_or_refuses(f.text, raw, max_length=50, multiline=multiline)
    if value is not None:
        allowed = set("\t\n\r") if multiline else set()
        assert all(ch in allowed or ch.isprintable() or ch == " " or not f._is_control(ch) for ch in value)
    tags = _reads_or_refuses(f.tags, raw)
    if tags is not None:
        assert all(isinstance(t, str) and not any(f._is_control(ch) for ch in t) for t in tags)


def test_control_characters_are_named():
    with pytest.raises(f.FieldError, match="a NUL character"):
        f.text("ab\x00c", max_length=10)
    with pytest.raises(f.FieldError, match="U\\+001B"):
        f.tags("vip \x1b[31m")
    with pytest.raises(f.FieldError, match="a line break"):
        f.text("two\nlines", max_length=20)
    assert f.text("two\nlines\tand a tab", max_length=40, multiline=True) == "two\nlines\tand a tab"
    assert f.shown("a\x00b") == "a\\x00b"
