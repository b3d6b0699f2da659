"""Writes of the early-warning side: rules as data, alerts stored once per finding, their
handling (with a reason) and the daily digests. Each write is logged in the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.common.alerts import ALERT_RULES
from sanxiang.common.exceptions import RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.ledger.services import ledger_append
from sanxiang.monitoring.models import Alert, AlertRecipient, AlertRule, AlertStatus, Digest

RULE_ADMIN_ROLES = (Role.ADMIN,)


def alert_rules_install(*, actor=None) -> list[AlertRule]:
    """Seed an AlertRule row for every registered rule that has none (thresholds kept as set)."""
    made = []
    with transaction.atomic():
        known = set(AlertRule.objects.values_list("code", flat=True))
        for spec in ALERT_RULES.values():
            if spec.code in known:
                continue
            made.append(AlertRule.objects.create(
                code=spec.code, name=spec.name, threshold=None if spec.default is None else Decimal(str(spec.default)),
                threshold_label=spec.threshold_label, basis=spec.basis, severity=spec.severity, enabled=True))
        if made:
            ledger_append(kind="alert_rule.install", actor=actor, subjects=made,
                          summary=f"登记预警规则 {len(made)} 条")
    return made


@transaction.atomic
def alert_rule_set(*, rule: AlertRule, actor, threshold, enabled: bool, reason: str) -> AlertRule:
    """An administrator sets a rule's threshold and whether it runs, with a reason."""
    if not (actor.is_superuser or actor.role in RULE_ADMIN_ROLES):
        raise RoleNotAllowed("预警规则的阈值由系统管理员设置", code="role_not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("修改预警规则须说明理由", field="reason", code="reason_required")
    if threshold in (None, ""):
        value = None
    else:
        try:
            value = Decimal(str(threshold))
        except InvalidOperation:
            raise ValidationFailed("阈值须为数字", field="threshold", code="threshold_invalid") from None
        if value < 0:
            raise ValidationFailed("阈值不能为负数", field="threshold", code="threshold_invalid")
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    old = (rule.threshold, rule.enabled)
    rule.threshold, rule.enabled = value, bool(enabled)
    rule.save()
    ledger_append(kind="alert_rule.set", actor=actor, subjects=[rule], data={"reason": reason},
                  summary=f"预警规则“{rule.name}”：阈值 {old[0]} → {value}，{'启用' if enabled else '停用'}（{reason}）")
    return rule


def _recipients(finding) -> set[int]:
    users = set(finding.user_ids)
    if finding.roles:
        from sanxiang.registry.models import Agency

        agency_roles = [r for r in finding.roles if r != Role.SUPERVISOR]
        if finding.agency_id is not None and agency_roles:
            agency = Agency.objects.get(pk=finding.agency_id)
            # The roles named, in the agency concerned and the agencies above it.
            chain = []
            while agency is not None:
                chain.append(agency.pk)
                agency = agency.parent
            users |= set(User.objects.filter(is_active=True, role__in=agency_roles, agency_id__in=chain)
                         .values_list("pk", flat=True))
    if Role.SUPERVISOR in finding.roles or finding.agency_id is None:
        users |= set(User.objects.filter(is_active=True, role=Role.SUPERVISOR).values_list("pk", flat=True))
    return users


def alerts_run(on: dt.date | None = None, *, codes: list[str] | None = None) -> dict[str, int]:
    """Run every enabled rule for day `on`; store each new finding once (rule, subject, key).
    Alerts still open whose finding is gone are marked resolved. Returns new alerts per rule."""
    on = on or timezone.localdate()
    alert_rules_install()
    counts: dict[str, int] = {}
    for rule in AlertRule.objects.filter(enabled=True).order_by("code"):
        spec = ALERT_RULES.get(rule.code)
        if spec is None or (codes and rule.code not in codes):
            continue
        threshold = rule.threshold if rule.threshold is not None else spec.default
        if isinstance(threshold, Decimal) and threshold == threshold.to_integral():
            threshold = int(threshold)
        counts[rule.code] = _run_rule(rule, spec, threshold, on)
    return counts


@transaction.atomic
def _run_rule(rule: AlertRule, spec, threshold, on: dt.date) -> int:
    seen: set[tuple[str, str]] = set()
    new: list[Alert] = []
    rows: list = []
    for finding in spec.find(threshold, on):
        subject = finding.subject.ledger_ref()
        if (subject, finding.key) in seen:
            continue
        seen.add((subject, finding.key))
        if Alert.objects.filter(rule=rule, subject=subject, key=finding.key).exists():
            continue
        alert = Alert.objects.create(rule=rule, subject=subject, key=finding.key[:80], agency_id=finding.agency_id,
                                     case_id=finding.case_id, text=finding.text[:500], due=finding.due,
                                     severity=spec.severity, found_on=on)
        recipients = [AlertRecipient.objects.create(alert=alert, user_id=u) for u in sorted(_recipients(finding))]
        new.append(alert)
        rows.extend([alert, *recipients])
    gone = [a for a in Alert.objects.filter(rule=rule, status=AlertStatus.OPEN).exclude(pk__in=[a.pk for a in new])
            if (a.subject, a.key) not in seen]
    for alert in gone:
        alert.status = AlertStatus.RESOLVED
        alert.handled_at = timezone.now()
        alert.reason = f"{on} 复核时该情形已不存在"
        alert.save()
    if new or gone:
        ledger_append(kind="alert.run", subjects=[*rows, *gone],
                      summary=f"预警“{rule.name}”{on}：新增 {len(new)} 条，消除 {len(gone)} 条")
    return len(new)


@transaction.atomic
def alert_handle(*, alert: Alert, actor, action: str, reason: str) -> Alert:
    """确认 (acknowledge: will act on it) or 排除 (dismiss: not a problem), always with a reason."""
    labels = {"acknowledge": ("已确认", AlertStatus.ACKNOWLEDGED), "dismiss": ("已排除", AlertStatus.DISMISSED)}
    if action not in labels:
        raise ValidationFailed("处理方式无效（确认或排除）", field="action", code="action_invalid")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("确认或排除预警须填写理由（预警处理留痕）", field="reason", code="reason_required")
    if len(reason) > 300:
        raise ValidationFailed("理由不超过300字", field="reason", code="reason_too_long")
    from sanxiang.monitoring.selectors import alert_get

    alert = alert_get(actor, alert.pk)  # scope: 404 outside it
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise TransitionNotAllowed(f"该预警{alert.get_status_display()}，不能再处理", code="alert_handled")
    label, status = labels[action]
    alert.status, alert.handled_by, alert.handled_at, alert.reason = status, actor, timezone.now(), reason
    alert.save()
    ledger_append(kind=f"alert.{action}", actor=actor, agency=alert.agency, subjects=[alert],
                  data={"reason": reason}, summary=f"预警{label}：{alert.text[:80]}（理由：{reason}）")
    return alert


def digests_make(on: dt.date | None = None) -> list[Digest]:
    """The daily digest: one row per user and day listing the open alerts addressed to them.
    Made once per day (a re-run leaves the day's digests as they are); emailed when EMAIL is set."""
    on = on or timezone.localdate()
    made = []
    users = (User.objects.filter(is_active=True, pk__in=AlertRecipient.objects.filter(alert__status=AlertStatus.OPEN)
                                 .values("user_id"))
             .exclude(pk__in=Digest.objects.filter(day=on).values("user_id")))
    for user in users.order_by("pk"):
        with transaction.atomic():
            alerts = list(Alert.objects.filter(recipients__user=user, status=AlertStatus.OPEN)
                          .select_related("rule").order_by("due", "pk"))
            lines = [f"{i}. 【{a.rule.name}】{a.text}" for i, a in enumerate(alerts, 1)]
            text = f"{on:%Y年%m月%d日} 预警日报：待处理预警 {len(alerts)} 条\n" + "\n".join(lines)
            digest = Digest.objects.create(user=user, day=on, alert_ids=[a.pk for a in alerts], text=text,
                                           made_at=timezone.now(), emailed=_email(on, text, user))
            ledger_append(kind="alert.digest", subjects=[digest], summary=f"预警日报 {on} {user.username}：{len(alerts)} 条")
        made.append(digest)
    return made


def _email(on: dt.date, text: str, user) -> bool:
    """Send the digest by email when the deployment has a mail server (EMAIL_HOST) and the user an address."""
    if not getattr(settings, "EMAIL_HOST", "") or not getattr(user, "email", ""):
        return False
    from django.core.mail import send_mail

    try:
        send_mail(f"预警日报 {on}", text, None, [user.email])
    except OSError:
        return False
    return True
