"""Shared fixtures: a world of personas, and settings that keep test files out of var/."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.LEDGER_SIGNING_KEY = tmp_path / "keys" / "ledger.pem"
    # PBKDF2 at production strength costs ~0.5 s per persona; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the (process-wide) cache; one test's logins must not throttle
    # the next test's.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db):
    from sanxiang.testing import build_world

    return build_world()
