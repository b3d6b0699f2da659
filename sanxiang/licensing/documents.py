"""The documents of the licensing and levy/fee flows, registered as document kinds from ready().

Builders read the case, its application (licensing.Application), the service guide and the step
values (Case.data); the remedy periods are the registry's, as in the penalty documents.
"""

from __future__ import annotations

from sanxiang.cases.procedure import remedy_periods
from sanxiang.documents.builders import BuildContext, addressee, parties_lines
from sanxiang.documents.content import cn_date, fields, line, money, paragraph, seal, signatures
from sanxiang.documents.kinds import DocumentKind, ExtraField, register_kind
from sanxiang.registry.params import param_int


def _application(case):
    from sanxiang.licensing.rules import application_of

    return application_of(case)


def _received(case) -> str:
    app = _application(case)
    return cn_date(app.received_on if app else case.opened_on)


def _remedy(case, what: str) -> dict:
    agency = case.agency
    days, months = remedy_periods(agency)
    return paragraph(f"如不服本{what}，可以自收到之日起{days}日内向{agency.reconsideration_body}申请行政复议，"
                     f"也可以自收到之日起{months}个月内向{agency.litigation_court}提起行政诉讼。")


def _contact(case) -> dict:
    agency = case.agency
    return paragraph(f"联系方式：{'、'.join(x for x in (agency.phone, agency.address) if x) or '—'}")


def _guide_labels(case, keys) -> list[str]:
    from sanxiang.licensing.rules import materials_choices

    labels = dict(materials_choices(case))
    return [labels.get(k, k) for k in keys]


