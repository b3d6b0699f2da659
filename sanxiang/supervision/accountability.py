"""责任追究: for one case, who filed, investigated, approved, reviewed, decided, served and archived
it, when, each with its ledger index and the inclusion proof of that entry in a signed checkpoint
(RFC 6962), so that responsibility can be proven later against the log alone.

The proofs are checked here before they are shown (merkle.verify_inclusion against the
checkpoint's root); anyone can check them again with the public transparency API
(/transparency/v1/inclusion?index=…&tree_size=…) or offline from the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.ledger import merkle
from sanxiang.ledger.models import Checkpoint, Entry
from sanxiang.ledger.store import DbNodeStore

# The responsibility stages, in order, and the flow actions that belong to each.
STAGES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("filed", "立案", frozenset({"open", "approve_filing", "reject_filing", "file_with_agency"})),
    ("investigated", "调查取证", frozenset({"submit_investigation", "complete_notice", "record_hearing",
                                         "return_investigation"})),
    ("approved", "审批", frozenset({"approve_proposal", "accept_correction", "reject_correction",
                                  "conclude_coordination", "approve_transfer", "refuse_transfer",
                                  "refuse_dismissal"})),
    ("reviewed", "法制审核", frozenset({"submit_review", "state_review_position", "extend_review"})),
    ("decided", "决定", frozenset({"decide", "decide_on_spot", "decide_no_penalty", "withdraw_case",
                                 "record_discussion"})),
    ("served", "送达", frozenset({"record_service"})),
    ("executed", "执行与结案", frozenset({"record_execution", "approve_closing"})),
    ("archived", "归档", frozenset({"archive"})),
)
OTHER = ("other", "其他环节")
ACCOUNTABILITY_ROLES = (Role.SUPERVISOR, Role.AGENCY_HEAD)


def can_see_accountability(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in ACCOUNTABILITY_ROLES


@dataclass
class Act:
    """One act of one person, with the ledger entry that records it and its inclusion proof."""

    stage: str
    what: str
    actor: str
    role: str
    at: object
    index: int | None
    leaf_hash: str = ""
    proof: list[str] = field(default_factory=list)
    verified: bool = False


@dataclass
class Responsibility:
    case: object
    checkpoint: Checkpoint | None
    stages: list[tuple[str, str, list[Act]]]
    made_at: object

    @property
    def acts(self) -> list[Act]:
        return [a for _, _, acts in self.stages for a in acts]

    @property
    def all_verified(self) -> bool:
        return all(a.verified for a in self.acts if a.index is not None)

    @property
    def missing(self) -> list[str]:
        """Stages the case has passed through with nobody recorded (shown as gaps)."""
        return [label for code, label, acts in self.stages if not acts and code != OTHER[0]]


def _stage_of(action: str) -> str:
    for code, _, actions in STAGES:
        if action in actions:
            return code
    return OTHER[0]


def _name(user_id: int, names: dict) -> str:
    return names.get(user_id, str(user_id))


def _checkpoint_covering(index: int) -> Checkpoint | None:
    """The newest checkpoint, signing a new one if it does not yet cover `index` (as the dossier does)."""
    from sanxiang.ledger.services import ledger_checkpoint

    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is not None and latest.tree_size > index:
        return latest
    with transaction.atomic():
        return ledger_checkpoint()


def responsibility(case) -> Responsibility:
    """The responsibility chain of `case` (the caller checked scope and role)."""
    from sanxiang.records.models import Evidence

    events = list(case.events.order_by("at", "pk"))
    evidence = list(Evidence.objects.filter(case=case).order_by("uploaded_at", "pk"))
    documents = list(case.documents.order_by("issued_at", "pk"))
    user_ids = {e.actor_id for e in events} | {e.uploaded_by_id for e in evidence} | {d.issued_by_id for d in documents}
    names = {u.pk: f"{u.display_name or u.username}（{u.username}）" for u in User.objects.filter(pk__in=user_ids)}
    acts: list[Act] = []
    for e in events:
        acts.append(Act(_stage_of(e.action), e.action_name, _name(e.actor_id, names), Role(e.actor_role).label
                        if e.actor_role in Role.values else e.actor_role, e.at, e.ledger_index))
    for ev in evidence:
        # Restricted material is named by kind only here: the page shows who collected, not what.
        acts.append(Act("investigated", f"采集证据（{ev.get_kind_display()}）", _name(ev.uploaded_by_id, names), "",
                        ev.uploaded_at, ev.ledger_index))
    for d in documents:
        acts.append(Act(_stage_for_document(d.kind), f"制作{d.title} {d.number}（第{d.version}版）",
                        _name(d.issued_by_id, names), "", d.issued_at, d.ledger_index))
    indexes = [a.index for a in acts if a.index is not None]
    checkpoint = _checkpoint_covering(max(indexes)) if indexes else Checkpoint.objects.order_by("-tree_size").first()
    if checkpoint is not None:
        _prove(acts, checkpoint)
    stages = []
    for code, label, _ in (*STAGES, (*OTHER, frozenset())):
        mine = sorted((a for a in acts if a.stage == code), key=lambda a: (a.at, a.index or 0))
        if mine or code != OTHER[0]:
            stages.append((code, label, mine))
    return Responsibility(case=case, checkpoint=checkpoint, stages=stages, made_at=timezone.now())


def _stage_for_document(kind: str) -> str:
    return {"filing_approval": "filed", "inspection_record": "investigated", "inquiry_record": "investigated",
            "evidence_preservation": "investigated", "prior_notice": "investigated",
            "legal_review_opinion": "reviewed", "collective_discussion": "decided", "decision": "decided",
            "on_spot_decision": "decided", "service_receipt": "served", "closing_approval": "executed"}.get(kind, "other")


def _prove(acts: list[Act], checkpoint: Checkpoint) -> None:
    store = DbNodeStore()
    root = bytes(checkpoint.root_hash)
    wanted = {a.index for a in acts if a.index is not None and a.index < checkpoint.tree_size}
    leaves = dict(Entry.objects.filter(index__in=wanted).values_list("index", "leaf_hash"))
    for act in acts:
        if act.index not in leaves:
            continue
        leaf = bytes(leaves[act.index])
        path = merkle.inclusion_proof(store, act.index, checkpoint.tree_size)
        act.leaf_hash, act.proof = leaf.hex(), [h.hex() for h in path]
        try:
            merkle.verify_inclusion(leaf, act.index, checkpoint.tree_size, path, root)
            act.verified = True
        except Exception:  # noqa: BLE001 - any failure is shown as "not verified", never hidden
            act.verified = False


def responsibility_pdf(report: Responsibility) -> bytes:
    """The same report as a PDF, in the documents' typesetting (documents.render)."""
    from sanxiang.common.canonical import canonical_bytes, sha256_hex
    from sanxiang.documents import render
    from sanxiang.documents.content import fields, heading, note, paragraph, table

    case, cp = report.case, report.checkpoint
    blocks = [fields([("案件编号", case.number), ("办案机关", case.agency.name)],
                     [("案由", case.title), ("当前环节", case.state)])]
    for _, label, acts in report.stages:
        blocks.append(heading(label))
        if not acts:
            blocks.append(paragraph("（无记录）", indent=False))
            continue
        blocks.append(table(["时间", "事项", "责任人", "日志序号", "证明"],
                            [[timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"), a.what, f"{a.actor} {a.role}".strip(),
                              f"#{a.index}" if a.index is not None else "—",
                              ("已验证" if a.verified else "未验证") + (f" 叶哈希 {a.leaf_hash[:16]}…" if a.leaf_hash else "")]
                             for a in acts]))
    if cp is not None:
        blocks.append(heading("签名检查点与包含证明"))
        blocks.append(paragraph(f"检查点树大小 {cp.tree_size}，根哈希 {bytes(cp.root_hash).hex()}。", indent=False))
        blocks.append(note("各条目的包含证明（RFC 6962 审计路径）如下，可用 /transparency/v1/inclusion 复核：" + "；".join(
            f"#{a.index}: {','.join(p[:16] for p in a.proof) or '（根即叶）'}" for a in report.acts if a.leaf_hash)))
        blocks.append(note(cp.note))
    content = {"kind": "accountability", "title": "行政执法责任追溯表", "agency": case.agency.name,
               "number": f"{case.number}-责任", "version": 1, "case_number": case.number, "layout": "form",
               "page_sign": "", "issued_on": timezone.localdate(report.made_at).isoformat(), "blocks": blocks}
    return render.render_pdf(content, sha256_hex(canonical_bytes(content)))
