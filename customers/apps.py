from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

# The four tiers every installation starts with (slug, name, multiplier); the migration that made
# tiers the company's own took their multipliers from the active scoring policy.
DEFAULT_TIERS = [
    ("strategic", "Strategic", 1.5),
    ("enterprise", "Enterprise", 1.3),
    ("mid_market", "Mid-market", 1.1),
    ("smb", "SMB", 1.0),
]


def _ensure_default_tiers(sender, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """An empty tier table (a fresh or flushed database) gets the four default tiers; otherwise
    only SMB, a new customer's tier, is put back if it went. An existing tier is never changed,
    and a default tier a company deleted stays deleted."""
    # flush (between transactional tests) sends no `apps`: the models as they are then.
    try:
        tiers = apps.get_model("customers", "Tier").objects.using(using)
    except LookupError:  # migrated back to before tiers were rows
        return
    empty = not tiers.exists()
    for slug, name, multiplier in DEFAULT_TIERS:
        if (empty or slug == "smb") and not tiers.filter(slug=slug).exists() and not tiers.filter(name=name).exists():
            tiers.create(slug=slug, name=name, multiplier=multiplier)


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"

    def ready(self):
        post_migrate.connect(_ensure_default_tiers, sender=self, dispatch_uid="customers.default_tiers")
