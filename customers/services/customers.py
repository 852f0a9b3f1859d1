"""Writes on a customer that carry a rule: its lifecycle (a churned customer is never called)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Contact, Customer
from ..phones import contact_normalise_phone


@transaction.atomic
def customer_set_lifecycle(*, customer_id: int, by, status: str) -> bool:
    """Sets the customer's lifecycle status; returns whether it changed.

    The builder reads it at the next build: a churned customer is left off every sheet (entries
    already built stay until then, so a call under way is not pulled from under the executive).
    """
    if status not in Customer.Lifecycle.values:
        raise ValidationError(
            f"{status!r} is not a lifecycle status; choose one of {', '.join(Customer.Lifecycle.values)}."
        )
    changed = Customer.objects.filter(pk=customer_id).exclude(lifecycle_status=status).update(lifecycle_status=status)
    return bool(changed)


@transaction.atomic
def contact_set_phones(*, customer: Customer) -> int:
    """Reads every contact's number of the customer anew (customers.phones), after its country or
    time zone changed: a national number is read in the new country. Returns how many changed."""
    changed = []
    for contact in Contact.objects.select_for_update().filter(customer=customer).exclude(phone=""):
        if contact_normalise_phone(contact, customer=customer):
            changed.append(contact)
    Contact.objects.bulk_update(changed, ["phone_e164", "phone_extension"])
    return len(changed)
