"""The guards, effects and choice lists of the licensing and levy/fee flows, registered with the engine.

Each guard enforces one article and refuses with a Chinese message naming it. Periods of the
行政许可法 are working days (第八十二条); figures are registry parameters (licensing.params).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import models

from sanxiang.cases.engine import Context, choice_list, choice_provider, effect, guard
from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DeadlineError, TransitionNotAllowed, ValidationFailed
from sanxiang.common.models import next_number
from sanxiang.registry.params import param_int

ART32 = "行政许可法第三十二条"
ART42 = "行政许可法第四十二条、第四十五条、第八十二条"


class ExcludedKind(models.TextChoices):
    HEARING = "hearing", "听证"
    TENDER = "tender", "招标、拍卖"
    TESTING = "testing", "检验、检测、检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT = "expert", "专家评审"


class Recommendation(models.TextChoices):
    GRANT = "grant", "建议准予许可"
    REFUSE = "refuse", "建议不予许可"


choice_list("licence_excluded_kind", ExcludedKind)
choice_list("licence_recommendation", Recommendation)


def application_of(case):
    from sanxiang.licensing.models import Application

    return Application.objects.filter(case=case).first()


def guide_of(item):
    from sanxiang.licensing.models import ServiceGuide

    return ServiceGuide.objects.filter(item=item).first()


@choice_provider("licence_materials")
def materials_choices(case):
    guide = guide_of(case.item) if case is not None else None
    return [(m["key"], m["label"]) for m in guide.materials] if guide else []


@choice_provider("fee_items")
def fee_item_choices(case):
    from sanxiang.licensing.models import FeeItem

    rows = FeeItem.objects.filter(is_active=True)
    if case is not None:
        rows = rows.filter(agency=case.agency, kind=case.item.kind)
    return [(r.code, r.name) for r in rows]


def missing_materials(case) -> list[dict]:
    """The guide's required materials the application does not hold yet."""
    guide = guide_of(case.item)
    application = application_of(case)
    have = application.material_keys() if application else set()
    return [m for m in (guide.required_materials() if guide else []) if m["key"] not in have]


def _working_deadline(start: dt.date, days: int, what: str) -> dt.date:
    return add_working_days(start, days, what=what)


def _move_due(case, days: int, what: str, note: str) -> None:
    """Move the decision due date by working days; a year whose holidays are not entered yet is
    not guessed: the due date stays and the note says why (the administrator enters the calendar)."""
    try:
        case.decision_due = _working_deadline(case.decision_due, days, what)
        case.deadline_note = note[:200]
    except DeadlineError as exc:
        case.deadline_note = f"{note}；{exc.message}"[:200]


# --- 申请材料审查 (Art. 32) -----------------------------------------------------------------------


@guard("licence_materials_complete", label="申请材料齐全、符合法定形式，方可受理", rule="行政许可法第三十二条第一款第（五）项")
def licence_materials_complete(ctx: Context) -> None:
    if guide_of(ctx.case.item) is None:
        raise TransitionNotAllowed("该许可事项尚未公布服务指南（申请材料目录），不能审查受理（《行政许可法》第三十条）",
                                   code="guide_missing", rule="行政许可法第三十条")
    missing = missing_materials(ctx.case)
    if missing:
        raise ValidationFailed(
            f"申请材料不齐全，缺少：{'、'.join(m['label'] for m in missing)}；应当一次告知申请人需要补正的全部内容，"
            "不能受理（《行政许可法》第三十二条第一款第（四）项、第（五）项）",
            field="accepted_on", code="materials_incomplete", rule=ART32)


@guard("licence_supplement_in_time", label="需要补正的，在五个工作日内一次告知；逾期不告知的，自收到申请材料之日起即为受理",
       rule="行政许可法第三十二条第一款第（四）项、第八十二条")
def licence_supplement_in_time(ctx: Context) -> None:
    days = param_int("licence_supplement_working_days", ctx.case.agency)
    received = ctx.case.opened_on
    deadline = _working_deadline(received, days, "补正告知期限")
    on = ctx.values.get("supplement_on") or ctx.today
    if on > deadline:
        raise TransitionNotAllowed(
            f"告知补正须在收到申请材料之日（{received}）起{days}个工作日内（至{deadline}）作出；逾期不告知的，"
            "自收到申请材料之日起即为受理（《行政许可法》第三十二条第一款第（四）项、第八十二条），请办理受理",
            field="supplement_on", code="supplement_too_late", rule=ART32)


