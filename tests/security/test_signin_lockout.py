"""Sign-in that resists guessing: django-axes with a limit per account at one address, per address and
per account (ceocalls/signin.py), tested through the sign-in form."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from ceocalls.signin import client_ip
from tests.factories import PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
MAYA = "maya@example.com"


def sign_in(client, email, password, ip="10.0.0.1", **headers):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == "/"


def wrong_password(response) -> bool:
    return response.status_code == 200 and b"do not match an account" in response.content


def locked(response) -> bool:
    return response.status_code == 429 and b"Sign-in paused" in response.content


@pytest.fixture
def maya():
    return UserFactory(email=MAYA)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_sixth_wrong_password_locks_and_the_right_one_waits_for_the_cool_off(client, maya, clock):
    for _ in range(5):
        assert wrong_password(sign_in(client, MAYA, "guess"))
    sixth = sign_in(client, MAYA, "guess")
    assert locked(sixth)
    body = sixth.content.decode()
    assert "You can try again in 15 minutes</strong>, after 09:15 UTC." in body
    assert "this account from this address" in body and reverse("password_reset") in body

    assert locked(sign_in(client, MAYA, PASSWORD))  # the right password, refused while locked
    clock.move_to(NOW + timedelta(minutes=14))
    later = sign_in(client, MAYA, PASSWORD)
    assert locked(later) and "after 09:15" in later.content.decode()  # tries while locked do not extend it
    clock.move_to(NOW + timedelta(minutes=15, seconds=1))
    assert signed_in(sign_in(client, MAYA, PASSWORD))


def test_twenty_guesses_in_a_row_never_reach_the_password_check(client, maya, clock):
    answers = [sign_in(client, MAYA, f"guess-{n}") for n in range(20)]
    assert [wrong_password(r) for r in answers] == [True] * 5 + [False] * 15
    assert all(locked(r) for r in answers[5:])
    assert locked(sign_in(client, MAYA, PASSWORD))
    # The attempts while locked are not counted: one row, six failures.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [(MAYA, 6)]


def test_another_account_and_another_address_are_not_affected(client, maya, clock):
    rita = UserFactory(email="rita@example.com")
    for _ in range(6):
        sign_in(client, MAYA, "guess", ip="10.0.0.1")
    assert locked(sign_in(client, MAYA, PASSWORD, ip="10.0.0.1"))
    assert signed_in(sign_in(client, rita.email, PASSWORD, ip="10.0.0.1"))
    client.logout()
    assert signed_in(sign_in(client, MAYA, PASSWORD, ip="10.0.0.2"))


def test_upper_case_and_spaces_are_the_same_account(client, maya, clock):
    for email in ["Maya@Example.com", " maya@example.com", "MAYA@EXAMPLE.COM", MAYA, "maya@example.COM "]:
        sign_in(client, email, "guess")
    assert locked(sign_in(client, "MAYA@example.com", "guess"))
    assert locked(sign_in(client, MAYA, PASSWORD))


def test_one_address_guessing_many_accounts_is_locked_at_its_own_limit(client, maya, clock, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 30
    answers = [sign_in(client, f"nobody{n}@example.com", "guess", ip="10.9.9.9") for n in range(30)]
    assert all(wrong_password(r) for r in answers[:29]) and locked(answers[29])
    assert locked(sign_in(client, MAYA, PASSWORD, ip="10.9.9.9"))
    assert b"every account from this address" in sign_in(client, MAYA, PASSWORD, ip="10.9.9.9").content
    assert signed_in(sign_in(client, MAYA, PASSWORD, ip="10.0.0.1"))


def test_one_account_guessed_from_many_addresses_is_locked_at_its_own_limit(client, maya, clock, settings):
    assert settings.LOGIN_ACCOUNT_FAILURE_LIMIT == 20
    answers = [sign_in(client, MAYA, "guess", ip=f"10.1.0.{n}") for n in range(1, 21)]
    assert all(wrong_password(r) for r in answers[:19]) and locked(answers[19])
    refused = sign_in(client, MAYA, PASSWORD, ip="10.2.0.1")
    assert locked(refused) and b"this account from every address" in refused.content
    clock.move_to(NOW + timedelta(minutes=16))
    assert signed_in(sign_in(client, MAYA, PASSWORD, ip="10.2.0.1"))


def test_a_program_admin_unlocks_in_the_admin(client, maya, clock):
    for _ in range(6):
        sign_in(client, MAYA, "guess")
    admin_client = client.__class__()
    admin_client.force_login(AdminFactory())  # a program admin, not a superuser
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist, {"q": MAYA})
    assert page.status_code == 200 and MAYA in page.content.decode()
    ids = list(AccessAttempt.objects.filter(username=MAYA).values_list("pk", flat=True))
    done = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert done.status_code == 302
    assert signed_in(sign_in(client, MAYA, PASSWORD))


def test_axes_reset_username_unlocks_from_the_command_line(client, maya, clock, capsys):
    for _ in range(6):
        sign_in(client, MAYA, "guess")
    call_command("axes_reset_username", MAYA)
    assert "1 attempts removed." in capsys.readouterr().out
    assert signed_in(sign_in(client, MAYA, PASSWORD))


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(client, maya, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):  # the client forges a different left-hand entry each time; the proxy's entry counts
        sign_in(client, MAYA, "guess", ip="172.16.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7")
    assert locked(sign_in(client, MAYA, PASSWORD, ip="172.16.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7"))
    # Another client behind the same proxy is another address.
    assert signed_in(sign_in(client, MAYA, PASSWORD, ip="172.16.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "172.16.0.2"),  # no proxy configured: a forwarded header is ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),  # load balancer, then nginx
        (2, "203.0.113.7", "172.16.0.2"),  # fewer entries than proxies: not through them
        (1, "not-an-address", "172.16.0.2"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_huge_username_is_a_wrong_password_not_a_500(client, clock):
    response = sign_in(client, "x" * 5000 + "@example.com", "guess")
    assert response.status_code == 200
