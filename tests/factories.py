"""factory_boy factories for every model; tests build exactly the rows they need."""

from datetime import time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from callsheets.models import CallLog, CallSheet, Commitment, Executive, ScoringPolicy, SheetEntry, week_start_of
from customers.models import Contact, Customer, Flag, SupportTicket, SurveyResponse, Tier
from customers.phones import contact_normalise_phone

PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["Support leads"]) puts the user in those groups (made by the migration)."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def LeadFactory(**kwargs):  # noqa: N802 - reads like a factory
    return UserFactory(roles=["Support leads"], **kwargs)


def AdminFactory(**kwargs):  # noqa: N802
    return UserFactory(roles=["Program admins"], is_staff=True, **kwargs)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    domain = factory.Sequence(lambda n: f"customer{n}.example")
    annual_revenue = 120000
    tier_id = Customer.Tier.MID_MARKET
    timezone = "America/Chicago"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        """CustomerFactory(tier="strategic") names the tier by slug (TierFactory makes new ones)."""
        if isinstance(kwargs.get("tier"), str):
            kwargs["tier_id"] = kwargs.pop("tier")
        return kwargs


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Segment {n}")
    slug = factory.Sequence(lambda n: f"segment_{n}")
    multiplier = 1.0


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name")
    title = "VP Operations"
    email = factory.Sequence(lambda n: f"contact{n}@example.net")
    phone = factory.Sequence(lambda n: f"+1 312 555 {n % 10000:04d}")
    is_primary = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Reads the number as every write path does (customers.phones), unless the test sets it."""
        if "phone_e164" not in kwargs:
            contact = model_class(*args, **kwargs)
            contact_normalise_phone(contact)
            kwargs |= {"phone_e164": contact.phone_e164, "phone_extension": contact.phone_extension}
        return super()._create(model_class, *args, **kwargs)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportTicket

    source = SupportTicket.Source.ZENDESK
    external_id = factory.Sequence(lambda n: str(4000 + n))
    customer = factory.SubFactory(CustomerFactory)
    subject = "Export to CSV times out"
    status = SupportTicket.Status.OPEN
    priority = SupportTicket.Priority.NORMAL
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    updated_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=2))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    source = SurveyResponse.Source.DELIGHTED
    external_id = factory.Sequence(lambda n: f"R{n}")
    customer = factory.SubFactory(CustomerFactory)
    kind = SurveyResponse.Kind.NPS
    score = 9
    comment = "Works well for us."
    responded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    customer = factory.SubFactory(CustomerFactory)
    raised_by = factory.SubFactory(UserFactory, roles=["Support leads"])
    reason = "She hung up on our support engineer after the third outage this month."
    urgency = Flag.Urgency.NORMAL


class ExecutiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Executive

    user = factory.SubFactory(UserFactory, roles=["Executives"])
    title = "CEO"
    weekday = 1
    start_time = time(10, 0)
    timezone = "Europe/Oslo"


class CallSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallSheet
        skip_postgeneration_save = True

    executive = factory.SubFactory(ExecutiveFactory)
    week_start = factory.LazyFunction(lambda: week_start_of(timezone.localdate()))
    slot_starts_at = factory.LazyAttribute(lambda o: o.executive.slot_start(o.week_start))

    @factory.post_generation
    def entries(self, create, extracted, **kwargs):
        """CallSheetFactory(entries=40) adds that many entries, each with a callable primary contact."""
        if create and extracted:
            for position in range(1, extracted + 1):
                contact = ContactFactory()
                SheetEntryFactory(
                    sheet=self,
                    position=position,
                    customer=contact.customer,
                    contact=contact,
                    is_backup=position > self.executive.capacity,
                )


class SheetEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SheetEntry

    sheet = factory.SubFactory(CallSheetFactory)
    customer = factory.SubFactory(CustomerFactory)
    contact = factory.LazyAttribute(
        lambda o: o.customer.contacts.filter(is_primary=True).first() or ContactFactory(customer=o.customer)
    )
    position = factory.Sequence(lambda n: n + 1)
    score = 120.0
    reasons = factory.LazyFunction(
        lambda: [{"code": "nps_detractor", "text": 'NPS 2 on 12 Nov: "Slow and buggy."', "points": 40}]
    )


class CallLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallLog

    executive = factory.SubFactory(ExecutiveFactory)
    customer = factory.SubFactory(CustomerFactory)
    called_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    outcome = CallLog.Outcome.REACHED
    duration_minutes = 14
    notes = "Listened; apologised for the outage; promised a credit."
    sentiment = CallLog.Sentiment.UNHAPPY


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    call = factory.SubFactory(CallLogFactory)
    customer = factory.SelfAttribute("call.customer")
    promise = "Credit the March invoice for the outage"
    owner = factory.SelfAttribute("call.executive.user")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class ScoringPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringPolicy
        django_get_or_create = ("is_active",)

    name = "Default"
    is_active = True