@guard("licence_supplement_once", label="补正材料一次告知，不得多次要求补正", rule=ART32)
def licence_supplement_once(ctx: Context) -> None:
    if ctx.case.events.filter(action="request_supplement").exists():
        raise TransitionNotAllowed("已一次告知补正全部内容，不得再次要求补正；材料仍不齐全的，应当作出不予受理决定"
                                   "（《行政许可法》第三十二条第一款第（四）项）", code="supplement_twice", rule=ART32)


@guard("licence_missing_listed", label="补正材料通知书须列明需要补正的全部材料", rule=ART32)
def licence_missing_listed(ctx: Context) -> None:
    chosen = set(ctx.values.get("missing_materials") or [])
    forgotten = [m["label"] for m in missing_materials(ctx.case) if m["key"] not in chosen]
    if forgotten:
        raise ValidationFailed(f"应当一次告知申请人需要补正的全部内容，遗漏：{'、'.join(forgotten)}"
                               "（《行政许可法》第三十二条第一款第（四）项）",
                               field="missing_materials", code="supplement_incomplete", rule=ART32)


@guard("licence_supplement_complete", label="补正的材料齐全后方可登记补正", rule=ART32)
def licence_supplement_complete(ctx: Context) -> None:
    asked = set(ctx.case.data.get("missing_materials") or [])
    application = application_of(ctx.case)
    have = application.material_keys() if application else set()
    still = [label for key, label in materials_choices(ctx.case) if key in asked and key not in have]
    if still:
        raise ValidationFailed(f"通知补正的材料尚未提交：{'、'.join(still)}（请先上传补正材料；《行政许可法》第三十二条）",
                               field="supplemented_on", code="supplement_missing", rule=ART32)


_REASONS = {"not_accept": ("refusal_reason", "不予受理", "行政许可法第三十二条"),
            "refuse": ("decision_reasons", "不予行政许可", "行政许可法第三十八条第二款")}


@guard("licence_reason_given", label="不予受理、不予许可的，须书面说明理由并告知救济途径", rule="行政许可法第三十二条、第三十八条第二款")
def licence_reason_given(ctx: Context) -> None:
    name, what, rule = _REASONS.get(ctx.action.code, ("decision_reasons", ctx.action.name, "行政许可法第三十八条第二款"))
    reason = (ctx.values.get(name) or "").strip()
    if len(reason) < 4:
        raise ValidationFailed(f"作出{what}决定的，应当书面说明理由，并告知申请人依法申请行政复议或者提起行政诉讼的权利"
                               f"（《{rule.replace('行政许可法', '行政许可法》')}），请填写理由",
                               field=name, code="reason_required", rule=rule)


# --- the documents each act relies on -----------------------------------------------------------

NOTICE_FOR = {
    "record_supplement": ("supplement_notice",),
    "serve_non_acceptance": ("non_acceptance_notice",),
    "record_examination": ("acceptance_notice",),
    "issue_licence": ("licence_grant_decision", "licence_certificate"),
    "serve_refusal": ("licence_refusal_decision",),
    "serve_levy": ("levy_decision",),
}


@guard("licence_notice_issued", label="须先制作本环节的书面凭证或决定书（受理、补正、不予受理通知书，许可决定书，证件）",
       rule="行政许可法第三十二条第二款、第三十八条、第三十九条")
def licence_notice_issued(ctx: Context) -> None:
    from sanxiang.documents.kinds import KINDS

    for kind in NOTICE_FOR.get(ctx.action.code, ()):
        if not ctx.case.documents.filter(kind=kind).exists():
            raise TransitionNotAllowed(f"请先制作《{KINDS[kind].name}》再办理“{ctx.action.name}”（书面凭证，"
                                       "《行政许可法》第三十二条第二款、第三十八条、第三十九条）",
                                       code="document_missing", field="document", rule="行政许可法第三十二条第二款")


# --- 审查 and 决定 (Arts. 34, 42, 45) --------------------------------------------------------------


@guard("licence_onsite_recorded", label="进行现场核查的，须记录核查情况", rule="行政许可法第三十四条第三款")
def licence_onsite_recorded(ctx: Context) -> None:
    if ctx.values.get("onsite_checked") and not (ctx.values.get("onsite_record") or "").strip():
        raise ValidationFailed("已进行现场核查的，须记录核查情况（《行政许可法》第三十四条第三款，指派两名以上工作人员核查）",
                               field="onsite_record", code="onsite_record_missing", rule="行政许可法第三十四条第三款")


@effect("licence_start_decision_period", label="受理：自受理之日起计算二十个工作日的决定期限", rule=ART42)
def licence_start_decision_period(ctx: Context) -> None:
    case = ctx.case
    days = param_int("licence_decision_working_days", case.agency)
    accepted = ctx.values["accepted_on"]
    case.data["decision_period"] = {"accepted_on": accepted.isoformat(), "days": days, "extended": 0, "excluded": 0}
    try:
        case.decision_due = _working_deadline(accepted, days, "行政许可决定期限")
        case.deadline_note = f"自受理之日起{days}个工作日（《行政许可法》第四十二条、第八十二条）"
    except DeadlineError as exc:
        case.decision_due, case.deadline_note = None, exc.message[:200]


