import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ceocalls.env import database_from_url, env_bool, env_int
from ceocalls.settings import _email_from_url

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sqlite_is_the_default_and_relative_to_the_project():
    config = database_from_url("sqlite:///db.sqlite3", ROOT)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(ROOT / "db.sqlite3")


def test_postgres_url_is_parsed():
    config = database_from_url("postgres://calls:s3cret@db.internal:5433/ceocalls", ROOT)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "ceocalls",
        "calls",
        "db.internal",
        5433,
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url", "postgres://"])
def test_unusable_database_urls_are_refused_by_name(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, ROOT)


def test_env_bool_and_int_refuse_garbage(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORT"):
        env_int("PORT", 8000)
    monkeypatch.setenv("DEBUG", "yes")
    assert env_bool("DEBUG") is True


def test_email_url_becomes_smtp_settings():
    config = _email_from_url("smtp://mailer%40corp:p%40ss@smtp.corp.example:2525?tls=true")
    assert config["EMAIL_HOST"] == "smtp.corp.example"
    assert config["EMAIL_PORT"] == 2525
    assert config["EMAIL_HOST_USER"] == "mailer@corp"
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert config["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _email_from_url("ftp://nope")


def test_bad_database_url_is_one_line_and_non_zero():
    result = run_manage("check", DEBUG="true", DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: DATABASE_URL='mysql://root@localhost/x' cannot be used: expected sqlite:///path or postgres://user@host/db."
    ]


@pytest.mark.parametrize(
    ("url", "shown", "reason"),
    [
        (
            "sqlite:////nonexistent-dir/x.sqlite3",
            "sqlite:////nonexistent-dir/x.sqlite3",
            "unable to open database file",
        ),
        ("postgres://ceo:hunter2@127.0.0.1:1/x", "postgres://ceo:***@127.0.0.1:1/x", "connection to server"),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_not_a_traceback(url, shown, reason):
    result = run_manage("migrate", DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: the database of DATABASE_URL={shown!r} cannot be used: ")
    assert reason in lines[0] and "hunter2" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "x9-Q" * 10,
        ALLOWED_HOSTS="calls.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path}/deploy.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CALLSHEETS_BUILD_WEEKDAY", "funday", "CALLSHEETS_BUILD_WEEKDAY='funday' is not a weekday"),
        ("CALLSHEETS_BUILD_HOUR", "25", "CALLSHEETS_BUILD_HOUR=25 is not an hour of the day"),
        ("NOTIFY_PROGRAM_WEEKDAY", "someday", "NOTIFY_PROGRAM_WEEKDAY='someday' is not a weekday"),
    ],
)
def test_bad_schedule_settings_are_one_line(name, value, message):
    result = run_manage("check", DEBUG="true", **{name: value})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: {message}: use mon, tue, … sun." if "weekday" in message else f"error: {message} (0-23)."
    ]


def test_an_unknown_time_zone_is_one_line_not_a_traceback():
    result = run_manage("check", DEBUG="true", TIME_ZONE="Mars/Base")  # once a ValueError traceback
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: TIME_ZONE='Mars/Base' is not a known time zone; use an IANA name such as Europe/Oslo."
    ]


def test_queueing_a_task_with_redis_down_gives_up_quickly():
    """With Celery's default 20 one-second result-store retries a webhook was answered after 20 s."""
    from celery.backends.redis import RedisBackend

    from ceocalls.celery import app

    backend = RedisBackend(app=app, url="redis://127.0.0.1:1/0")  # builds the client, connects to nothing
    policy = backend.retry_policy
    assert policy["max_retries"] * policy["interval_max"] <= 1
    assert backend.connparams["socket_connect_timeout"] <= 2
    assert app.conf.broker_connection_timeout <= 2


def test_a_sweep_interval_below_one_second_is_refused_in_one_line():
    result = run_manage("check", DEBUG="true", WEBHOOK_SWEEP_SECONDS="0")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["error: WEBHOOK_SWEEP_SECONDS=0 must be at least 1 (seconds)."]
