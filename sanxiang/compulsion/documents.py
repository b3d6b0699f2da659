"""The documents of 行政强制 (查封扣押决定书及清单、延长/解除决定书、催告书、强制执行决定书、代履行决定书、
强制执行申请书): kinds registered with documents.kinds.register_kind and their builders.

Numbered per agency, kind and year like every kind (e.g. 河城管强封〔2026〕第1号), frozen, rendered
to .docx and PDF by the documents app; the steps that make each kind are declared by the flows.
The 查封扣押决定书 and 强制执行决定书 carry their decision's number (compulsion.publication draws it
from the same counter when the decision is made), which is how the publication finds them.
"""

from __future__ import annotations

from decimal import Decimal

from sanxiang.accounts.models import Role
from sanxiang.cases.procedure import remedy_periods
from sanxiang.compulsion.facts import data_date
from sanxiang.documents.builders import BuildContext, _you, addressee, officers_text, parties_lines
from sanxiang.documents.content import cn_date, line, money, paragraph, seal, signatures, table
from sanxiang.documents.kinds import DocumentKind, ExtraField, register_kind
from sanxiang.registry.params import param_int

LAW = "《中华人民共和国行政强制法》"
HEADS = (Role.OFFICER, Role.UNIT_HEAD, Role.AGENCY_HEAD)


def _measure(case) -> str:
    from sanxiang.compulsion.rules import SeizureMeasure

    value = case.data.get("seizure_measure")
    return SeizureMeasure(value).label if value in SeizureMeasure.values else "查封、扣押"


def _remedy(case, you: str, what: str) -> dict:
    days, months = remedy_periods(case.agency)
    agency = case.agency
    return paragraph(f"{you}如不服本决定，可以在收到本决定书之日起{days}日内向{agency.reconsideration_body}申请行政复议，"
                     f"也可以在{months}个月内向{agency.litigation_court}提起行政诉讼。{what}")


def _things_rows(case) -> list[list[str]]:
    return [[str(t.order), t.name, f"{t.quantity.normalize():f}", t.unit, t.condition, t.remark or ""]
            for t in case.seized_things.order_by("order", "pk")]


# --- requirements --------------------------------------------------------------------------------


def needs_seizure(case, extra) -> str | None:
    if not case.seized_things.exists():
        return "尚未登记查封扣押的实施情况和清单，不能制作查封扣押决定书及清单"
    return None


def needs_extension(case, extra) -> str | None:
    if not case.data.get("seizure_extended"):
        return "查封扣押期限尚未经批准延长，不能制作延长查封扣押期限决定书"
    return None


def needs_release(case, extra) -> str | None:
    if not case.data.get("released_on"):
        return "尚未作出解除查封扣押决定，不能制作解除查封扣押决定书"
    return None


def needs_reminder(case, extra) -> str | None:
    if not case.data.get("performance_deadline"):
        return "请先登记催告内容（应当履行的义务、履行期限、送达日期）"
    return None


def needs_enforcement_decision(case, extra) -> str | None:
    if not case.data.get("enforcement_decided_on"):
        return "尚未作出强制执行决定，不能制作强制执行决定书"
    return None


def needs_substitute(case, extra) -> str | None:
    if case.data.get("enforcement_method") != "substitute":
        return "强制执行决定的执行方式不是代履行，不能制作代履行决定书"
    return None


def needs_substitute_reminder(case, extra) -> str | None:
    if case.data.get("enforcement_method") != "substitute":
        return "强制执行决定的执行方式不是代履行，不能制作代履行催告书"
    if not case.documents.filter(kind="substitute_decision").exists():
        return "请先制作代履行决定书（代履行前送达决定书，《行政强制法》第五十一条第一款第一项）"
    return None


def needs_court_application(case, extra) -> str | None:
    if not case.data.get("applied_on"):
        return "尚未作出申请人民法院强制执行的决定，不能制作强制执行申请书"
    return None


# --- builders ------------------------------------------------------------------------------------


