"""The demo city's data: 河洛市's agencies, their staff, enforcement items (citing real laws by
article, 款 and 项) and the cases each agency's demo history holds. Plain data and the helpers
that write it; sanxiang.demo loads it through the services.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sanxiang.accounts.models import Role
from sanxiang.common.idnumbers import make_citizen_id, make_uscc
from sanxiang.guidance.lawtext import Citation, format_citation, parse_citation

# The demo is present when this agency exists (the first one the loader creates).
MARKER_CODE = "hl-cgj"


def cites(*texts: str) -> list[dict]:
    """Citations as stored on enforcement items: 《法名》第X条第Y款第（Z）项 → {"law", "article", …}."""
    out = []
    for text in texts:
        parsed = parse_citation(text)
        if not parsed:
            raise ValueError(f"无法识别的法律依据：{text}")
        for c in parsed:
            ref = {"law": c.law_title, "article": c.article}
            if c.suffix:
                ref["suffix"] = c.suffix
            if c.paragraph:
                ref["paragraph"] = c.paragraph
            if c.item:
                ref["item"] = c.item
            out.append(ref)
    return out


def cite_text(refs: list[dict]) -> str:
    """The citations written out in full: 《城市市容和环境卫生管理条例》第三十四条第（二）项."""
    return "、".join(format_citation(Citation(r["law"], int(r["article"]), int(r.get("suffix") or 0),
                                             r.get("paragraph"), r.get("item"))) for r in refs)


# --- the city's data ---------------------------------------------------------------------------

LAW = {
    "cr": "《城市市容和环境卫生管理条例》",
    "gf": "《中华人民共和国固体废物污染环境防治法》",
    "dq": "《中华人民共和国大气污染防治法》",
    "sw": "《中华人民共和国水污染防治法》",
    "hb": "《中华人民共和国环境保护法》",
    "aq": "《中华人民共和国安全生产法》",
    "kj": "《中华人民共和国会计法》",
    "cz": "《财政违法行为处罚处分条例》",
    "cf": "《中华人民共和国行政处罚法》",
    "ly": "《洛阳市城市市容和环境卫生管理条例》",
}


def fixed(*, citizen: tuple[int, int] | None = None, org: tuple[int, int] | None = None) -> dict:
    """A fixed fine range (罚款幅度) per party type; 0 as the minimum means “X元以下”."""
    out: dict = {"fine_basis": "fixed"}
    if citizen:
        out["citizen_min"], out["citizen_max"] = (citizen[0] or None), citizen[1]
    if org:
        out["org_min"], out["org_max"] = (org[0] or None), org[1]
    return out


@dataclass
class ItemSpec:
    """An item and its citations; `kinds` and `fine` are what the last 处罚依据 cited allows
    (registry.LegalBasis fields, read from the article texts in laws/)."""

    code: str
    name: str
    kind: str
    basis: list[str]
    penalty: list[str] = field(default_factory=list)
    description: str = ""
    kinds: tuple[str, ...] = ()
    fine: dict = field(default_factory=dict)


@dataclass
class CaseSpec:
    """One demo case: where it ends (`until`), and how many days before the anchor it was opened
    and its prior notice served (`notice`); the walk derives the later dates from the notice."""

    item: str
    party: dict
    title: str
    until: str
    opened: int
    notice: int | None = None
    fine: int | None = None
    kinds: tuple[str, ...] = ("fine",)
    hearing: bool = False
    complex: bool = False
    facts: str = ""
    source: str = "日常巡查"
    review_note: str = ""  # the unit head's reasons (not_filed) or the reviewer's opinion (transferred)
    publish: bool = True
    procedure: str = "general"
    officers: tuple[int, int] = (0, 1)
    gains: int | None = None  # 违法所得 (or the base the provision multiplies) recorded at 调查取证
    # 共同违法: further parties, and each party's own fine at the decision (the first party's first).
    co_parties: tuple[dict, ...] = ()
    party_fines: tuple[int, ...] = ()


@dataclass
class StaffSpec:
    name: str
    login: str | None = None  # username suffix; the user is "<prefix>_<login>"
    role: str = Role.OFFICER
    certificate: str = "valid"  # valid / expired / suspended / none
    staff_type: str = "civil_servant"
    reviewer: bool = False
    birth: str = "19850101"


@dataclass
class AgencySpec:
    code: str
    prefix: str
    name: str
    short_name: str
    doc_prefix: str
    authority_basis: str
    jurisdiction: str
    address: str
    phone: str
    complaint_phone: str
    thresholds: tuple[int, int]  # legal-review fine thresholds: citizen, organisation
    kinds: list[str]
    staff: list[StaffSpec]
    items: list[ItemSpec]
    cases: list[CaseSpec]
    parent: str | None = None
    unit: str = ""


class _Numbers:
    """Sequence numbers of the demo parties, restarted by agency_specs() so every load is the same."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._count = itertools.count(1)

    def next(self) -> int:
        return next(self._count)


