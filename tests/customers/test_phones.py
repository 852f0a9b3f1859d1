"""customers.phones: reading a number as written into E.164 + extension, in the right country."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customers.phones import (
    E164,
    NOT_DIALABLE,
    Phone,
    contact_normalise_phone,
    country_code,
    country_for_timezone,
    phone_read,
    phone_region,
)
from tests.factories import ContactFactory, CustomerFactory


def read(text, zone="", country=""):
    return phone_read(text, region=phone_region(country=country, customer_timezone=zone))


@pytest.mark.parametrize("zone", ["America/Chicago", "America/New_York"])
def test_a_us_national_number_of_a_us_customer_dials_from_abroad(zone):
    phone = read("(312) 555-0101", zone)
    assert phone == Phone("(312) 555-0101", "+13125550101", "")
    assert phone.tel == "tel:+13125550101"
    assert phone.display == "+1 312-555-0101"
    assert phone.original == "(312) 555-0101"  # the local original is shown beside it


def test_the_uk_trunk_zero_after_plus_44_is_dropped():
    phone = read("+44 (0)20 7946 0123", "America/Chicago")  # an international number needs no region
    assert phone.tel == "tel:+442079460123"
    assert phone.display == "+44 20 7946 0123"
    assert phone.original == "+44 (0)20 7946 0123"
    assert read("020 7946 0123", "Europe/London").tel == "tel:+442079460123"


@pytest.mark.parametrize("written", ["312-555-0101 ext. 12", "312-555-0101 x12", "(312) 555-0101 ext 12"])
def test_an_extension_is_kept_apart_from_the_number(written):
    phone = read(written, "America/Chicago")
    assert (phone.e164, phone.extension) == ("+13125550101", "12")
    assert phone.tel == "tel:+13125550101"  # the link dials the switchboard; the extension is shown
    assert phone.display == "+1 312-555-0101 ext. 12"


def test_an_oslo_number_is_read_in_norway():
    phone = read("22 12 34 56", "Europe/Oslo")
    assert phone.tel == "tel:+4722123456"
    assert phone.display == "+47 22 12 34 56"


def test_an_international_number_as_written_shows_no_second_copy():
    phone = read("+1 312 555 0101", "Europe/Oslo")
    assert phone.tel == "tel:+13125550101"
    assert phone.original == ""  # same digits: nothing more to say


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("ask for Maria at reception", "America/Chicago"),
        ("555-0101", "America/Chicago"),  # no area code
        ("911", "America/Chicago"),
        ("(312) 555-0101", "UTC"),  # a national number with no country to read it in
        ("(312) 555-0101", ""),
        ("+1 312 555 0101\x00", "America/Chicago"),  # control characters are never dialled
    ],
)
def test_what_cannot_be_made_international_is_kept_as_written_and_not_linked(written, zone):
    phone = read(written, zone)
    assert phone.written == written.strip()
    assert (phone.e164, phone.extension, phone.tel) == ("", "", "")
    assert not phone.dialable
    assert phone.display == written.strip()


@pytest.mark.parametrize("written", ["", "   ", None])
def test_empty(written):
    assert read(written, "America/Chicago") == Phone("")


def test_time_zones_map_to_countries_through_zone_tab_and_its_links():
    assert country_for_timezone("America/Chicago") == "US"
    assert country_for_timezone("Europe/Oslo") == "NO"  # a link to Berlin in the tz code, NO in zone.tab
    assert country_for_timezone("US/Eastern") == "US"  # a backward link
    assert country_for_timezone("Asia/Calcutta") == "IN"
    assert country_for_timezone("UTC") == "" and country_for_timezone("") == ""
    assert country_for_timezone("Not/A_Zone") == ""


def test_region_most_specific_first():
    assert phone_region(contact_timezone="Europe/Oslo", country="US", customer_timezone="Asia/Tokyo") == "NO"
    assert phone_region(country="GB", customer_timezone="America/Chicago") == "GB"
    assert phone_region(customer_timezone="Asia/Tokyo") == "JP"
    assert phone_region(customer_timezone="UTC") is None


def test_country_codes():
    assert country_code(" no ") == "NO" and country_code("UK") == "GB" and country_code("") == ""
    with pytest.raises(ValueError, match="ISO 3166"):
        country_code("Norway")


@pytest.mark.django_db
def test_a_contact_is_read_in_its_customers_country_before_its_time_zone():
    customer = CustomerFactory(timezone="UTC", country="GB")
    contact = ContactFactory(customer=customer, phone="020 7946 0123 ext. 4")
    assert (contact.phone_e164, contact.phone_extension) == ("+442079460123", "4")
    contact.timezone = "Europe/Oslo"
    contact.phone = "22 12 34 56"
    assert contact_normalise_phone(contact) is True
    assert contact.phone_number.tel == "tel:+4722123456"
    assert contact_normalise_phone(contact) is False


PHONE_LIKE = st.from_regex(r"\A[+(]?[0-9 ()+\-.]{0,24}( ?(ext\.?|x|#) ?[0-9]{0,8})?\Z", fullmatch=True)
REGIONS = st.sampled_from([None, "", "US", "GB", "NO", "JP", "DE", "AQ", "ZZ", "XX"])


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=60), PHONE_LIKE), region=REGIONS)
def test_the_reader_never_raises_and_links_only_valid_e164(text, region):
    phone = phone_read(text, region=region)
    assert phone.written == text.strip()
    if phone.tel:
        assert phone.tel == f"tel:{phone.e164}" and E164.fullmatch(phone.e164)
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164, None))
        assert phone.extension == "" or (phone.extension.isascii() and phone.extension.isdigit())
        assert len(phone.extension) <= 20
    else:
        assert phone.e164 == "" and phone.extension == ""
        assert phone.display == phone.written and phone.original == ""
    assert NOT_DIALABLE == "can't be dialled from abroad"
