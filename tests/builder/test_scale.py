"""What keeps a build's cost independent of the data: numbers-only ranking, contacts and relationships
read only for the customers the build looks at, two indexed ticket reads, a sampled listening
draw, and writes of the flags whose state changed only."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from callsheets.builder import build_week, service
from callsheets.builder.candidates import read_contacts, read_quiet_draw
from callsheets.builder.scoring import rank_score, score_customer
from callsheets.builder.signals import TICKET_KINDS, CustomerSignals, read_signals
from callsheets.models import CallSheet, ScoringPolicy
from customers.models import Contact, Customer, Flag, SurveyResponse
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    SurveyResponseFactory,
    TicketFactory,
)

flags = st.sampled_from([None, Flag.Urgency.NORMAL, Flag.Urgency.URGENT])


@settings(max_examples=300, deadline=None)
@given(
    flag=flags,
    nps=st.one_of(st.none(), st.integers(0, 6)),
    csat=st.one_of(st.none(), st.integers(1, 2)),
    tickets=st.fixed_dictionaries({k: st.integers(0, 7) for k in TICKET_KINDS}),
    overdue=st.integers(0, 3),
    carried=st.booleans(),
    tier=st.sampled_from(list(Customer.Tier.values)),
    revenue=st.integers(0, 30_000_000),
    cap=st.sampled_from([0.0, 5.0, 40.0]),
)
def test_the_ranking_score_is_the_score_of_the_full_reasons(
    flag, nps, csat, tickets, overdue, carried, tier, revenue, cap
):
    """The build ranks every customer by numbers alone and words the reasons only for those it
    places: both come from one definition of the points, so they agree to the last digit."""
    policy = ScoringPolicy(ticket_points_cap=cap)
    customer = Customer(id=1, name="Acme", tier_id=tier, annual_revenue=Decimal(revenue), timezone="UTC")
    sig = CustomerSignals(
        customer_id=1,
        flag=Flag(urgency=flag, reason="Call them", created_at=NOW) if flag else None,
        nps=SurveyResponse(kind="nps", score=nps, comment="", responded_at=NOW) if nps is not None else None,
        csat=SurveyResponse(kind="csat", score=csat, comment="", responded_at=NOW) if csat is not None else None,
        tickets=tickets,
        overdue=[{"promise": "Refund", "due_date": NOW.date(), "executive_id": 1}] * overdue,
        carried_over={"executive_id": 1, "week_start": NEXT_WEEK} if carried else None,
    )
    full = score_customer(sig, customer, policy, now=NOW, today=NOW.date(), executive_names={})
    assert rank_score(sig, customer, policy) == full.score


pytestmark = pytest.mark.django_db


def count_build(week=NEXT_WEEK, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        build_week(week, now=NOW, **kwargs)
    return len(ctx.captured_queries)


def reset_week():
    """Back to before the first build of NEXT_WEEK."""
    CallSheet.objects.filter(week_start=NEXT_WEEK).delete()
    Flag.objects.update(status=Flag.Status.OPEN, sheet=None, scheduled_at=None, not_placed_reason="")


def test_a_real_build_does_not_write_more_statements_for_more_executives_or_flags(policy):
    for weekday in (1, 2):
        ExecutiveFactory(timezone="America/Chicago", weekday=weekday)
    for _ in range(3):
        FlagFactory(customer=callable_customer())
    small = count_build()
    reset_week()
    for weekday in range(6):
        ExecutiveFactory(timezone="America/Chicago", weekday=weekday % 5)
    for n in range(80):  # far more flags than places: most are left off, each with its reason written
        FlagFactory(customer=callable_customer() if n % 4 else CustomerFactory())
    assert count_build() <= small
    assert CallSheet.objects.filter(week_start=NEXT_WEEK).count() == 8
    assert Flag.objects.filter(status=Flag.Status.SCHEDULED).count() == 8 * 5  # listening places stay for quiet ones
    assert Flag.objects.exclude(not_placed_reason="").count() == 80 + 3 - 8 * 5


def test_a_rebuild_writes_only_the_flags_whose_state_changed(executive, policy):
    for _ in range(9):
        FlagFactory(customer=callable_customer())
    build_week(NEXT_WEEK, now=NOW)
    before = dict(Flag.objects.values_list("id", "updated_at"))
    with CaptureQueriesContext(connection) as ctx:
        build_week(NEXT_WEEK, now=NOW + timedelta(hours=1))
    assert [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "customers_flag"')] == []
    assert dict(Flag.objects.values_list("id", "updated_at")) == before

    newcomer = FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT)
    with CaptureQueriesContext(connection) as ctx:
        build_week(NEXT_WEEK, now=NOW + timedelta(hours=2))
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "customers_flag"')]
    assert len(updates) == 1  # the urgent newcomer in, the weakest flag out: one statement
    newcomer.refresh_from_db()
    assert newcomer.status == Flag.Status.SCHEDULED
    changed = {i for i, at in Flag.objects.values_list("id", "updated_at") if at != before.get(i)}
    assert newcomer.id in changed and len(changed) == 2


def test_contacts_and_relationships_are_read_only_for_the_customers_the_build_looks_at(executive, policy):
    for score in range(40):
        SurveyResponseFactory(customer=callable_customer(), score=score % 7, responded_at=NOW - timedelta(days=2))
    quiet = {callable_customer().id for _ in range(3)}
    looked_at = []

    def spy(customers):
        looked_at.extend(c.id for c in customers)
        return read_contacts(customers)

    with mock.patch.object(service, "read_contacts", spy):
        result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    places = 4 + 2
    alarmed_looked_at = set(looked_at) - quiet
    assert len(alarmed_looked_at) <= places + 2  # the ones placed, and the first that found no room
    assert {e.customer.id for e in result.sheets[0].entries if not e.is_listening} <= alarmed_looked_at
    assert sum(s.code == "capacity" for s in result.skipped) == 40 - (places - 1)


def signals_now(policy, **kwargs):
    return read_signals(policy=policy, now=NOW, today=NOW.date(), week_start=NEXT_WEEK, **kwargs)


def test_ticket_counts_take_the_window_and_older_open_tickets_once_each(policy):
    customer = CustomerFactory()
    TicketFactory(customer=customer, priority="urgent", status="open", created_at=NOW - timedelta(days=3))
    TicketFactory(customer=customer, priority="urgent", status="solved", created_at=NOW - timedelta(days=10))
    TicketFactory(customer=customer, priority="high", status="pending", created_at=NOW - timedelta(days=100),
                  reopen_count=2, escalated=True)  # fmt: skip
    TicketFactory(customer=customer, priority="urgent", status="closed", created_at=NOW - timedelta(days=100))
    calm = CustomerFactory()
    TicketFactory(customer=calm, priority="normal", status="open", created_at=NOW - timedelta(days=3))
    expected = {"urgent": 2, "high": 1, "escalated": 1, "reopens": 2, "old_open": 1}
    assert {cid: s.tickets for cid, s in signals_now(policy).items()} == {customer.id: expected}
    assert signals_now(policy, customer_id=customer.id)[customer.id].tickets == expected


def test_answers_given_at_the_same_moment_go_to_the_one_stored_last(policy):
    customer = CustomerFactory()
    at = NOW - timedelta(days=4)
    SurveyResponseFactory(customer=customer, score=9, responded_at=at)
    last = SurveyResponseFactory(customer=customer, score=3, responded_at=at)
    SurveyResponseFactory(customer=customer, kind="csat", score=2, responded_at=at)
    SurveyResponseFactory(customer=customer, kind="csat", score=4, responded_at=at)
    (sig,) = signals_now(policy).values()
    assert (sig.nps.id, sig.nps.score, sig.csat) == (last.id, 3, None)


def test_the_signals_come_in_one_statement_with_what_ranking_needs(policy, django_assert_num_queries):
    flagged = callable_customer(tier=Customer.Tier.STRATEGIC)
    FlagFactory(customer=flagged, urgency=Flag.Urgency.URGENT)
    mute = CustomerFactory()
    SurveyResponseFactory(customer=mute, score=1, responded_at=NOW - timedelta(days=2))
    with django_assert_num_queries(4):  # flags, overdue promises, carried over; and the signal query
        signals = signals_now(policy)
    assert signals[flagged.id].is_urgent and signals[flagged.id].customer.tier_id == Customer.Tier.STRATEGIC
    assert signals[flagged.id].customer.has_callable_contact and not signals[mute.id].customer.has_callable_contact
    assert signals[mute.id].nps.score == 1


def quiet_customers(ids) -> list[int]:
    for i in ids:
        ContactFactory(customer=CustomerFactory(id=i))
    return list(ids)


def test_a_large_base_is_sampled_for_listening_calls_the_same_way_each_time_for_a_week(django_assert_max_num_queries):
    ids = quiet_customers(range(20_000_000, 20_000_000 + 60 * 16, 16))
    churned = CustomerFactory(id=20_000_001, lifecycle_status=Customer.Lifecycle.CHURNED)
    ContactFactory(customer=churned)
    mute = CustomerFactory(id=20_000_002)
    Contact.objects.create(customer=mute, name="No phone", phone="")
    with django_assert_max_num_queries(3):  # the id range, and one batch of candidate ids
        draw = read_quiet_draw(seed="listening:2026-11-23", exclude={ids[0], ids[1]}, need=4)
    assert draw.estimated and 40 <= draw.pool <= 80
    assert len(draw.ids) == 4 and set(draw.ids) <= set(ids[2:])
    assert read_quiet_draw(seed="listening:2026-11-23", exclude={ids[0], ids[1]}, need=4) == draw
    assert read_quiet_draw(seed="listening:2026-11-30", exclude={ids[0], ids[1]}, need=4).ids != draw.ids


def test_a_sparse_pool_is_read_whole_so_the_listening_places_still_fill():
    ids = quiet_customers([30_000_000, 30_050_000, 30_100_000])
    draw = read_quiet_draw(seed="listening:2026-11-23", exclude=set(), need=4)
    assert sorted(draw.ids) == ids and draw.pool == 3 and not draw.estimated
