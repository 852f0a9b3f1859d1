import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceocalls.params import id_param


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("1_0", None), ("-1", None), ("", None), (None, None)],
)
def test_only_ascii_digits_are_an_id(value, expected):
    assert id_param(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_an_id_or_none_never_an_error(value):
    result = id_param(value)
    assert result is None or (value.strip().isascii() and result == int(value.strip()))


def test_the_sheet_answers_404_to_a_superscript_executive_id(client, db):
    from tests.factories import AdminFactory

    client.force_login(AdminFactory())
    assert client.get("/sheet/2026-11-23/print/", {"executive": "²"}).status_code == 404
    assert client.get("/sheet/2026-11-23/", {"executive": "²"}).status_code == 404
