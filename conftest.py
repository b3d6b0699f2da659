"""Shared fixtures: a world of personas, and settings that keep test files out of var/."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.LEDGER_SIGNING_KEY = tmp_path / "keys" / "ledger.pem"
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    # Tests create rows with factories, which write no ledger entry: a kept page would go stale
    # within a test. sanxiang/common/tests/test_pagecache.py switches it on.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    # PBKDF2 at production strength costs ~0.5 s per persona; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings, tmp_path):
    # Rate-limit counters live in the cache (a file shared by the server's processes); each test
    # gets its own, so one test's logins never throttle the next test's and var/ is left alone.
    settings.CACHES = {"default": {"BACKEND": "sanxiang.common.sqlite_cache.SqliteCache",
                                   "LOCATION": str(tmp_path / "cache.sqlite3")}}
    yield


@pytest.fixture
def world(db):
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_immediately():
    """Jobs run in-process at once (huey immediate mode, in-memory queue): a test never writes to
    var/'s queue, where a real worker could pick its tasks up against another database."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch):
    # force_login means "already authenticated"; for roles that require 2FA that includes the
    # OTP step (see sanxiang.testing.force_login_verified). Logins through the pages and the
    # token API still ask for the code.
    from django.test import Client

    from sanxiang.testing import force_login_verified

    monkeypatch.setattr(Client, "force_login", force_login_verified)

