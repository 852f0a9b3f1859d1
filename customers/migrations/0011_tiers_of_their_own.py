"""Tiers become rows: the four labels of before, with the multipliers of the active scoring policy
(which kept them until now), and any other value already stored in customers.tier."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


DEFAULTS = [
    ("strategic", "Strategic", "tier_multiplier_strategic", 1.5),
    ("enterprise", "Enterprise", "tier_multiplier_enterprise", 1.3),
    ("mid_market", "Mid-market", "tier_multiplier_mid_market", 1.1),
    ("smb", "SMB", "tier_multiplier_smb", 1.0),
]


def make_tiers(apps, schema_editor):
    Tier = apps.get_model("customers", "Tier")
    Customer = apps.get_model("customers", "Customer")
    ScoringPolicy = apps.get_model("callsheets", "ScoringPolicy")
    policy = ScoringPolicy.objects.filter(is_active=True).first()
    for slug, name, field, multiplier in DEFAULTS:
        Tier.objects.get_or_create(
            slug=slug, defaults={"name": name, "multiplier": getattr(policy, field) if policy else multiplier}
        )
    by_key = {_key(t.name): t.slug for t in Tier.objects.all()}
    for value in Customer.objects.exclude(tier__in=by_key.values()).values_list("tier", flat=True).distinct():
        if _key(value) in by_key:  # "Mid Market" stored by hand: the Mid-market tier
            Customer.objects.filter(tier=value).update(tier=by_key[_key(value)])
            continue
        Tier.objects.create(slug=value or "unnamed", name=value or "Unnamed", multiplier=1.0)
        by_key[_key(value)] = value


def _key(label: str) -> str:
    return "".join(ch for ch in (label or "").lower() if ch not in " -_")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_imported_dates_in_range"),
        ("callsheets", "0010_merge_followups_urgent_pinned"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("slug", models.SlugField(allow_unicode=True, max_length=40, unique=True)),
                (
                    "multiplier",
                    models.FloatField(
                        default=1.0,
                        help_text="The builder multiplies a customer's points by this (before the revenue weight).",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-multiplier", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("multiplier__gte", 0)),
                        name="tier_multiplier_not_negative",
                        violation_error_message="A tier's multiplier cannot be negative.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True),
                        name="tier_name_not_empty",
                        violation_error_message="A tier needs a name.",
                    ),
                    models.UniqueConstraint(
                        django.db.models.functions.text.Replace(
                            django.db.models.functions.text.Replace(
                                django.db.models.functions.text.Replace(
                                    django.db.models.functions.text.Lower("name"), models.Value(" "), models.Value("")
                                ),
                                models.Value("-"),
                                models.Value(""),
                            ),
                            models.Value("_"),
                            models.Value(""),
                        ),
                        name="tier_name_unique_ignoring_case_and_separators",
                        violation_error_message="A tier of this name exists already (case, spaces, - and _ aside).",
                    ),
                ],
            },
        ),
        migrations.RunPython(make_tiers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="customer",
            name="tier",
            field=models.ForeignKey(
                db_column="tier",
                default="smb",
                help_text="The company's own segment label; its multiplier weighs the customer's score.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="customers.tier",
                to_field="slug",
            ),
        ),
    ]