_numbers = _Numbers()


def citizen(name: str, birth: str, address: str, phone: str) -> dict:
    n = _numbers.next()
    return {"kind": "citizen", "name": name, "id_number": make_citizen_id(f"410303{birth}{n % 1000:03d}"),
            "address": address, "phone": phone}


def company(name: str, representative: str, address: str, kind: str = "legal_person", head: str = "91") -> dict:
    n = _numbers.next()
    prefix = {"91": "91410300MA", "51": "51410300MJ", "92": "92410303MA"}[head]
    return {"kind": kind, "name": name, "uscc": make_uscc(f"{prefix}{n:07d}"),
            "legal_representative": representative, "address": address}


def _staff(names: dict[str, str], reviewer_birth: str = "19880315") -> list[StaffSpec]:
    return [
        StaffSpec(names["o1"], "officer1", birth="19860412"),
        StaffSpec(names["o2"], "officer2", birth="19900723"),
        StaffSpec(names["o3"], "officer3", birth="19920108"),
        StaffSpec(names["expired"], certificate="expired", birth="19780605"),
        StaffSpec(names["suspended"], certificate="suspended", birth="19830917"),
        StaffSpec(names["aux"], certificate="none", staff_type="auxiliary", birth="19950302"),
        StaffSpec(names["head"], "head", Role.UNIT_HEAD, birth="19750821"),
        StaffSpec(names["reviewer"], "reviewer", Role.LEGAL_REVIEWER, reviewer=True, birth=reviewer_birth),
        StaffSpec(names["director"], "director", Role.AGENCY_HEAD, birth="19700214"),
    ]


URBAN_FACTS = {
    "bbq": "{day}晚，当事人{name}在西工区九都路与王城大道交叉口东北角人行道上设摊露天烧烤食品，该路段属市人民政府"
           "划定的禁止露天烧烤区域。执法人员现场责令停止，当事人当场承认违法事实。以上事实有现场检查笔录、询问笔录、"
           "现场照片及执法记录仪视频为证。",
    "graffiti": "{day}，当事人{name}未经批准在涧西区南昌路公交站台及周边电线杆上张贴小广告共计二十余处。以上事实有现场"
                "检查笔录、询问笔录、现场照片为证。",
    "garbage": "{day}，当事人{name}将装修垃圾及生活垃圾随意倾倒于老城区中州东路绿化带内，经群众举报，执法人员调取"
               "监控视频确认。以上事实有现场检查笔录、询问笔录、监控视频截图为证。",
    "cdw": "{day}，执法人员巡查发现当事人承建的工地将施工产生的建筑垃圾约三十立方米擅自倾倒于伊滨区李村镇"
           "一处空地，未按规定运往消纳场所。以上事实有现场检查笔录、询问笔录、现场照片、无人机航拍视频为证。",
    "stall": "{day}，当事人未经市容环境卫生主管部门批准，在其经营场所门前人行道上堆放货物并搭建遮阳棚，占用公共场地"
             "约十五平方米，影响市容。以上事实有现场检查笔录、询问笔录、现场照片为证。",
    "spill": "{day}，当事人所属渣土运输车辆在西工区纱厂路运输砂石时未采取密闭覆盖措施，造成沿途遗撒约二百米。"
             "以上事实有现场检查笔录、询问笔录、执法记录仪视频为证。",
}


