"""The annual report as tables (one source for the portal page and the PDF) and its PDF (WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string


def _pairs(mapping: dict) -> list[list]:
    return [[label, count] for label, count in mapping.items()]


def report_tables(figures: dict) -> list[dict]:
    """[{"title", "rows": [[label, value]…], "note"}] in reading order."""
    cases, decisions = figures["cases"], figures["decisions"]
    hearings, reviews, pubs = figures["hearings"], figures["reviews"], figures["publications"]
    outcome_rows = [[f"{kind} · {outcome}", n] for kind, outcomes in cases["by_kind_outcome"].items()
                    for outcome, n in outcomes.items()]
    tables = [
        {"title": "执法案件（按类别）", "rows": [["合计", cases["total"]], *_pairs(cases["by_kind"])]},
        {"title": "办理结果（按类别）", "rows": outcome_rows},
        {"title": "行政处罚决定", "rows": [["作出处罚决定", decisions["count"]], ["其中处以罚款", decisions["fined"]],
                                      ["罚款金额合计（元）", decisions["fine_total"]],
                                      *[[f"处罚种类 · {k}", n] for k, n in decisions["by_penalty_kind"].items()]]},
        {"title": "听证", "rows": [["当事人申请听证（当年立案）", hearings["requested"]], ["举行听证", hearings["held"]]]},
        {"title": "重大执法决定法制审核", "rows": [["审核合计", reviews["count"]], *_pairs(reviews["by_opinion"]),
                                          ["超期审核", reviews["overdue"]]]},
        {"title": "执法决定公示", "rows": [["应公示", pubs["total"]], ["按期公示", pubs["on_time"]], ["逾期公示", pubs["late"]],
                                     ["待公示（未逾期）", pubs["pending"]], ["待公示（已逾期）", pubs["pending_overdue"]],
                                     ["按期公示率", pubs["on_time_rate"]]]},
    ]
    for code in ("reconsideration", "litigation", "complaints"):
        item = figures[code]
        tables.append({"title": item["label"], "rows": [["合计", item["count"]], *_pairs(item["by_outcome"])],
                       "note": item["note"]})
    return tables


def chart_data(figures: dict) -> dict:
    """What the portal's ECharts draw (passed through json_script, drawn by exchange/annual.js)."""
    return {
        "cases_by_kind": _pairs(figures["cases"]["by_kind"]),
        "penalty_kinds": _pairs(figures["decisions"]["by_penalty_kind"]),
        "review_opinions": _pairs(figures["reviews"]["by_opinion"]),
        "publication": [["按期公示", figures["publications"]["on_time"]], ["逾期公示", figures["publications"]["late"]],
                        ["待公示", figures["publications"]["pending"] + figures["publications"]["pending_overdue"]]],
    }


def render_report_pdf(report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("exchange/report_pdf.html", {"report": report, "tables": report_tables(report.figures)})
    return HTML(string=html, base_url=None).write_pdf()
