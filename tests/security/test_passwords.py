"""Passwords: validators wherever one is set, demo logins only in development, and Django's own
password change and reset pages with an e-mailed link built from SITE_URL."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ADD_ADA = ["add_executive", "ada.lovelace@example.com", "--name", "Ada Lovelace", "--slot", "tue 10:00"]
ADA = [*ADD_ADA, "--timezone", "Europe/Oslo"]


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("123", ["This password is too short.", "This password is too common.", "This password is entirely numeric."]),
        ("password1", ["This password is too common."]),
        ("adalovelace", ["The password is too similar to the"]),
    ],
)
def test_add_executive_runs_the_password_validators(password, messages):
    with pytest.raises(CommandError) as refused:
        call_command(*ADA, "--password", password)
    text = str(refused.value)
    assert text.startswith("--password is refused: ") and "\n" not in text
    assert all(message in text for message in messages)
    assert not get_user_model().objects.filter(email="ada.lovelace@example.com").exists()


def test_add_executive_with_a_weak_password_is_one_line_and_exit_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}}
    result = subprocess.run(
        [sys.executable, "manage.py", *ADA, "--password", "123"],
        cwd=ROOT,
        env={**env, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: --password is refused: This password is too short. It must contain at least 8 characters. "
        "This password is too common. This password is entirely numeric."
    ]


def test_a_good_password_is_set():
    call_command(*ADA, "--password", "Analytical-Engine-1843")
    assert get_user_model().objects.get(email="ada.lovelace@example.com").check_password("Analytical-Engine-1843")


def test_seed_demo_refuses_its_shared_logins_without_debug(settings):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match=r"runs only with DEBUG=true") as refused:
        call_command("seed_demo", "--customers", "5")
    assert "\n" not in str(refused.value)
    assert not get_user_model().objects.exists()


# --- Password reset


def reset_link(message) -> str:
    return re.search(r"https://calls\.example\.com(/accounts/reset/\S+/)", message.body).group(1)


def test_a_reset_link_is_mailed_from_site_url_and_sets_a_new_password(client, settings):
    settings.SITE_URL = "https://calls.example.com"
    user = UserFactory(email="maya@example.com", first_name="Maya")
    login = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgot your password?' in login

    response = client.post(reverse("password_reset"), {"email": "Maya@Example.com"}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "The link works once, for 3 days." in client.get(response.url).content.decode()
    (message,) = mail.outbox
    assert message.to == ["maya@example.com"] and message.subject == "Choose a new password for CEO Calls"
    path = reset_link(message)
    assert f"https://calls.example.com{path}" in message.alternatives[0][0]  # the HTML part has the same link
    assert "localhost" not in message.body  # the link is SITE_URL, not the Host the request came with

    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    weak = client.post(set_password_url, {"new_password1": "maya@example.com", "new_password2": "maya@example.com"})
    assert weak.status_code == 200 and "The password is too similar to the username." in weak.content.decode()
    done = client.post(
        set_password_url, {"new_password1": "Ring-them-on-Tuesday", "new_password2": "Ring-them-on-Tuesday"}
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("Ring-them-on-Tuesday") and not user.check_password(PASSWORD)

    again = client.get(path, follow=True).content.decode()
    assert "This link no longer works" in again  # a link works once


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_executive_added_without_a_password_sets_a_first_one_by_reset(client, settings):
    settings.SITE_URL = "https://calls.example.com"
    call_command(*ADA)
    client.post(reverse("password_reset"), {"email": "ada.lovelace@example.com"})
    (message,) = mail.outbox
    form = client.get(reset_link(message), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "Notes-on-the-Engine", "new_password2": "Notes-on-the-Engine"}
    )
    signed_in = client.post(
        reverse("login"), {"username": "ada.lovelace@example.com", "password": "Notes-on-the-Engine"}
    )
    assert signed_in.status_code == 302


def test_a_reset_lifts_the_lockout_of_the_account(client, settings):
    settings.SITE_URL = "https://calls.example.com"
    UserFactory(email="maya@example.com")
    for _ in range(6):
        client.post(reverse("login"), {"username": "maya@example.com", "password": "guess"})
    assert client.post(reverse("login"), {"username": "maya@example.com", "password": PASSWORD}).status_code == 429
    client.post(reverse("password_reset"), {"email": "maya@example.com"})
    form = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Fresh-start-2026", "new_password2": "Fresh-start-2026"})
    signed_in = client.post(reverse("login"), {"username": "maya@example.com", "password": "Fresh-start-2026"})
    assert signed_in.status_code == 302 and signed_in.url == "/"


# --- Password change


def test_change_password_keeps_this_session_and_ends_the_others(client):
    user = UserFactory(email="maya@example.com")
    client.force_login(user)
    other_browser = client.__class__()
    other_browser.force_login(user)
    page = client.get("/").content.decode()
    assert f'href="{reverse("password_change")}">Change password</a>' in page

    wrong_old = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Ring-them-on-Tuesday", "new_password2": "Ring-them-on-Tuesday"},
    )
    assert wrong_old.status_code == 200 and "Your old password was entered incorrectly" in wrong_old.content.decode()
    weak = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert "This password is entirely numeric." in weak.content.decode()

    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ring-them-on-Tuesday", "new_password2": "Ring-them-on-Tuesday"},
    )
    assert changed.status_code == 302 and changed.url == reverse("password_change_done")
    assert "Your password is changed" in client.get(changed.url).content.decode()
    assert client.get("/").status_code == 200  # still signed in here
    assert other_browser.get("/").status_code == 302  # signed out elsewhere
    user.refresh_from_db()
    assert user.check_password("Ring-them-on-Tuesday")


def test_change_password_needs_a_signed_in_user(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_admins_change_password_link_shows_the_same_page(client):
    client.force_login(UserFactory(is_staff=True, roles=["Program admins"]))
    page = client.get(reverse("admin:password_change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
