"""The registry of document kinds (文书种类), one entry per standard format, as data.

Each kind names its Chinese title, how it is numbered (its own gapless counter per agency, kind
and year under the agency's 文书字号 plus an abbreviation — 河城管罚告〔2026〕第3号 — or the number
already given to the case or to the decision), the flow step it belongs to per flow, what else it
needs before it can be made, which fields the officer enters (笔录 text, questions and answers…),
and the builder that turns the case into the document's structured content (see content.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sanxiang.accounts.models import Role
from sanxiang.documents import builders

STAFF_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)

# Extra-field types: line (one line), text (paragraphs), date, datetime, qa (问/答 lines),
# items (one goods item per line, columns separated by |), choice (one of `choices`).
EXTRA_TYPES = {"line", "text", "date", "datetime", "qa", "items", "choice"}


@dataclass(frozen=True)
class ExtraField:
    """A value the officer enters when making the document (not held by the case)."""

    name: str
    label: str
    type: str = "line"
    required: bool = False
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    past_only: bool = True  # dates and times of a record cannot lie in the future


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: str
    # "counter": own gapless counter; "case": the case number; "decision": Decision.number.
    numbering: str
    abbr: str = ""
    steps: dict[str, str] = field(default_factory=dict)  # flow code → step the document belongs to
    layout: str = "letter"  # "letter" (告知书、决定书) or "form" (审批表、笔录、回证)
    # One per case (issuing again makes a new version), or several (each issue a new number).
    single: bool = True
    extra: tuple[ExtraField, ...] = ()
    roles: tuple[str, ...] = STAFF_ROLES
    requires: Callable | None = None  # (case, extra) -> Chinese refusal or None
    subject: Callable | None = None  # (case, extra) -> subject key for `single` kinds
    build: Callable = builders.not_implemented
    basis: str = ""
    page_sign: str = ""  # signature line at the foot of every page (each page of a 笔录 is signed)

    def extra_field(self, name: str) -> ExtraField | None:
        return next((f for f in self.extra if f.name == name), None)


def _dt(name, label, required=True, **kw):
    return ExtraField(name, label, "datetime", required, **kw)


GENERAL, SIMPLE = "penalty_general", "penalty_simple"

KINDS: dict[str, DocumentKind] = {k.code: k for k in [
    DocumentKind(
        "filing_approval", "立案审批表", numbering="case", steps={GENERAL: "filing"}, layout="form",
        extra=(ExtraField("summary", "简要案情", "text", help="不填时取案由及已查明事实"),
               ExtraField("handler_opinion", "承办人意见", "text", help="不填时为“建议立案调查”")),
        build=builders.filing_approval, basis="《行政处罚法》第五十四条",
    ),
    DocumentKind(
        "inspection_record", "现场检查（勘验）笔录", numbering="counter", abbr="检",
        steps={GENERAL: "investigation", SIMPLE: "on_spot"}, layout="form", single=False,
        extra=(ExtraField("mode", "笔录类型", "choice", True, choices=(("检查", "现场检查"), ("勘验", "勘验"))),
               _dt("started_at", "检查（勘验）开始时间"), _dt("ended_at", "结束时间", required=False),
               ExtraField("place", "检查（勘验）地点", required=True),
               ExtraField("present", "在场人员", help="姓名、身份及与当事人关系"),
               ExtraField("recorder", "记录人"),
               ExtraField("record", "现场检查（勘验）情况", "text", True)),
        build=builders.inspection_record, basis="《行政处罚法》第五十四条、第五十五条",
        page_sign="当事人（在场人员）签名：",
    ),
    DocumentKind(
        "inquiry_record", "询问笔录", numbering="counter", abbr="询",
        steps={GENERAL: "investigation", SIMPLE: "on_spot"}, layout="form", single=False,
        extra=(_dt("started_at", "询问开始时间"), _dt("ended_at", "结束时间", required=False),
               ExtraField("place", "询问地点", required=True),
               ExtraField("interviewee", "被询问人姓名", required=True),
               ExtraField("interviewee_info", "被询问人情况", help="性别、年龄、身份证号码、工作单位、住址、电话"),
               ExtraField("relation", "与本案关系", help="如：当事人、法定代表人、证人"),
               ExtraField("recorder", "记录人"),
               ExtraField("qa", "询问内容", "qa", True, help="每行以“问：”或“答：”开头")),
        build=builders.inquiry_record, basis="《行政处罚法》第五十五条", page_sign="被询问人签名：",
    ),
    DocumentKind(
        "evidence_preservation", "先行登记保存证据通知书", numbering="counter", abbr="保",
        steps={GENERAL: "investigation"}, single=False,
        extra=(ExtraField("items", "先行登记保存物品", "items", True,
                          help="每行一件：名称|规格型号|数量|备注"),
               ExtraField("storage_place", "保存地点", required=True),
               ExtraField("preserved_on", "保存日期", "date", help="不填为今天")),
        build=builders.evidence_preservation, basis="《行政处罚法》第五十六条",
    ),
    DocumentKind(
        "prior_notice", "行政处罚事先告知书", numbering="counter", abbr="告", steps={GENERAL: "notice"},
        extra=(ExtraField("contact", "联系人及电话", help="不填时取本机关电话"),),
        build=builders.prior_notice, basis="《行政处罚法》第四十四条、第四十五条",
    ),
    DocumentKind(
        "hearing_right_notice", "行政处罚听证告知书", numbering="counter", abbr="听告", steps={GENERAL: "notice"},
        extra=(ExtraField("contact", "联系人及电话", help="不填时取本机关电话"),),
        requires=builders.needs_hearing_right, build=builders.hearing_right_notice,
        basis="《行政处罚法》第六十三条、第六十四条",
    ),
    DocumentKind(
        "hearing_notification", "行政处罚听证通知书", numbering="counter", abbr="听通", steps={GENERAL: "hearing"},
        extra=(_dt("hearing_at", "听证时间", past_only=False), ExtraField("place", "听证地点", required=True),
               ExtraField("host", "听证主持人", required=True), ExtraField("recorder", "记录员"),
               ExtraField("contact", "联系人及电话")),
        requires=builders.needs_hearing_request, build=builders.hearing_notification,
        basis="《行政处罚法》第六十四条",
    ),
    DocumentKind(
        "hearing_record", "听证笔录", numbering="counter", abbr="听", steps={GENERAL: "hearing"}, layout="form",
        extra=(_dt("started_at", "听证开始时间", required=False), _dt("ended_at", "结束时间", required=False),
               ExtraField("place", "听证地点"), ExtraField("host", "听证主持人", help="不填时取登记的主持人"),
               ExtraField("recorder", "记录员"), ExtraField("participants", "参加人员"),
               ExtraField("record", "听证经过", "text", help="不填时取“登记听证”时录入的听证笔录摘要")),
        requires=builders.needs_hearing_record, build=builders.hearing_record, basis="《行政处罚法》第六十四条",
        page_sign="当事人（代理人）签名：",
    ),
    DocumentKind(
        "collective_discussion", "重大案件集体讨论笔录", numbering="counter", abbr="讨",
        steps={GENERAL: "decision"}, layout="form",
        extra=(_dt("held_at", "讨论时间"), ExtraField("place", "讨论地点", required=True),
               ExtraField("host", "主持人", required=True), ExtraField("attendees", "出席人员", required=True),
               ExtraField("recorder", "记录人"), ExtraField("discussion", "讨论内容", "text", True),
               ExtraField("conclusion", "讨论决定", "text", True)),
        build=builders.collective_discussion, basis="《行政处罚法》第五十七条",
    ),
    DocumentKind(
        "legal_review_opinion", "重大执法决定法制审核意见书", numbering="counter", abbr="审",
        steps={GENERAL: "legal_review"}, layout="form",
        roles=(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD),
        requires=builders.needs_review, subject=builders.review_subject, build=builders.legal_review_opinion,
        basis="《行政处罚法》第五十八条",
    ),
    DocumentKind(
        "decision", "行政处罚决定书", numbering="decision", steps={GENERAL: "decision"},
        requires=builders.needs_decision, build=builders.decision, basis="《行政处罚法》第五十九条",
    ),
    DocumentKind(
        "service_receipt", "送达回证", numbering="counter", abbr="送", steps={GENERAL: "notice"}, layout="form",
        extra=(ExtraField("served", "送达文书", "choice", choices=builders.SERVABLE,
                          help="不填时为最近制作的可送达文书"),
               ExtraField("recipient", "受送达人", help="不填时为当事人"),
               ExtraField("place", "送达地点", help="不填时为当事人住址"),
               ExtraField("method", "送达方式", help="不填时取登记的送达方式"),
               ExtraField("served_on", "送达日期", "date"),
               ExtraField("remarks", "备注", "text", help="留置送达的见证人、原因等")),
        requires=builders.needs_servable, subject=builders.service_subject, build=builders.service_receipt,
        basis="《行政处罚法》第六十一条",
    ),
    DocumentKind(
        "closing_approval", "结案审批表", numbering="counter", abbr="结", steps={GENERAL: "closing"},
        layout="form",
        extra=(ExtraField("handler_opinion", "承办人意见", "text", help="不填时按执行情况生成"),),
        build=builders.closing_approval,
    ),
    DocumentKind(
        "on_spot_decision", "当场行政处罚决定书", numbering="decision", steps={SIMPLE: "on_spot"},
        extra=(ExtraField("place", "处罚地点"),),
        # The same builder as the general 决定书: one writer of the decision's text.
        requires=builders.needs_decision, build=builders.decision, basis="《行政处罚法》第五十二条",
    ),
]}


def kind_get(code: str) -> DocumentKind | None:
    return KINDS.get(code)


def kinds_for_flow(flow_code: str) -> list[DocumentKind]:
    return [k for k in KINDS.values() if flow_code in k.steps]
