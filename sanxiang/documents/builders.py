"""Builders: a case (and what the officer entered) → the blocks of one standard document.

Every builder reads only the case, its party, agency, officers, step values (case.data),
reviews, decision and already issued documents; the wording follows the standard formats of
行政处罚 documents. A builder returns the list of blocks (content.py); the service adds the header.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sanxiang.cases.choices import PenaltyKind, ServiceMethod
from sanxiang.cases.procedure import cn_count, rate_text, remedy_periods
from sanxiang.documents.content import (
    cn_date,
    cn_datetime,
    fields,
    heading,
    line,
    money,
    note,
    opinion,
    paragraph,
    qa,
    seal,
    signatures,
    table,
)
from sanxiang.registry.params import param_int


@dataclass
class BuildContext:
    case: object
    kind: object
    extra: dict
    number: str
    version: int
    issued_on: dt.date
    actor: object


def not_implemented(ctx: BuildContext) -> list[dict]:  # pragma: no cover - registry default
    raise NotImplementedError(ctx.kind.code)


# --- facts about the case ------------------------------------------------------------------------


def _you(case) -> str:
    """How a letter addresses the party: 你 / 你单位, or 你们 when it goes to several (共同违法)."""
    parties = case.parties_in_order()
    if len(parties) > 1:
        return "你们"
    return "你" if parties and parties[0].is_citizen else "你单位"


def addressee(case) -> str:
    """The salutation of a letter: every party, in the case's order."""
    return case.party_names


def parties_rows(case) -> list:
    """The party rows of a form: one block per party, numbered when there are several."""
    parties = case.parties_in_order()
    if len(parties) == 1:
        return party_rows(parties[0])
    rows = []
    for i, party in enumerate(parties, 1):
        for row in party_rows(party):
            pairs = [row] if isinstance(row[0], str) else row
            rows.append([(f"当事人{i}" if label == "当事人" else label, value) for label, value in pairs])
    return rows


def parties_lines(case) -> list[dict]:
    """The party block at the top of a letter, for every party (当事人一、当事人二…)."""
    parties = case.parties_in_order()
    blocks = []
    for i, party in enumerate(parties, 1):
        label = "当事人" if len(parties) == 1 else f"当事人{i}"
        blocks += party_lines(party, label)
    return blocks


def party_rows(party) -> list:
    if party.is_citizen:
        return [[("当事人", party.name), ("身份证号码", party.id_number)],
                [("住址", party.address or "—"), ("联系电话", party.phone or "—")]]
    return [[("当事人", party.name), ("统一社会信用代码", party.uscc)],
            [("法定代表人（负责人）", party.legal_representative or "—"), ("联系电话", party.phone or "—")],
            ("住所", party.address or "—")]


def party_lines(party, label: str = "当事人") -> list[dict]:
    """The block of one party at the top of a letter (告知书、决定书)."""
    if party.is_citizen:
        rows = [f"{label}：{party.name}", f"身份证号码：{party.id_number}", f"住址：{party.address or '—'}"]
    else:
        rows = [f"{label}：{party.name}", f"统一社会信用代码：{party.uscc}",
                f"法定代表人（负责人）：{party.legal_representative or '—'}", f"住所：{party.address or '—'}"]
    return [line(r) for r in rows]


def officers(case) -> list:
    """Assigned officers, the lead first."""
    return [a.officer for a in case.assignments.select_related("officer").order_by("-is_lead", "pk")]


def officers_text(case) -> str:
    return "、".join(f"{o.name}（执法证号：{o.certificate_no or '—'}）" for o in officers(case))


def basis_text(refs) -> str:
    """Each citation down to its 款 and 项, once: 《固体废物污染环境防治法》第一百一十一条第二款."""
    from sanxiang.guidance.lawtext import Citation, format_citation

    texts = [format_citation(Citation(r["law"], int(r["article"]), int(r.get("suffix") or 0), r.get("paragraph"),
                                      r.get("item"))) for r in refs or []]
    return "、".join(dict.fromkeys(texts))


def benchmark_line(case) -> str:
    """The discretion benchmark version the decision applied (stored on the case), or ""."""
    from sanxiang.guidance.choices import Tier

    if case.benchmark_id is None:
        return ""
    tier = Tier(case.benchmark_tier).label if case.benchmark_tier in Tier.values else case.benchmark_tier
    return f"本案适用{case.benchmark.label}，裁量阶次：{tier}。"


