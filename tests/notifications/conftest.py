import pytest


@pytest.fixture
def frozen_now(monkeypatch):
    """frozen_now(aware_datetime) makes django.utils.timezone.now() return it (and localdate follow)."""

    def freeze(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return freeze
