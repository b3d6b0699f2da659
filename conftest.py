"""Shared fixtures: a world of personas, and settings that keep test files out of var/."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.LEDGER_SIGNING_KEY = tmp_path / "keys" / "ledger.pem"
    # PBKDF2 at production strength costs ~0.5 s per persona; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from sanxiang.testing import build_world

    return build_world()