@guard("licence_decision_in_time", label="自受理之日起二十个工作日内作出决定；经负责人批准可延长十个工作日（听证、检验检测、专家评审等时间不计入）",
       rule=ART42)
def licence_decision_in_time(ctx: Context) -> None:
    case = ctx.case
    due = case.decision_due
    on = ctx.values.get("decided_on") or ctx.today
    if due is None or on <= due:
        return
    period = case.data.get("decision_period") or {}
    if period.get("extended"):
        text = f"决定期限（含经负责人批准延长的{period['extended']}个工作日）已于{due}届满"
    else:
        text = (f"决定期限已于{due}届满（自受理之日起{period.get('days', 20)}个工作日），且未经本行政机关负责人批准延长；"
                "二十个工作日内不能作出决定的，应在期限内报负责人批准延长十个工作日并告知申请人理由")
    raise TransitionNotAllowed(f"{text}，不能在{on}作出行政许可决定（《行政许可法》第四十二条、第四十五条、第八十二条）",
                               field="decided_on", code="decision_period_expired", rule=ART42)


@guard("licence_extension_once", label="延长决定期限须在期限届满前经负责人批准，只能延长一次", rule="行政许可法第四十二条")
def licence_extension_once(ctx: Context) -> None:
    case = ctx.case
    if (case.data.get("decision_period") or {}).get("extended"):
        raise TransitionNotAllowed("决定期限已延长过一次，不得再次延长（《行政许可法》第四十二条）",
                                   code="extension_twice", rule="行政许可法第四十二条")
    if case.decision_due and ctx.today > case.decision_due:
        raise TransitionNotAllowed(f"决定期限已于{case.decision_due}届满，不能再批准延长（《行政许可法》第四十二条："
                                   "二十日内不能作出决定的，经本行政机关负责人批准可以延长十日）",
                                   code="extension_after_expiry", rule="行政许可法第四十二条")


@effect("licence_extend_period", label="经负责人批准延长十个工作日，并告知申请人理由", rule="行政许可法第四十二条")
def licence_extend_period(ctx: Context) -> None:
    case = ctx.case
    days = param_int("licence_extension_working_days", case.agency)
    period = dict(case.data.get("decision_period") or {})
    period.update(extended=days, extension_reason=ctx.values.get("extension_reason", ""),
                  extended_by=str(ctx.actor), extended_at=ctx.today.isoformat())
    case.data["decision_period"] = period
    if case.decision_due:
        _move_due(case, days, "延长后的行政许可决定期限", f"经负责人批准延长{days}个工作日（《行政许可法》第四十二条）")