def _urban() -> AgencySpec:
    cr, gf, dq, ly = LAW["cr"], LAW["gf"], LAW["dq"], LAW["ly"]
    f = URBAN_FACTS
    return AgencySpec(
        code=MARKER_CODE, prefix="cg", name="河洛市城市管理综合行政执法局", short_name="市城管执法局",
        doc_prefix="河城管罚",
        authority_basis=f"{LAW['cf']}第十八条；{cr}第四条第三款；{gf}第一百一十一条；"
                        "河洛市人民政府关于在城市管理领域相对集中行政处罚权的决定",
        jurisdiction="河洛市市辖区（西工区、老城区、涧西区、伊滨区）",
        address="河洛市西工区中州中路168号", phone="0379-6321 0001", complaint_phone="12345",
        thresholds=(10000, 100000), kinds=["penalty", "inspection", "compulsion", "licensing"],
        unit="执法一科",
        staff=_staff({"o1": "王建国", "o2": "李晓明", "o3": "赵雪", "expired": "孙志强", "suspended": "钱卫",
                      "aux": "周小平", "head": "刘振华", "reviewer": "陈静", "director": "张立新"}),
        items=[
            ItemSpec("CG-CF-001", "随意倾倒、抛撒、堆放生活垃圾", "penalty",
                     [f"{gf}第四十九条第二款"], [f"{gf}第一百一十一条第一款第（一）项、第二款"],
                     "罚款幅度：单位五万元以上五十万元以下；个人一百元以上五百元以下。",
                     kinds=("fine", "confiscate_gains"), fine=fixed(citizen=(100, 500), org=(50_000, 500_000))),
            ItemSpec("CG-CF-002", "工程施工单位擅自倾倒、抛撒或者堆放建筑垃圾", "penalty",
                     [f"{gf}第六十三条第三款"], [f"{gf}第一百一十一条第一款第（四）项、第二款"],
                     "罚款幅度：十万元以上一百万元以下（对单位；第（四）项不适用于个人）。",
                     kinds=("fine", "confiscate_gains"), fine=fixed(org=(100_000, 1_000_000))),
            ItemSpec("CG-CF-003", "未经批准擅自在街道两侧和公共场地堆放物料、搭建设施", "penalty",
                     [f"{cr}第十四条", f"{ly}第十七条第一款"], [f"{cr}第三十六条第（二）项", f"{ly}第四十一条第（二）项"],
                     "《城市市容和环境卫生管理条例》第三十六条“可处以罚款”，数额依地方性法规（参照洛阳市条例第四十一条）。",
                     kinds=("fine",), fine=fixed(citizen=(1000, 5000), org=(1000, 5000))),
            ItemSpec("CG-CF-004", "在城市建筑物、设施以及树木上涂写、刻画或者未经批准张挂、张贴宣传品", "penalty",
                     [f"{cr}第十七条", f"{ly}第二十二条第一款"], [f"{cr}第三十四条第（二）项", f"{ly}第四十一条第（六）项"],
                     "每处处以一百元以上五百元以下罚款（参照洛阳市条例第四十一条第（六）项）。",
                     kinds=("warning", "fine"), fine=fixed(citizen=(100, 500), org=(100, 500))),
            ItemSpec("CG-CF-005", "运输液体、散装货物不作密封、包扎、覆盖，造成泄漏、遗撒", "penalty",
                     [f"{cr}第十五条", f"{dq}第七十条第一款"], [f"{cr}第三十四条第（六）项", f"{dq}第一百一十六条"],
                     "运输散装、流体物料未采取密闭措施的，处二千元以上二万元以下罚款。",
                     kinds=("warning", "fine"), fine=fixed(citizen=(2000, 20_000), org=(2000, 20_000))),
            ItemSpec("CG-CF-006", "在禁止的区域内露天烧烤食品或者为露天烧烤食品提供场地", "penalty",
                     [f"{dq}第八十一条第三款"], [f"{dq}第一百一十八条第三款"],
                     "经河洛市人民政府确定，由城市管理综合行政执法部门实施。没收烧烤工具和违法所得，并处五百元以上二万元以下罚款。",
                     kinds=("confiscate_property", "confiscate_gains", "fine"),
                     fine=fixed(citizen=(500, 20_000), org=(500, 20_000))),
            ItemSpec("CG-XK-001", "设置大型户外广告审批", "licensing", [f"{cr}第十一条第二款"]),
            ItemSpec("CG-XK-002", "临时在街道两侧和公共场地堆放物料、搭建非永久性设施审批", "licensing",
                     [f"{cr}第十四条"]),
            ItemSpec("CG-JC-001", "建筑垃圾处置现场检查", "inspection", [f"{gf}第二十六条"]),
        ],
        cases=[
            CaseSpec("CG-CF-006", citizen("刘德明", "19790314", "河洛市西工区唐宫路12号院3号楼2单元401室", "13903791234"),
                     "刘德明在禁止区域露天烧烤食品案", "archived", 150, 135, 800, ("confiscate_property", "fine"),
                     facts=f["bbq"]),
            CaseSpec("CG-CF-002", company("河洛市鼎盛建筑工程有限公司", "孟庆华", "河洛市涧西区建设路36号"),
                     "河洛市鼎盛建筑工程有限公司擅自倾倒建筑垃圾案", "archived", 120, 100, 150000, hearing=True,
                     facts=f["cdw"], source="群众投诉举报"),
            CaseSpec("CG-CF-004", citizen("欧阳丽华", "19880521", "河洛市涧西区南昌路9号", "13603795678"),
                     "欧阳丽华擅自张贴小广告案", "archived", 95, 85, 300, ("warning", "fine"), facts=f["graffiti"]),
            CaseSpec("CG-CF-005", company("河洛市顺达物流有限公司", "贾永胜", "河洛市西工区纱厂北路88号"),
                     "河洛市顺达物流有限公司运输散装货物造成遗撒案", "archived", 80, 70, 2000, facts=f["spill"],
                     publish=False),
            CaseSpec("CG-CF-003", company("河洛市福满楼餐饮有限公司", "邵建明", "河洛市老城区中州东路201号"),
                     "河洛市福满楼餐饮有限公司擅自占用公共场地堆放物料案", "archive", 70, 58, 1500, facts=f["stall"]),
            CaseSpec("CG-CF-001", citizen("陈国平", "19650909", "河洛市老城区东大街18号", "13837901122"),
                     "陈国平随意倾倒生活垃圾案", "closing", 60, 45, 300, facts=f["garbage"], source="群众投诉举报",
                     officers=(0, 3)),
            CaseSpec("CG-CF-006", citizen("马春花", "19820130", "河洛市西工区凯旋路6号", "13523793344"),
                     "马春花在禁止区域露天烧烤食品案", "execution", 40, 25, 500, ("confiscate_property", "fine"),
                     facts=f["bbq"], officers=(1, 4)),
            CaseSpec("CG-CF-003", company("河洛市恒通商贸有限公司", "温志强", "河洛市西工区道北路15号"),
                     "河洛市恒通商贸有限公司擅自搭建遮阳棚占用公共场地案", "service", 30, 12, 5000, facts=f["stall"],
                     publish=False),
            CaseSpec("CG-CF-004", citizen("黄志刚", "19970611", "河洛市涧西区天津路22号", "15093795566"),
                     "黄志刚擅自张贴小广告案", "decision", 20, 8, 200, facts=f["graffiti"]),
            CaseSpec("CG-CF-002", company("河洛市宏远房地产开发有限公司", "秦振东", "河洛市伊滨区科技大道100号"),
                     "河洛市宏远房地产开发有限公司擅自倾倒建筑垃圾案", "legal_review", 35, 20, 200000, complex=True,
                     facts=f["cdw"], source="上级交办"),
            CaseSpec("CG-CF-006", citizen("张卫东", "19850817", "河洛市老城区西关街3号", "13783797788"),
                     "张卫东在禁止区域露天烧烤食品案", "hearing", 25, 6, 8000, ("confiscate_property", "fine"),
                     hearing=True, facts=f["bbq"]),
            CaseSpec("CG-CF-003", company("河洛市四季鲜果业有限公司", "方丽", "河洛市涧西区长春路47号"),
                     "河洛市四季鲜果业有限公司店外堆放物料案", "notice", 14, fine=3000, facts=f["stall"]),
            CaseSpec("CG-CF-001", citizen("李红梅", "19910425", "河洛市西工区金谷园路5号", "18637909900"),
                     "李红梅随意倾倒生活垃圾案", "examination", 10, fine=200, facts=f["garbage"]),
            CaseSpec("CG-CF-002", company("河洛市美佳装饰工程有限公司", "路海涛", "河洛市西工区七一路33号"),
                     "河洛市美佳装饰工程有限公司擅自倾倒建筑垃圾案", "investigation", 5, facts=f["cdw"],
                     source="群众投诉举报"),
            CaseSpec("CG-CF-004", citizen("王小虎", "20000108", "河洛市伊滨区诸葛镇王庄村", "17637901010"),
                     "王小虎在桥墩上涂写案", "filing", 1, facts=f["graffiti"]),
            CaseSpec("CG-CF-004", citizen("赵明亮", "19870722", "河洛市老城区青年宫路8号", "13938792020"),
                     "赵明亮张贴宣传品（举报）案", "not_filed", 20, source="群众投诉举报",
                     review_note="经初步核查，举报所涉宣传品张贴于经批准设置的公益宣传栏内，不存在违法事实，"
                                 "不予立案。"),
            CaseSpec("CG-CF-003", company("河洛市万家乐超市有限公司", "康文斌", "河洛市涧西区武汉路66号"),
                     "河洛市万家乐超市有限公司擅自占用公共场地堆放物料案", "examination", 130, fine=2000,
                     facts=f["stall"]),
            CaseSpec("CG-CF-001", citizen("孙丽", "19930305", "河洛市西工区王城大道77号", "15237903030"),
                     "孙丽随意丢弃生活垃圾案（当场处罚）", "archived", 50, fine=100, procedure="simple",
                     facts="{day}，当事人{name}在王城公园东门将生活垃圾随意丢弃于人行道上，经执法人员当场指出后承认。"),
            CaseSpec("CG-CF-004", citizen("周强", "19960912", "河洛市涧西区青岛路21号", "13523794040"),
                     "周强擅自张贴宣传品案（当场处罚）", "filing_with_agency", 2, fine=None, kinds=("warning",),
                     procedure="simple",
                     facts="{day}，当事人{name}未经批准在西工区中州路人行天桥护栏上张贴宣传品三张，当场自行清除。"),
            CaseSpec("CG-CF-004", citizen("吴海波", "19890603", "河洛市涧西区广州路15号", "13803795050"),
                     "吴海波、郑小军共同张贴小广告案", "archived", 75, 62, 300, ("warning", "fine"),
                     co_parties=(citizen("郑小军", "19940216", "河洛市西工区九都东路40号", "15803796060"),),
                     party_fines=(300, 240),
                     facts="{day}，当事人吴海波、郑小军经事先商议，共同在涧西区南昌路公交站台及周边电线杆上张贴小广告"
                           "三十余处，其中吴海波负责联系印制并张贴二十余处，郑小军协助张贴十余处。以上事实有现场检查笔录、"
                           "询问笔录、现场照片为证。"),
        ],
    )


