"""Demo data of the licensing app (`load_demo(demo)`, called by sanxiang.demo): 服务指南 for every
licensing item, applications in every state at each licensing-entitled agency (one applied for
online and followed with the documented query code), and the urban bureau's 收费清单 with fee and
levy cases. Everything goes through the services and the engine, like the UI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from sanxiang.cases.services import case_transition
from sanxiang.common.exceptions import DomainError
from sanxiang.common.idnumbers import make_citizen_id, make_uscc
from sanxiang.common.services import record_save
from sanxiang.documents.services import document_issue
from sanxiang.licensing.models import FeeItem, ServiceGuide
from sanxiang.licensing.services import application_register, application_submit
from sanxiang.registry.models import EnforcementItem, Flow, Officer

ACTOR = "command:load_demo"
# The application the README tells a visitor to follow on /progress/.
DEMO_QUERY_CODE = "HLXK2026"

MATERIALS = {
    "CG-XK-001": [("form", "户外广告设置申请表"), ("id", "申请人身份证明或营业执照"), ("plan", "设置方案、效果图及安全技术说明"),
                  ("site", "场地（建筑物）权属人同意设置的证明")],
    "CG-XK-002": [("form", "临时占用申请表"), ("id", "申请人身份证明或营业执照"), ("plan", "占用位置、面积、期限示意图")],
    "HB-XK-001": [("form", "排污许可证申请表"), ("id", "营业执照"), ("eia", "环境影响评价批复文件"),
                  ("monitor", "自行监测方案")],
    "CZ-XK-001": [("form", "代理记账资格申请表"), ("id", "营业执照"), ("staff", "专职从业人员会计资格证明及劳动合同"),
                  ("rules", "代理记账业务内部规范")],
}
DEFAULT_MATERIALS = [("form", "申请书"), ("id", "申请人身份证明或营业执照"), ("proof", "符合许可条件的证明材料")]


def _guide(item: EnforcementItem) -> ServiceGuide:
    agency = item.agency
    basis = "、".join(f"《{c['law']}》第{c['article']}条" for c in item.legal_basis) or "法律、法规规定"
    materials = [{"key": k, "label": label, "required": True} for k, label in MATERIALS.get(item.code, DEFAULT_MATERIALS)]
    days, months = 60, 6
    return record_save(ServiceGuide(
        item=item, basis=basis, accepting_body=f"{agency.name}（河洛市政务服务中心窗口）", approving_body=agency.name,
        conditions="申请人具有相应的主体资格，申请事项符合法律、法规规定的条件和标准", materials=materials,
        steps="申请 → 受理（材料不全的五个工作日内一次告知补正）→ 审查（必要时现场核查）→ 决定 → 颁发证件 → 公开",
        time_limit="自受理之日起二十个工作日内作出决定；经负责人批准可延长十个工作日（听证、检验检测、专家评审时间不计入）",
        fees="不收费（《行政许可法》第五十八条）", contacts=f"{agency.phone}；{agency.address}",
        supervision=f"投诉举报：{agency.complaint_phone}；河洛市司法局行政执法协调监督科",
        remedy=f"对决定不服的，可自收到决定书之日起{days}日内向{agency.reconsideration_body}申请行政复议，"
               f"或{months}个月内向{agency.litigation_court}提起行政诉讼"), actor=ACTOR)


def _files(guide, skip=()) -> dict:
    return {m["key"]: ContentFile(f"%PDF-1.4 演示材料：{m['label']}".encode(), name=f"{m['key']}.pdf")
            for m in guide.materials if m["key"] not in skip}


def _act(case, action, actor, **data):
    return case_transition(case=case, action=action, actor=actor,
                           data={k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()})


# until, days back of the application, online?, the applicant's request
PLANS = [
    ("waiting", 1, True), ("intake", 2, False), ("supplement", 4, True), ("examination", 7, False),
    ("decision", 9, False), ("granted", 40, True), ("refused", 30, False), ("not_accepted", 15, True),
]
SHORT = ("waiting", "supplement", "examination", "granted", "refused")


class _Applicants:
    def __init__(self):
        self.n = 0

    def next(self, agency_code: str) -> dict:
        self.n += 1
        if self.n % 2:
            names = ["高文静", "宋建华", "韩雪梅", "罗志远", "邓丽君", "许明轩", "曹晓燕", "彭国强", "卢雅婷", "蒋海峰",
                     "蔡文博", "贾慧敏", "丁振宇", "魏红霞", "薛志明", "叶秀兰", "阎晓光", "余静怡", "潘立新", "杜春燕"]
            return {"kind": "citizen", "name": names[self.n % len(names)], "phone": f"1390379{self.n:04d}",
                    "id_number": make_citizen_id(f"41030219{80 + self.n % 20}0615{self.n:03d}"),
                    "address": f"河洛市西工区九都路{self.n}号"}
        return {"kind": "legal_person", "name": f"河洛市{['华晟', '嘉禾', '永兴', '瑞丰', '金鼎', '宏图'][self.n % 6]}"
                                                f"{['广告传媒', '环保科技', '财务咨询'][self.n % 3]}有限公司（{self.n}）",
                "uscc": make_uscc(f"91410300MA{self.n + 500:07d}"), "legal_representative": "周立群",
                "address": f"河洛市涧西区长安路{self.n}号"}


def _application(demo, ctx, item, guide, plan, applicants, followed):
    until, back, online = plan
    anchor = demo.anchor
    received = anchor - dt.timedelta(days=back)
    lead, second = ctx.officers[0], ctx.officers[1]
    head, reviewer = ctx.users["director"], ctx.users["reviewer"]
    # 补正: the last material of the guide is missing at first.
    skip = (guide.materials[-1]["key"],) if until in ("supplement", "granted") else ()
    code = DEMO_QUERY_CODE if followed else None
    application, code = application_submit(
        item=item, applicant=applicants.next(ctx.agency.code), request=f"申请{item.name}", files=_files(guide, skip),
        actor=None if online else lead.user, received_on=received, query_code=code)
    if until == "waiting":
        return application, code
    case = application_register(application=application, actor=lead.user, officers=[lead, second])
    day = received
    if skip:
        day = received + dt.timedelta(days=1)
        _act(case, "request_supplement", lead.user, supplement_on=day, missing_materials=list(skip))
        document_issue(case=case, kind="supplement_notice", actor=lead.user)
        if until == "supplement":
            return application, code
        from sanxiang.licensing.services import materials_add

        day = day + dt.timedelta(days=2)
        materials_add(application=application, actor=lead.user, files=_files(guide, [m["key"] for m in guide.materials
                                                                                    if m["key"] not in skip]))
        _act(case, "record_supplement", lead.user, supplemented_on=day)
    if until == "intake":
        return application, code
    if until == "not_accepted":
        _act(case, "not_accept", lead.user, not_accepted_on=received + dt.timedelta(days=1),
             refusal_reason="申请事项依法不需要取得行政许可（《行政许可法》第三十二条第一款第（一）项）")
        document_issue(case=case, kind="non_acceptance_notice", actor=lead.user)
        _act(case, "serve_non_acceptance", lead.user, served_on=received + dt.timedelta(days=2))
        return application, code
    _act(case, "accept", lead.user, accepted_on=day)
    document_issue(case=case, kind="acceptance_notice", actor=lead.user)
    if until == "examination":
        return application, code
    examined = day + dt.timedelta(days=3)
    _act(case, "record_examination", lead.user, examined_on=examined, onsite_checked=True,
         onsite_record=f"{lead.name}、{second.name}现场核查，现场情况与申请材料一致",
         examination_opinion="申请材料齐全，现场核查情况与申请一致" if until != "refused" else "现场核查发现不符合设置规划",
         recommendation="refuse" if until == "refused" else "grant")
    if until == "decision":
        _act(case, "extend_decision_period", head, extension_reason="需征求交通、规划部门意见，二十个工作日内不能作出决定")
        return application, code
    decided = examined + dt.timedelta(days=5)
    if until == "refused":
        _act(case, "refuse", head, decided_on=decided,
             decision_reasons="拟设置位置位于城市户外广告设置规划确定的禁设区域，不符合法定条件")
        document_issue(case=case, kind="licence_refusal_decision", actor=lead.user)
        _act(case, "serve_refusal", lead.user, served_on=decided + dt.timedelta(days=2))
    else:
        _act(case, "grant", head, decided_on=decided, licence_scope=f"{item.name}：按申请及现场核查确定的位置、规格实施",
             valid_until="自颁发之日起三年", decision_reasons="申请符合法定条件、标准")
        document_issue(case=case, kind="licence_grant_decision", actor=lead.user)
        document_issue(case=case, kind="licence_certificate", actor=lead.user)
        _act(case, "issue_licence", lead.user, certificate_on=decided + dt.timedelta(days=3))
    from sanxiang.disclosure.services import publication_publish

    for publication in case.publications.filter(status="pending"):
        publication_publish(publication=publication, actor=reviewer)
        demo.report.published += 1
    return application, code


FEES = [
    ("fee", "CG-SF-001", "城市生活垃圾处理费（非居民）",
     "《国家发展计划委员会 财政部 建设部 国家环境保护总局关于实行城市生活垃圾处理收费制度促进垃圾处理产业化的通知》"
     "（计价格〔2002〕872号）；河洛市人民政府批准的收费标准", "非居民按实际处理量每吨25元", "吨", Decimal("25")),
    ("levy", "CG-ZS-001", "城市道路占用费", "《城市道路管理条例》第三十七条；河洛市城市道路占用费征收标准",
     "按占用面积、期限和路段等级核定", "", None),
]


def _fees(demo, ctx):
    from sanxiang.demo import _create_user

    agency = ctx.agency
    officers = []
    for seq, (login, name, birth) in enumerate((("fee1", "陶晓峰", "19880316"), ("fee2", "孔令辉", "19910927")), 1):
        user = _create_user(f"cg_{login}", name, "officer", agency, demo.password)
        officer = record_save(Officer(
            agency=agency, name=name, staff_type="civil_servant", user=user, certificate_no=f"豫41039{seq:04d}",
            enforcement_kinds=["levy", "fee", "licensing"], enforcement_area=agency.jurisdiction,
            valid_from=dt.date(demo.anchor.year - 2, 1, 1), valid_to=dt.date(demo.anchor.year + 2, 12, 31),
            status="active", id_number=make_citizen_id(f"410305{birth}9{seq:02d}"), phone=f"137379099{seq:02d}"),
            actor=ACTOR)
        officers.append(officer)
    items = {}
    for kind, code, name, basis, standard, unit, amount in FEES:
        record_save(FeeItem(agency=agency, kind=kind, code=code, name=name, basis=basis, standard=standard, unit=unit,
                            unit_amount=amount), actor=ACTOR)
        flow = Flow.objects.get(code=f"{kind}_general")
        items[kind] = record_save(EnforcementItem(agency=agency, code=code, name=f"{name}征收" if kind == "levy" else name,
                                                  kind=kind, flow=flow, description=standard), actor=ACTOR)
    from sanxiang.cases.services import case_open
    from sanxiang.disclosure.services import publication_publish

    lead, second = officers
    head, reviewer = ctx.users["director"], ctx.users["reviewer"]
    plans = [("fee", "河洛市好运来餐饮有限公司", 30, "paid", "40"), ("fee", "河洛市百味轩酒楼有限公司", 12, "payment", "18"),
             ("levy", "河洛市安居装饰工程有限公司", 3, "approval", None)]
    for n, (kind, name, back, until, quantity) in enumerate(plans, 1):
        opened = demo.anchor - dt.timedelta(days=back)
        party = {"kind": "legal_person", "name": name, "uscc": make_uscc(f"91410300MB{n + 700:07d}"),
                 "legal_representative": "何建国", "address": "河洛市老城区中州东路88号"}
        case = case_open(actor=lead.user, item=items[kind], officers=[lead, second], parties=[party],
                         title=f"{name}{items[kind].name}", source="日常核定", opened_on=opened)
        amount = Decimal(quantity) * Decimal("25") if quantity else Decimal("1800")
        _act(case, "assess", lead.user, assessed_on=opened, fee_item=items[kind].code, quantity=quantity or "",
             levy_amount=str(amount), assessment_facts=(f"{opened.month}月经称重核定处理量{quantity}吨" if quantity
                                                        else "经批准占用人行道30平方米，期限60日"))
        if until == "approval":
            continue
        _act(case, "decide_levy", head, decided_on=opened + dt.timedelta(days=1))
        document_issue(case=case, kind="levy_decision", actor=lead.user)
        _act(case, "serve_levy", lead.user, served_on=opened + dt.timedelta(days=2))
        if until == "payment":
            _act(case, "record_objection", lead.user, objection="对核定吨数有异议",
                 objection_answer="经复核称重台账，核定数量无误，已书面答复")
        else:
            _act(case, "record_payment", lead.user, paid_on=opened + dt.timedelta(days=8), paid_amount=str(amount),
                 receipt_no=f"豫财非税{opened.year}{n:06d}")
            for publication in case.publications.filter(status="pending"):
                publication_publish(publication=publication, actor=reviewer)
                demo.report.published += 1
        demo.report.cases += 1


def load_demo(demo) -> None:
    applicants = _Applicants()
    counts = {"服务指南": 0, "许可申请": 0}
    followed = None
    for code, ctx in demo.contexts.items():
        items = list(EnforcementItem.objects.filter(agency=ctx.agency, kind="licensing").order_by("code"))
        if not items or len(ctx.officers) < 2 or "director" not in ctx.users:
            continue
        guides = [_guide(item) for item in items]
        counts["服务指南"] += len(guides)
        plans = PLANS if code == "hl-cgj" else [p for p in PLANS if p[0] in SHORT]
        for i, plan in enumerate(plans):
            item, guide = items[i % len(items)], guides[i % len(guides)]
            follow = followed is None and plan[0] == "granted" and plan[2]
            try:
                with transaction.atomic():
                    application, _ = _application(demo, ctx, item, guide, plan, applicants, follow)
            except DomainError as exc:  # e.g. a coming year's calendar not entered yet
                demo.report.skipped.append(f"许可申请（{item.name}，{plan[0]}）：{exc.message}")
                continue
            counts["许可申请"] += 1
            if application.case_id:
                demo.report.cases += 1
            if follow:
                followed = application
        if code == "hl-cgj":
            with transaction.atomic():
                _fees(demo, ctx)
    for key, value in counts.items():
        demo.report.extra[key] = demo.report.extra.get(key, 0) + value
    if followed is not None:
        demo.out(f"  网上申请演示：受理编号 {followed.number}，查询码 {DEMO_QUERY_CODE}（在 /progress/ 查询办理进度）")
