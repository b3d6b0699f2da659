"""Memory stays flat whatever the size: a 64 MB upload never holds more than a chunk or two."""

from __future__ import annotations

import gc
import hashlib
import tracemalloc

import pytest

from sanxiang.records.models import Evidence
from sanxiang.records.tests.conftest import blocks

MB = 1 << 20
pytestmark = pytest.mark.django_db


def test_peak_memory_of_a_64_mb_upload_is_a_small_fraction_of_its_size(world, case, uploader):
    size, chunk = 64 * MB, 2 * MB
    up = uploader(world.alice)
    url = up.create(case, size=size).json()["url"]
    digest = hashlib.sha256()
    tracemalloc.start()
    try:
        offset = 0
        for piece in blocks(size, chunk=chunk):
            digest.update(piece)
            response = up.patch(url, offset, piece)
            assert response.status_code in (200, 201), response.content
            status = response.status_code
            offset += len(piece)
            del piece, response
            # The test client's request/response objects form reference cycles that keep each
            # chunk's copy alive until the cycle collector runs; collect them as a server would.
            gc.collect()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 201
    assert Evidence.objects.get().file.sha256 == digest.hexdigest()
    # The test generates a 2 MiB chunk (with temporary copies) and the test client copies it once;
    # the server adds a 1 MiB block. Anything near the file size would mean the body was read
    # into memory.
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MiB"