def _brigade() -> AgencySpec:
    return AgencySpec(
        code="hl-cgj-xg", prefix="cgxg", name="河洛市城市管理综合行政执法局西工区大队", short_name="西工区大队",
        doc_prefix="河城管西罚", parent=MARKER_CODE,
        authority_basis="河洛市城市管理综合行政执法局派出机构，以市局名义在西工区范围内实施城市管理行政执法",
        jurisdiction="河洛市西工区", address="河洛市西工区纱厂南路9号", phone="0379-6321 0101",
        complaint_phone="12345", thresholds=(10000, 100000), kinds=["penalty", "inspection"],
        staff=[StaffSpec("田野", birth="19890219"), StaffSpec("高峰", birth="19910707")], items=[], cases=[],
    )


def _emergency() -> AgencySpec:
    aq = LAW["aq"]
    training = ("{day}，执法人员对当事人进行安全生产执法检查，发现当事人未对新入职的十二名从业人员进行安全生产教育和培训，"
                "即安排其上岗作业，且未建立培训档案。以上事实有现场检查记录、询问笔录、员工花名册为证。")
    equipment = ("{day}，执法人员检查发现当事人二号车间可燃气体报警装置、消防喷淋系统长期未维护检测，报警装置处于"
                 "故障状态。以上事实有现场检查记录、检测报告、现场照片为证。")
    return AgencySpec(
        code="hl-yjj", prefix="yj", name="河洛市应急管理局", short_name="市应急管理局", doc_prefix="河应急罚",
        authority_basis=f"{aq}第十条第一款；{aq}第六十五条",
        jurisdiction="河洛市行政区域", address="河洛市洛龙区开元大道260号", phone="0379-6322 0002",
        complaint_phone="12350", thresholds=(10000, 50000), kinds=["penalty", "inspection", "compulsion"],
        unit="安全生产执法支队",
        staff=_staff({"o1": "杨帆", "o2": "何磊", "o3": "郑丽娟", "expired": "罗斌", "suspended": "谢军",
                      "aux": "唐小兵", "head": "冯建军", "reviewer": "韩梅", "director": "徐志远"}),
        items=[
            ItemSpec("YJ-CF-001", "未按照规定对从业人员进行安全生产教育和培训", "penalty",
                     [f"{aq}第二十八条第一款"], [f"{aq}第九十七条第（三）项"],
                     kinds=("fine", "suspend_business"), fine=fixed(org=(0, 100_000))),
            ItemSpec("YJ-CF-002", "未将事故隐患排查治理情况如实记录或者未向从业人员通报", "penalty",
                     [f"{aq}第四十一条第二款"], [f"{aq}第九十七条第（五）项"],
                     kinds=("fine", "suspend_business"), fine=fixed(org=(0, 100_000))),
            ItemSpec("YJ-CF-003", "未对安全设备进行经常性维护、保养和定期检测", "penalty",
                     [f"{aq}第三十六条第二款"], [f"{aq}第九十九条第（三）项"],
                     kinds=("fine", "suspend_business"), fine=fixed(org=(0, 50_000))),
            ItemSpec("YJ-CF-004", "餐饮等行业的生产经营单位使用燃气未安装可燃气体报警装置", "penalty",
                     [f"{aq}第三十六条第四款"], [f"{aq}第九十九条第（八）项"],
                     kinds=("fine", "suspend_business"), fine=fixed(org=(0, 50_000))),
            ItemSpec("YJ-CF-005", "生产经营单位未采取措施消除事故隐患", "penalty",
                     [f"{aq}第四十一条第二款"], [f"{aq}第一百零二条"],
                     kinds=("fine", "suspend_business"), fine=fixed(org=(0, 50_000))),
            ItemSpec("YJ-CF-006", "生产经营单位的主要负责人未履行安全生产管理职责", "penalty",
                     [f"{aq}第二十一条"], [f"{aq}第九十四条第一款"], "罚款幅度：二万元以上五万元以下。",
                     kinds=("fine",), fine=fixed(citizen=(20_000, 50_000))),
            ItemSpec("YJ-JC-001", "安全生产监督检查", "inspection", [f"{aq}第六十二条第二款", f"{aq}第六十五条第一款"]),
        ],
        cases=[
            CaseSpec("YJ-CF-001", company("河洛市安泰化工有限公司", "尚志刚", "河洛市吉利区化工园区纬三路8号"),
                     "河洛市安泰化工有限公司未按规定对从业人员进行安全生产教育和培训案", "archived", 140, 120, 30000,
                     facts=training, source="双随机抽查"),
            CaseSpec("YJ-CF-003", company("河洛市金鼎机械制造有限公司", "严立军", "河洛市涧西区工业园区华山路18号"),
                     "河洛市金鼎机械制造有限公司未对安全设备进行经常性维护和定期检测案", "archived", 110, 95, 20000,
                     facts=equipment),
            CaseSpec("YJ-CF-006", citizen("吴振华", "19720618", "河洛市洛龙区龙门大道120号", "13903795151"),
                     "吴振华（生产经营单位主要负责人）未履行安全生产管理职责案", "archived", 100, 80, 30000,
                     facts="经查，当事人{name}系河洛市顺安建材有限公司主要负责人，{day}执法检查发现该公司未建立全员安全"
                           "生产责任制、未组织制定生产安全事故应急救援预案，当事人未履行《安全生产法》第二十一条规定的"
                           "安全生产管理职责。以上事实有现场检查记录、询问笔录、公司任职文件为证。"),
            CaseSpec("YJ-CF-004", company("河洛市川味居餐饮管理有限公司", "龚小琴", "河洛市西工区解放路52号"),
                     "河洛市川味居餐饮管理有限公司使用燃气未安装可燃气体报警装置案", "execution", 50, 30, 10000,
                     facts="{day}，执法人员检查发现当事人后厨使用管道燃气，未安装可燃气体报警装置。以上事实有现场检查"
                           "记录、现场照片为证。", source="双随机抽查"),
            CaseSpec("YJ-CF-005", company("河洛市恒力建材有限公司", "鲁长河", "河洛市孟津区产业集聚区经二路6号"),
                     "河洛市恒力建材有限公司未采取措施消除事故隐患案", "decision", 30, 10, 50000,
                     facts="{day}，执法人员复查发现当事人粉磨车间除尘系统未按期整改，粉尘爆炸事故隐患仍未消除。以上事实"
                           "有现场检查记录、责令限期整改指令书、复查意见书为证。"),
            CaseSpec("YJ-CF-002", company("河洛市远航物流有限公司", "毛建设", "河洛市洛龙区物流园区3号"),
                     "河洛市远航物流有限公司未如实记录事故隐患排查治理情况案", "investigation", 8,
                     facts="{day}，执法人员检查发现当事人未如实记录事故隐患排查治理情况。"),
            CaseSpec("YJ-CF-003", company("河洛市东方纺织有限公司", "卓文华", "河洛市偃师区纺织路15号"),
                     "河洛市东方纺织有限公司未对安全设备进行定期检测案", "filing", 2, facts=equipment,
                     source="群众投诉举报"),
        ],
    )


