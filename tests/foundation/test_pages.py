import re
from datetime import UTC, date, time

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import ExecutiveFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_exist_with_their_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) >= {"Executives", "Support leads", "Program admins"}

    def perms(name):
        return {f"{p.content_type.app_label}.{p.codename}" for p in groups[name].permissions.all()}

    assert "customers.add_flag" in perms("Support leads")
    assert "callsheets.add_calllog" in perms("Executives")
    assert "customers.add_flag" not in perms("Executives")
    assert {
        "callsheets.view_all_sheets",
        "callsheets.view_all_commitments",
        "callsheets.change_scoringpolicy",
    } <= perms("Program admins")


def test_sign_in_with_email_and_out(client):
    user = UserFactory(email="lead@example.com", roles=["Support leads"])
    assert client.get("/").status_code == 302
    page = client.get("/accounts/login/")
    assert b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post("/accounts/login/", {"username": "lead@example.com", "password": "pw-for-tests"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").context["user"] == user
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_and_keeps_the_email(client):
    UserFactory(email="lead@example.com")
    response = client.post("/accounts/login/", {"username": "lead@example.com", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That e-mail address and password do not match an account." in html
    visible = re.sub(r"<[^>]*>", " ", html)
    assert "username" not in visible.lower()  # the form asks for an e-mail address, and says so
    assert 'value="lead@example.com"' in html


def test_empty_sign_in_asks_for_the_email_and_password(client):
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter your e-mail address." in html and "Enter your password." in html


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 200
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page and 'href="/static/favicon.svg"' in page


def test_home_for_each_role(client, django_assert_max_num_queries):
    executive = ExecutiveFactory(user__first_name="Maya")
    client.force_login(executive.user)
    assert client.get("/").url == "/sheet/"  # an executive lands on the sheet itself

    executive.user.groups.add(Group.objects.get(name="Support leads"))
    body = client.get("/").content.decode()
    assert "This week's calls" in body and "No call sheet for this week yet" in body

    flag = FlagFactory(customer__name="Quarry Manufacturing")
    client.force_login(flag.raised_by)
    body = client.get("/").content.decode()
    assert "Your flags" in body and "Quarry Manufacturing" in body
    assert "Waiting for the next call-sheet build" in body

    admin_user = UserFactory(roles=["Program admins"])
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        body = client.get("/").content.decode()
    assert "The program today" in body and "flags waiting (0 urgent)" in body


def test_user_without_role_is_told_so(client):
    client.force_login(UserFactory())
    assert "has no role yet" in client.get("/").content.decode()


def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected = "ok" if settings.REDIS_URL else "not configured"
    assert response.json() == {"database": "ok", "broker": expected}


def test_healthz_says_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from ceocalls.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = settings.REDIS_URL
    try:
        assert client.get("/healthz").json()["broker"] == "down"
    finally:
        app.conf.broker_url = old


def test_every_model_has_a_searchable_admin(client):
    superuser = get_user_model().objects.create_superuser("root@example.com", "root@example.com", "pw")
    client.force_login(superuser)
    ExecutiveFactory()
    FlagFactory()
    ours = [
        m for m in admin.site._registry if m._meta.app_label in {"customers", "callsheets", "imports", "notifications"}
    ]
    assert len(ours) >= 16
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        if model not in ours:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "acme"}).status_code == 200, url
        if model_admin.has_add_permission(request):  # received events and import runs are read-only records
            assert client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")).status_code == 200


def test_slot_start_is_aware_and_right_across_daylight_saving():
    executive = ExecutiveFactory(weekday=1, start_time=time(10, 0), timezone="Europe/Oslo")
    before = executive.slot_start(date(2026, 10, 19))  # CEST, UTC+2
    after = executive.slot_start(date(2026, 10, 26))  # CET, UTC+1 after 25 Oct
    assert (before.hour, after.hour) == (10, 10)
    assert before.utcoffset().total_seconds() == 7200 and after.utcoffset().total_seconds() == 3600
    # Same tzinfo subtracts wall-clock times; through UTC the week is an hour longer.
    assert (after.astimezone(UTC) - before.astimezone(UTC)).total_seconds() == 7 * 24 * 3600 + 3600
