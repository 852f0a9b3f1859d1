"""The documented formula (README, "How the call list is built") and the sentences behind each point.

score = (sum of signal points) × tier multiplier × (1 + revenue_weight × log10(annual revenue / $10k))

Every signal gives a reason {"code", "text", "points"}; the account's value is a reason too (the
points it adds), so the points of a customer's reasons always add up to its score.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from customers.models import Customer

from ..models import ScoringPolicy
from .signals import CustomerSignals

QUOTE_LIMIT = 160
SUBJECT_LIMIT = 60
NAMED_TICKETS = 2


@dataclass
class Scored:
    score: float
    base: float
    multiplier: float
    reasons: list  # [{"code", "text", "points"}], strongest first
    ticket_points: float = 0.0  # before the cap


def value_multiplier(customer: Customer, policy: ScoringPolicy) -> float:
    tier = policy.tier_multiplier(customer.tier_id)
    revenue = float(customer.annual_revenue or 0)
    decades = max(0.0, math.log10(revenue / 10_000)) if revenue > 0 else 0.0
    return round(tier * (1 + policy.revenue_weight * decades), 4)


def _day(moment: datetime | date, tz) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment, tz).date()
    return f"{moment.day} {moment:%b}"


def _quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _ticket(t) -> str:
    return f"#{t.external_id} {_quote(t.subject, SUBJECT_LIMIT)}"


def _named(tickets: list, total: int, extra=None) -> str:
    shown = [(_ticket(t) + (f" ({extra(t)})" if extra else "")) for t in tickets[:NAMED_TICKETS]]
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _flag_text(flag, tz) -> str:
    return f"{'Urgent flag' if flag.is_urgent else 'Flag'} from {flag.origin_label} on {_day(flag.created_at, tz)}: {_quote(flag.reason)}"


def _survey_text(r, tz) -> str:
    said = f": {_quote(r.comment)}" if r.comment.strip() else ", no comment"
    if r.kind == r.Kind.CSAT:
        return f"CSAT {r.score} of 5 on {_day(r.responded_at, tz)}{said}"
    return f"NPS {r.score} on {_day(r.responded_at, tz)}{said}"


# (count in CustomerSignals.tickets, reason code, policy weight per ticket or reopen)
TICKET_REASONS = [
    ("urgent", "urgent_tickets", "weight_urgent_ticket"),
    ("high", "high_tickets", "weight_high_ticket"),
    ("escalated", "escalated_tickets", "weight_escalated_ticket"),
    ("reopens", "reopened_tickets", "weight_reopened_ticket"),
    ("old_open", "old_open_tickets", "weight_old_open_ticket"),
]


def signal_points(sig: CustomerSignals, policy: ScoringPolicy) -> tuple[list[tuple[str, float]], float]:
    """Each signal's (code, points) in the order of the reasons, the tickets scaled down together to
    `ticket_points_cap`; and the tickets' points before the cap. Numbers only: the build ranks every
    customer with an alarm by these and writes the sentences only for the customers it places."""
    points = []
    if sig.flag is not None:
        points.append(
            ("urgent_flag", policy.weight_urgent_flag) if sig.flag.is_urgent else ("flag", policy.weight_flag)
        )
    if sig.nps is not None:
        points.append(("nps_detractor", policy.weight_nps_detractor * (7 - sig.nps.score)))
    if sig.csat is not None:
        points.append(("csat_low", policy.weight_csat_low * (3 - sig.csat.score)))
    before_cap = 0
    if sig.tickets:
        tickets = []
        for kind, code, weight in TICKET_REASONS:
            n = sig.tickets.get(kind)
            if n:
                tickets.append((code, getattr(policy, weight) * n))
                before_cap += tickets[-1][1]
        cap = policy.ticket_points_cap
        if cap and before_cap > cap:
            tickets = [(code, p * cap / before_cap) for code, p in tickets]
        points += tickets
    if sig.overdue:
        points.append(("overdue_commitment", policy.weight_overdue_commitment * len(sig.overdue)))
    if sig.carried_over:
        points.append(("carried_over", policy.weight_carried_over))
    return points, before_cap


def base_points(sig: CustomerSignals, policy: ScoringPolicy) -> float:
    """The sum of the signals' points: the score before the account's value multiplies it."""
    return sum(p for _, p in signal_points(sig, policy)[0])


def rank_score(
    sig: CustomerSignals, customer: Customer, policy: ScoringPolicy, multiplier: float | None = None
) -> float:
    """The score of `score_customer`, without a sentence: what the build ranks every customer by.
    `multiplier`: the customer's value_multiplier when the caller already has it."""
    if multiplier is None:
        multiplier = value_multiplier(customer, policy)
    return round(base_points(sig, policy) * multiplier, 2)


