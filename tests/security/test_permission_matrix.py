"""The permission matrix: every page Django resolves × every identity × the methods it takes, each with the
status the README promises ("Roles", "Pages"), and IDOR sweeps over every id a URL can name.

A page added without a row here fails `test_every_url_django_resolves_has_a_row`; a path the README's
Pages table names without a row fails `test_every_path_of_the_readmes_pages_table_has_a_row`.
One world for the whole module (tests/security/world.py), rolled back at its end.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from callsheets.models import CallLog, Commitment, Executive, SheetEntry
from ceocalls.roles import ROLE_PERMISSIONS
from customers.models import Customer, Flag
from imports.models import ImportRun
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday: this week's slots (Tuesdays) are over
README = Path(__file__).resolve().parents[2] / "README.md"
IDENTITIES = ("anonymous", "exec_a", "exec_b", "lead", "admin", "superuser", "nobody")
LOGIN = "login"  # anonymous: a redirect to the sign-in page (or the admin's), never the page


def expect(default, **overrides) -> dict:
    unknown = set(overrides) - set(IDENTITIES)
    assert not unknown, unknown
    return {who: overrides.get(who, default) for who in IDENTITIES}


# Who may open what (README "Roles"); a page that is not for your role answers 403.
EVERYONE = expect(200)
SIGNED_IN = expect(200, anonymous=LOGIN)
CUSTOMERS = expect(200, anonymous=LOGIN, nobody=403)  # executives, leads, admins
LEADS = expect(200, anonymous=LOGIN, exec_a=403, exec_b=403, nobody=403)  # leads and admins
ADMINS = expect(200, anonymous=LOGIN, exec_a=403, exec_b=403, lead=403, nobody=403)
SHEETS = expect(200, anonymous=LOGIN, lead=403, nobody=403)  # executives (own) and admins


def only(default_ok, *, owners, strangers=404, **extra) -> dict:
    """A private thing: `owners` (and admins) get `default_ok`, other signed-in people `strangers`."""
    table = expect(strangers, anonymous=LOGIN, admin=default_ok, superuser=default_ok, **extra)
    for who in owners:
        table[who] = default_ok
    return table


@dataclass
class Row:
    name: str  # the URL's name, as reverse() takes it
    method: str
    expected: dict
    args: object = None  # callable(world) -> list of URL arguments
    query: str = ""
    data: dict = field(default_factory=dict)
    note: str = ""

    def url(self, world) -> str:
        url = reverse(self.name, args=self.args(world) if self.args else None)
        return f"{url}?{self.query.format(w=world)}" if self.query else url

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{' ' + self.note if self.note else ''}"


def week(w):
    return [w.week.isoformat()]


MATRIX = [
    # Signing in and out, and the password pages (README, "Signing in")
    Row("home", "GET", expect(200, anonymous=LOGIN, exec_a=302, exec_b=302), note="an executive lands on the sheet"),
    Row("healthz", "GET", EVERYONE),
    Row("healthz", "POST", expect(405)),
    Row("favicon", "GET", EVERYONE),
    Row("login", "GET", expect(302, anonymous=200), note="signed in: on to the start page"),
    Row("login", "POST", expect(302, anonymous=200), data={"username": "x@example.com", "password": "wrong"}),
    Row("logout", "POST", expect(LOGIN), note="back to the sign-in page"),
    Row("logout", "GET", expect(405)),
    Row("password_change", "GET", SIGNED_IN),
    Row("password_change", "POST", SIGNED_IN, note="empty: the form says what is missing"),
    Row("password_change_done", "GET", SIGNED_IN),
    Row("password_reset", "GET", EVERYONE),
    Row("password_reset", "POST", expect(302), data={"email": "unknown@example.com"}),
    Row("password_reset_done", "GET", EVERYONE),
    Row("password_reset_confirm", "GET", EVERYONE, args=lambda w: ["MQ", "not-a-token"], note="a dead link says so"),
    Row("password_reset_complete", "GET", EVERYONE),
    # Customers: executives may look up any customer (CONTRACT §2), leads and admins too
    Row("customers:list", "GET", CUSTOMERS),
    Row("customers:detail", "GET", CUSTOMERS, args=lambda w: [w.customer_a.pk], note="on A's sheet"),
    Row("customers:detail", "GET", CUSTOMERS, args=lambda w: [w.customer_b.pk], note="on B's sheet"),
    Row("customers:detail", "GET", CUSTOMERS, args=lambda w: [w.customer_free.pk], note="on no sheet"),
    Row("customers:detail", "GET", expect(404, anonymous=LOGIN, nobody=403), args=lambda w: [999999], note="none"),
    Row("customers:outlook", "GET", CUSTOMERS, args=lambda w: [w.customer_a.pk], note="on A's sheet"),
    Row("customers:outlook", "GET", CUSTOMERS, args=lambda w: [w.customer_free.pk], note="on no sheet"),
    Row("customers:outlook", "GET", expect(404, anonymous=LOGIN, nobody=403), args=lambda w: [999999], note="none"),
    # Flags: leads share one queue; executives get 403
    Row("flags:list", "GET", LEADS),
    Row("flags:new", "GET", LEADS),
    Row("flags:new", "POST", LEADS, note="empty: the form says what is missing"),
    Row("flags:detail", "GET", LEADS, args=lambda w: [w.flag_lead.pk], note="the lead's own"),
    Row("flags:detail", "GET", LEADS, args=lambda w: [w.flag_other_lead.pk], note="another lead's"),
    Row(
        "flags:add_note",
        "POST",
        {**LEADS, "lead": 400, "admin": 400, "superuser": 400},
        args=lambda w: [w.flag_other_lead.pk],
    ),
    Row(
        "flags:add_note",
        "GET",
        expect(405, anonymous=LOGIN, exec_a=403, exec_b=403, nobody=403),
        args=lambda w: [w.flag_other_lead.pk],
    ),
    Row("flags:dismiss", "POST", {**ADMINS, "admin": 400, "superuser": 400}, args=lambda w: [w.flag_other_lead.pk]),
    Row("flags:dismiss", "GET", {**ADMINS, "admin": 405, "superuser": 405}, args=lambda w: [w.flag_other_lead.pk]),
    Row(
        "flags:add_contact",
        "POST",
        {**LEADS, "lead": 400, "admin": 400, "superuser": 400},
        args=lambda w: [w.flag_other_lead.pk],
        note="empty: the form says what is missing",
    ),
    Row(
        "flags:add_contact",
        "GET",
        expect(405, anonymous=LOGIN, exec_a=403, exec_b=403, nobody=403),
        args=lambda w: [w.flag_other_lead.pk],
    ),
    Row("flags:place", "POST", {**ADMINS, "admin": 400, "superuser": 400}, args=lambda w: [w.flag_other_lead.pk]),
    Row("flags:place", "GET", {**ADMINS, "admin": 405, "superuser": 405}, args=lambda w: [w.flag_other_lead.pk]),
    Row(
        "flags:urgent_hand_over",
        "POST",
        {**ADMINS, "admin": 400, "superuser": 400},
        args=lambda w: [w.urgent_call_a.flag_id],
        note="empty: the form says what is missing",
    ),
    Row(
        "flags:urgent_hand_over",
        "GET",
        {**ADMINS, "admin": 405, "superuser": 405},
        args=lambda w: [w.urgent_call_a.flag_id],
    ),
    # Commitments: admin all, executive made, owner owned (any signed-in user may own one)
    Row("commitments:list", "GET", SIGNED_IN),
    Row("commitments:list", "GET", SIGNED_IN, query="format=csv", note="CSV"),
    Row("commitments:bulk", "POST", expect(400, anonymous=LOGIN), note="nothing ticked"),
    Row("commitments:bulk", "GET", expect(405, anonymous=LOGIN)),
    Row("commitments:detail", "GET", only(200, owners=["exec_a"]), args=lambda w: [w.commitment_a.pk], note="A's"),
    Row(
        "commitments:detail",
        "GET",
        only(200, owners=["exec_b", "lead"]),
        args=lambda w: [w.commitment_b_for_lead.pk],
        note="made by B, owned by the lead",
    ),
    Row("commitments:action", "POST", only(400, owners=["exec_a"]), args=lambda w: [w.commitment_a.pk, "told"]),
    Row(
        "commitments:action",
        "POST",
        expect(404, anonymous=LOGIN),
        args=lambda w: [w.commitment_a.pk, "explode"],
        note="unknown action",
    ),
    # The program: admins only
    Row("program:page", "GET", ADMINS),
    Row("program:page", "GET", ADMINS, query="format=csv&table=calls", note="CSV"),
    Row("program:build", "POST", {**ADMINS, "admin": 302, "superuser": 302}, data={"week": "2026-11-30"}),
    Row("program:build", "GET", {**ADMINS, "admin": 405, "superuser": 405}),
    Row("program:build_status", "GET", ADMINS),
    Row("program:policy", "GET", ADMINS),
    Row("program:policy", "POST", {**ADMINS, "admin": 400, "superuser": 400}, note="empty"),
    Row("program:policy_survey_preview", "GET", ADMINS),
    Row("program:policy_survey_preview", "GET", ADMINS, query="survey_alarm_kind=nps&survey_alarm_max_score=1"),
    Row("program:executives", "GET", ADMINS),
    # What customers are telling us: admins and executives (README "Pages")
    Row("program:topics", "GET", SHEETS),
    Row("program:topics", "GET", SHEETS, query="format=csv", note="CSV"),
    Row(
        "program:topics",
        "GET",
        {**SHEETS, "exec_a": 400, "exec_b": 400, "admin": 400, "superuser": 400},
        query="start=9999-01-01",
        note="a year out of range: 400, never a 500",
    ),  # fmt: skip
    Row("program:topics", "POST", {**SHEETS, "exec_a": 405, "exec_b": 405, "admin": 405, "superuser": 405}),
    Row("program:executive_slot", "POST", {**ADMINS, "admin": 400, "superuser": 400}, args=lambda w: [w.exec_a.pk]),
    Row("program:executive_slot", "GET", {**ADMINS, "admin": 405, "superuser": 405}, args=lambda w: [w.exec_a.pk]),
    # The call sheet: an executive's own, an admin anyone's with ?executive=
    Row("callsheets:current", "GET", SHEETS),
    Row("callsheets:current", "GET", {**SHEETS, "exec_a": 404}, query="executive={w.exec_b.pk}", note="B's"),
    Row("callsheets:week", "GET", SHEETS, args=week),
    Row("callsheets:week", "GET", {**SHEETS, "exec_a": 404}, args=week, query="executive={w.exec_b.pk}", note="B's"),
    Row("callsheets:print", "GET", SHEETS, args=week),
    Row("callsheets:print", "GET", {**SHEETS, "exec_a": 404}, args=week, query="executive={w.exec_b.pk}", note="B's"),
    Row(
        "callsheets:entry_log",
        "POST",
        only(200, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.entry_a.pk],
        note="empty: the card says what is missing",
    ),
    Row(
        "callsheets:entry_log",
        "GET",
        only(200, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.entry_a.pk],
        note="the card's form, opened",
    ),
    Row(
        "callsheets:entry_skip",
        "POST",
        only(302, owners=["exec_b"], lead=403, nobody=403),
        args=lambda w: [w.entry_b_pending.pk],
    ),
    # The follow-up to the customer after a call: the executive who made it, and admins
    Row(
        "callsheets:call_follow_up",
        "GET",
        only(200, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.call_a.pk],
        note="A's call",
    ),
    Row(
        "callsheets:call_follow_up",
        "GET",
        only(200, owners=["exec_b"], lead=403, nobody=403),
        args=lambda w: [w.call_b.pk],
        note="B's call, notes private",
    ),
    Row(
        "callsheets:call_follow_up",
        "POST",
        only(400, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.call_a.pk],
        note="empty: the form says what is missing, nothing is sent",
    ),
    Row(
        "callsheets:call_follow_up",
        "GET",
        expect(404, anonymous=LOGIN, lead=403, nobody=403),
        args=lambda w: [999999],
        note="none",
    ),
    Row(
        "callsheets:urgent_log",
        "POST",
        only(200, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.urgent_call_a.pk],
        note="empty: the card says what is missing",
    ),
    Row(
        "callsheets:urgent_log",
        "GET",
        {**SHEETS, "exec_a": 405, "exec_b": 405, "admin": 405, "superuser": 405},
        args=lambda w: [w.urgent_call_a.pk],
    ),
    Row(
        "callsheets:urgent_acknowledge",
        "POST",
        only(302, owners=["exec_a"], lead=403, nobody=403),
        args=lambda w: [w.urgent_call_a.pk],
    ),
    Row(
        "callsheets:urgent_acknowledge",
        "GET",
        {**SHEETS, "exec_a": 405, "exec_b": 405, "admin": 405, "superuser": 405},
        args=lambda w: [w.urgent_call_a.pk],
    ),
    # Imports and webhooks
    Row("imports:list", "GET", ADMINS),
    Row("imports:list", "POST", ADMINS, note="no file: the form says so"),
    Row("imports:detail", "GET", ADMINS, args=lambda w: [w.import_run.pk]),
    Row("imports:confirm", "POST", {**ADMINS, "admin": 302, "superuser": 302}, args=lambda w: [w.import_run.pk]),
    Row("imports:sample", "GET", ADMINS, args=lambda w: ["tickets-zendesk.csv"]),
    Row(
        "imports:left_out",
        "GET",
        {**ADMINS, "admin": 404, "superuser": 404},
        args=lambda w: [w.import_run.pk],
        note="the world's run left no rows out",
    ),
    Row("imports:tickets_webhook", "POST", expect(401), note="unsigned, whoever is signed in"),
    Row("imports:tickets_webhook", "GET", expect(405)),
    Row("imports:surveys_webhook", "POST", expect(401)),
    Row("imports:surveys_webhook", "GET", expect(405)),
    # E-mail and calendar: the feed's token is its only credential
    Row("notifications:calendar_feed", "GET", EVERYONE, args=lambda w: [w.exec_a.calendar_token]),
    Row("notifications:calendar_feed", "GET", expect(404), args=lambda w: ["not-a-token"], note="wrong token"),
    Row(
        "notifications:calendar_token_rotate",
        "POST",
        only(302, owners=["exec_a"]),
        args=lambda w: [w.exec_a.pk],
        note="A's feed",
    ),
    Row("notifications:calendar_token_rotate", "GET", expect(405, anonymous=LOGIN), args=lambda w: [w.exec_a.pk]),
    Row("notifications:preferences", "GET", SIGNED_IN),
    Row("notifications:preferences", "POST", SIGNED_IN, note="nothing posted: the form again"),
    # Pages of our own, and Django's own beyond a model's five, inside the admin
    Row(
        "admin:auth_user_password_change",
        "GET",
        expect(LOGIN, admin=403, superuser=200),
        args=lambda w: [w.users["nobody"].pk],
        note="another user's password: the superuser's",
    ),
    Row(
        "admin:callsheets_callsheet_build_next_week",
        "POST",
        expect(LOGIN, admin=302, superuser=302),
        note="staff with the build permission",
    ),
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every role and one of everything, built once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        yield build_world(NOW)
        transaction.set_rollback(True)


def request_as(client, world, who: str, method: str, url: str, data=None):
    """`who` signs in (or out, for anonymous) and sends one request."""
    client.logout()
    if world.users[who] is not None:
        client.force_login(world.users[who])
    return send(client, method, url, data)


def send(client, method: str, url: str, data=None):
    return client.generic(method, url, data=urlencode(data or {}), content_type="application/x-www-form-urlencoded")


def _outcome(response) -> object:
    if response.status_code == 302 and re.match(r"^/(admin/)?(accounts/)?login/", response.get("Location", "")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_each_page_answers_each_identity_as_the_readme_says(client, world, row):
    url = row.url(world)
    seen = {who: _outcome(request_as(client, world, who, row.method, url, row.data)) for who in IDENTITIES}
    assert seen == row.expected, f"{row.method} {url}"


# --- Completeness: a page without a row fails ---------------------------------------------------


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _url_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


ADMIN_SITE_PAGES = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n", "autocomplete"}
ADMIN_SITE_PAGES |= {"app_list", "view_on_site"}
ADMIN_MODEL_PAGES = ("changelist", "add", "history", "delete", "change")


def _admin_name_is_swept(name: str) -> bool:
    """The Django admin's own pages are covered by the admin sweep below: its site pages, and the
    pages of every registered model."""
    short = name.removeprefix("admin:")
    if short in ADMIN_SITE_PAGES or short.startswith("<unnamed"):  # the admin's redirects and catch-all
        return True
    models = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    return any(short == f"{model}_{page}" for model in models for page in ADMIN_MODEL_PAGES)


def test_every_url_django_resolves_has_a_row():
    rows = {row.name for row in MATRIX}
    missing = [
        name
        for name in _url_names(get_resolver().url_patterns)
        if name not in rows and not (name.startswith("admin:") and _admin_name_is_swept(name))
    ]
    assert not missing, f"Pages without a row in the permission matrix: {missing}"


def _readme_pages_paths() -> list[str]:
    text = README.read_text()
    section = text.split("\n## Pages\n", 1)[1].split("\n## ", 1)[0]
    paths = []
    for line in section.splitlines():
        if line.startswith("| `/") or line.startswith("| `…"):
            paths += re.findall(r"`(/[^`]*)`", line)
    return paths


def _concrete(path: str) -> str:
    path = path.split("?", 1)[0]
    path = path.replace("YYYY-MM-DD", "2026-11-23").replace("<uid>", "MQ").replace("<token>", "tok")
    path = re.sub(r"<[a-z_]+>", "1", path)
    return path.replace("…", "")


def test_every_path_of_the_readmes_pages_table_has_a_row():
    paths = _readme_pages_paths()
    assert len(paths) > 20, paths
    rows = {row.name for row in MATRIX}
    names = {}
    for path in paths:
        match = resolve(_concrete(path))
        names[path] = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    missing = {path: name for path, name in names.items() if name not in rows and not name.startswith("admin:")}
    assert not missing, f"README paths without a row in the permission matrix: {missing}"


# --- The Django admin: staff only; program admins (staff) see every model of the project ---------


def _admin_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


# Program admins run the program, not the accounts: groups are the superuser's (users are read-only,
# for the executive form's user picker).
ADMIN_GROUP_HIDDEN = {"auth.Group"}


@pytest.mark.parametrize("model", _admin_models(), ids=lambda m: m._meta.label)
def test_the_django_admin_is_for_staff(client, world, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    admin_sees = 403 if model._meta.label in ADMIN_GROUP_HIDDEN else 200
    expected = expect(LOGIN, admin=admin_sees, superuser=200)
    seen = {who: _outcome(request_as(client, world, who, "GET", url)) for who in IDENTITIES}
    assert seen == expected, url
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk])
        client.force_login(world.users["lead"])
        assert _outcome(client.get(change)) == LOGIN, change
        client.force_login(world.users["admin"])
        assert client.get(change).status_code in ({403} if admin_sees == 403 else {200}), change


def test_the_admin_site_pages(client, world):
    for who, status in (("anonymous", LOGIN), ("exec_a", LOGIN), ("lead", LOGIN), ("admin", 200), ("superuser", 200)):
        assert _outcome(request_as(client, world, who, "GET", reverse("admin:index"))) == status, who
    client.logout()
    assert client.get(reverse("admin:login")).status_code == 200


def test_every_role_holds_the_permissions_it_is_given():
    """After `migrate` (and after a test database is flushed), not only after a second one."""
    for name, codes in ROLE_PERMISSIONS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")
        }
        assert set(codes) <= held, (name, set(codes) - held)


# --- IDOR sweeps: every id a URL can name, as each identity ------------------------------------


@dataclass
class Sweep:
    name: str
    method: str
    ids: object  # callable(world) -> list of ids to try (every row of the table, and one that is not)
    allowed: object  # callable(world, who, id) -> bool: this identity may reach it
    ok: int  # the status when allowed; a private thing answers 404 otherwise
    refused: dict = field(default_factory=dict)  # identity -> status when its role may not open the page at all
    url: object = None  # callable(id) -> url, when not reverse(name, args=[id])


def _all(model):
    return lambda w: [*model.objects.order_by("pk").values_list("pk", flat=True), 987654]


def _sheet_of(entry_id) -> int | None:
    return SheetEntry.objects.filter(pk=entry_id).values_list("sheet__executive__user_id", flat=True).first()


def _is_admin(who):
    return who in ("admin", "superuser")


def _commitment_reader(w, who, pk):
    c = Commitment.objects.filter(pk=pk).values("call__executive__user_id", "owner_id").first()
    user = w.users[who]
    return bool(c) and (_is_admin(who) or user.pk in (c["call__executive__user_id"], c["owner_id"]))


SWEEPS = [
    Sweep(
        "callsheets:entry_log",
        "POST",
        _all(SheetEntry),
        lambda w, who, pk: _sheet_of(pk) is not None and (_is_admin(who) or _sheet_of(pk) == w.users[who].pk),
        ok=200,
        refused={"lead": 403, "nobody": 403},
    ),
    Sweep(
        "callsheets:entry_log",
        "GET",
        _all(SheetEntry),
        lambda w, who, pk: _sheet_of(pk) is not None and (_is_admin(who) or _sheet_of(pk) == w.users[who].pk),
        ok=200,
        refused={"lead": 403, "nobody": 403},
    ),
    Sweep(
        "callsheets:entry_skip",
        "POST",
        _all(SheetEntry),
        lambda w, who, pk: _sheet_of(pk) is not None and (_is_admin(who) or _sheet_of(pk) == w.users[who].pk),
        ok=302,
        refused={"lead": 403, "nobody": 403},
    ),
    Sweep("commitments:detail", "GET", _all(Commitment), _commitment_reader, ok=200),
    Sweep(
        "callsheets:call_follow_up",
        "GET",
        _all(CallLog),
        lambda w, who, pk: (
            CallLog.objects.filter(pk=pk).exists()
            and (_is_admin(who) or CallLog.objects.filter(pk=pk, executive__user=w.users[who]).exists())
        ),
        ok=200,
        refused={"lead": 403, "nobody": 403},
    ),
    Sweep(
        "callsheets:week",
        "GET",
        _all(Executive),
        lambda w, who, pk: (
            Executive.objects.filter(pk=pk).exists()
            and (_is_admin(who) or Executive.objects.filter(pk=pk, user=w.users[who]).exists())
        ),
        ok=200,
        refused={"lead": 403, "nobody": 403},
        url=lambda pk: f"/sheet/2026-11-23/?executive={pk}",
    ),
    Sweep(
        "notifications:calendar_token_rotate",
        "POST",
        _all(Executive),
        lambda w, who, pk: (
            Executive.objects.filter(pk=pk).exists()
            and (_is_admin(who) or Executive.objects.filter(pk=pk, user=w.users[who]).exists())
        ),
        ok=302,
    ),
    Sweep(
        "customers:detail",
        "GET",
        _all(Customer),
        lambda w, who, pk: Customer.objects.filter(pk=pk).exists(),
        ok=200,
        refused={"nobody": 403},
    ),
    Sweep(
        "flags:detail",
        "GET",
        _all(Flag),
        lambda w, who, pk: Flag.objects.filter(pk=pk).exists(),
        ok=200,
        refused={"exec_a": 403, "exec_b": 403, "nobody": 403},
    ),
    Sweep(
        "imports:detail",
        "GET",
        _all(ImportRun),
        lambda w, who, pk: ImportRun.objects.filter(pk=pk).exists(),
        ok=200,
        refused={"exec_a": 403, "exec_b": 403, "lead": 403, "nobody": 403},
    ),
]


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda s: f"{s.method} {s.name}")
def test_idor_sweep_over_every_id(client, world, sweep):
    wrong = []
    for who in IDENTITIES[1:]:
        client.logout()
        client.force_login(world.users[who])
        for pk in sweep.ids(world):
            url = sweep.url(pk) if sweep.url else reverse(sweep.name, args=[pk])
            with transaction.atomic():  # a POST that is let through changes nothing for the next one
                got = send(client, sweep.method, url).status_code
                transaction.set_rollback(True)
            want = sweep.refused.get(who) or (sweep.ok if sweep.allowed(world, who, pk) else 404)
            if got != want:
                wrong.append(f"{who} {sweep.method} {url}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_calendar_feeds_answer_only_their_own_token(client, world):
    for executive in Executive.objects.all():
        assert client.get(reverse("notifications:calendar_feed", args=[executive.calendar_token])).status_code == 200
        forged = executive.calendar_token[:-1] + ("A" if executive.calendar_token[-1] != "A" else "B")
        assert client.get(reverse("notifications:calendar_feed", args=[forged])).status_code == 404
