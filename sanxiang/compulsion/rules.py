"""The guards, route conditions, effects and choice lists of the compulsion flows.

Registered with the engine (cases.engine) from CompulsionConfig.ready(). Each guard refuses with a
domain error whose Chinese message names the article of 行政强制法 it enforces; figures come from
registry.Parameter (compulsion/params.py).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from sanxiang.cases.engine import Context, choice_list, condition, effect, guard
from sanxiang.common.calendar import add_working_days, current_calendar
from sanxiang.common.exceptions import DeadlineError, TransitionNotAllowed, ValidationFailed
from sanxiang.compulsion.facts import add_months, data_date, parse_moment, parse_things, seizure_ends_on
from sanxiang.registry.params import param_int


class SeizureMeasure(models.TextChoices):
    SEAL = "seal", "查封"
    DETAIN = "detain", "扣押"


class ReleaseGround(models.TextChoices):
    """《行政强制法》第二十八条第一款."""

    NO_VIOLATION = "no_violation", "当事人没有违法行为"
    UNRELATED = "unrelated", "查封、扣押的场所、设施或者财物与违法行为无关"
    HANDLED = "handled", "已对违法行为作出处理决定，不再需要查封、扣押"
    EXPIRED = "expired", "查封、扣押期限已经届满"
    OTHER = "other", "其他不再需要采取查封、扣押措施的情形"


class EnforcementMethod(models.TextChoices):
    """《行政强制法》第十二条."""

    SURCHARGE = "surcharge", "加处罚款或者滞纳金"
    DEPOSIT = "deposit", "划拨存款、汇款"
    AUCTION = "auction", "拍卖或者依法处理查封、扣押的场所、设施或者财物"
    DIRECT = "direct", "排除妨碍、恢复原状"
    SUBSTITUTE = "substitute", "代履行"
    OTHER = "other", "其他强制执行方式"


class CourtRuling(models.TextChoices):
    GRANTED = "granted", "裁定准予执行"
    REFUSED = "refused", "裁定不予执行"


choice_list("seizure_measure", SeizureMeasure)
choice_list("release_ground", ReleaseGround)
choice_list("enforcement_method", EnforcementMethod)
choice_list("court_ruling", CourtRuling)


def _now():
    return timezone.now()


def _moment(ctx: Context, name: str, label: str) -> dt.datetime:
    value = parse_moment(ctx.values.get(name), label=label, field=name)
    if value > _now() + dt.timedelta(minutes=5):
        raise ValidationFailed(f"“{label}”（{timezone.localtime(value):%Y-%m-%d %H:%M}）不能晚于现在：办案记录的时间须为已经发生的时间",
                               field=name, code="date_in_future")
    return value


# --- 查封、扣押 ----------------------------------------------------------------------------------


@guard("urgent_reasons_given", label="情况紧急需要当场实施的，须写明紧急情况及理由，并在24小时内补办批准手续",
       rule="行政强制法第十九条")
def urgent_reasons_given(ctx: Context) -> None:
    if not ctx.values.get("urgent"):
        raise ValidationFailed("未经行政机关负责人批准当场实施查封、扣押的，须为情况紧急、需要当场实施（勾选“情况紧急”）；"
                               "否则应当事先报经行政机关负责人批准（《行政强制法》第十八条第一项、第十九条）",
                               field="urgent", code="urgent_not_flagged", rule="行政强制法第十八条、第十九条")
    if not (ctx.values.get("urgent_reasons") or "").strip():
        raise ValidationFailed("须写明紧急情况及理由（《行政强制法》第十九条）", field="urgent_reasons",
                               code="urgent_reasons_missing", rule="行政强制法第十九条")


@guard("seizure_time_valid", label="查封扣押须经批准后实施（情况紧急的除外），实施时间不得晚于办理当时",
       rule="行政强制法第十八条")
def seizure_time_valid(ctx: Context) -> None:
    seized_at = _moment(ctx, "seized_at", "实施时间")
    if timezone.localtime(seized_at).date() != ctx.values.get("seized_on"):
        raise ValidationFailed("“实施日期”须与“实施时间”为同一日", field="seized_on", code="seized_on_mismatch")
    approved = ctx.case.data.get("approved_at")
    if ctx.step == "execution" and approved:
        approved_at = dt.datetime.fromisoformat(approved).replace(second=0, microsecond=0)
        if seized_at < approved_at:
            raise ValidationFailed(
                f"实施时间早于行政机关负责人批准的时间（{timezone.localtime(approved_at):%Y-%m-%d %H:%M}）：实施查封、扣押前须"
                "向行政机关负责人报告并经批准（《行政强制法》第十八条第一项）；情况紧急的，应当按当场实施办理",
                field="seized_at", code="seized_before_approval", rule="行政强制法第十八条")


@guard("seizure_things_listed", label="查封扣押决定书附清单，逐件载明名称、数量、单位和状况", rule="行政强制法第二十四条")
def seizure_things_listed(ctx: Context) -> None:
    if not parse_things(ctx.values.get("things")):
        raise ValidationFailed("查封扣押清单至少须列明一件场所、设施或者财物（《行政强制法》第二十四条）", field="things",
                               code="things_missing", rule="行政强制法第二十四条")


@guard("approval_within_24h", label="当场实施的，须在24小时内向行政机关负责人报告并补办批准手续", rule="行政强制法第十九条")
def approval_within_24h(ctx: Context) -> None:
    seized_at = dt.datetime.fromisoformat(ctx.case.data["seized_at_iso"])
    hours = param_int("urgent_approval_hours", ctx.case.agency)
    latest = seized_at + dt.timedelta(hours=hours)
    if _now() > latest:
        raise TransitionNotAllowed(
            f"当场实施查封、扣押后应当在{hours}小时内补办批准手续（《行政强制法》第十九条），本案实施于"
            f"{timezone.localtime(seized_at):%Y-%m-%d %H:%M}，补办期限已于{timezone.localtime(latest):%Y-%m-%d %H:%M}届满，"
            "不能再补办批准；行政机关负责人认为不应当采取的，应当立即解除",
            field="actor", code="approval_too_late", rule="行政强制法第十九条")


@guard("seizure_in_period", label="查封扣押期限届满（未经批准延长）后，除以期限届满为由解除外不得再办理", rule="行政强制法第二十五条")
def seizure_in_period(ctx: Context) -> None:
    ends = seizure_ends_on(ctx.case)
    if ends is None or ctx.today <= ends:
        return
    if ctx.action.code == "release_seizure" and ctx.values.get("release_ground") == ReleaseGround.EXPIRED:
        return  # 第二十八条第一款第四项: the period has run, so the seizure must be released
    started = data_date(ctx.case, "seized_on")
    days = (ctx.today - started).days if started else None
    extended = "已延长一次" if ctx.case.data.get("seizure_extended") else "未经批准延长"
    raise TransitionNotAllowed(
        f"查封、扣押期限已于{ends}届满（{extended}；今天为第{days}日），不能“{ctx.action.name}”："
        "查封、扣押的期限不得超过三十日，情况复杂的经行政机关负责人批准可以延长一次，延长期限不得超过三十日"
        "（《行政强制法》第二十五条）；期限届满的，应当以“查封、扣押期限已经届满”为由解除（第二十八条第一款第四项）",
        field="actor", code="seizure_expired", rule="行政强制法第二十五条")


@guard("seizure_extension_once", label="延长查封扣押期限经行政机关负责人批准，只能延长一次", rule="行政强制法第二十五条")
def seizure_extension_once(ctx: Context) -> None:
    if ctx.case.data.get("seizure_extended"):
        raise TransitionNotAllowed(
            f"本案查封、扣押期限已延长一次（至{ctx.case.data.get('seizure_ends_on')}），不得再次延长"
            "（《行政强制法》第二十五条：经行政机关负责人批准，可以延长，但是延长期限不得超过三十日）",
            field="extension_reasons", code="second_extension", rule="行政强制法第二十五条")


@effect("record_seizure_approval", label="记录行政机关负责人批准的时间和批准人", rule="行政强制法第十八条")
def record_seizure_approval(ctx: Context) -> None:
    ctx.case.data["approved_at"] = _now().isoformat()
    ctx.case.data["approved_by"] = str(ctx.actor)


@effect("record_seizure", label="登记查封扣押清单、起算查封扣押期限，生成待公示的查封扣押决定信息（20个工作日内公示）",
        rule="行政强制法第二十四条、第二十五条")
def record_seizure(ctx: Context) -> None:
    from sanxiang.compulsion.models import SeizedThing
    from sanxiang.compulsion.publication import seizure_published
    from sanxiang.compulsion.services import publication_due

    case = ctx.case
    seized_at = parse_moment(ctx.values["seized_at"], label="实施时间", field="seized_at")
    start = ctx.values["seized_on"]
    case.data["seized_at_iso"] = seized_at.isoformat()
    case.data["seizure_ends_on"] = (start + dt.timedelta(days=param_int("seizure_days", case.agency))).isoformat()
    case.data["publish_due"], case.data["publish_due_note"] = publication_due(case, start)
    for i, row in enumerate(parse_things(ctx.values["things"]), 1):
        ctx.created.append(SeizedThing.objects.create(case=case, order=i, event_action=ctx.action.code, **row))
    raw = ctx.values.get("seizure_measure")
    seizure_published(ctx, measure=SeizureMeasure(raw).label if raw in SeizureMeasure.values else "查封、扣押")


@effect("extend_seizure_period", label="经行政机关负责人批准延长查封扣押期限", rule="行政强制法第二十五条")
def extend_seizure_period(ctx: Context) -> None:
    case = ctx.case
    ends = seizure_ends_on(case) + dt.timedelta(days=param_int("seizure_extension_days", case.agency))
    case.data["seizure_original_ends_on"] = case.data["seizure_ends_on"]
    case.data["seizure_ends_on"] = ends.isoformat()
    case.data["seizure_extended"] = True
    case.data["extended_on"] = ctx.today.isoformat()
    case.step_due = ends


@effect("record_release", label="登记解除查封扣押的日期", rule="行政强制法第二十八条")
def record_release(ctx: Context) -> None:
    ctx.case.data["released_on"] = ctx.today.isoformat()


# --- 行政强制执行 ----------------------------------------------------------------------------------


@guard("reminder_deadline_valid", label="催告书载明履行义务的期限，期限须晚于送达日期", rule="行政强制法第三十五条")
def reminder_deadline_valid(ctx: Context) -> None:
    from django.utils.dateparse import parse_date

    served, raw = ctx.values.get("reminder_served_on"), (ctx.values.get("performance_deadline") or "").strip()
    try:
        deadline = parse_date(raw)
    except ValueError:
        deadline = None
    if deadline is None:
        raise ValidationFailed("“履行期限”须为有效日期（YYYY-MM-DD）（《行政强制法》第三十五条第一项）",
                               field="performance_deadline", code="field_invalid", rule="行政强制法第三十五条")
    if served and deadline <= served:
        raise ValidationFailed(f"履行期限（{deadline}）须晚于催告书送达日期（{served}）：催告书应当载明履行义务的期限"
                               "（《行政强制法》第三十五条第一项）", field="performance_deadline",
                               code="reminder_deadline_invalid", rule="行政强制法第三十五条")
    ctx.case.data["performance_deadline"] = deadline.isoformat()


@guard("statement_answered", label="当事人提出陈述申辩的，须记录其意见并复核（成立的应当采纳）", rule="行政强制法第三十六条")
def statement_answered(ctx: Context) -> None:
    if not ctx.values.get("statement_received"):
        return
    if not (ctx.values.get("statement") or "").strip():
        raise ValidationFailed("当事人提出陈述、申辩的，须记录其意见（《行政强制法》第三十六条）", field="statement",
                               code="statement_missing", rule="行政强制法第三十六条")
    if not (ctx.values.get("statement_reply") or "").strip():
        raise ValidationFailed("行政机关应当充分听取当事人的意见，对当事人提出的事实、理由和证据进行记录、复核，须填写复核意见"
                               "（《行政强制法》第三十六条）", field="statement_reply", code="statement_not_answered",
                               rule="行政强制法第三十六条")


def has_power(agency) -> bool:
    return param_int("compulsion_enforcement_power", agency) == 1


@guard("enforcement_power", label="由法律授予行政强制执行权的行政机关作出强制执行决定", rule="行政强制法第十三条、第三十四条")
def enforcement_power(ctx: Context) -> None:
    if not has_power(ctx.case.agency):
        raise TransitionNotAllowed(f"{ctx.case.agency.name}未登记行政强制执行权（参数“本机关依法享有行政强制执行权”），"
                                   "不能自行作出强制执行决定，应当申请人民法院强制执行（《行政强制法》第十三条、第五十三条）",
                                   field="actor", code="no_enforcement_power", rule="行政强制法第十三条、第五十三条")


@guard("no_enforcement_power", label="没有行政强制执行权的行政机关申请人民法院强制执行", rule="行政强制法第五十三条")
def no_enforcement_power(ctx: Context) -> None:
    if has_power(ctx.case.agency):
        raise TransitionNotAllowed(f"{ctx.case.agency.name}依法享有行政强制执行权，应当依照《行政强制法》第三十四条至第五十二条"
                                   "自行作出强制执行决定（第五十三条适用于没有行政强制执行权的行政机关）",
                                   field="actor", code="has_enforcement_power", rule="行政强制法第三十四条、第五十三条")


@guard("reminder_deadline_passed", label="经催告，当事人逾期仍不履行的，方可作出强制执行决定", rule="行政强制法第三十七条")
def reminder_deadline_passed(ctx: Context) -> None:
    deadline = data_date(ctx.case, "performance_deadline")
    on = ctx.values.get("enforcement_decided_on") or ctx.today
    if deadline is None or on <= deadline:
        raise TransitionNotAllowed(f"催告书载明的履行期限至{deadline}，期限届满前（决定日期{on}）不得作出强制执行决定："
                                   "经催告，当事人逾期仍不履行行政决定，且无正当理由的，行政机关可以作出强制执行决定"
                                   "（《行政强制法》第三十七条）", field="enforcement_decided_on",
                                   code="reminder_deadline_running", rule="行政强制法第三十七条")


def remedy_end(case, values: dict) -> dt.date | None:
    """The day the periods to apply for reconsideration and to sue end: entered, or, for a fine
    carried over from a penalty case, its service date plus the litigation period (the longer one)."""
    if values.get("remedy_ended_on"):
        return values["remedy_ended_on"]
    origin = getattr(case, "enforcement_origin", None) if case.pk else None
    if origin is not None and origin.penalty_case.served_on:
        penalty = origin.penalty_case
        months = param_int("litigation_months", penalty.agency)
        days = param_int("reconsideration_days", penalty.agency)
        return max(add_months(penalty.served_on, months), penalty.served_on + dt.timedelta(days=days))
    return None


@guard("court_application_window", label="申请人民法院强制执行：催告书送达十日后，且在复议、诉讼期限届满之日起三个月内",
       rule="行政强制法第五十三条、第五十四条")
def court_application_window(ctx: Context) -> None:
    case, applied = ctx.case, ctx.values["applied_on"]
    served = data_date(case, "reminder_served_on")
    wait = param_int("court_reminder_working_days", case.agency)
    try:
        earliest = add_working_days(served, wait, what="催告书送达后十日")
    except DeadlineError as exc:
        raise ValidationFailed(exc.message, field="applied_on", code="calendar_year_unknown") from exc
    if applied < earliest:
        raise TransitionNotAllowed(
            f"催告书于{served}送达，申请日期（{applied}）须在送达{wait}日（工作日，第六十九条）之后，即不早于{earliest}："
            "行政机关申请人民法院强制执行前，应当催告当事人履行义务，催告书送达十日后当事人仍未履行义务的，方可申请"
            "（《行政强制法》第五十四条）", field="applied_on", code="court_application_too_soon", rule="行政强制法第五十四条")
    end = remedy_end(case, ctx.values)
    if end is None:
        raise ValidationFailed("请填写申请行政复议、提起行政诉讼的法定期限届满日（《行政强制法》第五十三条）",
                               field="remedy_ended_on", code="remedy_end_missing", rule="行政强制法第五十三条")
    months = param_int("court_application_months", case.agency)
    if applied <= end:
        raise TransitionNotAllowed(
            f"申请行政复议、提起行政诉讼的法定期限至{end}届满，期限内（申请日期{applied}）不得申请人民法院强制执行："
            f"当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，自期限届满之日起{months}个月内申请"
            "（《行政强制法》第五十三条）", field="applied_on", code="court_application_before_remedy_end",
            rule="行政强制法第五十三条")
    latest = add_months(end, months)
    if applied > latest:
        raise TransitionNotAllowed(
            f"申请人民法院强制执行的期限为复议、诉讼期限届满（{end}）之日起{months}个月，已于{latest}届满，"
            f"不能再申请（申请日期{applied}；《行政强制法》第五十三条）", field="applied_on",
            code="court_application_too_late", rule="行政强制法第五十三条")


@guard("not_night_or_holiday", label="不得在夜间（22时至次日6时）或者法定节假日实施强制执行，情况紧急的除外",
       rule="行政强制法第四十三条")
def not_night_or_holiday(ctx: Context) -> None:
    at = timezone.localtime(_moment(ctx, "executed_at", "实施时间"))
    emergency = bool(ctx.values.get("emergency"))
    reasons = (ctx.values.get("emergency_reasons") or "").strip()
    if emergency and not reasons:
        raise ValidationFailed("标记为情况紧急的，须写明紧急情况及理由（《行政强制法》第四十三条）", field="emergency_reasons",
                               code="emergency_reasons_missing", rule="行政强制法第四十三条")
    if emergency:
        return
    if at.hour >= 22 or at.hour < 6:
        raise TransitionNotAllowed(f"实施时间{at:%Y-%m-%d %H:%M}为夜间（22时至次日6时）：行政机关不得在夜间实施行政强制执行，"
                                   "情况紧急的除外（《行政强制法》第四十三条）", field="executed_at",
                                   code="enforcement_at_night", rule="行政强制法第四十三条")
    try:
        working = current_calendar().is_working_day(at.date())
    except LookupError:
        raise ValidationFailed(f"{at.year}年节假日安排尚未录入，无法判断{at.date()}是否为法定节假日；请系统管理员录入",
                               field="executed_at", code="calendar_year_unknown") from None
    if not working:
        raise TransitionNotAllowed(f"{at.date()}为法定节假日（或休息日）：行政机关不得在法定节假日实施行政强制执行，"
                                   "情况紧急的除外（《行政强制法》第四十三条）", field="executed_at",
                                   code="enforcement_on_holiday", rule="行政强制法第四十三条")


@guard("substitute_decision_served", label="代履行前送达代履行决定书", rule="行政强制法第五十一条")
def substitute_decision_served(ctx: Context) -> None:
    if ctx.case.data.get("enforcement_method") != EnforcementMethod.SUBSTITUTE:
        return
    if not ctx.case.documents.filter(kind="substitute_decision").exists():
        raise TransitionNotAllowed("以代履行方式执行的，代履行前须制作并送达代履行决定书（载明当事人、代履行人、标的、"
                                   "费用预算和方式；《行政强制法》第五十一条）", field="kind",
                                   code="substitute_decision_missing", rule="行政强制法第五十一条")


def _substitute(case) -> bool:
    return case.data.get("enforcement_method") == EnforcementMethod.SUBSTITUTE


condition("substitute_chosen", label="强制执行决定以代履行方式执行的")(lambda ctx: _substitute(ctx.case))


@guard("substitute_reminder_issued", label="代履行三日前催告当事人履行，须制作代履行催告书", rule="行政强制法第五十一条")
def substitute_reminder_issued(ctx: Context) -> None:
    if not ctx.case.documents.filter(kind="substitute_reminder").exists():
        raise TransitionNotAllowed("请先制作代履行催告书，再登记送达：代履行三日前，应当催告当事人履行"
                                   "（《行政强制法》第五十一条第一款第二项）", field="kind",
                                   code="substitute_reminder_missing", rule="行政强制法第五十一条")


@guard("substitute_reminded_in_time", label="代履行三日前催告当事人履行（三日为工作日），催告送达不满三日的不得代履行",
       rule="行政强制法第五十一条、第六十九条")
def substitute_reminded_in_time(ctx: Context) -> None:
    if not _substitute(ctx.case):
        return
    served = data_date(ctx.case, "substitute_reminder_served_on")
    if served is None:
        raise TransitionNotAllowed("以代履行方式执行的，代履行三日前应当催告当事人履行，尚未送达代履行催告书，不能实施代履行"
                                   "（《行政强制法》第五十一条第一款第二项）", field="substitute_reminder_served_on",
                                   code="substitute_reminder_missing", rule="行政强制法第五十一条")
    days = param_int("substitute_reminder_working_days", ctx.case.agency)
    on = timezone.localtime(parse_moment(ctx.values.get("executed_at"), label="实施时间", field="executed_at")).date()
    try:
        earliest = add_working_days(served, days, what="代履行催告期间")
    except DeadlineError as exc:
        raise ValidationFailed(exc.message, field="executed_at", code="calendar_year_unknown") from exc
    if on < earliest:
        raise TransitionNotAllowed(
            f"代履行催告书于{served}送达，代履行须在催告{days}日（工作日，第六十九条）之后，即不早于{earliest}（实施日期{on}）："
            "代履行三日前，催告当事人履行，当事人履行的，停止代履行（《行政强制法》第五十一条第一款第二项）",
            field="executed_at", code="substitute_reminder_too_late", rule="行政强制法第五十一条")


@effect("record_enforcement_decision", label="登记强制执行决定，生成待公示的决定信息（20个工作日内公示）",
        rule="行政强制法第三十七条")
def record_enforcement_decision(ctx: Context) -> None:
    from sanxiang.compulsion.publication import enforcement_published
    from sanxiang.compulsion.services import publication_due

    ctx.case.data["publish_due"], ctx.case.data["publish_due_note"] = publication_due(
        ctx.case, ctx.values["enforcement_decided_on"])
    raw = ctx.values.get("enforcement_method")
    enforcement_published(ctx, method=EnforcementMethod(raw).label if raw in EnforcementMethod.values else "强制执行")