def kinds_label(kinds) -> str:
    return "、".join(PenaltyKind(k).label for k in kinds if k in PenaltyKind.values)


def penalty_items(kinds, fine) -> list[str]:
    """1. 警告；2. 罚款人民币800.00元（大写：捌佰元整）."""
    items = []
    for k in kinds:
        if k not in PenaltyKind.values:
            continue
        if k == PenaltyKind.FINE and fine:
            items.append(f"罚款{money(fine)}")
        else:
            items.append(PenaltyKind(k).label)
    if len(items) == 1:
        return [items[0] + "。"]
    return [f"{i}.{text}；" if i < len(items) else f"{i}.{text}。" for i, text in enumerate(items, 1)]


def facts_text(case, lead: str = "经查明：") -> str:
    """The facts, introduced once (officers often begin them with 经查 themselves)."""
    facts = (case.facts or case.title).strip()
    if facts.startswith(("经查", "经调查", "查明")):
        return facts
    return lead + facts


def user_name(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user else ""


def _event(case, action: str):
    return case.events.filter(action=action).select_related("actor").order_by("-at", "-pk").first()


def _agency_contact(case, extra) -> str:
    agency = case.agency
    text = extra.get("contact") or "、".join(x for x in (agency.phone, agency.address) if x)
    return text or "—"


def issued(case, kind: str):
    """The current version of the latest issued document of `kind` in the case, if any."""
    latest = case.documents.filter(kind=kind).order_by("-issued_at", "-pk").first()
    return latest


# --- requirements ----------------------------------------------------------------------------


def needs_decision(case, extra) -> str | None:
    if getattr(case, "decision", None) is None:
        return "案件尚未作出行政处罚决定，不能制作决定书"
    return None


def needs_review(case, extra) -> str | None:
    if not case.reviews.exists():
        return "本案尚无法制审核意见，不能制作法制审核意见书"
    return None


def needs_hearing_right(case, extra) -> str | None:
    from sanxiang.cases.facts import hearing_right

    if not case.proposed_penalty_kinds:
        return "尚无拟处罚意见，不能制作听证告知书"
    if not hearing_right(case):
        return "拟作出的行政处罚不属于听证范围（《行政处罚法》第六十三条），无需制作听证告知书"
    return None


def needs_hearing_request(case, extra) -> str | None:
    if not case.hearing_requested:
        return "当事人未申请听证，不能制作听证通知书"
    return None


def needs_hearing_record(case, extra) -> str | None:
    missing = needs_hearing_request(case, extra)
    if missing:
        return missing
    if not (extra.get("record") or case.data.get("hearing_record")):
        return "请填写听证经过（或先办理“登记听证”录入听证笔录摘要）"
    return None


# Documents a 送达回证 can accompany, by kind code.
SERVABLE = (
    ("decision", "行政处罚决定书"),
    ("prior_notice", "行政处罚事先告知书"),
    ("hearing_right_notice", "行政处罚听证告知书"),
    ("hearing_notification", "行政处罚听证通知书"),
    ("evidence_preservation", "先行登记保存证据通知书"),
)


def _served_document(case, extra):
    """(title, number) of the document the receipt accompanies, or None."""
    wanted = extra.get("served")
    codes = [wanted] if wanted else [c for c, _ in SERVABLE]
    for code in codes:
        if code == "decision" and getattr(case, "decision", None) is not None:
            return "行政处罚决定书", case.decision.number, code
        doc = issued(case, code)
        if doc is not None:
            return doc.title, doc.number, code
    return None


def needs_servable(case, extra) -> str | None:
    if _served_document(case, extra) is None:
        label = dict(SERVABLE).get(extra.get("served"), "可送达的文书")
        return f"本案尚未制作{label}，没有可送达的文书"
    return None


def service_subject(case, extra) -> str:
    _, number, _ = _served_document(case, extra)
    return f"serves:{number}"


def review_subject(case, extra) -> str:
    from sanxiang.reviews.selectors import latest_review

    return f"review:{latest_review(case).pk}"


# --- builders ------------------------------------------------------------------------------------


def filing_approval(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    approve = _event(case, "approve_filing") or _event(case, "reject_filing")
    summary = ctx.extra.get("summary") or case.facts or f"{case.title}。"
    return [
        fields(
            ("案由", case.title),
            [("案件来源", case.source or "—"), ("立案日期", cn_date(case.opened_on))],
            ("执法事项", f"{case.item.code} {case.item.name}"),
            *parties_rows(case),
            ("简要案情", summary),
            ("承办人员", officers_text(case)),
        ),
        opinion("承办人意见", ctx.extra.get("handler_opinion") or "经初步核实，当事人涉嫌违法，建议立案调查。",
                "、".join(o.name for o in officers(case)), cn_date(case.opened_on)),
        opinion("承办机构负责人意见", case.data.get("filing_opinion", ""),
                user_name(approve.actor) if approve else "", cn_date(approve.at) if approve else ""),
        note("注：符合立案标准的，行政机关应当及时立案（《中华人民共和国行政处罚法》第五十四条）。"),
    ]


def inspection_record(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    mode = x.get("mode") or "检查"
    when = cn_datetime(x["started_at"]) + (f"至{cn_datetime(x['ended_at'])}" if x.get("ended_at") else "")
    people = officers(case)
    return [
        fields(
            (f"{mode}时间", when),
            (f"{mode}地点", x["place"]),
            *parties_rows(case),
            [(f"{mode}人员", "、".join(o.name for o in people)),
             ("执法证号", "、".join(o.certificate_no or "—" for o in people))],
            [("记录人", x.get("recorder") or (people[0].name if people else "")), ("在场人员", x.get("present") or "—")],
        ),
        paragraph(f"执法人员已向当事人（在场人员）出示行政执法证件，表明身份，告知{mode}事由和依据，"
                  "并告知当事人有申请执法人员回避的权利和如实提供情况、配合检查的义务。"),
        heading(f"现场{mode}情况"),
        *[paragraph(p) for p in _paragraphs(x["record"])],
        paragraph("以上笔录已交当事人（在场人员）核对（或已向其宣读），确认无误。", indent=True),
        signatures(("当事人（在场人员）签名", ""), ("日期", ""), ("执法人员签名", ""), ("记录人签名", "")),
    ]


def inquiry_record(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    when = cn_datetime(x["started_at"]) + (f"至{cn_datetime(x['ended_at'])}" if x.get("ended_at") else "")
    people = officers(case)
    agency = case.agency
    opening = {
        "q": (f"我们是{agency.name}的执法人员{ '、'.join(o.name for o in people)}，执法证号分别为"
              f"{'、'.join(o.certificate_no or '—' for o in people)}，这是我们的执法证件（出示）。现就{case.title}"
              "一案依法向你进行调查询问，你应当如实回答，不得作伪证或者隐匿证据；对与本案无关的问题你有权拒绝回答。"
              "你认为执法人员与本案有利害关系、可能影响公正执法的，有权申请回避。你听清楚了吗？是否申请回避？"),
        "a": "听清楚了，不申请回避。",
    }
    return [
        fields(
            ("询问时间", when),
            ("询问地点", x["place"]),
            [("被询问人", x["interviewee"]), ("与本案关系", x.get("relation") or "—")],
            ("基本情况", x.get("interviewee_info") or "—"),
            [("询问人", "、".join(o.name for o in people)), ("记录人", x.get("recorder") or "—")],
        ),
        qa([opening, *x["qa"]]),
        paragraph("以上笔录已交被询问人核对（或已向其宣读），被询问人确认记录与其所述一致。"),
        signatures(("被询问人签名", ""), ("日期", ""), ("询问人签名", ""), ("记录人签名", "")),
    ]


def evidence_preservation(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    you = _you(case)
    days = _param_or("evidence_preservation_days", case.agency, 7)
    preserved_on = x.get("preserved_on") or ctx.issued_on
    rows = [[str(i), *item] for i, item in enumerate(x["items"], 1)]
    return [
        line(f"{addressee(case)}："),
        paragraph(f"因{you}涉嫌{case.title}，在证据可能灭失或者以后难以取得的情况下，经本机关负责人批准，"
                  f"依据《中华人民共和国行政处罚法》第五十六条的规定，本机关决定自{cn_date(preserved_on)}起对下列物品"
                  f"予以先行登记保存，保存地点为{x['storage_place']}。"),
        table(["序号", "名称", "规格型号", "数量", "备注"], rows),
        paragraph(f"在先行登记保存期间，{you}或者有关人员不得损毁、销毁或者转移证据。本机关将在{days}日内作出处理决定。"),
        paragraph(f"执法人员：{officers_text(case)}"),
        signatures(("当事人签名", ""), ("执法人员签名", "")),
        seal(case.agency.name, cn_date(ctx.issued_on)),
    ]


def _notice_core(case, you) -> list[dict]:
    item = case.item
    fine = case.proposed_fine
    return [
        paragraph(facts_text(case, f"经调查，{you}")),
        paragraph(f"{you}的上述行为违反了{basis_text(item.legal_basis) or '有关法律、法规、规章'}的规定。"
                  f"依据{basis_text(item.penalty_basis) or '有关法律、法规、规章'}的规定，本机关拟对{you}作出如下行政处罚："),
        *[paragraph(t) for t in penalty_items(case.proposed_penalty_kinds, fine)],
    ]


def prior_notice(ctx: BuildContext) -> list[dict]:
    from sanxiang.cases.facts import hearing_right

    case = ctx.case
    you = _you(case)
    # The same parameter the engine enforces before the decision (cases.procedure periods).
    statement_days = param_int("statement_days", case.agency)
    blocks = [line(f"{addressee(case)}："), *_notice_core(case, you),
              paragraph(f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{you}有权进行陈述和申辩。"
                        f"{you}可以在收到本告知书之日起{cn_count(statement_days)}日内向本机关提出陈述、申辩意见；逾期未提出的，视为放弃此权利。"
                        "本机关不因当事人陈述、申辩而给予更重的处罚。")]
    if hearing_right(case):
        days = param_int("hearing_request_days", case.agency)
        blocks.append(paragraph(
            f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{you}有权要求举行听证。"
            f"{you}要求听证的，应当在收到本告知书之日起{days}日内向本机关提出；逾期未提出的，视为放弃听证权利。"))
    blocks += [paragraph(f"联系方式：{_agency_contact(case, ctx.extra)}", indent=True),
               seal(case.agency.name, cn_date(ctx.issued_on)),
               signatures(("当事人签收", ""), ("签收日期", ""))]
    return blocks


def hearing_right_notice(ctx: BuildContext) -> list[dict]:
    """听证告知书, addressed to the parties that have the hearing right (第六十三条 is each
    party's own: with several parties, those whose proposed penalty reaches it)."""
    from sanxiang.cases.facts import hearing_parties

    case = ctx.case
    you = _you(case)
    days = param_int("hearing_request_days", case.agency)
    entitled = hearing_parties(case) if len(case.parties_in_order()) > 1 else []
    return [
        line(f"{'、'.join(p.name for p in entitled) or addressee(case)}："), *_notice_core(case, you),
        paragraph(f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{you}有权要求举行听证。"
                  f"{you}要求听证的，应当在收到本告知书之日起{days}日内向本机关提出；逾期未提出的，视为放弃听证权利。"
                  "听证由本机关指定的非本案调查人员主持，不向当事人收取费用；"
                  f"{you}认为主持人与本案有直接利害关系的，有权申请回避。"),
        paragraph(f"联系方式：{_agency_contact(case, ctx.extra)}"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def hearing_notification(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    you = _you(case)
    return [
        line(f"{addressee(case)}："),
        paragraph(f"根据{you}的听证申请，依据《中华人民共和国行政处罚法》第六十四条的规定，本机关决定于"
                  f"{cn_datetime(x['hearing_at'])}在{x['place']}就{case.title}一案举行听证，"
                  f"听证主持人为{x['host']}" + (f"，记录员为{x['recorder']}" if x.get("recorder") else "") + "。"),
        paragraph(f"{you}可以亲自参加听证，也可以委托一至二人代理；委托代理人参加的，应当提交授权委托书。"
                  f"{you}认为主持人与本案有直接利害关系的，有权申请回避。"
                  f"{you}无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。"),
        paragraph("听证除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，公开举行。"),
        paragraph(f"联系方式：{_agency_contact(case, x)}"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
    ]


def hearing_record(ctx: BuildContext) -> list[dict]:
    from sanxiang.registry.models import Officer

    case, x = ctx.case, ctx.extra
    host = x.get("host")
    if not host and case.data.get("hearing_host"):
        host = Officer.objects.filter(pk=case.data["hearing_host"]).values_list("name", flat=True).first()
    when = cn_datetime(x.get("started_at")) or cn_date(case.hearing_held_on) or "—"
    if x.get("ended_at"):
        when += f"至{cn_datetime(x['ended_at'])}"
    return [
        fields(
            ("案由", case.title),
            [("听证时间", when), ("听证地点", x.get("place") or "—")],
            [("听证主持人", host or "—"), ("记录员", x.get("recorder") or "—")],
            *parties_rows(case),
            ("案件调查人员", officers_text(case)),
            ("其他参加人员", x.get("participants") or "—"),
        ),
        paragraph("主持人宣布听证纪律，核对参加人员身份，告知当事人有申请回避、陈述、申辩和质证的权利；"
                  "当事人不申请回避。案件调查人员提出当事人违法的事实、证据和行政处罚建议，当事人进行申辩和质证，"
                  "并作最后陈述。"),
        heading("听证经过"),
        *[paragraph(p) for p in _paragraphs(x.get("record") or case.data.get("hearing_record", ""))],
        signatures(("当事人（代理人）签名", ""), ("案件调查人员签名", ""), ("听证主持人签名", ""),
                   ("记录员签名", "")),
    ]


def _discussion(case):
    return case.collective_discussions.order_by("-recorded_at", "-pk").first()


def needs_discussion(case, extra) -> str | None:
    if _discussion(case) is None and not all(extra.get(k) for k in ("held_at", "place", "host", "attendees",
                                                                      "discussion", "conclusion")):
        return "尚未登记集体讨论，不能制作集体讨论笔录（请由机关负责人办理“登记集体讨论”）"
    return None


def collective_discussion(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    record = _discussion(case)
    proposed = "\n".join(penalty_items(case.proposed_penalty_kinds, case.proposed_fine)) or "—"
    held = cn_datetime(x["held_at"]) if x.get("held_at") else cn_date(record.held_on)
    host = x.get("host") or f"{user_name(record.presided_by)}（机关负责人）"
    attendees = x.get("attendees") or record.participant_names()
    discussion = x.get("discussion") or record.discussion
    conclusion = x.get("conclusion") or f"{record.get_conclusion_display()}。{record.conclusion_text}"
    rows = [
        ("案由", case.title),
        ("案件编号", case.number),
        [("讨论时间", held), ("地点", x.get("place") or record.place)],
        [("主持人", host), ("记录人", x.get("recorder") or "—")],
        ("出席人员", attendees),
        ("当事人", case.party_names),
        ("承办人员", officers_text(case)),
        ("拟处罚意见", proposed),
    ]
    if record is not None and record.reasons:
        rows.append(("集体讨论事由", "；".join(record.reasons)))
    return [
        fields(*rows),
        heading("讨论内容"),
        *[paragraph(p) for p in _paragraphs(discussion)],
        heading("讨论决定"),
        *[paragraph(p) for p in _paragraphs(conclusion)],
        note("依据《中华人民共和国行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，"
             "行政机关负责人应当集体讨论决定。"),
        signatures(("出席人员签名", ""), ("记录人签名", "")),
    ]


def needs_transfer(case, extra) -> str | None:
    if not (extra.get("judicial_organ") or case.data.get("judicial_organ")):
        return "机关负责人尚未批准移送，不能制作涉嫌犯罪案件移送书"
    return None


def crime_transfer(ctx: BuildContext) -> list[dict]:
    """涉嫌犯罪案件移送书 (行政处罚法第二十七条; 《行政执法机关移送涉嫌犯罪案件的规定》第三条、第六条)."""
    case, x = ctx.case, ctx.extra
    organ = x.get("judicial_organ") or case.data.get("judicial_organ", "")
    reasons = x.get("transfer_reasons") or case.data.get("transfer_reasons", "")
    procuratorate = x.get("procuratorate") or case.data.get("procuratorate", "")
    party = case.party
    ident = f"（身份证号码：{party.id_number}）" if party.is_citizen else f"（统一社会信用代码：{party.uscc}）"
    blocks = [
        line(f"{organ}："),
        paragraph(f"{party.name}{ident}{case.title}一案，本机关于{cn_date(case.opened_on)}立案调查（案件编号：{case.number}）。"
                  f"{facts_text(case)}"),
        paragraph(f"经本机关负责人批准，认为该案涉嫌犯罪，依法需要追究刑事责任。涉嫌犯罪的事实和理由：{reasons}"),
        paragraph("根据《中华人民共和国行政处罚法》第二十七条和《行政执法机关移送涉嫌犯罪案件的规定》第三条的规定，"
                  "现将该案移送你单位依法处理，请在回执上签字，并将立案情况书面告知本机关。"),
        heading("附件（《行政执法机关移送涉嫌犯罪案件的规定》第六条）"),
        line("1.涉嫌犯罪案件情况的调查报告；"),
        line("2.涉案物品清单；"),
        line("3.有关检验报告或者鉴定结论；"),
        line("4.其他有关涉嫌犯罪的材料。"),
    ]
    evidence = _evidence_list(case)
    if evidence:
        blocks.append(note("随案移送的证据材料：" + "；".join(evidence)))
    if procuratorate:
        blocks.append(line(f"抄送：{procuratorate}"))
    blocks += [seal(case.agency.name, cn_date(ctx.issued_on)),
               signatures(("接收机关签收", ""), ("签收日期", ""))]
    return blocks


def legal_review_opinion(ctx: BuildContext) -> list[dict]:
    from sanxiang.reviews.selectors import checklist_in_force, latest_review

    case = ctx.case
    review = latest_review(case)
    reviewer_officer = getattr(review.reviewer, "officer", None)
    qualification = getattr(reviewer_officer, "legal_qualification_no", "") or "—"
    proposed = "\n".join(penalty_items(case.proposed_penalty_kinds, case.proposed_fine)) or "—"
    # The items checked at the time (stored with the review); older reviews: the list in force now.
    items = review.checklist_items or [[k, label] for k, label, _ in checklist_in_force(case.agency)[0]]
    checks = [[str(i), label, "符合" if review.checklist.get(key) else "不符合"]
              for i, (key, label) in enumerate(items, 1)]
    return [
        fields(
            ("案件名称", case.title),
            ("案件编号", case.number),
            ("当事人", case.party_names),
            ("送审机构及承办人", f"{case.agency.name}　{officers_text(case)}"),
            ("拟处罚意见", proposed),
            ("适用审核目录情形", "；".join(review.matched) or "—"),
            [("送审日期", cn_date(review.started_on)),
             ("审核期限", cn_date(review.due_on) + ("（已超期）" if review.overdue else ""))],
        ),
        heading("审核内容"),
        table(["序号", "审核事项", "审核结论"], checks),
        opinion(f"审核意见：{review.get_opinion_display()}", review.opinion_text,
                f"{user_name(review.reviewer)}（法律职业资格证书编号：{qualification}）", cn_date(review.submitted_at)),
        opinion("机关负责人意见"),
    ]


def _evidence_list(case) -> list[str]:
    """The evidence of the case: the record documents issued and the files attached."""
    seen, items = set(), []
    for doc in case.documents.filter(kind__in=["inspection_record", "inquiry_record", "hearing_record",
                                               "evidence_preservation"]).order_by("issued_at", "pk"):
        if doc.number in seen:
            continue
        seen.add(doc.number)
        items.append(f"《{doc.title}》（{doc.number}）")
    for ev in case.evidence.filter(superseded_by__isnull=True).select_related("file").order_by("uploaded_at", "pk"):
        # A document is read by everybody who sees the case: restricted evidence is never named by
        # its file name there (accounts.scoping), only described or identified by hash.
        fallback = f"受限材料（哈希 {ev.file.sha256}）" if ev.is_restricted else ev.original_name
        items.append(f"{ev.get_kind_display()}：{ev.description or fallback}")
    return items


CN_ORDINALS = "一二三四五六七八九十"


def _ordinal(i: int) -> str:
    return CN_ORDINALS[i - 1] if i <= len(CN_ORDINALS) else str(i)


def decision(ctx: BuildContext) -> list[dict]:
    """The 行政处罚决定书 of the general procedure and the 当场行政处罚决定书 of the simple one.

    The one writer of a decision's text (行政处罚法第五十九条; 第五十二条 on the spot): Decision.text
    and the published text are read from the document this builds, never written elsewhere.
    """
    case, x = ctx.case, ctx.extra
    dec = case.decision
    agency = case.agency
    you = _you(case)
    simple = ctx.kind.code == "on_spot_decision"
    blocks = [*parties_lines(case)]
    if simple:
        intro = (f"{cn_date(dec.decided_on)}，本机关执法人员{officers_text(case)}在{x.get('place') or '违法行为发生地'}"
                 f"当场查实{you}{case.title}的违法事实。执法人员当场作出行政处罚决定前，已向{you}出示执法证件，"
                 f"告知了拟作出行政处罚的事实、理由和依据，并听取了{you}的陈述和申辩"
                 "（《中华人民共和国行政处罚法》第五十二条）。")
    else:
        intro = f"{agency.name}于{cn_date(case.opened_on)}对{you}{case.title}一案立案调查，现已调查终结。"
        if case.notice_served_on:
            intro += (f"本机关于{cn_date(case.notice_served_on)}向{you}送达了《行政处罚事先告知书》，告知了拟作出行政处罚的"
                      f"事实、理由、依据以及{you}依法享有的陈述、申辩权利。")
        if case.hearing_held_on:
            intro += f"应{you}申请，本机关于{cn_date(case.hearing_held_on)}依法举行了听证。"
    statement = case.data.get("statement", "")
    blocks.append(paragraph(intro + (statement if statement.endswith("。") or not statement else statement + "。")))
    blocks.append(paragraph(facts_text(case)))
    evidence = _evidence_list(case)
    if evidence:
        blocks.append(paragraph("以上事实有下列证据证明："))
        blocks += [paragraph(f"{i}.{text}" + ("；" if i < len(evidence) else "。")) for i, text in enumerate(evidence, 1)]
    elif not simple:
        blocks.append(paragraph("以上事实有本案调查取得的现场检查笔录、询问笔录及其他证据证明。"))
    blocks.append(paragraph(
        f"本机关认为，{you}的上述行为违反了{basis_text(case.item.legal_basis) or '有关法律、法规、规章'}的规定。"
        f"处罚理由及依据：{dec.reasons}"))
    if benchmark_line(case):
        blocks.append(paragraph(benchmark_line(case)))
    blocks += _penalty_blocks(dec, you)
    blocks += _performance(case, dec, you, simple)
    days, months = remedy_periods(agency)
    blocks.append(paragraph(
        f"{you}如不服本行政处罚决定，可以在收到本决定书之日起{days}日内向{agency.reconsideration_body}申请行政复议，"
        f"也可以在收到本决定书之日起{months}个月内直接向{agency.litigation_court}提起行政诉讼。"
        "申请行政复议或者提起行政诉讼期间，行政处罚不停止执行，法律另有规定的除外。"))
    if simple:
        blocks.append(signatures(("当事人签收", ""), ("执法人员签名", "")))
    blocks.append(seal(agency.name, cn_date(dec.decided_on)))
    return blocks


def _penalty_blocks(dec, you) -> list[dict]:
    """处罚内容: one list for one party; with several (共同违法), each party's own penalty."""
    rows = dec.party_penalties()
    if len(rows) <= 1:
        kinds, fine = (rows[0].penalty_kinds, rows[0].fine_amount) if rows else (dec.penalty_kinds, dec.fine_amount)
        return [paragraph(f"本机关决定对{you}作出如下行政处罚："), *[paragraph(t) for t in penalty_items(kinds, fine)]]
    blocks = [paragraph("本机关决定对各当事人分别作出如下行政处罚：")]
    for i, row in enumerate(rows, 1):
        items = "".join(penalty_items(row.penalty_kinds, row.fine_amount))
        blocks.append(paragraph(f"（{_ordinal(i)}）对{row.party.name}：{items}"))
    return blocks


def penalty_summary(dec) -> str:
    """The penalty as one field of a form, per party when there are several."""
    rows = dec.party_penalties()
    if len(rows) <= 1:
        return "\n".join(penalty_items(dec.penalty_kinds, dec.fine_amount))
    return "\n".join(f"对{r.party.name}：{''.join(penalty_items(r.penalty_kinds, r.fine_amount))}" for r in rows)


def _performance(case, dec, you, simple: bool = False) -> list[dict]:
    """行政处罚的履行方式和期限 (Art. 59 (4); payment: Arts. 67, 72; on the spot: Art. 69)."""
    if not dec.fine_amount:
        return [paragraph(f"{you}应当自收到本决定书之日起履行上述行政处罚决定。")]
    days = param_int("payment_days", case.agency)
    on_spot = "依法当场收缴罚款的，执法人员当场出具专用票据。" if simple else ""
    return [paragraph(
        f"{you}应当自收到本决定书之日起{days}日内，持本决定书到指定的银行或者通过电子支付系统缴纳罚款。{on_spot}"
        "到期不缴纳罚款的，本机关将依据《中华人民共和国行政处罚法》第七十二条第一款第（一）项的规定，"
        f"每日按罚款数额的{rate_text(case.agency)}加处罚款，加处罚款的数额不超出罚款的数额；{you}逾期不申请行政复议或者提起行政诉讼，"
        "又不履行行政处罚决定的，本机关将依法申请人民法院强制执行。")]


def service_receipt(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    title, number, code = _served_document(case, x)
    method = x.get("method")
    served_on = x.get("served_on")
    if not method and code == "decision" and case.service_method:
        method = ServiceMethod(case.service_method).label
    if not served_on and code == "decision" and case.served_on:
        served_on = case.served_on
    return [
        fields(
            ("送达文书名称及文号", f"《{title}》{number}"),
            ("受送达人", x.get("recipient") or case.party_names),
            ("送达地点", x.get("place") or "；".join(p.address for p in case.parties_in_order() if p.address) or "—"),
            [("送达方式", method or ""), ("送达日期", cn_date(served_on))],
            ("送达人", officers_text(case)),
            ("受送达人签名或盖章", ""),
            ("代收人签名及代收理由", ""),
            ("见证人签名", ""),
            ("备注", x.get("remarks") or ""),
            ("送达机关", f"{case.agency.name}（印章）"),
        ),
        note("注：受送达人拒绝签收的，送达人可以邀请有关基层组织或者所在单位的代表到场，说明情况，"
             "在送达回证上记明拒收事由和日期，由送达人、见证人签名或者盖章，把文书留在受送达人的住所，"
             "也可以采用拍照、录像等方式记录送达过程，即视为送达。"),
    ]


def closing_approval(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    dec = getattr(case, "decision", None)
    approve = _event(case, "approve_closing")
    penalty = penalty_summary(dec) if dec else "—"
    execution = case.data.get("execution_note", "")
    executed_on = case.data.get("executed_on")
    handler = ctx.extra.get("handler_opinion") or (
        f"本案处罚决定已于{cn_date(executed_on)}执行完毕，建议结案。" if executed_on else "本案已办理完毕，建议结案。")
    return [
        fields(
            ("案由", case.title),
            ("案件编号", case.number),
            [("立案日期", cn_date(case.opened_on)), ("决定日期", cn_date(dec.decided_on) if dec else "—")],
            *parties_rows(case),
            ("决定书文号", dec.number if dec else "—"),
            ("处罚内容", penalty),
            [("送达日期", cn_date(case.served_on) or "—"), ("履行日期", cn_date(executed_on) or "—")],
            ("执行情况", execution or "—"),
            ("承办人员", officers_text(case)),
        ),
        opinion("承办人意见", handler, "、".join(o.name for o in officers(case)), cn_date(ctx.issued_on)),
        opinion("承办机构负责人意见", case.data.get("closing_opinion", ""),
                user_name(approve.actor) if approve else "", cn_date(approve.at) if approve else ""),
        opinion("机关负责人意见"),
    ]


def _param_or(key: str, agency, default: int) -> int:
    """A figure from registry.Parameter when an administrator entered one, else the statutory default."""
    from sanxiang.common.exceptions import DomainError

    try:
        return param_int(key, agency)
    except DomainError:
        return default


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()] or ["—"]