def acceptance_notice(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    accepted = case.data.get("accepted_on")
    due = case.decision_due
    return [
        line(f"{addressee(case)}："),
        paragraph(f"你（单位）于{_received(case)}提出的{case.item.name}申请，申请材料齐全、符合法定形式，"
                  f"本机关决定予以受理（《中华人民共和国行政许可法》第三十二条第一款第（五）项），受理日期为{cn_date(accepted)}。"),
        paragraph(f"本机关将自受理之日起{param_int('licence_decision_working_days', case.agency)}个工作日内作出行政许可决定"
                  f"（期限届满日：{cn_date(due) if due else '—'}；依法需要听证、检验、检测、鉴定或专家评审的，所需时间不计算在内，"
                  "本机关将书面告知）。申请人可凭申请编号和查询码在行政执法公示平台查询办理进度。"),
        _contact(case), seal(case.agency.name, cn_date(ctx.issued_on)),
    ]


def non_acceptance_notice(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    blocks = [line(f"{addressee(case)}："),
              paragraph(f"你（单位）于{_received(case)}提出的{case.item.name}申请，经审查，本机关决定不予受理。"),
              paragraph(f"理由：{case.data.get('refusal_reason') or '—'}")]
    if case.data.get("refer_to"):
        blocks.append(paragraph(f"该申请事项不属于本机关职权范围，请向{case.data['refer_to']}申请（《行政许可法》第三十二条第一款第（二）项）。"))
    return [*blocks, _remedy(case, "不予受理决定"), _contact(case), seal(case.agency.name, cn_date(ctx.issued_on)),
            signatures(("申请人签收", ""), ("签收日期", ""))]


def supplement_notice(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    missing = _guide_labels(case, case.data.get("missing_materials") or [])
    return [
        line(f"{addressee(case)}："),
        paragraph(f"你（单位）于{_received(case)}提出的{case.item.name}申请，申请材料不齐全（不符合法定形式）。"
                  "根据《中华人民共和国行政许可法》第三十二条第一款第（四）项，现一次告知需要补正的全部内容如下："),
        *[paragraph(f"{i}. {label}") for i, label in enumerate(missing, 1)],
        *([paragraph(f"补正要求：{case.data['supplement_note']}")] if case.data.get("supplement_note") else []),
        paragraph("请按上述要求补正全部材料后提交本机关。补正材料齐全、符合法定形式的，本机关将予以受理。"),
        _contact(case), seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("申请人签收", ""), ("签收日期", "")),
    ]


def grant_decision(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    dec = case.decision
    return [
        *parties_lines(case),
        paragraph(f"你（单位）于{_received(case)}提出的{case.item.name}申请，本机关于{cn_date(case.data.get('accepted_on'))}"
                  f"受理。经审查：{case.data.get('examination_opinion') or ''}"),
        paragraph(f"认定的事实与依据：{dec.reasons}"),
        paragraph(f"申请符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第一款，本机关决定准予行政许可。"
                  f"许可内容：{case.data.get('licence_scope') or '—'}；有效期限：{case.data.get('valid_until') or '—'}。"),
        paragraph(f"本机关将自本决定作出之日起{param_int('licence_certificate_working_days', case.agency)}个工作日内"
                  "颁发、送达行政许可证件（《行政许可法》第四十四条）。本决定将依法公开，公众有权查阅（第四十条）。"),
        seal(case.agency.name, cn_date(dec.decided_on)),
    ]


def refusal_decision(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    dec = case.decision
    return [
        *parties_lines(case),
        paragraph(f"你（单位）于{_received(case)}提出的{case.item.name}申请，本机关于{cn_date(case.data.get('accepted_on'))}"
                  "受理，经审查，决定不予行政许可。"),
        paragraph(f"理由：{dec.reasons}"),
        paragraph("根据《中华人民共和国行政许可法》第三十八条第二款，本机关依法说明理由，并告知你（单位）享有依法申请行政复议"
                  "或者提起行政诉讼的权利。"),
        _remedy(case, "决定"), seal(case.agency.name, cn_date(dec.decided_on)),
    ]


def licence_certificate(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    party = case.party
    return [
        fields(("持证人", party.name), ("证件号码", party.id_number or party.uscc),
               ("许可事项", case.item.name), ("许可内容", case.data.get("licence_scope") or "—"),
               ("有效期限", case.data.get("valid_until") or "—"),
               ("许可决定书文号", case.decision.number if getattr(case, "decision", None) else "—")),
        paragraph("本证件依据《中华人民共和国行政许可法》第三十九条颁发。"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
    ]


def levy_decision(ctx: BuildContext) -> list[dict]:
    from sanxiang.licensing.rules import fee_item_of

    case = ctx.case
    dec = case.decision
    item = fee_item_of(case)
    label = case.item.get_kind_display()
    days = param_int("levy_payment_days", case.agency)
    amount = case.data.get("levy_amount")
    return [
        *parties_lines(case),
        paragraph(f"经核定：{case.data.get('assessment_facts') or ''}"),
        paragraph(f"项目：{item.name if item else '—'}；依据：{item.basis if item else '—'}；标准：{item.standard if item else '—'}"
                  + (f"；计费数量：{case.data['quantity']}{item.unit}" if item and case.data.get("quantity") else "") + "。"),
        paragraph(f"本机关决定对你（单位）{label}，应缴金额：{money(amount)}。"),
        paragraph(f"请自收到本决定书之日起{days}日内，持本决定书到指定银行或通过电子支付系统缴纳，缴款后取得财政部门统一印制的票据。"),
        paragraph("对核定的项目、标准或金额有异议的，可以自收到本决定书之日起向本机关提出，本机关将复核并答复。"),
        _remedy(case, "决定"), seal(case.agency.name, cn_date(dec.decided_on)),
    ]


def _needs_decision(case, extra) -> str | None:
    return None if getattr(case, "decision", None) is not None else "尚未作出决定，不能制作决定书"


def _needs_refusal_reason(case, extra) -> str | None:
    return None if case.data.get("refusal_reason") else "尚未作出不予受理决定，不能制作不予受理通知书"


def _needs_supplement(case, extra) -> str | None:
    return None if case.data.get("missing_materials") else "尚未登记需补正的材料，不能制作补正材料通知书"


def _needs_acceptance(case, extra) -> str | None:
    return None if case.data.get("accepted_on") else "尚未受理，不能制作受理通知书"


def _needs_outcome(outcome):
    def check(case, extra):
        if getattr(case, "decision", None) is None or case.data.get("outcome") != outcome:
            return "尚未作出相应决定，不能制作该决定书"
        return None
    return check


LICENSING = "《中华人民共和国行政许可法》"
KINDS = [
    DocumentKind("acceptance_notice", "行政许可受理通知书", numbering="counter", abbr="许受",
                 requires=_needs_acceptance, build=acceptance_notice, basis=f"{LICENSING}第三十二条"),
    DocumentKind("non_acceptance_notice", "行政许可不予受理通知书", numbering="counter", abbr="许不受",
                 requires=_needs_refusal_reason, build=non_acceptance_notice, basis=f"{LICENSING}第三十二条"),
    DocumentKind("supplement_notice", "补正材料通知书", numbering="counter", abbr="许补",
                 requires=_needs_supplement, build=supplement_notice, basis=f"{LICENSING}第三十二条"),
    DocumentKind("licence_grant_decision", "准予行政许可决定书", numbering="decision",
                 requires=_needs_outcome("granted"), build=grant_decision, basis=f"{LICENSING}第三十八条"),
    DocumentKind("licence_refusal_decision", "不予行政许可决定书", numbering="decision",
                 requires=_needs_outcome("refused"), build=refusal_decision, basis=f"{LICENSING}第三十八条"),
    DocumentKind("licence_certificate", "行政许可证件", numbering="counter", abbr="许证", layout="form",
                 requires=_needs_outcome("granted"), build=licence_certificate, basis=f"{LICENSING}第三十九条",
                 extra=(ExtraField("note", "备注"),)),
    DocumentKind("levy_decision", "征收（收费）决定书", numbering="decision",
                 requires=_needs_decision, build=levy_decision, basis="收费（征收）清单所列设立依据"),
]


def register() -> None:
    for kind in KINDS:
        register_kind(kind)
