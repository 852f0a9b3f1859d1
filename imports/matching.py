"""Finds the customer a ticket or survey row belongs to (CONTRACT §4), a batch at a time."""

from django.db.models.functions import Lower, Upper

from customers.models import Contact, Customer

from .records import MatchKeys

# At 100,000 customers a file names about 100k external ids and 200k e-mails: 200,000 dropped
# the caches 8 times per million rows. An entry costs about 150 bytes, so this stays near 75 MB.
CACHE_LIMIT = 500_000


class CustomerMatcher:
    """Matches by customer_external_id, then the contact's e-mail, then the e-mail's domain
    against Customer.domain, then the company name against Customer.name.

    `prime(keys)` looks up a whole batch's keys in at most four queries; answers (misses too)
    are cached, so a file with many rows per customer costs few queries. Domains and company
    names are looked up only for the rows the external id and the e-mail did not match. The
    caches are bounded by the number of customers and contacts, not by the file's length.
    """

    def __init__(self):
        self.by_external_id: dict[str, int | None] = {}
        self.by_email: dict[str, tuple[int, int] | None] = {}
        self.by_domain: dict[str, int | None] = {}
        self.by_name: dict[str, int | None] = {}

    def prime(self, batch: list[MatchKeys]) -> None:
        if sum(map(len, (self.by_external_id, self.by_email, self.by_domain, self.by_name))) > CACHE_LIMIT:
            self.__init__()
        ids = {k.customer_external_id for k in batch if k.customer_external_id} - self.by_external_id.keys()
        if ids:
            found = dict(Customer.objects.filter(external_id__in=ids).values_list("external_id", "id"))
            self.by_external_id |= {i: found.get(i) for i in ids}
        emails = {k.email for k in batch if k.email} - self.by_email.keys()
        if emails:
            found = {}
            rows = (
                Contact.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .order_by("id")
                .values_list("email_lower", "customer_id", "id")
            )
            for email, customer_id, contact_id in rows:
                found.setdefault(email, (customer_id, contact_id))
            self.by_email |= {e: found.get(e) for e in emails}
        batch = [k for k in batch if not self._matched_early(k)]
        domains = {k.domain for k in batch if k.domain} - self.by_domain.keys()
        if domains:
            found = {}
            for domain, customer_id in (
                Customer.objects.filter(domain__in=domains).order_by("id").values_list("domain", "id")
            ):
                found.setdefault(domain, customer_id)
            self.by_domain |= {d: found.get(d) for d in domains}
        names = {k.company.upper() for k in batch if k.company} - self.by_name.keys()
        if names:
            found = {}
            rows = Customer.objects.annotate(name_upper=Upper("name")).filter(name_upper__in=names).order_by("id")
            for name, customer_id in rows.values_list("name_upper", "id"):
                found[name] = None if name in found else customer_id  # two customers of one name: no match
            self.by_name |= {n: found.get(n) for n in names}

    def _matched_early(self, keys: MatchKeys) -> bool:
        """Matched by external id or by the contact's e-mail (after those two lookups)."""
        if keys.customer_external_id and self.by_external_id.get(keys.customer_external_id) is not None:
            return True
        return bool(keys.email and self.by_email.get(keys.email))

    def match(self, keys: MatchKeys) -> tuple[int, int | None] | None:
        """(customer id, requester contact id or None), or None when nothing matches."""
        contact = self.by_email.get(keys.email) if keys.email else None
        customer_id = None
        if keys.customer_external_id:
            customer_id = self.by_external_id.get(keys.customer_external_id)
        if customer_id is None and contact:
            customer_id = contact[0]
        if customer_id is None and keys.domain:
            customer_id = self.by_domain.get(keys.domain)
        if customer_id is None and keys.company:
            customer_id = self.by_name.get(keys.company.upper())
        if customer_id is None:
            return None
        return customer_id, contact[1] if contact and contact[0] == customer_id else None
