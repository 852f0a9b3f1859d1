import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
REQUIRE_SERVICES = os.environ.get("CEOCALLS_REQUIRE_SERVICES") == "1"


def _skip_or_fail(reason: str):
    # CI sets CEOCALLS_REQUIRE_SERVICES=1: there a missing service is a failure, never a quiet skip.
    if REQUIRE_SERVICES:
        pytest.fail(reason)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        _skip_or_fail(f"{item.nodeid} needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        _skip_or_fail(f"{item.nodeid} needs Redis and a real Celery worker: set REDIS_URL=redis://…")
    if item.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        _skip_or_fail(f"{item.nodeid} needs Debian's chromium package (apt-get install chromium)")


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker on REDIS_URL, in a thread of this process, for the whole session.

    Use it with `@pytest.mark.redis` and `@pytest.mark.django_db(transaction=True)`, so the
    worker's own database connection sees the rows the test committed.
    """
    from celery.contrib.testing.worker import start_worker

    from ceocalls.celery import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),
        start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30) as worker,
    ):
        yield worker
    app.conf.task_always_eager = True


@pytest.fixture(scope="session", autouse=True)
def _end_stray_connections(django_db_setup, django_db_blocker):
    """Worker and live-server threads keep their own connections; end them so the test database can be dropped."""
    yield
    _close_other_connections(django_db_blocker)


def _close_other_connections(django_db_blocker):
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def browser():
    """Debian's headless Chromium driven by Playwright; no browser download involved."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    """Where browser tests save screenshots for a reviewer: test-output/screenshots/."""
    path = OUTPUT_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def login_page(browser, live_server):
    """Returns a function that opens a new page signed in as `user` (password 'pw-for-tests')."""
    pages = []

    def open_as(user, password="pw-for-tests", viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        pages.append(context)
        return page

    yield open_as
    for context in pages:
        context.close()
