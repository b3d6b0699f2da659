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


# --- citations checked against the law database ---------------------------------------------------



def laws_install_from(directory: Path, *, titles: tuple[str, ...] | None = None, actor="system") -> list[Law]:
    """Import the law texts (`*.md`, one law per file) of `directory` whose short title starts one of
    `titles` (all when None); a version already imported is kept."""
    laws = []
    for path in sorted(Path(directory).glob("*.md")):
        if titles is not None and not any(path.name.startswith(t) for t in titles):
            continue
        laws.append(law_import(path=path, actor=actor)[0])
    return laws


def law_find(title: str) -> Law | None:
    """The newest imported version of the law named (full or short title, with or without 《》)."""
    return Law.objects.filter(short_title=normalise_title(title or "")).order_by("-version_date").first()


def law_outline(law: Law) -> list[dict]:
    """Every article of a law with its 款 and the 项 of each 款: what the admin's pickers offer."""
    from sanxiang.guidance.lawtext import article_from_text

    out = []
    for row in law.articles.order_by("number", "suffix"):
        parsed = article_from_text(row.number, row.suffix, row.text, row.label)
        out.append({"number": row.number, "suffix": row.suffix, "label": row.label,
                    "paragraphs": [len(items) for items in parsed.items]})
    return out


# --- discretion benchmarks ----------------------------------------------------------------------------


@transaction.atomic
def benchmark_publish(*, item, effective_from, title: str, tiers: list[dict], circumstances: list[dict], actor,
                      document_no: str = "", note: str = ""):
    """Publish a new version of an item's 裁量基准 (tiers and circumstances); old versions are kept
    as they were, so every decision can still name the version it applied."""
    from django.core.exceptions import ValidationError

    from sanxiang.common.exceptions import ValidationFailed
    from sanxiang.common.services import validation_failed_from
    from sanxiang.guidance.models import Benchmark, BenchmarkCircumstance, BenchmarkTier

    latest = Benchmark.objects.select_for_update().filter(item=item).order_by("-version").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationFailed(f"新版本的施行日期须晚于现行第{latest.version}版的施行日期（{latest.effective_from}）；"
                               "已公布的版本不得修改", field="effective_from", code="benchmark_not_later",
                               rule="行政处罚法第三十四条")
    if not tiers:
        raise ValidationFailed("裁量基准须至少包含一个裁量阶次", field="tiers", code="benchmark_no_tiers")
    benchmark = Benchmark(agency=item.agency, item=item, version=(latest.version + 1) if latest else 1,
                          effective_from=effective_from, title=title, document_no=document_no, note=note)
    rows = []
    try:
        benchmark.full_clean()
        benchmark.save()
        for spec in tiers:
            tier = BenchmarkTier(benchmark=benchmark, **spec)
            tier.full_clean()
            rows.append(tier)
        for spec in circumstances:
            circumstance = BenchmarkCircumstance(benchmark=benchmark, **spec)
            circumstance.full_clean()
            rows.append(circumstance)
    except ValidationError as exc:
        raise validation_failed_from(exc) from exc
    if len({r.tier for r in rows if isinstance(r, BenchmarkTier)}) != len(tiers):
        raise ValidationFailed("同一版本的裁量阶次不得重复", field="tiers", code="benchmark_tier_twice")
    for row in rows:
        row.save()
    ledger_append(kind="guidance.benchmark_publish", actor=actor, agency=item.agency, subjects=[benchmark, *rows],
                  summary=f"公布裁量基准：{benchmark}")
    return benchmark


# Shares of the statutory range each tier takes in the standard benchmark (从轻 the lower 30%,
# 一般 the middle, 从重 the upper 30%): the split most provincial benchmarks use. An agency
# that splits differently publishes its own tiers.
STANDARD_SPLIT = {"lenient": (0, 30), "general": (30, 70), "aggravated": (70, 100)}


def standard_tiers(item) -> list[dict]:
    """Tiers derived from the item's statutory range: 不予处罚, 减轻 (below the minimum), 从轻, 一般, 从重."""
    from decimal import Decimal

    from sanxiang.registry.choices import FineBasis
    from sanxiang.registry.ranges import penalty_citations

    ranged = [c for c in penalty_citations(item) if c.has_range]
    if not ranged:
        return []
    c = ranged[-1]

    def cut(low, high, share):
        low = low or Decimal(0)
        return (low + (high - low) * Decimal(share) / 100).quantize(Decimal("1"))

    tiers = [{"tier": "exempt", "description": "违法行为轻微并及时改正，没有造成危害后果；初次违法且危害后果轻微并及时改正；"
                                              "没有主观过错（行政处罚法第三十三条）", "penalty_kinds": []}]
    mitigated = {"tier": "mitigated", "description": "有法定减轻处罚情节的，在法定最低罚款数额以下处罚（行政处罚法第三十二条）"}
    for who, low_f, high_f in (("citizen", "citizen_min", "citizen_max"), ("org", "org_min", "org_max")):
        low, high = getattr(c, low_f), getattr(c, high_f)
        if low:  # 减轻: below the statutory minimum
            mitigated[f"{who}_max"] = low
        elif high is not None:  # "X元以下" has no minimum to go below: the lowest tenth
            mitigated[f"{who}_max"] = cut(low, high, 10)
    if c.fine_basis == FineBasis.MULTIPLE and c.multiple_min:
        mitigated["multiple_max"] = c.multiple_min
    tiers.append(mitigated)
    words = {"lenient": "有从轻处罚情节的", "general": "无从轻、从重情节的", "aggravated": "有从重处罚情节的"}
    for tier, (a, b) in STANDARD_SPLIT.items():
        spec = {"tier": tier, "description": f"{words[tier]}，在法定幅度的{a}%至{b}%区间内处罚"}
        for who, low_f, high_f in (("citizen", "citizen_min", "citizen_max"), ("org", "org_min", "org_max")):
            low, high = getattr(c, low_f), getattr(c, high_f)
            if high is not None:
                spec[f"{who}_min"], spec[f"{who}_max"] = cut(low, high, a), cut(low, high, b)
        if c.fine_basis == FineBasis.MULTIPLE:
            low, high = c.multiple_min or Decimal(0), c.multiple_max
            spec["multiple_min"] = (low + (high - low) * Decimal(a) / 100).quantize(Decimal("0.01"))
            spec["multiple_max"] = (low + (high - low) * Decimal(b) / 100).quantize(Decimal("0.01"))
        tiers.append(spec)
    return tiers


def standard_circumstances(extra: list[tuple[str, str, str, str]] = ()) -> list[dict]:
    """The statutory circumstances (行政处罚法第三十二条、第三十三条) plus an item's own."""
    from sanxiang.guidance.choices import STATUTORY_CIRCUMSTANCES

    return [{"code": code, "label": label, "tier": tier, "rule": rule}
            for code, label, tier, rule in [*STATUTORY_CIRCUMSTANCES, *extra]]
