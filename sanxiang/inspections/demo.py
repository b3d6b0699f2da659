"""Demo data of 行政检查与双随机、一公开 (called by sanxiang.demo.load through AppDemo).

The urban-management bureau keeps a 随机抽查事项清单 entry and a pool of twelve market entities;
one plan is drawn (committed, revealed, published, and recomputed here with the standalone
algorithm), and the drawn targets' inspection cases stand in every state of the flow, one of them
referred to a penalty case with its evidence.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxiang.common.idnumbers import make_uscc
from sanxiang.draws import algorithm
from sanxiang.inspections import services, walkthrough
from sanxiang.registry.models import EnforcementItem

AGENCY = "hl-cgj"
ENTITIES = [
    ("河洛市老城区福满楼餐饮有限公司", "餐饮服务", "A", "王福满"), ("河洛市西工区鑫源建材商行", "建材经营", "B", "李鑫"),
    ("河洛市涧西区恒通渣土运输有限公司", "建筑垃圾运输", "D", "赵恒通"), ("河洛市瀍河区惠民超市有限公司", "零售", "A", "孙惠民"),
    ("河洛市洛龙区宏宇建筑工程有限公司", "建筑施工", "C", "周宏宇"), ("河洛市西工区天天鲜果蔬店", "零售", "A", "吴天天"),
    ("河洛市老城区盛世广告传媒有限公司", "户外广告", "B", "郑盛世"), ("河洛市涧西区顺达物流有限公司", "物流仓储", "B", "冯顺达"),
    ("河洛市洛龙区绿城渣土清运有限公司", "建筑垃圾运输", "C", "陈绿城"), ("河洛市瀍河区金鼎装饰工程有限公司", "装饰装修", "C", "褚金鼎"),
    ("河洛市西工区四季烧烤店", "餐饮服务", "D", "卫四季"), ("河洛市老城区中州汽车维修有限公司", "汽车维修", "B", "蒋中州"),
]
# What each drawn target's inspection case does, in draw order (states of the flow).
PATHS = ["referred", "rectified", "closed", "rectification", "result", "onsite", "task"]


def load_demo(demo) -> None:
    ctx = demo.contexts[AGENCY]
    agency = ctx.agency
    director, head = ctx.users["director"], ctx.users["head"]
    item = EnforcementItem.objects.get(agency=agency, code="CG-JC-001")
    check_item = services.check_item_create(
        actor=director, agency=agency, item=item, name="建筑垃圾处置及市容环境卫生责任落实情况检查",
        basis="《固体废物污染环境防治法》第二十六条；《城市市容和环境卫生管理条例》", targets="辖区建筑垃圾运输、施工、沿街经营单位",
        content="建筑垃圾处置核准及运输、门前三包责任落实、户外广告设置", ratio="A类3%、B类5%、C类10%、D类20%（不少于1户）",
        method="onsite", frequency="每年不少于1次")
    entities = [services.entity_add(actor=director, agency=agency, name=name, uscc=make_uscc(f"91410300MA{n:07d}"[:17]),
                                    address=f"河洛市{name[3:6]}中州路{n}号", category=category, risk_grade=grade,
                                    legal_representative=person)
                for n, (name, category, grade, person) in enumerate(ENTITIES, start=101)]
    officers = [o for o in ctx.officers if o.agency_id == agency.pk]
    services.avoidance_declare(actor=head, officer=officers[0], entity=entities[2], reason="其妹为该公司股东")
    today = timezone.localdate()
    plan = services.plan_create(actor=director, check_item=check_item, title=f"{today.year}年第四季度建筑垃圾处置双随机抽查",
                                period_start=today - dt.timedelta(days=40), period_end=today + dt.timedelta(days=50),
                                ratios={"A": "0.03", "B": "0.3", "C": "0.7", "D": "1"})
    draw = services.plan_draw(actor=director, plan=plan)
    problems = algorithm.check(draw.published())  # the independent recomputation, as anyone would do it
    if problems:
        raise RuntimeError(f"演示抽取复核不一致：{problems}")
    demo.out(f"  双随机抽取第{draw.pk}号：{len(draw.result['targets'])}户，已用公开算法独立复核一致")
    from sanxiang.registry.models import Officer

    drawn = {i for t in draw.result["targets"] for i in t["inspectors"]}
    by_cert = {o.certificate_no: o for o in Officer.objects.filter(certificate_no__in=drawn)}
    penalty_item = EnforcementItem.objects.filter(agency=agency, kind="penalty").order_by("code").first()
    count = 0
    # Each task is opened by a drawn inspector of the bureau itself who has an account.
    staffed = []
    for row in draw.result["targets"]:
        user = next((by_cert[c].user for c in row["inspectors"]
                     if by_cert[c].user is not None and by_cert[c].agency_id == agency.pk), None)
        if user is not None:
            staffed.append((row, user))
    for (row, user), path in zip(staffed, PATHS, strict=False):
        case = services.task_open_from_draw(actor=user, plan=plan, uscc=row["id"])
        count += 1
        if path == "task":
            continue
        case = walkthrough.start(case, user)
        if path == "onsite":
            continue
        findings = "经检查，未发现问题。" if path == "closed" else "现场发现建筑垃圾未覆盖、门前堆放杂物。"
        case = walkthrough.onsite(case, user, findings=findings, signature="refused" if path == "referred" else "signed")
        if path == "result":
            continue
        if path == "closed":
            walkthrough.conclude(case, user, "pass")
        elif path == "referred":
            walkthrough.conclude(case, user, "violation", penalty_item=penalty_item)
        else:
            case = walkthrough.conclude(case, user, "rectify", deadline=today if path == "rectified" else
                                        today + dt.timedelta(days=15))
            if path == "rectified":
                walkthrough.recheck(case, user, rectified=True)
    notice = services.results_publish(plan=plan, month=f"{today:%Y-%m}",
                                      actor=director)
    demo.report.extra["检查案件"] = demo.report.extra.get("检查案件", 0) + count
    demo.report.extra["双随机抽取"] = 1
    demo.report.extra["抽查结果公示"] = 1 if notice else 0