def _environment() -> AgencySpec:
    dq, sw, gf, hb = LAW["dq"], LAW["sw"], LAW["gf"], LAW["hb"]
    return AgencySpec(
        code="hl-sthjj", prefix="hb", name="河洛市生态环境局", short_name="市生态环境局", doc_prefix="河环罚",
        authority_basis=f"{hb}第十条第一款；{dq}第五条第一款；{sw}第九条第一款",
        jurisdiction="河洛市行政区域", address="河洛市洛龙区展览路18号", phone="0379-6323 0003",
        complaint_phone="12369", thresholds=(10000, 100000), kinds=["penalty", "inspection", "compulsion", "licensing"],
        unit="生态环境保护综合行政执法支队",
        staff=_staff({"o1": "许文博", "o2": "邓佳", "o3": "曹阳", "expired": "袁立", "suspended": "潘成",
                      "aux": "董小军", "head": "彭涛", "reviewer": "萧雨", "director": "蒋宏伟"}),
        items=[
            ItemSpec("HB-CF-001", "超过大气污染物排放标准排放大气污染物", "penalty",
                     [f"{dq}第十八条"], [f"{dq}第九十九条第（二）项"], "罚款幅度：十万元以上一百万元以下。",
                     kinds=("fine", "suspend_business", "close"), fine=fixed(org=(100_000, 1_000_000))),
            ItemSpec("HB-CF-002", "通过私设暗管等逃避监管的方式排放水污染物", "penalty",
                     [f"{sw}第三十九条"], [f"{sw}第八十三条第（三）项"],
                     f"涉嫌构成犯罪或者应予行政拘留的，依照{hb}第六十三条移送公安机关。",
                     kinds=("fine", "suspend_business", "close"), fine=fixed(org=(100_000, 1_000_000))),
            ItemSpec("HB-CF-003", "未密闭易产生扬尘的物料", "penalty",
                     [f"{dq}第七十二条第一款"], [f"{dq}第一百一十七条第（一）项"],
                     kinds=("fine", "suspend_business"), fine=fixed(citizen=(10_000, 100_000), org=(10_000, 100_000))),
            ItemSpec("HB-CF-004", "擅自倾倒、堆放、丢弃、遗撒工业固体废物", "penalty",
                     [f"{gf}第二十条第一款"], [f"{gf}第一百零二条第一款第（七）项、第二款"],
                     "处所需处置费用一倍以上三倍以下的罚款，所需处置费用不足十万元的，按十万元计算。",
                     kinds=("fine", "confiscate_gains", "suspend_business", "close"),
                     fine={"fine_basis": "multiple", "multiple_min": 1, "multiple_max": 3, "base_label": "所需处置费用",
                           "base_floor": 100_000}),
            ItemSpec("HB-CF-005", "违反规定设置排污口", "penalty",
                     [f"{sw}第二十二条"], [f"{sw}第八十四条第二款"],
                     kinds=("fine",), fine=fixed(citizen=(20_000, 100_000), org=(20_000, 100_000))),
            ItemSpec("HB-XK-001", "排污许可证核发", "licensing",
                     [f"{hb}第四十五条", f"{dq}第十九条", f"{sw}第二十一条第一款"]),
            ItemSpec("HB-JC-001", "排污单位现场检查", "inspection", [f"{hb}第二十四条"]),
        ],
        cases=[
            CaseSpec("HB-CF-001", company("河洛市天元热电有限公司", "蔡国栋", "河洛市吉利区热电路1号"),
                     "河洛市天元热电有限公司超标排放大气污染物案", "archived", 150, 130, 200000, hearing=True,
                     facts="{day}，执法人员调取在线监测数据并现场采样，当事人一号锅炉烟气氮氧化物排放浓度超过排放标准"
                           "限值0.6倍。以上事实有监测报告、现场检查笔录、在线监测数据为证。", source="在线监测预警"),
            CaseSpec("HB-CF-003", company("河洛市宏发建材有限公司", "钟立强", "河洛市宜阳县产业集聚区纬一路"),
                     "河洛市宏发建材有限公司未密闭易产生扬尘物料案", "archived", 90, 75, 30000,
                     facts="{day}，执法人员检查发现当事人厂区露天堆放砂石约两千吨，未密闭、未覆盖。以上事实有现场检查"
                           "笔录、现场照片为证。", source="双随机抽查"),
            CaseSpec("HB-CF-002", company("河洛市锦华印染有限公司", "郝金山", "河洛市偃师区工业园区印染路9号"),
                     "河洛市锦华印染有限公司通过暗管排放水污染物案", "transferred", 60, 40, 500000, complex=True,
                     facts="{day}，执法人员夜查发现当事人通过厂区西侧私设暗管将未经处理的印染废水排入伊河支流，"
                           "经采样监测，化学需氧量超标4.2倍。以上事实有现场检查笔录、采样监测报告、视频为证。",
                     source="群众投诉举报",
                     review_note="当事人通过私设暗管逃避监管排放水污染物，涉嫌污染环境罪，依照《中华人民共和国"
                                 "环境保护法》第六十三条及《行政执法机关移送涉嫌犯罪案件的规定》，建议移送公安机关。"),
            CaseSpec("HB-CF-004", company("河洛市新利再生资源有限公司", "黎志军", "河洛市孟津区常袋镇"),
                     "河洛市新利再生资源有限公司擅自倾倒工业固体废物案", "service", 40, 14, 100000,
                     facts="{day}，执法人员检查发现当事人将废塑料清洗产生的污泥约六十吨擅自倾倒于厂区外荒沟内。"
                           "以上事实有现场检查笔录、询问笔录、无人机航拍视频为证。", publish=False),
            CaseSpec("HB-CF-005", company("河洛市清源化工有限公司", "殷晓峰", "河洛市吉利区化工园区纬五路"),
                     "河洛市清源化工有限公司违反规定设置排污口案", "examination", 20, fine=30000,
                     facts="{day}，执法人员检查发现当事人未按规定设置排污口。"),
            CaseSpec("HB-CF-001", company("河洛市明达陶瓷有限公司", "齐永红", "河洛市新安县产业集聚区"),
                     "河洛市明达陶瓷有限公司超标排放大气污染物案", "filing", 3,
                     facts="{day}，在线监测数据显示当事人窑炉烟气颗粒物排放超标。", source="在线监测预警"),
        ],
    )


