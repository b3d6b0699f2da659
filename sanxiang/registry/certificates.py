"""执法证资格管理: the certificate's life as services, each with its reason and a ledger entry.

申领 → 培训学时 → 资格考试 → 发证 → (年度审验, 换证) …, with 暂扣 / 恢复 / 吊销 at any time. Each
service writes one CertificateEvent and the Officer row it changes in one ledger entry, so the
public directory and the engine (Officer.certificate_problem) see the change at once, and the
change can be proven later. Issue and renewal need the year's training hours (a parameter) and,
for a first certificate, a passed examination.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from sanxiang.accounts.models import Role, role_labels
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.choices import ActionKind, OfficerStatus, StaffType
from sanxiang.registry.models import CertificateAction, CertificateEvent, Officer
from sanxiang.registry.params import param, param_int

# Who may do what: the agency records its staff's applications and training; examination,
# issue, renewal, review, suspension and revocation are the government's (司法局) acts.
AGENCY_ACTS = {CertificateAction.APPLY, CertificateAction.TRAINING}
ACT_ROLES = {
    act: ({Role.SUPERVISOR, Role.AGENCY_HEAD} if act in AGENCY_ACTS else {Role.SUPERVISOR})
    for act in CertificateAction.values
}
RULE = "行政执法证件管理办法；《行政处罚法》第四十二条"


def _today() -> dt.date:
    return timezone.localdate()


def training_hours(officer: Officer, year: int) -> Decimal:
    total = officer.certificate_events.filter(action=CertificateAction.TRAINING, year=year).aggregate(
        s=Sum("hours"))["s"]
    return total or Decimal(0)


def _check_actor(actor, officer: Officer, action: str) -> None:
    if actor.role not in ACT_ROLES[action]:
        labels = role_labels(ACT_ROLES[action])
        raise RoleNotAllowed(f"执法证“{CertificateAction(action).label}”须由{labels}办理", code="role_not_allowed",
                             rule=RULE)
    visible = actor.visible_agency_ids()
    if visible is not None and officer.agency_id not in visible:
        raise NotFound("执法人员不存在或无权查看")


def _date(value, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed("请填写日期", field=field, code="date_required")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD", field=field, code="date_format") from None


def _decimal(value, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("请填写数字", field=field, code="number_format") from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationFailed(f"应在{low}至{high}之间", field=field, code="number_range")
    return number


def _reason(value, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed("须填写事由", field="reason", code="reason_required", rule=RULE)
    return text[:2000]


def _kinds(value) -> list[str]:
    kinds = [k for k in (value or []) if k]
    bad = [k for k in kinds if k not in ActionKind.values]
    if bad or not kinds:
        raise ValidationFailed("执法类别须从行政许可、行政处罚、行政强制、行政检查等类别中选择至少一项",
                               field="enforcement_kinds", code="kinds_invalid")
    return list(dict.fromkeys(kinds))


def _events_since_last(officer: Officer, action: str):
    last_apply = officer.certificate_events.filter(action=CertificateAction.APPLY).order_by("-on", "-pk").first()
    rows = officer.certificate_events.filter(action=action)
    if last_apply is not None:
        rows = rows.filter(on__gte=last_apply.on)
    return rows


@transaction.atomic
def certificate_act(*, actor, officer: Officer, action: str, data: dict) -> CertificateEvent:
    """Perform one certificate act on `officer` with the form/API `data`; refuses with the rule."""
    if action not in CertificateAction.values:
        raise ValidationFailed("未知的执法证事项", field="action", code="action_unknown")
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    _check_actor(actor, officer, action)
    on = _date(data.get("on") or _today(), "on")
    if on > _today():
        raise ValidationFailed("日期不能晚于今天", field="on", code="date_in_future")
    event = CertificateEvent(officer=officer, action=action, on=on, actor=actor)
    changed = []  # Officer fields this act changes
    label = CertificateAction(action).label

    if officer.staff_type == StaffType.AUXILIARY and action in {CertificateAction.APPLY, CertificateAction.ISSUE,
                                                                 CertificateAction.RENEW, CertificateAction.EXAM}:
        raise TransitionNotAllowed(f"{officer.name}为协管人员，不得申领行政执法证（《行政处罚法》第四十二条）",
                                   code="auxiliary_no_certificate", rule="行政处罚法第四十二条")
    revoked = officer.status == OfficerStatus.REVOKED and officer.certificate_no
    if revoked and action in {CertificateAction.RENEW, CertificateAction.RESTORE, CertificateAction.ANNUAL_REVIEW,
                              CertificateAction.SUSPEND}:
        raise TransitionNotAllowed(f"{officer.name}的执法证已吊销/注销，不能{label}；须重新申领",
                                   code="certificate_revoked", rule=RULE)

    if action == CertificateAction.APPLY:
        event.enforcement_kinds = _kinds(data.get("enforcement_kinds"))
        event.reason = _reason(data.get("reason"), required=False)
    elif action == CertificateAction.TRAINING:
        event.hours = _decimal(data.get("hours"), "hours", low=Decimal("0.5"), high=Decimal("500"))
        event.year = on.year
        event.course = (data.get("course") or "").strip()[:200]
        if not event.course:
            raise ValidationFailed("须填写培训内容", field="course", code="course_required")
    elif action == CertificateAction.EXAM:
        if not officer.certificate_events.filter(action=CertificateAction.APPLY).exists():
            raise TransitionNotAllowed("须先登记申领，才能登记资格考试成绩", code="apply_first", rule=RULE)
        event.score = _decimal(data.get("score"), "score", low=Decimal(0), high=Decimal(100))
        event.passed = event.score >= param("certificate_exam_pass_score", officer.agency)
    elif action in {CertificateAction.ISSUE, CertificateAction.RENEW}:
        if action == CertificateAction.ISSUE:
            if officer.certificate_no and officer.status != OfficerStatus.REVOKED:
                raise TransitionNotAllowed(f"{officer.name}已持有执法证（{officer.certificate_no}），请办理换证",
                                           code="already_certified", rule=RULE)
            application = officer.certificate_events.filter(action=CertificateAction.APPLY).order_by(
                "-on", "-pk").first()
            if application is None:
                raise TransitionNotAllowed("须先登记申领，才能发证", code="apply_first", rule=RULE)
            if not _events_since_last(officer, CertificateAction.EXAM).filter(passed=True).exists():
                raise TransitionNotAllowed(f"{officer.name}申领后尚无合格的资格考试成绩，不能发证（考试合格方可取得执法证）",
                                           code="exam_not_passed", rule=RULE)
            number = (data.get("certificate_no") or "").strip()
            if not number:
                raise ValidationFailed("须填写执法证号", field="certificate_no", code="certificate_no_required")
            if Officer.objects.filter(certificate_no=number).exclude(pk=officer.pk).exists():
                raise ValidationFailed(f"执法证号{number}已被他人使用", field="certificate_no", code="certificate_no_taken")
            officer.certificate_no = event.certificate_no = number
            officer.enforcement_kinds = event.enforcement_kinds = _kinds(
                data.get("enforcement_kinds") or application.enforcement_kinds)
            changed += ["certificate_no", "enforcement_kinds"]
        else:
            if not officer.certificate_no:
                raise TransitionNotAllowed(f"{officer.name}尚未取得执法证，不能换证", code="not_certified", rule=RULE)
            if officer.status != OfficerStatus.ACTIVE:
                raise TransitionNotAllowed(f"{officer.name}的执法证处于“{officer.get_status_display()}”状态，须先恢复才能换证",
                                           code="not_active", rule=RULE)
            event.certificate_no = officer.certificate_no
            event.enforcement_kinds = list(officer.enforcement_kinds)
        _check_training(officer, on)
        valid_from = _date(data.get("valid_from") or on, "valid_from")
        years = param_int("certificate_valid_years", officer.agency)
        default_to = _years_later(valid_from, years) - dt.timedelta(days=1)
        valid_to = _date(data.get("valid_to"), "valid_to", required=False) or default_to
        if valid_to < valid_from:
            raise ValidationFailed("有效期止不得早于有效期起", field="valid_to", code="validity_order")
        if valid_to > default_to:
            raise ValidationFailed(f"执法证有效期不得超过{years}年", field="valid_to", code="validity_too_long", rule=RULE)
        officer.valid_from, officer.valid_to, officer.status = valid_from, valid_to, OfficerStatus.ACTIVE
        event.valid_from, event.valid_to = valid_from, valid_to
        changed += ["valid_from", "valid_to", "status"]
    elif action == CertificateAction.ANNUAL_REVIEW:
        if not officer.certificate_no:
            raise TransitionNotAllowed(f"{officer.name}尚未取得执法证，无需年度审验", code="not_certified", rule=RULE)
        event.year = int(_decimal(data.get("year") or on.year - 1, "year", low=Decimal(2000), high=Decimal(on.year)))
        if officer.certificate_events.filter(action=CertificateAction.ANNUAL_REVIEW, year=event.year).exists():
            raise TransitionNotAllowed(f"{officer.name}{event.year}年度已审验", code="review_done", rule=RULE)
        hours, needed = training_hours(officer, event.year), param("officer_training_hours", officer.agency)
        event.hours = hours
        event.passed = str(data.get("passed", "1")).lower() not in {"0", "false", "no", ""}
        if event.passed and hours < needed:
            raise TransitionNotAllowed(
                f"{officer.name}{event.year}年度培训{_n(hours)}学时，不足{_n(needed)}学时，年度审验不能合格",
                code="training_hours_short", rule="《法治政府建设实施纲要（2021—2025年）》")
        event.reason = _reason(data.get("reason"), required=not event.passed)
        if not event.passed and officer.status == OfficerStatus.ACTIVE:
            officer.status = OfficerStatus.SUSPENDED  # a failed review stops enforcement until restored
            changed.append("status")
    elif action == CertificateAction.SUSPEND:
        if officer.status != OfficerStatus.ACTIVE or not officer.certificate_no:
            raise TransitionNotAllowed(f"{officer.name}的执法证不在有效状态，不能暂扣", code="not_active", rule=RULE)
        event.reason = _reason(data.get("reason"), required=True)
        officer.status = OfficerStatus.SUSPENDED
        changed.append("status")
    elif action == CertificateAction.RESTORE:
        if officer.status != OfficerStatus.SUSPENDED:
            raise TransitionNotAllowed(f"{officer.name}的执法证未被暂扣，无需恢复", code="not_suspended", rule=RULE)
        event.reason = _reason(data.get("reason"), required=True)
        officer.status = OfficerStatus.ACTIVE
        changed.append("status")
    elif action == CertificateAction.REVOKE:
        if not officer.certificate_no or officer.status == OfficerStatus.REVOKED:
            raise TransitionNotAllowed(f"{officer.name}没有可吊销的执法证", code="not_certified", rule=RULE)
        event.reason = _reason(data.get("reason"), required=True)
        event.certificate_no = officer.certificate_no
        officer.status = OfficerStatus.REVOKED
        changed.append("status")

    event.save()
    subjects = [event]
    if changed:
        officer.save(update_fields=changed)
        subjects.insert(0, officer)
    entry = ledger_append(kind=f"certificate.{action}", actor=actor, agency=officer.agency, subjects=subjects,
                          summary=f"执法证{label}：{officer.name}" + (f"（{event.reason[:60]}）" if event.reason else ""))
    CertificateEvent.objects.filter(pk=event.pk).update(ledger_index=entry.index)
    event.ledger_index = entry.index
    return event


def _n(number: Decimal) -> str:
    return f"{Decimal(number).normalize():f}"


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_training(officer: Officer, on: dt.date) -> None:
    needed = param("officer_training_hours", officer.agency)
    # The year's hours, or last year's early in the year, before this year's courses are held.
    hours = max(training_hours(officer, on.year), training_hours(officer, on.year - 1))
    if hours < needed:
        raise TransitionNotAllowed(
            f"{officer.name}培训{_n(hours)}学时，不足每年{_n(needed)}学时，不能发证或换证",
            code="training_hours_short", rule="《法治政府建设实施纲要（2021—2025年）》")
