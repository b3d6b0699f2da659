"""File modes of var/: the database, the keys, the secret key, uploads and evidence live there.

Called once from settings, before anything creates a file under var/. The directory becomes 0700
(which alone shuts every other local user out of everything beneath it), the files directly in it
0600 (the SQLite database and its WAL, the secret key), the directories directly in it 0700 (keys,
media, uploads), and the process umask 077 so every file created later (new evidence, checkpoints,
temporary upload files) is 0600 from its first byte. Files deeper down are not walked at each
start-up: a media tree can hold millions of files, and the 0700 parents already close them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        # Only remove permissions, never add (a read-only key stays read-only).
        if current & ~mode:
            os.chmod(path, current & mode)
    except (FileNotFoundError, PermissionError):
        # Vanished meanwhile (SQLite's -shm), or not ours (a mounted volume): nothing to tighten.
        pass


def secure_var_dir(var_dir: Path) -> None:
    """Create var/ 0700 if missing, tighten what is already there, and set the umask."""
    os.umask(PRIVATE_UMASK)
    var_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(var_dir, DIR_MODE)
    for child in var_dir.iterdir():
        if child.is_symlink():
            continue
        _tighten(child, DIR_MODE if child.is_dir() else FILE_MODE)
