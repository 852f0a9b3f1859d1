"""A company's own tiers: made on the policy page, in the Django admin, or by an import that meets a new label."""

import re

from django.db import IntegrityError, transaction

from ..models import Tier, tier_key

NEW_TIER_MULTIPLIER = 1.0


def tier_slug_for(name: str) -> str:
    """A free slug made from the label: "Key account" -> key_account (key_account_2 when taken)."""
    base = re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")[:36] or "tier"
    slug, n = base, 1
    while Tier.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}_{n}"
    return slug


@transaction.atomic
def tier_create(*, name: str, multiplier: float = NEW_TIER_MULTIPLIER) -> Tier:
    return Tier.objects.create(name=name.strip(), slug=tier_slug_for(name), multiplier=multiplier)


def tiers_save(*, formset) -> list[Tier]:
    """Saves the policy page's tiers: changed names and multipliers, and a new tier (its slug made here)."""
    saved = []
    for tier in formset.save(commit=False):
        if not tier.slug:
            tier.slug = tier_slug_for(tier.name)
        tier.save()
        saved.append(tier)
    return saved


class TierLabels:
    """Finds the tier a label names, ignoring case, spaces, "-" and "_" (tier_key), by name or slug;
    makes a tier (multiplier 1.0) for a label it has not seen. Reads the tiers once."""

    def __init__(self):
        self.by_key: dict[str, str] = {}
        for tier in Tier.objects.all():
            self.by_key.setdefault(tier_key(tier.slug), tier.slug)
            self.by_key[tier_key(tier.name)] = tier.slug
        self.created: list[str] = []

    def slug_for(self, label: str) -> str:
        key = tier_key(label)
        if key not in self.by_key:
            try:
                tier = tier_create(name=label)
                self.created.append(tier.name)
            except IntegrityError:  # the database folds case its own way ("İ"): the tier it says is the same
                tier = Tier.objects.named(label.strip()).first()
                if tier is None:
                    raise
            self.by_key[key] = tier.slug
        return self.by_key[key]