def _finance() -> AgencySpec:
    kj, cz = LAW["kj"], LAW["cz"]
    return AgencySpec(
        code="hl-czj", prefix="cz", name="河洛市财政局", short_name="市财政局", doc_prefix="河财罚",
        authority_basis=f"{kj}第七条第二款；{cz}第二条第一款",
        jurisdiction="河洛市行政区域", address="河洛市洛龙区开元大道218号", phone="0379-6324 0004",
        complaint_phone="0379-6324 0123", thresholds=(20000, 50000), kinds=["penalty", "inspection", "licensing"],
        unit="会计监督检查科",
        staff=_staff({"o1": "程思远", "o2": "魏敏", "o3": "吕晓东", "expired": "任浩", "suspended": "姜海",
                      "aux": "范小梅", "head": "苏建平", "reviewer": "卢雅琴", "director": "丁国强"}),
        items=[
            ItemSpec("CZ-CF-001", "私设会计账簿", "penalty", [f"{kj}第十六条"], [f"{kj}第四十条第一款第（二）项"],
                     "对单位可以并处二十万元以下的罚款；情节严重的，二十万元以上一百万元以下（另案适用）。",
                     kinds=("warning", "criticism", "fine"), fine=fixed(org=(0, 200_000))),
            ItemSpec("CZ-CF-002", "不依法设置会计账簿", "penalty", [f"{kj}第三条"], [f"{kj}第四十条第一款第（一）项"],
                     kinds=("warning", "criticism", "fine"), fine=fixed(org=(0, 200_000))),
            ItemSpec("CZ-CF-003", "以虚报、冒领等手段骗取财政资金", "penalty",
                     [f"{cz}第十四条第一款第（一）项"], [f"{cz}第十四条第一款第（一）项"],
                     "并处被骗取有关资金百分之十以上百分之五十以下的罚款。",
                     kinds=("warning", "confiscate_gains", "fine"),
                     fine={"fine_basis": "multiple", "multiple_min": "0.1", "multiple_max": "0.5",
                           "base_label": "被骗取资金"}),
            ItemSpec("CZ-CF-004", "转借、串用、代开财政收入票据", "penalty",
                     [f"{cz}第十六条第一款第（二）项"], [f"{cz}第十六条第一款第（二）项"],
                     kinds=("confiscate_gains", "confiscate_property", "fine"), fine=fixed(org=(5000, 100_000))),
            ItemSpec("CZ-CF-005", "私存私放财政资金或者其他公款", "penalty", [f"{cz}第十七条"], [f"{cz}第十七条"],
                     kinds=("confiscate_gains", "fine"), fine=fixed(org=(3000, 50_000))),
            ItemSpec("CZ-XK-001", "代理记账资格审批", "licensing", [f"{kj}第三十四条第一款第（三）项"]),
            ItemSpec("CZ-JC-001", "会计信息质量监督检查", "inspection", [f"{kj}第三十条第一款", f"{kj}第三十一条第一款"]),
        ],
        cases=[
            CaseSpec("CZ-CF-001", company("河洛市丰泽农业开发有限公司", "柴玉林", "河洛市汝阳县城关镇农科路"),
                     "河洛市丰泽农业开发有限公司私设会计账簿案", "archived", 120, 100, 50000, ("warning", "fine"),
                     facts="{day}，执法人员在会计信息质量检查中发现当事人在法定会计账簿之外另设账簿，登记核算销售收入"
                           "约一百二十万元。以上事实有检查工作底稿、账簿复印件、询问笔录为证。", source="双随机抽查"),
            CaseSpec("CZ-CF-003", citizen("郭建军", "19690203", "河洛市汝阳县小店镇郭庄村5组", "13592791212"),
                     "郭建军骗取农机购置补贴资金案", "archived", 100, 85, 7200, ("warning", "fine"), gains=36_000,
                     facts="经查，当事人{name}于{day}前以虚构购机事实的方式申领农机购置补贴资金三万六千元。以上事实有"
                           "补贴申请材料、销售记录、询问笔录为证。", source="上级交办"),
            CaseSpec("CZ-CF-002", company("河洛市恒信商贸有限公司", "狄彩霞", "河洛市西工区中州中路300号"),
                     "河洛市恒信商贸有限公司不依法设置会计账簿案", "archived", 80, 65, 10000, ("warning", "fine"),
                     facts="{day}，执法人员检查发现当事人未依法设置总账和明细账，以流水单据代替会计账簿。以上事实有"
                           "检查工作底稿、询问笔录为证。", source="双随机抽查"),
            CaseSpec("CZ-CF-004", company("河洛市仁和职业培训学校", "包国庆", "河洛市涧西区长安路10号",
                                          kind="other_org", head="51"),
                     "河洛市仁和职业培训学校转借财政收入票据案", "closing", 50, 35, 8000,
                     facts="{day}，执法人员检查发现当事人将领用的财政收入票据转借给其他单位使用共计四十份。以上事实有"
                           "票据存根、询问笔录为证。"),
            CaseSpec("CZ-CF-005", company("河洛市老年体育协会", "巩德华", "河洛市西工区体育场路2号",
                                          kind="other_org", head="51"),
                     "河洛市老年体育协会私存私放财政资金案", "notice", 15, fine=3000,
                     facts="{day}，执法人员检查发现当事人将财政补助资金八万元存入以个人名义开立的账户。"),
            CaseSpec("CZ-CF-002", company("河洛市利达贸易有限公司", "宋明", "河洛市老城区九都东路12号"),
                     "河洛市利达贸易有限公司不依法设置会计账簿案", "investigation", 105,
                     facts="{day}，执法人员检查发现当事人未依法设置会计账簿。"),
        ],
    )


def agency_specs() -> list[AgencySpec]:
    _numbers.reset()
    return [_urban(), _brigade(), _emergency(), _environment(), _finance()]