def seizure_decision(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    you, measure = _you(case), _measure(case)
    started, ends = data_date(case, "seized_on"), data_date(case, "seizure_ends_on")
    days = param_int("seizure_days", case.agency)
    urgent = ("因情况紧急，执法人员当场实施，并已依照《中华人民共和国行政强制法》第十九条的规定向行政机关负责人报告、补办批准手续。"
              if case.data.get("urgent") else "经本机关负责人批准，")
    return [
        *parties_lines(case),
        paragraph(f"{you}涉嫌{case.title}。{case.data.get('seizure_facts', '')}"),
        paragraph(f"{urgent}依据{LAW}第九条、第十八条、第二十四条的规定，本机关决定自{cn_date(started)}起对{you}的"
                  f"下列场所、设施或者财物予以{measure}（详见《查封扣押清单》），实施地点：{case.data.get('seizure_place', '')}。"),
        paragraph(f"{measure}期限为{days}日，自{cn_date(started)}起至{cn_date(ends)}止；情况复杂的，经本机关负责人批准可以延长，"
                  f"但延长期限不得超过{param_int('seizure_extension_days', case.agency)}日（{LAW}第二十五条）。"
                  f"{you}应当妥善配合，不得擅自启封、转移、损毁被{measure}的场所、设施或者财物。"),
        _remedy(case, you, ""),
        paragraph(f"执法人员：{officers_text(case)}"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def seizure_list(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    return [
        line(f"当事人：{case.party_names}"),
        line(f"实施时间：{case.data.get('seized_at', '')}　实施地点：{case.data.get('seizure_place', '')}"),
        line(f"措施：{_measure(case)}"),
        table(["序号", "名称", "数量", "单位", "状况", "备注"], _things_rows(case)),
        paragraph(f"当事人到场情况：{case.data.get('party_present', '')}"),
        paragraph(f"本清单一式两份，由当事人和行政机关分别保存（{LAW}第二十四条）。"),
        signatures(("当事人签名", ""), ("执法人员签名", ""), ("见证人签名", "")),
        seal(case.agency.name, cn_date(ctx.issued_on)),
    ]


def seizure_extension(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    you, measure = _you(case), _measure(case)
    original, ends = data_date(case, "seizure_original_ends_on"), data_date(case, "seizure_ends_on")
    return [
        line(f"{addressee(case)}："),
        paragraph(f"本机关于{cn_date(data_date(case, 'seized_on'))}对{you}的场所、设施或者财物予以{measure}，期限至{cn_date(original)}。"
                  f"因{case.data.get('extension_reasons', '情况复杂')}，经本机关负责人批准，依据{LAW}第二十五条的规定，"
                  f"决定将{measure}期限延长至{cn_date(ends)}。"),
        paragraph("延长期限只此一次。"),
        _remedy(case, you, ""),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def seizure_release(ctx: BuildContext) -> list[dict]:
    from sanxiang.compulsion.rules import ReleaseGround

    case = ctx.case
    you, measure = _you(case), _measure(case)
    ground = case.data.get("release_ground")
    reason = ReleaseGround(ground).label if ground in ReleaseGround.values else "行政机关负责人认为不应当采取"
    article = "第二十八条" if ground else "第十九条"
    return [
        line(f"{addressee(case)}："),
        paragraph(f"本机关于{cn_date(data_date(case, 'seized_on'))}对{you}的场所、设施或者财物予以{measure}。"
                  f"因{reason}（{case.data.get('release_reasons', '')}），依据{LAW}{article}的规定，本机关决定自"
                  f"{cn_date(data_date(case, 'released_on'))}起解除{measure}，退还下列财物："),
        table(["序号", "名称", "数量", "单位", "状况", "备注"], _things_rows(case)),
        paragraph(f"请{you}持本决定书及《查封扣押清单》到本机关办理领取手续。"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def _amount(case) -> Decimal | None:
    raw = case.data.get("reminder_amount") or case.data.get("amount_due")
    return Decimal(str(raw)) if raw not in (None, "") else None


def reminder_notice(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    you = _you(case)
    amount = _amount(case)
    blocks = [
        line(f"{addressee(case)}："),
        paragraph(f"本机关依法作出的行政决定（{case.data.get('origin_decision') or case.source or case.title}）"
                  f"要求{you}{case.data.get('obligation', '')}。{you}未在决定的期限内履行。"),
        paragraph(f"依据{LAW}第三十五条的规定，现催告{you}于{cn_date(data_date(case, 'performance_deadline'))}前履行上述义务"
                  + (f"，应缴纳金额{money(amount)}" if amount else "") + "。"),
    ]
    if case.data.get("surcharge"):
        blocks.append(paragraph(f"其中罚款{money(Decimal(case.data['fine_amount']))}，"
                                f"加处罚款{money(Decimal(case.data['surcharge']))}（{LAW}第四十五条：加处罚款的数额不得超出罚款数额）。"))
    blocks += [
        paragraph(f"{you}收到本催告书后有权进行陈述和申辩，可以在履行期限届满前向本机关提出（{LAW}第三十六条）。"
                  f"逾期仍不履行且无正当理由的，本机关将依法强制执行或者申请人民法院强制执行（{LAW}第三十七条、第五十三条）。"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]
    return blocks


def enforcement_decision(ctx: BuildContext) -> list[dict]:
    from sanxiang.compulsion.rules import EnforcementMethod

    case = ctx.case
    you = _you(case)
    method = case.data.get("enforcement_method")
    return [
        *parties_lines(case),
        paragraph(f"本机关于{cn_date(data_date(case, 'reminder_served_on'))}向{you}送达催告书，催告{you}于"
                  f"{cn_date(data_date(case, 'performance_deadline'))}前{case.data.get('obligation', '')}。{you}逾期仍未履行。"
                  + (f"对{you}的陈述、申辩，本机关复核意见：{case.data['statement_reply']}" if case.data.get("statement_reply") else "")),
        paragraph(f"强制执行的理由和依据：{case.data.get('enforcement_reasons', '')}"),
        paragraph(f"依据{LAW}第三十七条的规定，本机关决定对{you}强制执行，方式："
                  f"{EnforcementMethod(method).label if method in EnforcementMethod.values else '—'}。"),
        _remedy(case, you, "申请行政复议或者提起行政诉讼期间，不停止执行，法律另有规定的除外。"),
        seal(case.agency.name, cn_date(data_date(case, "enforcement_decided_on") or ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def substitute_decision(ctx: BuildContext) -> list[dict]:
    case, x = ctx.case, ctx.extra
    you = _you(case)
    return [
        *parties_lines(case),
        paragraph(f"{you}经催告仍未履行{case.data.get('obligation', '')}的义务。依据{LAW}第五十条、第五十一条的规定，"
                  f"本机关决定代履行。"),
        paragraph(f"代履行人：{x['substitute']}；代履行标的：{x['subject']}；费用预算：{x['budget']}；"
                  f"代履行方式：{x['method']}。"),
        paragraph(f"代履行三日前，本机关将催告{you}履行；{you}履行的，停止代履行。代履行的费用按照成本合理确定，由{you}承担"
                  f"（{LAW}第五十一条）。"),
        _remedy(case, you, ""),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def substitute_reminder(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    you = _you(case)
    days = param_int("substitute_reminder_working_days", case.agency)
    decision = case.documents.filter(kind="substitute_decision").order_by("-version", "-pk").first()
    return [
        line(f"{addressee(case)}："),
        paragraph(f"本机关于{cn_date(data_date(case, 'enforcement_decided_on'))}作出强制执行决定，并以代履行决定书"
                  f"（{decision.number if decision else '—'}）决定代履行。{you}至今仍未履行{case.data.get('obligation', '')}的义务。"),
        paragraph(f"依据{LAW}第五十一条第一款第二项的规定，现催告{you}自收到本催告书之日起{days}日（工作日）内自行履行上述义务。"
                  f"{you}在此期间履行的，本机关停止代履行；逾期仍不履行的，本机关将依法代履行，代履行的费用按照成本合理确定，"
                  f"由{you}承担（{LAW}第五十一条第二款）。"),
        seal(case.agency.name, cn_date(ctx.issued_on)),
        signatures(("当事人签收", ""), ("签收日期", "")),
    ]


def court_application(ctx: BuildContext) -> list[dict]:
    case = ctx.case
    you = "被申请人"
    amount = _amount(case)
    return [
        line(f"{case.data.get('court', '人民法院')}："),
        line(f"申请人：{case.agency.name}"),
        *[b for b in parties_lines(case)],
        paragraph(f"申请事项：请求依法强制执行{case.data.get('origin_decision') or case.title}"
                  + (f"，金额{money(amount)}" if amount else "") + "。"),
        paragraph(f"事实和理由：本机关依法作出的行政决定已送达{you}。{you}在法定期限内未申请行政复议或者提起行政诉讼，"
                  f"又不履行行政决定。本机关于{cn_date(data_date(case, 'reminder_served_on'))}送达催告书，催告书送达十日后{you}"
                  f"仍未履行义务。依据{LAW}第五十三条、第五十四条、第五十五条的规定，特申请强制执行。"),
        paragraph("附：行政决定书及作出决定的事实、理由和依据；当事人的意见及催告情况；申请强制执行标的情况。"),
        signatures(("行政机关负责人签名", "")),
        seal(case.agency.name, cn_date(data_date(case, "applied_on") or ctx.issued_on)),
    ]


KINDS = [
    DocumentKind("seizure_decision", "查封扣押决定书", numbering="decision", abbr="强封", requires=needs_seizure,
                 build=seizure_decision, roles=HEADS, basis="《行政强制法》第二十四条"),
    DocumentKind("seizure_list", "查封扣押清单", numbering="counter", abbr="强清", layout="form", requires=needs_seizure,
                 build=seizure_list, roles=HEADS, basis="《行政强制法》第二十四条", page_sign="当事人签名："),
    DocumentKind("seizure_extension", "延长查封扣押期限决定书", numbering="counter", abbr="强延", requires=needs_extension,
                 build=seizure_extension, roles=HEADS, basis="《行政强制法》第二十五条"),
    DocumentKind("seizure_release", "解除查封扣押决定书", numbering="counter", abbr="强解", requires=needs_release,
                 build=seizure_release, roles=HEADS, basis="《行政强制法》第十九条、第二十八条"),
    DocumentKind("reminder_notice", "催告书", numbering="counter", abbr="强催", requires=needs_reminder,
                 build=reminder_notice, roles=HEADS, basis="《行政强制法》第三十五条、第五十四条"),
    DocumentKind("enforcement_decision", "强制执行决定书", numbering="decision", abbr="强执",
                 requires=needs_enforcement_decision, build=enforcement_decision, roles=HEADS,
                 basis="《行政强制法》第三十七条"),
    DocumentKind("substitute_decision", "代履行决定书", numbering="counter", abbr="强代", requires=needs_substitute,
                 build=substitute_decision, roles=HEADS, basis="《行政强制法》第五十条、第五十一条",
                 extra=(ExtraField("substitute", "代履行人", required=True),
                        ExtraField("subject", "代履行标的", required=True),
                        ExtraField("budget", "费用预算", required=True),
                        ExtraField("method", "代履行方式", required=True))),
    DocumentKind("substitute_reminder", "代履行催告书", numbering="counter", abbr="强代催",
                 requires=needs_substitute_reminder, build=substitute_reminder, roles=HEADS,
                 basis="《行政强制法》第五十一条"),
    DocumentKind("court_application", "强制执行申请书", numbering="counter", abbr="强申",
                 requires=needs_court_application, build=court_application, roles=HEADS,
                 basis="《行政强制法》第五十三条、第五十四条、第五十五条"),
]


def register() -> None:
    for kind in KINDS:
        register_kind(kind)
