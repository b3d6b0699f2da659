"""Where evidence files live: STORAGE_URL → a Django storage backend.

    (unset)                       local directory var/media/
    file:///srv/sanxiang/media    local directory (a bare path works too)
    s3://bucket?endpoint_url=http://127.0.0.1:9000&region=cn-north-1&object_lock=1&retention_days=3650

For S3 the credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Query parameters:
endpoint_url, region, prefix (key prefix), addressing_style (path|virtual), object_lock (1/0),
lock_mode (COMPLIANCE|GOVERNANCE), retention_days. An unknown parameter is refused at start-up.

With object_lock=1 every object is written with an Object Lock retention (WORM): the bucket must
have Object Lock enabled, and nobody — the application included — can delete or overwrite the
version until the retention date. Files are never overwritten through either backend
(file_overwrite=False, and services check first), and the application never deletes them.

This module is imported by settings, so it imports nothing from Django or boto3.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sanxiang.common.env import ImproperEnv

S3_BACKEND = "sanxiang.records.storage.EvidenceS3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
_S3_PARAMS = {"endpoint_url", "region", "prefix", "addressing_style", "object_lock", "lock_mode", "retention_days"}


def storage_from_url(url: str, *, default_location: Path) -> dict:
    """The STORAGES["default"] entry for a STORAGE_URL; refuses a malformed one loudly."""
    url = (url or "").strip()
    if not url:
        return _local(default_location)
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        path = parts.path if parts.scheme else url
        if not path.startswith("/"):
            raise ImproperEnv(f"STORAGE_URL={url!r}: 本地目录须为绝对路径（如 file:///srv/sanxiang/media）")
        return _local(Path(path))
    if parts.scheme != "s3":
        raise ImproperEnv(f"STORAGE_URL={url!r}: 只支持 file:// 与 s3://")
    if not parts.netloc:
        raise ImproperEnv(f"STORAGE_URL={url!r}: 缺少存储桶名称（s3://bucket）")
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - _S3_PARAMS
    if unknown:
        raise ImproperEnv(f"STORAGE_URL={url!r}: 不认识的参数 {', '.join(sorted(unknown))}")
    options: dict = {"bucket_name": parts.netloc, "file_overwrite": False, "querystring_auth": True,
                     "location": query.get("prefix", "").strip("/")}
    if query.get("endpoint_url"):
        options["endpoint_url"] = query["endpoint_url"]
    if query.get("region"):
        options["region_name"] = query["region"]
    if query.get("addressing_style"):
        if query["addressing_style"] not in ("path", "virtual"):
            raise ImproperEnv(f"STORAGE_URL={url!r}: addressing_style 只能为 path 或 virtual")
        options["addressing_style"] = query["addressing_style"]
    lock = query.get("object_lock", "0").lower()
    if lock not in ("0", "1", "true", "false", "yes", "no", ""):
        raise ImproperEnv(f"STORAGE_URL={url!r}: object_lock 应为 1 或 0")
    if lock in ("1", "true", "yes"):
        mode = query.get("lock_mode", "COMPLIANCE").upper()
        if mode not in ("COMPLIANCE", "GOVERNANCE"):
            raise ImproperEnv(f"STORAGE_URL={url!r}: lock_mode 只能为 COMPLIANCE 或 GOVERNANCE")
        try:
            days = int(query.get("retention_days", "3650"))
        except ValueError as exc:
            raise ImproperEnv(f"STORAGE_URL={url!r}: retention_days 应为整数天数") from exc
        if days < 1:
            raise ImproperEnv(f"STORAGE_URL={url!r}: retention_days 至少为 1")
        options["object_lock_mode"] = mode
        options["retention_days"] = days
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def _local(location: Path) -> dict:
    # Written files are read-only for everybody: a stray write by the application user fails.
    return {"BACKEND": LOCAL_BACKEND,
            "OPTIONS": {"location": str(location), "file_permissions_mode": 0o444,
                        "directory_permissions_mode": 0o755}}
