"""The Content-Security-Policy header, and templates that need nothing it forbids (the browser test,
test_csp_browser.py, loads every page under it)."""

import re
from pathlib import Path

import pytest

from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


def test_every_page_carries_the_policy(client):
    assert directives(client.get("/accounts/login/")) == POLICY
    client.force_login(AdminFactory(is_superuser=True))
    for path in ("/", "/customers/", "/program/", "/admin/", "/nowhere/"):
        assert directives(client.get(path)) == POLICY, path


def _page_templates():
    # E-mails are read in mail programs, which need inline styles and never see this header.
    return [p for p in TEMPLATES.rglob("*.html") if "emails" not in p.parts]


@pytest.mark.parametrize("template", _page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_needs_what_the_policy_forbids(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>: use a file in static/js/"
    assert not re.search(r"\son[a-z]+\s*=", html), "an on…= handler: use a data attribute (static/js/behaviours.js)"
    assert not re.search(r"\shx-on", html), "hx-on evaluates code: use a listener in static/js/"
    assert not re.search(r"<[a-z][^>]*\sstyle\s*=", html), "a style attribute: use a class in static/css/"
    assert "<style" not in html, "a <style> element: use static/css/"
    assert "javascript:" not in html
