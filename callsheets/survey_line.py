"""The scoring policy's survey line: which survey answers raise an urgent flag by themselves.

One definition, as a query (`survey_line_q`, for the policy page's preview) and for one answer in
memory (`crosses_survey_line`, for imports, uploads and the surveys webhook). Default: NPS 0–1 with
a comment, any tier, any revenue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.utils import timezone

# An answer older than this when it arrives (a historic file) is no longer news: it raises nothing.
FRESH_FOR = timedelta(days=7)
PREVIEW_WEEKS = 8


def tier_labels(text: str) -> list[str]:
    """'Strategic, enterprise' → ['strategic', 'enterprise']: tiers compared ignoring case."""
    return [t.strip().lower() for t in (text or "").split(",") if t.strip()]


def tier_slugs(policy) -> set[str] | None:
    """The slugs of the tiers the line names (by name or slug, as imports match labels: case,
    spaces, - and _ aside), from the policy's tiers (one read); None when it names none."""
    from customers.models import tier_key

    wanted = {tier_key(label) for label in tier_labels(policy.survey_alarm_tiers)}
    if not wanted:
        return None
    return {slug for slug, tier in policy.tiers.items() if tier_key(tier.name) in wanted or tier_key(slug) in wanted}


def survey_line_q(policy, prefix: str = "") -> Q | None:
    """The line as a condition on SurveyResponse (annotated with `comment_length` when a comment is
    required); None when the policy draws no line."""
    if not policy.survey_alarm_kind:
        return None
    q = Q(**{f"{prefix}kind": policy.survey_alarm_kind, f"{prefix}score__lte": policy.survey_alarm_max_score})
    if policy.survey_alarm_comment_required:
        q &= Q(comment_length__gt=0)
    tiers = tier_slugs(policy)
    if tiers is not None:
        q &= Q(**{f"{prefix}customer__tier__in": sorted(tiers)})
    if policy.survey_alarm_min_revenue:
        q &= Q(**{f"{prefix}customer__annual_revenue__gte": policy.survey_alarm_min_revenue})
    return q


def crosses_survey_line(response, customer, policy, *, now: datetime | None = None) -> bool:
    """survey_line_q for one answer in memory, which must also be fresh (FRESH_FOR) to raise a flag."""
    if not policy.survey_alarm_kind or response.kind != policy.survey_alarm_kind:
        return False
    if response.score > policy.survey_alarm_max_score:
        return False
    if policy.survey_alarm_comment_required and not (response.comment or "").strip():
        return False
    tiers = tier_slugs(policy)
    if tiers is not None and customer.tier_id not in tiers:
        return False
    if policy.survey_alarm_min_revenue and Decimal(customer.annual_revenue) < Decimal(policy.survey_alarm_min_revenue):
        return False
    return response.responded_at >= (now or timezone.now()) - FRESH_FOR


def survey_line_preview(policy, *, now: datetime | None = None) -> dict:
    """How many answers of the last PREVIEW_WEEKS weeks cross the line, and from how many customers
    (one query): the flags the line would have raised (a customer holds one active flag at a time)."""
    from django.db.models import Count

    from customers.models import SurveyResponse

    q = survey_line_q(policy)
    if q is None:
        return {"answers": 0, "customers": 0, "weeks": PREVIEW_WEEKS, "off": True}
    since = (now or timezone.now()) - timedelta(weeks=PREVIEW_WEEKS)
    counts = (
        SurveyResponse.objects.filter(responded_at__gte=since)
        .annotate(comment_length=Length(Trim("comment")))
        .filter(q)
        .aggregate(answers=Count("id"), customers=Count("customer_id", distinct=True))
    )
    return counts | {"weeks": PREVIEW_WEEKS, "off": False}
