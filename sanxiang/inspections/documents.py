"""The inspection flow's documents (责令改正通知书、复查意见书), registered with the documents app.

The 检查记录/现场笔录 is the existing 现场检查（勘验）笔录 (documents.kinds "inspection_record").
"""

from __future__ import annotations

from sanxiang.documents.builders import BuildContext, addressee, officers_text
from sanxiang.documents.content import cn_date, fields, heading, line, paragraph, seal, signatures
from sanxiang.documents.kinds import DocumentKind, ExtraField, register_kind


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()] or ["—"]


def rectification_notice(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    deadline = x["deadline"]
    return [
        line(f"{addressee(case)}："),
        paragraph(f"本机关执法人员{officers_text(case)}于{cn_date(case.data.get('inspected_on') or ctx.issued_on)}"
                  f"对你单位进行了检查（{case.item.name}），发现你单位存在下列问题："),
        *[paragraph(p) for p in _paragraphs(x.get("problems") or case.data.get("findings", ""))],
        paragraph(f"依据{x.get('basis') or '《中华人民共和国行政处罚法》第二十八条第一款'}的规定，现责令你单位于"
                  f"{cn_date(deadline)}前按下列要求改正："),
        *[paragraph(p) for p in _paragraphs(x["requirements"])],
        paragraph("改正期限届满后，本机关将进行复查。逾期不改正的，本机关将依法处理。"
                  "你单位提前改正完毕的，可以书面报告本机关申请复查。"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def recheck_opinion(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    notice = case.documents.filter(kind="rectification_notice").order_by("-pk").first()
    return [
        fields(("被复查单位", case.party_names), ("复查时间", cn_date(x["rechecked_on"])),
               ("复查人员", officers_text(case)),
               ("责令改正通知书", f"{notice.number}（改正期限：{cn_date(notice.extra.get('deadline'))}）" if notice else "—")),
        heading("复查情况"),
        *[paragraph(p) for p in _paragraphs(x["situation"])],
        heading("复查意见"),
        *[paragraph(p) for p in _paragraphs(x["opinion"])],
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人（在场人员）签名", ""), ("日期", ""), ("执法人员签名", "")),
    ]


def needs_notice(case, extra) -> str | None:
    if not case.documents.filter(kind="rectification_notice").exists():
        return "复查意见书须在制作责令改正通知书之后制作"
    return None


def register() -> None:
    register_kind(DocumentKind(
        "rectification_notice", "责令改正通知书", numbering="counter", abbr="责改",
        extra=(ExtraField("deadline", "改正期限", "date", True, past_only=False),
               ExtraField("problems", "发现的问题", "text", help="不填时取登记的检查情况"),
               ExtraField("requirements", "改正要求", "text", True),
               ExtraField("basis", "责令改正依据", help="不填时为《行政处罚法》第二十八条第一款")),
        build=rectification_notice, basis="《行政处罚法》第二十八条第一款",
    ))
    register_kind(DocumentKind(
        "recheck_opinion", "复查意见书", numbering="counter", abbr="复查", layout="form",
        extra=(ExtraField("rechecked_on", "复查日期", "date", True),
               ExtraField("situation", "复查情况", "text", True),
               ExtraField("opinion", "复查意见", "text", True)),
        requires=needs_notice, build=recheck_opinion, basis="《行政处罚法》第二十八条第一款",
    ))
