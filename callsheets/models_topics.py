"""What customers talk about: topics, each a name and the words that mark it (/program/topics/)."""

import re
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models

# The topics /program/topics/ starts with (migration 0009, and seed_demo on an empty table); program
# admins edit them in the admin (Call sheets → Topics).
DEFAULT_TOPICS = [
    (
        "Outages & reliability",
        "outage, downtime, incident, postmortem, root cause, down for, crash, broke, broken, 502",
    ),
    ("Performance", "slow, performance, times out, timeout, latency, page loads, peak hours, lag"),
    ("Billing", "billing, invoice, charged, double charge, refund, payment, credit"),
    ("Pricing/renewal", "price, pricing, renewal, renew, expensive, discount, contract, cost"),
    ("Support responsiveness", "support, waited, reply, response time, nobody answers, sla, account manager, ticket"),
    ("Integrations", "integration, api, webhook, sync, salesforce, quickbooks, okta, import"),
    ("Sign-in & SSO", "sso, log in, login, locked out, logged out, password, two-factor"),
    ("Onboarding", "onboarding, training, setup, set up, configuring, getting started"),
    ("Product gaps", "feature request, roadmap, missing, export, custom fields, we need, would like, asked for"),
]
MAX_KEYWORDS = 40
MAX_KEYWORD_LENGTH = 60


def parse_keywords(text: str) -> list[str]:
    """'Billing, invoice\\nrefund' → ['billing', 'invoice', 'refund']: commas or new lines, lower case, no repeats."""
    seen = []
    for part in re.split(r"[,\n]", text or ""):
        word = " ".join(part.split()).lower()
        if word and word not in seen:
            seen.append(word)
    return seen


def validate_keywords(text: str) -> None:
    words = parse_keywords(text)
    if not words:
        raise ValidationError("Give at least one keyword, separated by commas.")
    if len(words) > MAX_KEYWORDS:
        raise ValidationError(f"Give at most {MAX_KEYWORDS} keywords; these are {len(words)}.")
    long = [w for w in words if len(w) > MAX_KEYWORD_LENGTH]
    if long:
        raise ValidationError(f"A keyword can be at most {MAX_KEYWORD_LENGTH} characters; {long[0][:20]!r}… is longer.")


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Topic(models.Model):
    """A subject customers raise. A text mentions it when one of its keywords starts a word of the text,
    in any case: "sync" matches "Sync" and "synced", "api" does not match "rapid"."""

    name = models.CharField(max_length=80, unique=True)
    keywords = models.TextField(
        validators=[validate_keywords],
        help_text="Words or phrases, separated by commas: 'invoice, refund, charged twice'. Case does not matter; "
        "a keyword matches the start of a word, so 'integration' also finds 'integrations'.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the page when counts tie.")
    is_active = models.BooleanField(default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @cached_property
    def keyword_list(self) -> list[str]:
        return parse_keywords(self.keywords)

    @cached_property
    def pattern(self) -> re.Pattern:
        words = sorted(self.keyword_list, key=len, reverse=True)
        if not words:
            return re.compile(r"(?!)")  # matches nothing
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)

    def matches(self, text: str) -> bool:
        return bool(text) and self.pattern.search(text) is not None


def topics_seed_defaults(topic_model=None) -> int:
    """Creates DEFAULT_TOPICS when there is no topic at all (an admin who removed some keeps the rest);
    returns how many it created. Run by migration 0009 and by seed_demo."""
    topic_model = topic_model or Topic
    if topic_model.objects.exists():
        return 0
    topic_model.objects.bulk_create(
        topic_model(name=name, keywords=keywords, position=position)
        for position, (name, keywords) in enumerate(DEFAULT_TOPICS, start=1)
    )
    return len(DEFAULT_TOPICS)