@guard("licence_excluded_days_valid", label="不计入期限的时间以工作日记载，须书面告知申请人", rule="行政许可法第四十五条")
def licence_excluded_days_valid(ctx: Context) -> None:
    raw = str(ctx.values.get("excluded_days") or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 250:
        raise ValidationFailed("所需工作日数须为1至250之间的整数（《行政许可法》第四十五条）", field="excluded_days",
                               code="excluded_days_invalid", rule="行政许可法第四十五条")


@effect("licence_exclude_time", label="听证、检验检测、鉴定、专家评审等所需时间不计入决定期限", rule="行政许可法第四十五条")
def licence_exclude_time(ctx: Context) -> None:
    case = ctx.case
    days = int(str(ctx.values["excluded_days"]).strip())
    period = dict(case.data.get("decision_period") or {})
    period["excluded"] = int(period.get("excluded") or 0) + days
    period.setdefault("exclusions", []).append({"kind": ctx.values.get("excluded_kind"), "days": days,
                                               "on": ctx.today.isoformat()})
    case.data["decision_period"] = period
    if case.decision_due:
        _move_due(case, days, "扣除不计入时间后的决定期限", f"{days}个工作日不计入决定期限（《行政许可法》第四十五条）")


def _decision_create(ctx: Context, reasons: str):
    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.models import Decision

    case = ctx.case
    decided_on = ctx.values.get("decided_on") or ctx.today
    spec = flow_spec(case.flow)
    scope = f"decision:{case.agency.code}:{spec.code}:{decided_on.year}"
    number = f"{case.agency.doc_prefix}{spec.decision_mark}〔{decided_on.year}〕第{next_number(scope)}号"
    case.decided_on = decided_on
    decision = Decision.objects.create(case=case, number=number, decided_on=decided_on, penalty_kinds=[],
                                       fine_amount=None, reasons=reasons or "—", decided_by=ctx.actor)
    ctx.created.append(decision)
    return decision


@effect("licence_make_decision", label="作出准予或不予行政许可的书面决定并编号", rule="行政许可法第三十八条")
def licence_make_decision(ctx: Context) -> None:
    ctx.case.data["outcome"] = "granted" if ctx.action.code == "grant" else "refused"
    _decision_create(ctx, ctx.values.get("decision_reasons", ""))


@effect("licence_issue_certificate", label="颁发、送达行政许可证件（自决定之日起十个工作日内，逾期提示）",
        rule="行政许可法第三十九条、第四十四条")
def licence_issue_certificate(ctx: Context) -> None:
    from sanxiang.licensing.models import Licence

    case = ctx.case
    certificate = case.documents.filter(kind="licence_certificate").order_by("-version", "-pk").first()
    on = ctx.values["certificate_on"]
    licence = Licence.objects.create(case=case, number=certificate.number, holder=case.party.name,
                                     scope=case.data.get("licence_scope", ""),
                                     valid_until=case.data.get("valid_until", ""), issued_on=on)
    ctx.created.append(licence)
    days = param_int("licence_certificate_working_days", case.agency)
    try:
        deadline = _working_deadline(case.decided_on, days, "颁发许可证件期限")
    except DeadlineError:
        return
    if on > deadline:
        late = dict(case.data.get("late") or {})
        late["licence_certificate"] = (f"颁发送达日期{on}晚于颁发许可证件期限（自决定之日{case.decided_on}起{days}个工作日，"
                                       f"应于{deadline}前；《行政许可法》第四十四条）")
        case.data["late"] = late


# --- 行政征收 / 行政收费 -------------------------------------------------------------------------------


def fee_item_of(case, code=None):
    from sanxiang.licensing.models import FeeItem

    code = code or case.data.get("fee_item")
    return FeeItem.objects.filter(agency=case.agency, kind=case.item.kind, code=code, is_active=True).first()


@guard("levy_item_in_list", label="只能依据本机关公布的收费（征收）清单所列项目征收、收费", rule="收费清单制度")
def levy_item_in_list(ctx: Context) -> None:
    if fee_item_of(ctx.case, ctx.values.get("fee_item")) is None:
        raise ValidationFailed("该项目不在本机关公布的收费（征收）清单内，不得征收或收费（清单之外一律不得收费）",
                               field="fee_item", code="fee_item_not_listed", rule="收费清单制度")


@guard("levy_amount_matches_standard", label="应缴金额按清单公布的标准计算", rule="收费清单制度")
def levy_amount_matches_standard(ctx: Context) -> None:
    item = fee_item_of(ctx.case, ctx.values.get("fee_item"))
    if item is None or item.unit_amount is None:
        return
    try:
        quantity = Decimal(str(ctx.values.get("quantity") or "").strip())
    except InvalidOperation:
        raise ValidationFailed(f"按“{item.standard}”计算，须填写计费数量（{item.unit or '单位'}）", field="quantity",
                               code="quantity_required", rule="收费清单制度") from None
    expected = (quantity * item.unit_amount).quantize(Decimal("0.01"))
    if ctx.values.get("levy_amount") != expected:
        raise ValidationFailed(f"应缴金额须按清单标准计算：{quantity}{item.unit}×{item.unit_amount}元＝{expected}元"
                               f"（{item.standard}），不得多收或少收", field="levy_amount", code="amount_not_standard",
                               rule="收费清单制度")


@effect("levy_make_decision", label="作出征收（收费）决定并编号，载明依据、标准、金额及救济途径")
def levy_make_decision(ctx: Context) -> None:
    item = fee_item_of(ctx.case)
    ctx.case.data["outcome"] = "levied"
    _decision_create(ctx, f"依据{item.basis if item else ''}，按“{item.standard if item else ''}”核定")


@guard("levy_paid_in_full", label="实缴金额与决定金额一致", rule="收费清单制度")
def levy_paid_in_full(ctx: Context) -> None:
    due = Decimal(str(ctx.case.data.get("levy_amount") or "0"))
    if ctx.values.get("paid_amount") != due:
        raise ValidationFailed(f"实缴金额须与决定书载明的应缴金额{due}元一致", field="paid_amount", code="paid_mismatch",
                               rule="收费清单制度")


@effect("publication_by_kind", label="生成待公示的执法决定信息（许可7个工作日、征收收费等20个工作日）", rule="实施方案：执法决定公示")
def publication_by_kind(ctx: Context) -> None:
    from sanxiang.licensing.publication import publication_for

    ctx.created.append(publication_for(ctx.case, ctx.case.decision, ctx.action.code))
