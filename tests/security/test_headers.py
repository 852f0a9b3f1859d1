"""Headers and probes: no cache keeps a signed-in page, /healthz answers plain HTTP in production,
and a 403 is one line in the log."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ceocalls.logfilters import ForbiddenOneLine
from tests.factories import AdminFactory, ExecutiveFactory, LeadFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_every_signed_in_page_is_private_and_not_stored(client):
    executive = ExecutiveFactory()
    client.force_login(AdminFactory(is_superuser=True))
    pages = [
        "/",
        "/sheet/",
        "/customers/",
        "/flags/",
        "/commitments/",
        "/commitments/?format=csv",
        "/program/",
        "/imports/",
        "/notifications/",
        reverse("password_change"),
        "/admin/",
        "/nowhere/",  # a signed-in 404 too
    ]
    for path in pages:
        response = client.get(path, {"executive": executive.pk} if path == "/sheet/" else {})
        assert response.status_code in {200, 302, 404}, path
        assert no_store(response), (path, response.get("Cache-Control"))


def test_pages_for_machines_keep_their_own_caching(client):
    executive = ExecutiveFactory()
    client.force_login(executive.user)  # even fetched by a signed-in browser
    feed = client.get(reverse("notifications:calendar_feed", args=[executive.calendar_token]))
    assert feed.status_code == 200 and feed["Cache-Control"] == "private, max-age=300"
    health = client.get("/healthz")
    assert health["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"  # never_cache's own
    hook = client.post("/api/webhooks/tickets/", b"{}", content_type="application/json")
    assert hook.status_code == 401 and "no-store" not in hook.get("Cache-Control", "")


def test_static_files_are_not_marked(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ as in development, without collectstatic
    client.force_login(LeadFactory())
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_healthz_answers_plain_http_when_everything_else_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    login = client.get("/accounts/login/")
    assert login.status_code == 301 and login.url == "https://testserver/accounts/login/"


def test_production_settings_exempt_only_healthz_from_the_https_redirect(tmp_path):
    """The production settings themselves (DEBUG off), not a test override."""
    script = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/accounts/login/').status_code, c.get('/healthzx').status_code)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={
            **env,
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "x9-Q" * 10,
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301", "301"]


def test_a_forbidden_page_is_one_log_line_naming_who_where_and_why(client, caplog):
    lead = LeadFactory(email="sam@example.com")
    client.force_login(lead)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/program/", REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == (
        f"Forbidden: user=sam@example.com#{lead.pk} ip=10.4.4.4 GET /program/ "
        "reason=Your role does not give access to this page."
    )
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_csrf_failure_is_one_log_line_too(caplog):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert record.getMessage() == (
        "Forbidden: user=anonymous ip=127.0.0.1 POST /accounts/login/ reason=CSRF cookie not set."
    )


def test_a_path_cannot_forge_a_second_log_line(rf):
    request = rf.get("/")
    request.path = "/program/\nForbidden: user=admin"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("x",), None)
    record.status_code, record.request = 403, request
    assert ForbiddenOneLine().filter(record)
    assert "\n" not in record.getMessage() and "/program/\\nForbidden" in record.getMessage()
