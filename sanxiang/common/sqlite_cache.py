"""A Django cache in one SQLite file, shared by every process on the machine.

`sanxiang serve` runs several web processes (common.serving). A per-process cache (LocMemCache)
would give each its own rate-limit counters — an address would get N times its budget — and
its own copy of every cached figure. Without Redis (REDIS_URL), this backend is the default:
the counters are exact across processes because `incr` is one SQL statement (SQLite serialises
writers), values expire like any Django cache, and nothing in it needs to survive a crash, so it
is written without fsync. With REDIS_URL set, Redis is the cache instead (several machines).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_SCHEMA = ("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
           "expires REAL NOT NULL) WITHOUT ROWID")
# Expired rows are deleted now and then, not on every write.
_CULL_EVERY = 1000


class SqliteCache(BaseCache):
    def __init__(self, location: str, params: dict):
        super().__init__(params)
        self.path = Path(location)
        self._local = threading.local()
        self._writes = 0

    # One connection per thread (sqlite3 connections are not shared between threads) and per
    # process: a connection inherited through fork (common.serving) is never used by the child.
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            self._prepare(db)
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @staticmethod
    def _prepare(db: sqlite3.Connection) -> None:
        """WAL mode (kept in the file) and the table. Several processes starting at once on a new
        file race for the switch to WAL, which SQLite answers with "database is locked" at once,
        not after the busy timeout: the loser waits and tries again."""
        for attempt in range(100):
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")
                db.execute(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    def _expiry(self, timeout) -> float:
        timeout = self.get_backend_timeout(timeout)
        return float("inf") if timeout is None else timeout

    @staticmethod
    def _dump(value):
        # Integers stay SQL integers, so incr can add to them in SQL.
        return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(raw):
        return raw if isinstance(raw, int) else pickle.loads(raw)

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % _CULL_EVERY == 0:
            self._db().execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute("SELECT value FROM cache WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return default if row is None else self._load(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._db().execute("INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
                           (key, self._dump(value), self._expiry(timeout)))
        self._cull()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        # Replaces an expired row, keeps a live one: one statement, so two processes cannot both add.
        cursor = self._db().execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "value = excluded.value, expires = excluded.expires WHERE cache.expires <= ?",
            (key, self._dump(value), self._expiry(timeout), time.time()))
        self._cull()
        return cursor.rowcount == 1

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._db().execute("UPDATE cache SET expires = ? WHERE key = ? AND expires > ?",
                                    (self._expiry(timeout), key, time.time()))
        return cursor.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute(
            "UPDATE cache SET value = value + ? WHERE key = ? AND expires > ? AND typeof(value) = 'integer' "
            "RETURNING value", (delta, key, time.time())).fetchone()
        if row is None:
            if self._live(key):
                raise TypeError(f"cache value of {key!r} is not an integer")
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def has_key(self, key, version=None):
        return self._live(self.make_and_validate_key(key, version=version))

    def _live(self, key: str) -> bool:
        return self._db().execute("SELECT 1 FROM cache WHERE key = ? AND expires > ?",
                                  (key, time.time())).fetchone() is not None

    def clear(self):
        self._db().execute("DELETE FROM cache")

    def close(self, **kwargs):
        # Django closes caches after every request; the connection is kept (it costs a connect,
        # two PRAGMAs and a CREATE TABLE to open), as LocMemCache keeps its memory.
        pass
