"""One safe `next` for every form that returns the user to where they came from."""

import pytest
from django.test import RequestFactory

from ceocalls.redirects import safe_next


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/commitments/?overdue=1&page=2", "/commitments/?overdue=1&page=2"),
        ("/sheet/2026-11-23/?executive=4", "/sheet/2026-11-23/?executive=4"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/x", "/fallback/"),
        ("/\\evil.example/x", "/fallback/"),
        ("http://testserver/commitments/", "/fallback/"),  # our host, but not a path: refused too
        ("javascript:alert(1)", "/fallback/"),
        ("commitments/", "/fallback/"),
        ("", "/fallback/"),
    ],
)
def test_only_local_paths_are_followed(target, expected):
    assert safe_next(RequestFactory().post("/x/", {"next": target}), "/fallback/") == expected
    assert safe_next(RequestFactory().get("/x/", {"next": target}), "/fallback/") == expected


def test_every_view_that_reads_next_uses_it():
    """No view reads `next` on its own: the rule lives in ceocalls/redirects.py only."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = [
        str(path.relative_to(root))
        for app in ("callsheets", "ceocalls", "customers", "imports", "notifications")
        for path in (root / app).rglob("*.py")
        if 'get("next"' in path.read_text(encoding="utf-8") or "url_has_allowed_host_and_scheme" in path.read_text()
    ]
    assert readers == ["ceocalls/redirects.py"]
