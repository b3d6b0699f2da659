"""进度查询 of a licensing application: number + query code → status, steps, due date, outcome, link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from sanxiang.common.tracking import Progress, ProgressStep, query_code_matches, tracker

# What the applicant reads of each act (never staff names, never internal opinions).
PUBLIC_TEXT = {
    "open": "申请已登记办理，正在审查申请材料",
    "accept": "申请已受理",
    "request_supplement": "已一次告知需补正的材料，请按补正材料通知书补正",
    "record_supplement": "补正材料已收到",
    "not_accept": "决定不予受理",
    "serve_non_acceptance": "不予受理通知书已送达",
    "record_examination": "审查完成，报请决定",
    "record_excluded_time": "依法需听证、检验检测或专家评审等，所需时间不计入办理期限",
    "extend_decision_period": "经负责人批准，决定期限延长",
    "grant": "作出准予行政许可决定",
    "refuse": "作出不予行政许可决定",
    "issue_licence": "许可证件已颁发、送达",
    "serve_refusal": "不予行政许可决定书已送达",
}


@tracker("licensing", "行政许可申请")
def application_progress(number: str, code: str) -> Progress | None:
    from sanxiang.cases.engine import flow_spec
    from sanxiang.disclosure.models import PublicationStatus
    from sanxiang.licensing.models import Application

    application = Application.objects.select_related("agency", "item", "case__flow").filter(number=number).first()
    if application is None or not query_code_matches(code, application.query_code_hash):
        return None
    steps = [ProgressStep(application.created_at.date().isoformat(), f"收到{application.get_channel_display()}")]
    case = application.case
    status, due, outcome, links = "已提交，等待登记办理", "", "", []
    if case is not None:
        spec = flow_spec(case.flow)
        status = spec.step_name(case.state)
        for event in case.events.order_by("at", "pk"):
            text = PUBLIC_TEXT.get(event.action)
            if text:
                steps.append(ProgressStep(event.at.date().isoformat(), text))
        if not spec.is_final(case.state):
            due_on = case.decision_due if case.decided_on is None and case.decision_due else case.step_due
            due = due_on.isoformat() if due_on else ""
        decision = getattr(case, "decision", None)
        if decision is not None:
            result = "准予行政许可" if case.data.get("outcome") == "granted" else "不予行政许可"
            outcome = f"{result}（{decision.number}，{decision.decided_on}）"
        elif case.state in ("not_accepted", "not_accepted_service"):
            outcome = "不予受理"
        if case.state == "supplement":  # the applicant may upload what the 补正材料通知书 listed
            links.append(("在线补正材料", f"{reverse('licensing:supplement')}?{urlencode({'number': application.number})}"))
        for publication in case.publications.filter(status=PublicationStatus.PUBLISHED):
            links.append(("决定公示", reverse("portal:decision", args=[publication.pk])))
    return Progress(kind="licensing", kind_label="行政许可申请", number=application.number,
                    title=application.item.name, status=status, agency=application.agency.name, due=due,
                    steps=tuple(steps), outcome=outcome, links=tuple(links))
