"""STORAGE_URL → storage settings; a malformed value is refused at start-up, never guessed at."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanxiang.common.env import ImproperEnv
from sanxiang.records.storage_url import LOCAL_BACKEND, S3_BACKEND, storage_from_url

DEFAULT = Path("/srv/var/media")


def test_unset_is_the_local_directory_with_read_only_files():
    conf = storage_from_url("", default_location=DEFAULT)
    assert conf["BACKEND"] == LOCAL_BACKEND and conf["OPTIONS"]["location"] == str(DEFAULT)
    assert conf["OPTIONS"]["file_permissions_mode"] == 0o444


@pytest.mark.parametrize("url", ["file:///data/evidence", "/data/evidence"])
def test_file_url_or_path(url):
    assert storage_from_url(url, default_location=DEFAULT)["OPTIONS"]["location"] == "/data/evidence"


def test_s3_url_with_object_lock():
    conf = storage_from_url("s3://evidence?endpoint_url=http://127.0.0.1:9000&region=cn-north-1&object_lock=1"
                            "&retention_days=3650&prefix=city/", default_location=DEFAULT)
    assert conf["BACKEND"] == S3_BACKEND
    assert conf["OPTIONS"] == {
        "bucket_name": "evidence", "file_overwrite": False, "querystring_auth": True, "location": "city",
        "endpoint_url": "http://127.0.0.1:9000", "region_name": "cn-north-1", "object_lock_mode": "COMPLIANCE",
        "retention_days": 3650}


def test_s3_without_lock_has_no_lock_options():
    options = storage_from_url("s3://evidence", default_location=DEFAULT)["OPTIONS"]
    assert "object_lock_mode" not in options and options["file_overwrite"] is False


@pytest.mark.parametrize("url, message", [
    ("relative/dir", "绝对路径"),
    ("ftp://host/x", "只支持"),
    ("s3://", "存储桶"),
    ("s3://b?endpoint=http://x", "不认识的参数"),
    ("s3://b?object_lock=maybe", "object_lock"),
    ("s3://b?object_lock=1&lock_mode=SOFT", "lock_mode"),
    ("s3://b?object_lock=1&retention_days=ten", "retention_days"),
    ("s3://b?object_lock=1&retention_days=0", "retention_days"),
])
def test_malformed_urls_are_refused(url, message):
    with pytest.raises(ImproperEnv, match=message):
        storage_from_url(url, default_location=DEFAULT)
