"""{% load phones %}: the one way a page or an e-mail links and shows a phone number (customers.phones).

- `{{ contact|tel_href }}`: 'tel:+13125550101', or '' when the number cannot be dialled from abroad;
- `{% phone contact %}`: the linked number for a page, "+1 312-555-0101 ext. 12" with the
  text as written beside it when that differs, or the text as written marked "can't be dialled
  from abroad"; `{% phone contact link=False %}` for a number not to be called (do-not-call);
- `{% phone_email contact %}`: the same for an HTML e-mail (inline styles, no classes);
- `{{ contact|phone_text }}`: the same in plain text.
"""

from django import template

from ..phones import NOT_DIALABLE, Phone, phone_read

register = template.Library()


def as_phone(value) -> Phone:
    """A contact (its stored reading), a Phone, or text (read without a country: only an
    international number dials)."""
    if isinstance(value, Phone):
        return value
    if hasattr(value, "phone_number"):
        return value.phone_number
    return phone_read(value)


@register.filter
def tel_href(value) -> str:
    return as_phone(value).tel


@register.filter
def phone_display(value) -> str:
    """'+1 312-555-0101 ext. 12', or the text as written when not dialable."""
    return as_phone(value).display


@register.filter
def phone_text(value) -> str:
    """The number for plain text: '+1 312-555-0101 ext. 12, as written: (312) 555-0101 ext. 12' or
    'ask reception (can't be dialled from abroad)'."""
    phone = as_phone(value)
    if not phone.written:
        return ""
    if not phone.dialable:
        return f"{phone.written} ({NOT_DIALABLE})"
    return f"{phone.display}, as written: {phone.original}" if phone.original else phone.display


@register.inclusion_tag("customers/_phone.html")
def phone(value, link=True):
    return {"p": as_phone(value), "link": link, "not_dialable": NOT_DIALABLE}


@register.inclusion_tag("emails/_phone.html")
def phone_email(value):
    return {"p": as_phone(value), "not_dialable": NOT_DIALABLE}
