"""Typed readers for environment variables.

Settings come from the environment with defaults that run on one machine with no setup.
A present but malformed value is refused loudly at start-up instead of being guessed at.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


class ImproperEnv(ValueError):
    """An environment variable is set to a value the application cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnv(f"{name}={raw!r}: expected one of 1/0/true/false/yes/no/on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperEnv(f"{name}={raw!r}: expected an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def secret_from_file(path: Path, *, nbytes: int = 50) -> str:
    """Read a secret kept under var/, generating it on first run (never committed)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process started at the same moment made it: wait for its write, then use it.
        for _ in range(100):
            existing = path.read_text().strip()
            if existing:
                return existing
            time.sleep(0.02)
        raise
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