def _ticket_texts(counts: dict, tickets: list | None, policy, now) -> dict:
    tickets = tickets or []
    by_kind = {
        "urgent": [t for t in tickets if t.priority == "urgent"],
        "high": [t for t in tickets if t.priority == "high"],
        "escalated": [t for t in tickets if t.escalated],
        "reopens": sorted((t for t in tickets if t.reopen_count), key=lambda t: (-t.reopen_count, t.id)),
        "old_open": [t for t in tickets if t.is_open and (now - t.created_at).days >= policy.open_ticket_days],
    }
    texts = {}
    n = counts.get("urgent") or 0
    if n:
        texts["urgent_tickets"] = _plural(n, "urgent ticket") + (
            f": {_named(by_kind['urgent'], n)}" if by_kind["urgent"] else ""
        )
    n = counts.get("high") or 0
    if n:
        texts["high_tickets"] = _plural(n, "high-priority ticket") + (
            f": {_named(by_kind['high'], n)}" if by_kind["high"] else ""
        )
    n = counts.get("escalated") or 0
    if n:
        if n == 1 and by_kind["escalated"]:
            texts["escalated_tickets"] = f"{_ticket(by_kind['escalated'][0])} escalated"
        else:
            texts["escalated_tickets"] = _plural(n, "escalated ticket") + (
                f": {_named(by_kind['escalated'], n)}" if by_kind["escalated"] else ""
            )
    n = counts.get("reopens") or 0
    if n:
        shown = by_kind["reopens"][:NAMED_TICKETS]
        if shown:
            text = ", ".join(f"{_ticket(t)} reopened {_times(t.reopen_count)}" for t in shown)
            rest = n - sum(t.reopen_count for t in shown)
            text += f" (and {_plural(rest, 'more reopen')})" if rest > 0 else ""
        else:
            text = f"Tickets reopened {_times(n)}"
        texts["reopened_tickets"] = text
    n = counts.get("old_open") or 0
    if n:
        age = lambda t: f"{(now - t.created_at).days} days"  # noqa: E731
        if n == 1 and by_kind["old_open"]:
            t = by_kind["old_open"][0]
            texts["old_open_tickets"] = f"{_ticket(t)} open for {age(t)}"
        else:
            texts["old_open_tickets"] = f"{n} tickets open over {policy.open_ticket_days} days" + (
                f": {_named(by_kind['old_open'], n, age)}" if by_kind["old_open"] else ""
            )
    return texts


def _overdue_text(overdue: list, today: date) -> str:
    first = min(overdue, key=lambda c: (c["due_date"], c["promise"]))
    late = (today - first["due_date"]).days
    text = f"Follow through on the follow-up: {_quote(first['promise'], 100)} was due {_day(first['due_date'], None)} ({_plural(late, 'day')} overdue)"
    if len(overdue) > 1:
        text += f", and {_plural(len(overdue) - 1, 'more overdue commitment')}"
    return text


def _carried_text(carried: dict, executive_names: dict) -> str:
    who = executive_names.get(carried["executive_id"], "an executive")
    week = carried["week_start"]
    return f"Carried over: on {who}'s sheet for the week of {week.day} {week:%b} but not reached"


def score_customer(
    sig: CustomerSignals,
    customer: Customer,
    policy: ScoringPolicy,
    *,
    now: datetime,
    today: date,
    executive_names: dict,
    tickets: list | None = None,
) -> Scored:
    """The customer's score and its reasons, strongest first (an urgent flag always leads)."""
    tz = customer.zoneinfo
    points, ticket_points = signal_points(sig, policy)
    texts = _ticket_texts(sig.tickets, tickets, policy, now)
    if sig.flag is not None:
        texts["urgent_flag"] = texts["flag"] = _flag_text(sig.flag, tz)
    if sig.nps is not None:
        texts["nps_detractor"] = _survey_text(sig.nps, tz)
    if sig.csat is not None:
        texts["csat_low"] = _survey_text(sig.csat, tz)
    if sig.overdue:
        texts["overdue_commitment"] = _overdue_text(sig.overdue, today)
    if sig.carried_over:
        texts["carried_over"] = _carried_text(sig.carried_over, executive_names)
    reasons = [{"code": code, "text": texts[code], "points": p} for code, p in points]
    base = base_points(sig, policy)
    multiplier = value_multiplier(customer, policy)
    score = round(base * multiplier, 2)
    if base and multiplier != 1:
        revenue = f"${float(customer.annual_revenue):,.0f} a year"
        reasons.append(
            {
                "code": "account_value",
                "text": f"{policy.tier_name(customer.tier_id)} account, {revenue}: score × {multiplier:.2f}",
                "points": round(score - base, 2),
            }
        )
    for r in reasons:
        r["points"] = round(float(r["points"]), 2)
    # An urgent flag leads; the account's value only scales the others, so it comes last.
    reasons.sort(key=lambda r: (r["code"] != "urgent_flag", r["code"] == "account_value", -r["points"], r["code"]))
    return Scored(
        score=score, base=round(base, 2), multiplier=multiplier, reasons=reasons, ticket_points=round(ticket_points, 2)
    )


def listening_reason(week_start: date) -> dict:
    return {
        "code": "listening",
        "text": f"Listening call: no alarm at all, drawn at random for the week of {week_start.day} {week_start:%b}",
        "points": 0.0,
    }


def signal_values(sig: CustomerSignals | None, scored: Scored | None, customer: Customer) -> dict:
    """The raw values behind the score, stored on the entry so an admin can check a pick later."""
    values = {
        "annual_revenue": str(customer.annual_revenue),
        "tier": customer.tier_id,
        "multiplier": scored.multiplier if scored else None,
        "base_points": scored.base if scored else 0,
    }
    if sig is None:
        return values
    if sig.flag is not None:
        values["flag"] = {"id": sig.flag.id, "urgency": sig.flag.urgency, "created_at": sig.flag.created_at.isoformat()}
    for kind in ("nps", "csat"):
        r = getattr(sig, kind)
        if r is not None:
            values[kind] = {"id": r.id, "score": r.score, "responded_at": r.responded_at.isoformat()}
    if sig.tickets:
        values["tickets"] = {k: int(v or 0) for k, v in sig.tickets.items()}
        values["ticket_points_before_cap"] = scored.ticket_points if scored else None
    if sig.overdue:
        values["overdue_commitments"] = [
            {"promise": c["promise"], "due_date": c["due_date"].isoformat()} for c in sig.overdue
        ]
    if sig.carried_over:
        values["carried_over_from"] = sig.carried_over["week_start"].isoformat()
    return values
