"""Upload handling that hashes while streaming: the file goes to a temporary file chunk by chunk
and its SHA-256 and SM3 are known when the upload completes, without reading it back into memory."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from sanxiang.ledger import guomi


class HashingUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._sha = hashlib.sha256()
        self._sm3 = guomi.sm3()
        self._size = 0

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > settings.EVIDENCE_MAX_BYTES:
            # connection_reset=True: stop reading the body; nothing is stored.
            raise StopUpload(connection_reset=True)
        self._sha.update(raw_data)
        self._sm3.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.sha256 = self._sha.hexdigest()
            uploaded.sm3 = self._sm3.hexdigest()
        return uploaded
