"""What an import does with a ticket or survey row that matches no customer (CONTRACT §3, --unmatched).

`error` (the default) rejects the row, so the file fails; `skip` leaves the row out and lists it;
`create` makes a customer from the row's organization or company and its e-mail's domain (its
requester becomes the customer's contact) and attaches the row to it. A second row of the same
company or domain, in the same file or a later one, finds the customer made for the first.
"""

import re

from customers.models import Contact, Customer

from ..matching import PERSONAL_DOMAINS, CustomerMatcher
from ..records import MatchKeys
from .runner import ImportResult

ERROR, SKIP, CREATE = "error", "skip", "create"
CHOICES = (ERROR, SKIP, CREATE)


def unmatched_message(keys: MatchKeys) -> str:
    return (
        f"matches no customer ({keys.describe()}); correct it, or import with unmatched rows skipped "
        "(--unmatched skip) or with customers created for them (--unmatched create)"
    )


class UnmatchedRows:
    """Applies the policy to one row; `resolve` returns (customer id, contact id) or None (left out)."""

    def __init__(self, policy: str = ERROR, *, hint: bool = True):
        if policy not in CHOICES:
            raise ValueError(f"unmatched must be one of {', '.join(CHOICES)}")
        self.policy, self.hint = policy, hint  # hint: name the other choices (files; a webhook has none)

    def resolve(self, row: int | None, keys: MatchKeys, matcher: CustomerMatcher, result: ImportResult):
        if self.policy == SKIP:
            result.skip(row, keys.column, f"matches no customer ({keys.describe()})")
            return None
        if self.policy == ERROR or not (keys.company or keys.email or keys.customer_external_id):
            if self.policy == CREATE:
                reason = "matches no customer, and names no company or e-mail to make one from"
            else:
                reason = unmatched_message(keys) if self.hint else f"matches no customer ({keys.describe()})"
            result.reject(row, [(keys.column, reason)])
            return None
        customer, contact = _customer_for(keys)
        matcher.remember(keys, customer.pk, contact.pk if contact else None)
        result.customers_created += 1
        return customer.pk, contact.pk if contact else None

    def match_batch(self, batch, matcher: CustomerMatcher, result: ImportResult) -> list[tuple]:
        """[(record, customer id, contact id)] for a batch of (row, record); a row that matches no
        customer is rejected, skipped or given a new customer, as the policy says."""
        matched = []
        for row, record in batch:
            found = matcher.match(record.match) or self.resolve(row, record.match, matcher, result)
            if found is not None:
                matched.append((record, *found))
        return matched


def _customer_for(keys: MatchKeys) -> tuple[Customer, Contact | None]:
    domain = keys.domain if keys.domain not in PERSONAL_DOMAINS else ""
    name = keys.company or domain or keys.email or keys.customer_external_id
    external_id = keys.customer_external_id or _free_external_id(domain or keys.company or keys.email)
    customer = Customer.objects.create(external_id=external_id, name=name[:200], domain=domain)
    contact = None
    if keys.email:
        local = keys.email.partition("@")[0]
        person = " ".join(part.capitalize() for part in re.split(r"[._+-]+", local) if part) or keys.email
        contact = Contact.objects.create(customer=customer, name=person[:200], email=keys.email, is_primary=True)
    return customer, contact


def _free_external_id(seed: str) -> str:
    base = "new-" + re.sub(r"[^a-z0-9.@-]+", "-", seed.lower()).strip("-")[:52]
    candidate, n = base, 1
    while Customer.objects.filter(external_id=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
