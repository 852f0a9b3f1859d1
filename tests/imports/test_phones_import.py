"""The customers import reads `country` and each contact's number (customers.phones): national
numbers dial from abroad, text that is no number is kept and marked, control characters are refused."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customers.models import Contact, Customer
from customers.phones import has_control_characters
from imports import fields as f

pytestmark = pytest.mark.django_db

HEADER = "external_id,name,timezone,country,contact_name,contact_email,contact_phone\n"


def write(tmp_path, rows: str, header: str = HEADER):
    path = tmp_path / "customers.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def dialled(email: str) -> tuple[str, str, str]:
    c = Contact.objects.get(email=email)
    return c.phone, c.phone_e164, c.phone_extension


def test_national_numbers_are_read_in_the_rows_country_else_its_time_zone(run_command, tmp_path):
    path = write(
        tmp_path,
        "C-1,Acme,America/Chicago,,Dana,dana@acme.example,(312) 555-0101\n"
        "C-1,Acme,America/Chicago,,Raj,raj@acme.example,312-555-0102 ext. 12\n"
        "C-2,Brit,UTC,gb,Ann,ann@brit.example,020 7946 0123\n"
        "C-3,Fjord,Europe/Oslo,,Kari,kari@fjord.example,22 12 34 56\n"
        "C-4,Expat,Europe/Oslo,,Joe,joe@expat.example,+44 (0)20 7946 0999\n"
        "C-5,Vague,America/Chicago,,Pat,pat@vague.example,ask reception\n",
    )

    code, out, err = run_command("import_customers", path)

    assert code == 0, err
    assert out.strip().endswith("created 6, updated 0, unchanged 0, rejected 0")
    assert Customer.objects.get(external_id="C-2").country == "GB"
    assert dialled("dana@acme.example") == ("(312) 555-0101", "+13125550101", "")
    assert dialled("raj@acme.example") == ("312-555-0102 ext. 12", "+13125550102", "12")
    assert dialled("ann@brit.example") == ("020 7946 0123", "+442079460123", "")
    assert dialled("kari@fjord.example") == ("22 12 34 56", "+4722123456", "")
    assert dialled("joe@expat.example") == ("+44 (0)20 7946 0999", "+442079460999", "")
    # Not a number: imported, kept as written, not dialable (no error: the rest of the row is good).
    assert dialled("pat@vague.example") == ("ask reception", "", "")

    code, out, _ = run_command("import_customers", path)
    assert out.strip().endswith("created 0, updated 0, unchanged 6, rejected 0")


def test_a_new_country_reads_the_customers_numbers_again(run_command, tmp_path):
    run_command("import_customers", write(tmp_path, "C-2,Brit,UTC,,Ann,ann@brit.example,020 7946 0123\n"))
    assert dialled("ann@brit.example") == ("020 7946 0123", "", "")  # UTC: no country to read it in

    code, out, _ = run_command(
        "import_customers", write(tmp_path, "external_id,name,country\nC-2,Brit,GB\n", header="")
    )

    assert code == 0 and out.strip().endswith("created 0, updated 1, unchanged 0, rejected 0")
    assert dialled("ann@brit.example") == ("020 7946 0123", "+442079460123", "")


def test_a_file_without_a_country_column_leaves_the_country_alone(run_command, tmp_path):
    run_command("import_customers", write(tmp_path, "C-2,Brit,UTC,GB,Ann,ann@brit.example,020 7946 0123\n"))
    code, _, _ = run_command("import_customers", write(tmp_path, "external_id,name\nC-2,Brit Ltd\n", header=""))
    assert code == 0 and Customer.objects.get(external_id="C-2").country == "GB"


@pytest.mark.parametrize(
    ("cell", "column", "message"),
    [
        ('"+1 312\x07 555 0101"', "contact_phone", "contains a control character"),
        ('"+1 312\n555 0101"', "contact_phone", "contains a control character"),
        ("Norway", "country", "“Norway” is not an ISO 3166 country code"),
    ],
)
def test_control_characters_and_unknown_countries_are_row_errors(run_command, tmp_path, cell, column, message):
    phone, country = (cell, "") if column == "contact_phone" else ("(312) 555-0101", cell)
    path = write(tmp_path, f"C-1,Acme,America/Chicago,{country},Dana,dana@acme.example,{phone}\n")

    code, _, err = run_command("import_customers", path)

    assert code == 1
    assert f"customers.csv, row 2, column {column}: {message}" in err
    assert not Customer.objects.exists()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=50), st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2)))
def test_the_phone_cell_reader_returns_text_without_control_characters_or_a_field_error(raw):
    try:
        value = f.phone(raw)
    except f.FieldError as exc:
        assert str(exc)
        return
    assert len(value) <= 40 and value == value.strip() and not has_control_characters(value)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=8), st.none(), st.integers()))
def test_the_country_cell_reader_returns_a_code_or_a_field_error(raw):
    try:
        value = f.country(raw)
    except f.FieldError as exc:
        assert any(word in str(exc) for word in ("ISO 3166", "characters long", "JSON", "NUL", "surrogate"))
        return
    assert value == "" or (len(value) == 2 and value.isascii() and value.isupper())
