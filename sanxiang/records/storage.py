"""The S3-compatible evidence storage backend (selected by STORAGE_URL, see storage_url.py)."""

from __future__ import annotations

import datetime as dt

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class EvidenceS3Storage(S3Storage):
    """S3-compatible object storage for evidence: never overwrites, streams both ways, can lock.

    - Writes are multipart uploads of 8 MiB parts, 4 in flight; a file on disk (a finished
      chunked upload) is read part by part as it is sent, so memory stays flat whatever the size.
    - Reads (`open(name, "rb")`) stream the object body instead of first copying the whole
      object into a temporary file (or memory) as S3File does.
    - With an Object Lock mode every new object version gets a retention date; if the server
      ignored the lock headers (some S3-compatible servers do for multipart uploads), the
      retention is set explicitly on the version just written.
    """

    def __init__(self, *, object_lock_mode: str | None = None, retention_days: int = 3650, **options):
        options.setdefault("transfer_config", TransferConfig(
            multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4, max_io_queue=8))
        options.setdefault("max_memory_size", 8 << 20)
        super().__init__(**options)
        self.object_lock_mode = object_lock_mode
        self.retention_days = retention_days

    def retain_until(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(days=self.retention_days)

    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def _get_write_parameters(self, name, content=None):
        params = super()._get_write_parameters(name, content)
        if self.object_lock_mode:
            params["ObjectLockMode"] = self.object_lock_mode
            params["ObjectLockRetainUntilDate"] = self.retain_until()
        return params

    def _save(self, name, content):
        path = getattr(content, "temporary_file_path", None)
        if path is None:
            saved = super()._save(name, content)
        else:
            # A file on disk goes up with upload_file: s3transfer then reads each part from the
            # file while sending it, instead of holding whole parts in memory as for a file object.
            saved = clean_name(name)
            key = self._normalize_name(saved)
            self.bucket.Object(key).upload_file(path(), ExtraArgs=self._get_write_parameters(key, content),
                                                Config=self.transfer_config)
        if self.object_lock_mode:
            self._ensure_locked(self._key(saved))
        return saved

    def _ensure_locked(self, key: str) -> None:
        client = self.connection.meta.client
        head = client.head_object(Bucket=self.bucket_name, Key=key)
        if head.get("ObjectLockMode"):
            return
        client.put_object_retention(
            Bucket=self.bucket_name, Key=key, VersionId=head["VersionId"],
            Retention={"Mode": self.object_lock_mode, "RetainUntilDate": self.retain_until()})

    def lock_state(self, name: str) -> tuple[str | None, dt.datetime | None]:
        """(mode, retain-until date) of the current version of `name`."""
        head = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=self._key(name))
        return head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate")

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            return super()._open(name, mode)
        try:
            body = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=self._key(name))["Body"]
        except ClientError as err:
            if err.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise
        return File(body, name)
