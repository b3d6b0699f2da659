"""The registry of document kinds (文书种类), one entry per standard format, as data.

Each kind names its Chinese title, how it is numbered (its own gapless counter per agency, kind
and year under the agency's 文书字号 plus an abbreviation — 河城管罚告〔2026〕第3号 — or the number
already given to the case or to the decision), what else it
needs before it can be made, which fields the officer enters (笔录 text, questions and answers…),
and the builder that turns the case into the document's structured content (see content.py).
The steps at which each kind is made are declared by the flows (`"documents"` per step), not here:
DocumentsConfig.ready() registers the kinds with the engine, which checks the flows against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


KINDS: dict[str, DocumentKind] = {k.code: k for k in [
    DocumentKind(
        "filing_approval", "立案审批表", numbering="case", layout="form",
        extra=(ExtraField("summary", "简要案情", "text", help="不填时取案由及已查明事实"),
               ExtraField("handler_opinion", "承办人意见", "text", help="不填时为“建议立案调查”")),
        build=builders.filing_approval, basis="《行政处罚法》第五十四条",
    ),
    DocumentKind(
        "inspection_record", "现场检查（勘验）笔录", numbering="counter", abbr="检", layout="form", single=False,
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
        "inquiry_record", "询问笔录", numbering="counter", abbr="询", layout="form", single=False,
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
        "evidence_preservation", "先行登记保存证据通知书", numbering="counter", abbr="保", single=False,
        extra=(ExtraField("items", "先行登记保存物品", "items", True,
                          help="每行一件：名称|规格型号|数量|备注"),
               ExtraField("storage_place", "保存地点", required=True),
               ExtraField("preserved_on", "保存日期", "date", help="不填为今天")),
        build=builders.evidence_preservation, basis="《行政处罚法》第五十六条",
    ),
    DocumentKind(
        "prior_notice", "行政处罚事先告知书", numbering="counter", abbr="告",
        extra=(ExtraField("contact", "联系人及电话", help="不填时取本机关电话"),),
        build=builders.prior_notice, basis="《行政处罚法》第四十四条、第四十五条",
    ),
    DocumentKind(
        "hearing_right_notice", "行政处罚听证告知书", numbering="counter", abbr="听告",
        extra=(ExtraField("contact", "联系人及电话", help="不填时取本机关电话"),),
        requires=builders.needs_hearing_right, build=builders.hearing_right_notice,
        basis="《行政处罚法》第六十三条、第六十四条",
    ),
    DocumentKind(
        "hearing_notification", "行政处罚听证通知书", numbering="counter", abbr="听通",
        extra=(_dt("hearing_at", "听证时间", past_only=False), ExtraField("place", "听证地点", required=True),
               ExtraField("host", "听证主持人", required=True), ExtraField("recorder", "记录员"),
               ExtraField("contact", "联系人及电话")),
        requires=builders.needs_hearing_request, build=builders.hearing_notification,
        basis="《行政处罚法》第六十四条",
    ),
    DocumentKind(
        "hearing_record", "听证笔录", numbering="counter", abbr="听", layout="form",
        extra=(_dt("started_at", "听证开始时间", required=False), _dt("ended_at", "结束时间", required=False),
               ExtraField("place", "听证地点"), ExtraField("host", "听证主持人", help="不填时取登记的主持人"),
               ExtraField("recorder", "记录员"), ExtraField("participants", "参加人员"),
               ExtraField("record", "听证经过", "text", help="不填时取“登记听证”时录入的听证笔录摘要")),
        requires=builders.needs_hearing_record, build=builders.hearing_record, basis="《行政处罚法》第六十四条",
        page_sign="当事人（代理人）签名：",
    ),
    DocumentKind(
        # Issued when the agency head records the discussion (reviews.services.discussion_record);
        # what is left blank here is taken from that record.
        "collective_discussion", "重大案件集体讨论笔录", numbering="counter", abbr="讨", layout="form",
        extra=(_dt("held_at", "讨论时间", required=False, help="不填时取登记的讨论日期"),
               ExtraField("place", "讨论地点", help="不填时取登记的讨论地点"),
               ExtraField("host", "主持人", help="不填时为主持讨论的机关负责人"),
               ExtraField("attendees", "出席人员", help="不填时取登记的参加人员"),
               ExtraField("recorder", "记录人"),
               ExtraField("discussion", "讨论内容", "text", help="不填时取登记的讨论内容"),
               ExtraField("conclusion", "讨论决定", "text", help="不填时取登记的讨论决定")),
        roles=(Role.AGENCY_HEAD, Role.OFFICER),
        requires=builders.needs_discussion, build=builders.collective_discussion, basis="《行政处罚法》第五十七条",
    ),
    DocumentKind(
        # Issued when the agency head approves the transfer (reviews.guards.issue_transfer_notice).
        "crime_transfer", "涉嫌犯罪案件移送书", numbering="counter", abbr="移",
        extra=(ExtraField("judicial_organ", "接收机关", help="不填时取批准移送时登记的接收机关"),
               ExtraField("transfer_reasons", "涉嫌犯罪的事实和理由", "text", help="不填时取批准移送时登记的理由"),
               ExtraField("procuratorate", "抄送人民检察院")),
        roles=(Role.AGENCY_HEAD, Role.OFFICER),
        requires=builders.needs_transfer, build=builders.crime_transfer,
        basis="《行政处罚法》第二十七条；《行政执法机关移送涉嫌犯罪案件的规定》第三条、第五条、第六条",
    ),
    DocumentKind(
        "legal_review_opinion", "重大执法决定法制审核意见书", numbering="counter", abbr="审", layout="form",
        roles=(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD),
        requires=builders.needs_review, subject=builders.review_subject, build=builders.legal_review_opinion,
        basis="《行政处罚法》第五十八条",
    ),
    DocumentKind(
        "decision", "行政处罚决定书", numbering="decision",
        requires=builders.needs_decision, build=builders.decision, basis="《行政处罚法》第五十九条",
    ),
    DocumentKind(
        "service_receipt", "送达回证", numbering="counter", abbr="送", layout="form",
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
        "closing_approval", "结案审批表", numbering="counter", abbr="结",
        layout="form",
        extra=(ExtraField("handler_opinion", "承办人意见", "text", help="不填时按执行情况生成"),),
        build=builders.closing_approval,
    ),
    DocumentKind(
        "on_spot_decision", "当场行政处罚决定书", numbering="decision", layout="form",
        extra=(ExtraField("place", "处罚地点"),),
        # The same builder as the general 决定书: one writer of the decision's text.
        requires=builders.needs_decision, build=builders.decision, basis="《行政处罚法》第五十二条",
    ),
]}


def kind_get(code: str) -> DocumentKind | None:
    return KINDS.get(code)




def register_kind(kind: DocumentKind) -> DocumentKind:
    """Add a document kind from another app (inspection, compulsion, licensing, supervision…).

    Call it from the app's AppConfig.ready(); the documents app must come earlier in
    INSTALLED_APPS so the engine hears of every kind before a flow is checked. A second kind
    under the same code is refused: two apps must not print one document two ways.
    """
    from sanxiang.cases import engine

    existing = KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"document kind {kind.code!r} is registered twice")
    KINDS[kind.code] = kind
    engine.document_kind(kind.code, kind.name)
    return kind
