"""/program/topics/: what customers are telling us, by topic, over a period and the one before it.

Reads, whatever the amount of data: the active topics, then the period's and the previous period's
ticket subjects and tags, survey comments, call notes the viewer may read (`notes_readable_by`) and
promises, each narrowed in SQL to texts that contain a keyword; then a sample of recent ticket tags
and the names of the customers shown. Seven queries; texts are matched to topics in Python
(`Topic.matches`, a keyword at the start of a word, any case).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from customers.models import Customer, SupportTicket, SurveyResponse

from ..models import CallLog, Commitment, Topic, overdue_today

QUOTES_PER_TOPIC = 3
PROMISES_PER_TOPIC = 5
QUOTE_LENGTH = 220
TAG_SAMPLE = 5000  # the newest tagged tickets read for "other tags"
OTHER_TAGS = 12
SOURCES = {"ticket": "ticket", "survey": "survey comment", "note": "call note", "promise": "promise"}


@dataclass
class Quote:
    text: str
    at: datetime
    customer_id: int
    source: str  # "survey" or "note"
    label: str  # "NPS 3", "Anna Berg's call notes"
    private: bool = False
    customer: str = ""


@dataclass
class Promise:
    id: int
    promise: str
    status: str
    due_date: date
    customer_id: int
    made_at: datetime
    overdue: bool
    customer: str = ""

    @property
    def status_label(self) -> str:
        return "overdue" if self.overdue else Commitment.Status(self.status).label.lower()


@dataclass
class TopicRow:
    topic: Topic
    weekly: list[int]
    previous: int = 0
    customer_ids: set = field(default_factory=set)
    by_source: Counter = field(default_factory=Counter)
    quotes: list[Quote] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    open_promises: int = 0
    latest_survey: Quote | None = None  # the newest survey comment: the CSV's quote (no CSV carries notes)

    @property
    def mentions(self) -> int:
        return sum(self.weekly)

    @property
    def customers(self) -> int:
        return len(self.customer_ids)

    @property
    def sources(self) -> list[str]:
        """['3 tickets', '1 survey comment']: where the mentions came from, in words."""
        return [f"{n} {word}{'s' if n != 1 else ''}" for key, word in SOURCES.items() if (n := self.by_source[key])]

    @property
    def change(self) -> int:
        return self.mentions - self.previous

    @property
    def trend(self) -> str:
        """'new', 'gone', 'steady', '+50 %', '−25 %': this period against the one before."""
        if self.previous == 0:
            return "new" if self.mentions else "—"
        if self.mentions == 0:
            return "gone"
        if self.change == 0:
            return "steady"
        percent = round(100 * self.change / self.previous)
        return f"+{percent} %" if percent > 0 else f"−{-percent} %"

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down" if self.change < 0 else "flat"


@dataclass
class TopicsReport:
    start: date  # Monday of the first week
    end: date  # Monday of the last week
    previous_start: date
    weeks: list[date]
    rows: list[TopicRow]  # mentioned in this period or the last, most mentioned first
    quiet: list[Topic]  # mentioned in neither
    other_tags: list[tuple[str, int]]  # ticket tags of the period no topic covers, most used first
    topics: int

    @property
    def any_mentions(self) -> bool:
        return any(r.mentions for r in self.rows)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _keyword_q(field_name: str, topics: list[Topic]) -> Q:
    words = {w for t in topics for w in t.keyword_list}
    return reduce(or_, (Q(**{f"{field_name}__icontains": w}) for w in sorted(words)), Q(pk__in=[]))


def excerpt(text: str, topic: Topic) -> str:
    """The sentence of `text` that mentions the topic, at most QUOTE_LENGTH characters."""
    flat = " ".join(text.split())
    for sentence in re.split(r"(?<=[.!?])\s+", flat):
        match = topic.pattern.search(sentence)
        if match:
            if len(sentence) <= QUOTE_LENGTH:
                return sentence
            begin = max(0, min(match.start() - 60, len(sentence) - QUOTE_LENGTH + 1))
            cut = sentence[begin : begin + QUOTE_LENGTH - 1].strip()
            return ("…" if begin else "") + cut + "…"
    return flat[: QUOTE_LENGTH - 1] + ("…" if len(flat) >= QUOTE_LENGTH else "")


def topics_report(*, start: date, end: date, user) -> TopicsReport:
    """Topics over the weeks of `start` to `end` (Mondays), against as many weeks before them."""
    weeks = [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]
    previous_start = start - timedelta(weeks=len(weeks))
    since, begin, until = _moment(previous_start), _moment(start), _moment(end + timedelta(days=7))
    topics = list(Topic.objects.active())
    rows = {t.pk: TopicRow(topic=t, weekly=[0] * len(weeks)) for t in topics}
    texts = _texts(topics, since, until, user) if topics else []
    today = overdue_today()
    matched: dict[str, list[Topic]] = {}  # help desks repeat their subjects: match each text once
    for source, at, customer_id, text, extra in texts:
        current = at >= begin
        week = (timezone.localtime(at).date() - start).days // 7 if current else None
        if text not in matched:
            matched[text] = [t for t in topics if t.matches(text)]
        for topic in matched[text]:
            row = rows[topic.pk]
            if not current:
                row.previous += 1
                continue
            row.weekly[min(max(week, 0), len(weeks) - 1)] += 1
            row.customer_ids.add(customer_id)
            row.by_source[source] += 1
            if source in ("survey", "note"):
                row.quotes.append(Quote(excerpt(text, topic), at, customer_id, source, **extra))
            elif source == "promise":
                row.open_promises += extra["status"] == Commitment.Status.OPEN
                overdue = extra["status"] == Commitment.Status.OPEN and extra["due_date"] < today
                row.promises.append(
                    Promise(promise=text, customer_id=customer_id, made_at=at, overdue=overdue, **extra)
                )
    shown = sorted(rows.values(), key=lambda r: (-r.mentions, -r.previous, r.topic.position, r.topic.name))
    for row in shown:
        row.quotes = sorted(row.quotes, key=lambda q: q.at, reverse=True)
        row.latest_survey = next((q for q in row.quotes if q.source == "survey"), None)
        row.quotes = row.quotes[:QUOTES_PER_TOPIC]
        row.promises = sorted(row.promises, key=lambda p: p.made_at, reverse=True)[:PROMISES_PER_TOPIC]
    _name_customers(shown)
    return TopicsReport(
        start=start,
        end=end,
        previous_start=previous_start,
        weeks=weeks,
        rows=[r for r in shown if r.mentions or r.previous],
        quiet=[r.topic for r in shown if not (r.mentions or r.previous)],
        other_tags=_other_tags(topics, begin, until),
        topics=len(topics),
    )


def _texts(topics: list[Topic], since: datetime, until: datetime, user) -> list[tuple]:
    """(source, at, customer id, text, extra) of every text in [since, until) that may mention a topic."""
    texts = []
    tickets = (
        SupportTicket.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(tags_text=Cast("tags", TextField()))
        .filter(_keyword_q("subject", topics) | _keyword_q("tags_text", topics))
        .values_list("created_at", "customer_id", "subject", "tags")
    )
    for at, customer_id, subject, tags in tickets:
        tag_words = " ".join(str(t) for t in tags) if isinstance(tags, list) else ""
        texts.append(("ticket", at, customer_id, f"{subject} {tag_words}".strip(), {}))
    surveys = (
        SurveyResponse.objects.filter(responded_at__gte=since, responded_at__lt=until)
        .exclude(comment="")
        .filter(_keyword_q("comment", topics))
        .values_list("responded_at", "customer_id", "comment", "kind", "score")
    )
    for at, customer_id, comment, kind, score in surveys:
        texts.append(("survey", at, customer_id, comment, {"label": f"{kind.upper()} {score}"}))
    calls = (
        CallLog.objects.notes_readable_by(user)
        .filter(called_at__gte=since, called_at__lt=until)
        .exclude(notes="")
        .filter(_keyword_q("notes", topics))
        .values_list(
            "called_at",
            "customer_id",
            "notes",
            "notes_private",
            "executive__user__first_name",
            "executive__user__last_name",
            "executive__user__email",
        )  # fmt: skip
    )
    for at, customer_id, notes, private, first, last, email in calls:
        name = f"{first} {last}".strip() or email
        texts.append(("note", at, customer_id, notes, {"label": f"{name}'s call notes", "private": private}))
    promises = (
        Commitment.objects.filter(created_at__gte=since, created_at__lt=until)
        .filter(_keyword_q("promise", topics))
        .values_list("created_at", "customer_id", "promise", "id", "status", "due_date")
    )
    for at, customer_id, promise, pk, status, due_date in promises:
        texts.append(("promise", at, customer_id, promise, {"id": pk, "status": status, "due_date": due_date}))
    return texts


def _other_tags(topics: list[Topic], begin: datetime, until: datetime) -> list[tuple[str, int]]:
    """Tags on the period's newest TAG_SAMPLE tagged tickets that no topic's keywords cover (the
    `ceo-call` tag is ours, not the customer's, and left out)."""
    counts = Counter()
    tagged = (
        SupportTicket.objects.filter(created_at__gte=begin, created_at__lt=until)
        .exclude(tags=[])
        .order_by("-created_at")
        .values_list("tags", flat=True)[:TAG_SAMPLE]
    )
    for tags in tagged:
        for tag in tags if isinstance(tags, list) else []:
            tag = str(tag).strip().lower()
            if tag and tag != settings.CEO_CALL_TAG.lower() and not any(t.matches(tag) for t in topics):
                counts[tag] += 1
    return counts.most_common(OTHER_TAGS)


def _name_customers(rows: list[TopicRow]) -> None:
    def shown(row):
        return [*row.quotes, *row.promises, *([row.latest_survey] if row.latest_survey else [])]

    ids = {item.customer_id for row in rows for item in shown(row)}
    names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for row in rows:
        for item in shown(row):
            item.customer = names.get(item.customer_id, f"Customer #{item.customer_id}")
