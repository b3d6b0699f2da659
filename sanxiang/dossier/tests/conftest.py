import tempfile

import pytest


@pytest.fixture(autouse=True)
def _archives_in_tmp_path(monkeypatch, tmp_path):
    """Exported archives go to the test's own directory, removed with it (the tests read them)."""
    directory = tmp_path / "exports"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
