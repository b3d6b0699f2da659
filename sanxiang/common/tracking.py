"""进度查询: one public lookup for everything the public files with an agency.

An applicant (行政许可), a reporter of an error (审核纠错), a complainant (投诉举报) and the party
behind a supervision matter each get a number and a query code when they file. The portal's
progress page and its API ask every registered tracker in turn; the first that knows the number
and accepts the code answers. Apps register a tracker from their AppConfig.ready():

    from sanxiang.common.tracking import tracker

    @tracker("licensing", "行政许可申请")
    def application_progress(number: str, code: str) -> Progress | None: ...

A tracker returns None for an unknown number and for a wrong code alike, so the lookup never tells
a guesser which numbers exist. Query codes are stored hashed (query_code_hash) and compared with
query_code_matches; the code itself is shown to the filer once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

# No 0/O, 1/I/L: a code read out over the phone or copied from paper is typed right.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


@dataclass(frozen=True)
class ProgressStep:
    at: str  # ISO date or datetime, as shown
    text: str  # Chinese: what happened


@dataclass(frozen=True)
class Progress:
    """What the filer may see: never staff names beyond the agency, never another party's data."""

    kind: str  # tracker code
    kind_label: str
    number: str
    title: str
    status: str  # Chinese state label
    agency: str = ""
    due: str = ""  # the next deadline the agency must meet, if any
    steps: tuple[ProgressStep, ...] = ()
    outcome: str = ""  # the final answer or decision text, once there is one
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, url) e.g. the publication

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "kind_label": self.kind_label, "number": self.number, "title": self.title,
            "status": self.status, "agency": self.agency, "due": self.due, "outcome": self.outcome,
            "steps": [{"at": s.at, "text": s.text} for s in self.steps],
            "links": [{"label": label, "url": url} for label, url in self.links],
        }


@dataclass(frozen=True)
class Tracker:
    code: str
    label: str
    lookup: Callable[[str, str], Progress | None]


TRACKERS: dict[str, Tracker] = {}


def tracker(code: str, label: str):
    """Register `fn(number, code) -> Progress | None` as the progress lookup of `code`."""

    def register(fn):
        TRACKERS[code] = Tracker(code=code, label=label, lookup=fn)
        return fn

    return register


def new_query_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalise_query_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def query_code_hash(code: str) -> str:
    """What is stored: the code itself is shown once, to the filer."""
    return hashlib.sha256(f"sanxiang-query-code:{normalise_query_code(code)}".encode()).hexdigest()


def query_code_matches(code: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(query_code_hash(code), stored_hash)


def progress_lookup(number: str, code: str) -> Progress | None:
    """The progress of `number` if some tracker knows it and `code` is its query code."""
    number, code = (number or "").strip(), normalise_query_code(code)
    if not number or not code:
        return None
    for entry in TRACKERS.values():
        found = entry.lookup(number, code)
        if found is not None:
            return found
    return None
