"""The cache the web processes share without Redis (common.sqlite_cache): Django's cache API, and
rate-limit counters that stay exact when several processes count at once."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from sanxiang.common.sqlite_cache import SqliteCache


def _cache(path) -> SqliteCache:
    return SqliteCache(str(path), {})


def test_get_set_add_incr_delete_and_expiry(tmp_path):
    cache = _cache(tmp_path / "c.sqlite3")
    assert cache.get("missing", "dflt") == "dflt"
    cache.set("figure", {"count": 3, "names": ["甲", "乙"]}, timeout=60)
    assert cache.get("figure") == {"count": 3, "names": ["甲", "乙"]}
    assert cache.add("n", 0, timeout=60) is True and cache.add("n", 5, timeout=60) is False
    assert cache.incr("n") == 1 and cache.incr("n", 10) == 11 and cache.get("n") == 11
    with pytest.raises(ValueError):
        cache.incr("never-set")
    with pytest.raises(TypeError):
        cache.incr("figure")
    cache.set("brief", "x", timeout=0.2)
    time.sleep(0.3)
    assert cache.get("brief") is None and not cache.has_key("brief")
    assert cache.add("brief", "again", timeout=60) is True  # an expired row can be added again
    assert cache.delete("brief") is True and cache.get("brief") is None
    cache.clear()
    assert cache.get("n") is None


def _count(path: str, key: str, times: int) -> None:
    cache = _cache(path)
    for _ in range(times):
        cache.add(key, 0, timeout=60)
        cache.incr(key)


def test_counts_from_several_processes_add_up_exactly(tmp_path):
    # What a per-process cache gets wrong: four processes counting one address's requests.
    path = str(tmp_path / "shared.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_count, args=(path, "ratelimit:x", 250)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert _cache(path).get("ratelimit:x") == 1000


def test_the_rate_limit_counts_in_the_shared_file(tmp_path, settings):
    from sanxiang.common.middleware import rate_limit_hit

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_search": "5/minute"}
    window = int(time.time() // 60)
    assert [rate_limit_hit("public_search", "1.2.3.4") for _ in range(5)] == [0] * 5
    assert rate_limit_hit("public_search", "1.2.3.4") > 0
    # What another web process opens: the same file, the same count (6 hits in this window).
    other = _cache(settings.CACHES["default"]["LOCATION"])
    assert other.get(f"ratelimit:public_search:1.2.3.4:{window}") == 6 or int(time.time() // 60) != window
