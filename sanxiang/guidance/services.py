"""Law database services: import parsed law texts, look up cited articles."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction

from sanxiang.guidance.lawtext import normalise_title, parse_law_file
from sanxiang.guidance.models import Article, Law
from sanxiang.ledger.services import ledger_append


@transaction.atomic
def law_import(*, path: Path, actor="system") -> tuple[Law, bool]:
    """Import one law text file; a version already imported (same title and date) is kept."""
    raw = path.read_bytes()
    parsed = parse_law_file(path)
    existing = Law.objects.filter(title=parsed.title, version_date=parsed.version_date).first()
    if existing is not None:
        return existing, False
    law = Law.objects.create(title=parsed.title, short_title=parsed.short_title, version_date=parsed.version_date,
                             history=list(parsed.history), source_sha256=hashlib.sha256(raw).hexdigest())
    articles = Article.objects.bulk_create([
        Article(law=law, number=a.number, suffix=a.suffix, label=a.label, chapter=a.chapter, text=a.text)
        for a in parsed.articles
    ])
    if not articles or articles[0].pk is None:  # backends that do not return ids from bulk_create
        articles = list(law.articles.all())
    ledger_append(kind="guidance.law_import", actor=actor, subjects=[law, *articles],
                  content={"source": law.source_sha256}, summary=f"导入法律法规：{law.title}（{len(articles)}条）")
    return law, True


def find_article(law_title: str, number: int, suffix: int = 0) -> Article | None:
    """The article of the newest imported version of the law named (full or short title)."""
    short = normalise_title(law_title)
    law = Law.objects.filter(short_title=short).order_by("-version_date").first()
    if law is None:
        return None
    return law.articles.filter(number=number, suffix=suffix).first()
