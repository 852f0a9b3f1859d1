"""A company's own tiers: defaults from the migration, labels from imports, multipliers on the policy page."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from callsheets.builder.scoring import value_multiplier
from callsheets.models import ScoringPolicy
from customers.models import Customer, Tier
from tests.factories import AdminFactory, CustomerFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_the_migration_makes_the_four_labels_of_before_with_their_multipliers():
    tiers = {t.slug: (t.name, t.multiplier) for t in Tier.objects.all()}
    assert tiers == {
        "strategic": ("Strategic", 1.5),
        "enterprise": ("Enterprise", 1.3),
        "mid_market": ("Mid-market", 1.1),
        "smb": ("SMB", 1.0),
    }
    assert Customer().tier_id == "smb"


def test_labels_that_differ_in_case_spaces_dashes_or_underscores_are_one_tier():
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.create(name="MID market", slug="mid_market_2")
    assert Tier.objects.named("mid_MARKET").get().slug == "mid_market"


CUSTOMERS = (
    "external_id,name,tier\n"
    "C-1,Acme,Growth\n"
    "C-2,Borealis,growth\n"
    "C-3,Cobalt,Key account\n"
    "C-4,Dune,KEY_ACCOUNT\n"
    "C-5,Elm,mid market\n"
    "C-6,Fjord,Strategic\n"
    "C-7,Gale,\n"
)


def test_an_import_with_new_labels_makes_them_with_multiplier_1_and_says_so(run_command, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    code, out, err = run_command("import_customers", path)
    assert code == 0, err
    assert out.strip().splitlines()[-1] == (
        "c.csv: created 7, updated 0, unchanged 0, rejected 0, new tiers Growth, Key account (multiplier 1.0)"
    )
    assert dict(Customer.objects.values_list("external_id", "tier_id")) == {
        "C-1": "growth",
        "C-2": "growth",
        "C-3": "key_account",
        "C-4": "key_account",
        "C-5": "mid_market",
        "C-6": "strategic",
        "C-7": "smb",
    }
    assert Tier.objects.get(slug="key_account").multiplier == 1.0

    code, out, _ = run_command("import_customers", path)
    assert out.strip().splitlines()[-1] == "c.csv: created 0, updated 0, unchanged 7, rejected 0"


def test_a_dry_run_names_new_labels_but_makes_none(run_command, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    code, out, _ = run_command("import_customers", path, "--dry-run")
    assert code == 0 and "new tiers Growth, Key account (multiplier 1.0); dry run" in out
    assert not Tier.objects.filter(slug="growth").exists()


def test_a_renamed_tier_keeps_its_customers_and_matches_its_new_name(run_command, tmp_path):
    Tier.objects.filter(slug="strategic").update(name="Key account")
    path = tmp_path / "c.csv"
    path.write_text("external_id,name,tier\nC-1,Acme,key-account\nC-2,Borealis,strategic\n")
    code, out, err = run_command("import_customers", path)
    assert code == 0, err
    assert "new tiers" not in out
    assert set(Customer.objects.values_list("tier_id", flat=True)) == {"strategic"}


def test_the_builder_uses_the_tiers_multiplier():
    growth = TierFactory(name="Growth", slug="growth", multiplier=2.0)
    customer = CustomerFactory(tier="growth", annual_revenue=Decimal(10_000))
    policy = ScoringPolicy.objects.active()
    assert value_multiplier(customer, policy) == 2.0
    growth.multiplier = 0.5
    growth.save()
    assert value_multiplier(customer, ScoringPolicy.objects.active()) == 0.5  # a new policy object reads again
    assert policy.tier_snapshot()["tier_multiplier_growth"] == 2.0


def test_the_policy_page_edits_and_adds_tiers(client):
    client.force_login(AdminFactory())
    page = client.get("/program/policy/").content.decode()
    assert 'name="tiers-0-name"' in page and 'value="Strategic"' in page
    policy = ScoringPolicy.objects.active()
    data = {k: v for k, v in policy.snapshot().items() if not k.startswith("tier_multiplier_")}
    data = {k: v for k, v in data.items() if v is not None and k not in ("is_active", "id")}
    tiers = list(Tier.objects.all())
    form = {"tiers-TOTAL_FORMS": len(tiers) + 1, "tiers-INITIAL_FORMS": len(tiers)}
    for i, t in enumerate(tiers):
        form |= {f"tiers-{i}-id": t.pk, f"tiers-{i}-name": t.name, f"tiers-{i}-multiplier": t.multiplier}
    form |= {
        "tiers-0-multiplier": 2.5,
        f"tiers-{len(tiers)}-name": "Key account",
        f"tiers-{len(tiers)}-multiplier": 1.8,
    }
    response = client.post("/program/policy/", data | form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Tier.objects.get(pk=tiers[0].pk).multiplier == 2.5
    assert Tier.objects.get(name="Key account").slug == "key_account"

    form |= {"tiers-1-multiplier": -1, f"tiers-{len(tiers)}-name": ""}
    form["tiers-INITIAL_FORMS"] = len(tiers)
    response = client.post("/program/policy/", data | form)
    assert response.status_code == 400
    assert f"{tiers[1].name}&#x27;s multiplier cannot be negative (-1)." in response.content.decode()


def test_the_customer_search_filters_by_any_tier(client):
    TierFactory(name="Growth", slug="growth")
    CustomerFactory(name="Acme", tier="growth")
    CustomerFactory(name="Borealis")
    client.force_login(AdminFactory())
    page = client.get("/customers/", {"tier": "growth"}).content.decode()
    assert "Acme" in page and "Borealis" not in page and '<option value="growth" selected>Growth</option>' in page
