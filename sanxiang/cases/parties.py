"""Party services: one party record per ID number / USCC, reused across cases (集中储存).

The number is the key. Opening a case for a known number reuses its row; the same number under
another name is refused (a typo or a false identity, never a second party), unless an
organisation's change of name was recorded first with its evidence (party_rename). Contact
details may change between cases: party_update_details records that, logged like every write.
"""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, role_labels
from sanxiang.cases.choices import PartyKind
from sanxiang.cases.models import Party, PartyName
from sanxiang.common.exceptions import RoleNotAllowed, ValidationFailed
from sanxiang.common.idnumbers import IdNumberError, validate_citizen_id, validate_uscc
from sanxiang.ledger.services import ledger_append

IDENTITY_FIELDS = ("kind", "name", "id_number", "uscc")
# What may change about a party between cases, through party_update_details.
DETAIL_FIELDS = ("legal_representative", "address", "phone", "bank_account")
DETAIL_LABELS = {"legal_representative": "法定代表人/负责人", "address": "住址/住所", "phone": "联系电话",
                 "bank_account": "银行账号"}
RULE_ONE_RECORD = "当事人信息集中储存（一个证件号码对应一个当事人）"
RENAME_ROLES = {Role.OFFICER, Role.UNIT_HEAD, Role.AGENCY_HEAD}


def party_prefix(index: int) -> str:
    """The field prefix of the index-th party of a form or request: party, party2, party3…"""
    return "party" if index == 0 else f"party{index + 1}"


def normalise_name(name: str) -> str:
    """Names compared as typed on different keyboards: full-width brackets, spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def validate_party_fields(data: dict, prefix: str = "party") -> dict:
    """Check a party: citizens by 18-digit ID with checksum, organisations by USCC with checksum."""
    kind = data.get("kind")
    if kind not in PartyKind.values:
        raise ValidationFailed("当事人类型须为自然人、法人或其他组织", field=f"{prefix}.kind", code="party_kind")
    if not (data.get("name") or "").strip():
        raise ValidationFailed("当事人名称/姓名为必填项", field=f"{prefix}.name", code="party_name")
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    try:
        if kind == PartyKind.CITIZEN:
            clean["id_number"] = validate_citizen_id(data.get("id_number") or "")
            clean["uscc"] = ""
        else:
            clean["uscc"] = validate_uscc(data.get("uscc") or "")
            clean["id_number"] = ""
    except IdNumberError as exc:
        field = f"{prefix}.id_number" if kind == PartyKind.CITIZEN else f"{prefix}.uscc"
        raise ValidationFailed(str(exc), field=field, code=exc.code) from exc
    return clean


def party_find(*, kind: str, number: str) -> Party | None:
    """The one current record of an ID number (citizen) or USCC (organisation)."""
    if not number:
        return None
    column = "id_number" if kind == PartyKind.CITIZEN else "uscc"
    return Party.objects.filter(merged_into__isnull=True, **{column: number}).first()


def check_same_party(party: Party, data: dict, prefix: str = "party") -> None:
    """Refuse a known number under another name or of another kind (named field, named rule)."""
    if normalise_name(party.name) != normalise_name(data["name"]):
        earlier = party.names.filter(old_name=data["name"].strip()).order_by("-recorded_at").first()
        if earlier is not None:
            raise ValidationFailed(
                f"{party.key_label}{party.key}的当事人已于{timezone.localtime(earlier.recorded_at):%Y-%m-%d}"
                f"由“{earlier.old_name}”更名为“{party.name}”，请以现名称登记（{RULE_ONE_RECORD}）",
                field=f"{prefix}.name", code="party_renamed", rule=RULE_ONE_RECORD)
        advice = ("单位已更名的，请先办理当事人更名登记并附登记机关的变更证明" if not party.is_citizen
                  else "请核对居民身份证")
        raise ValidationFailed(
            f"{party.key_label}{party.key}已登记为“{party.name}”，同一号码不得以其他名称“{data['name'].strip()}”登记"
            f"（{RULE_ONE_RECORD}）；{advice}",
            field=f"{prefix}.name", code="party_number_other_name", rule=RULE_ONE_RECORD)
    if party.kind != data["kind"]:
        raise ValidationFailed(
            f"{party.key_label}{party.key}已登记为{party.get_kind_display()}，不得登记为"
            f"{PartyKind(data['kind']).label}（{RULE_ONE_RECORD}）",
            field=f"{prefix}.kind", code="party_kind_mismatch", rule=RULE_ONE_RECORD)


def party_register(*, actor, agency, data: dict, prefix: str = "party", reason: str = "") -> Party:
    """The party of `data` (already validated): the known record of its number, or a new one.

    A known record is reused after its name is checked; contact details that differ are
    updated through party_update_details (logged). A new record is created here and logged by
    the caller's entry (case_open names it as a subject).
    """
    number = data["id_number"] if data["kind"] == PartyKind.CITIZEN else data["uscc"]
    party = party_find(kind=data["kind"], number=number)
    if party is None:
        try:
            # Two officers registering the same new number at once: the unique constraint lets
            # one row in; the other, in its savepoint, falls back to that row and its checks.
            with transaction.atomic():
                return Party.objects.create(agency=agency, **{k: data.get(k, "") or "" for k in (
                    *IDENTITY_FIELDS, *DETAIL_FIELDS)})
        except IntegrityError:
            party = party_find(kind=data["kind"], number=number)
            if party is None:
                raise
    check_same_party(party, data, prefix)
    changes = {k: data[k] for k in DETAIL_FIELDS if (data.get(k) or "") and data[k] != getattr(party, k)}
    if changes:
        party = party_update_details(party=party, actor=actor, changes=changes, agency=agency,
                                     reason=reason or "立案登记时当事人提供的新信息")
    return party


@transaction.atomic
def party_update_details(*, party: Party, actor, changes: dict, reason: str, agency=None) -> Party:
    """Update a party's contact details (address, phone, legal representative, bank account).

    Identity (kind, name, number) never changes here: a name through party_rename only. The
    ledger entry names the fields changed and the reason, not the private values themselves.
    """
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationFailed(f"当事人的{'、'.join(sorted(unknown))}不能在此修改（身份信息以证件为准，名称变更须办理更名登记）",
                               field=f"party.{sorted(unknown)[0]}", code="party_field_fixed", rule=RULE_ONE_RECORD)
    if not (reason or "").strip():
        raise ValidationFailed("请填写修改当事人信息的原因", field="reason", code="reason_required")
    party = Party.objects.select_for_update().get(pk=party.pk)
    changed = []
    for key, value in changes.items():
        value = (value or "").strip()
        if value != getattr(party, key):
            setattr(party, key, value)
            changed.append(key)
    if not changed:
        return party
    party.save(update_fields=changed)
    ledger_append(kind="party.update", actor=actor, agency=agency or getattr(actor, "agency", None),
                  subjects=[party], data={"fields": changed, "reason": reason.strip()},
                  summary=f"更新当事人信息：{party.name}（{'、'.join(DETAIL_LABELS[k] for k in changed)}）")
    return party


@transaction.atomic
def party_rename(*, party: Party, actor, new_name: str, reason: str, evidence_ref: str, evidence=None) -> PartyName:
    """更名: an organisation's new name, recorded with the evidence of the change.

    The record and its number stay; the old name is kept in PartyName so that earlier cases
    and documents are still found. Citizens are not renamed here: a natural person's name is
    the one on the resident ID card, and a mismatch is an error to correct at the source.
    """
    if actor.role not in RENAME_ROLES or actor.agency_id is None:
        labels = role_labels(RENAME_ROLES)
        raise RoleNotAllowed(f"当事人更名登记须由执法机关的{labels}办理", code="role_not_allowed")
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.is_citizen:
        raise ValidationFailed("自然人姓名以居民身份证记载为准，不办理更名登记；身份证号码与姓名不符的，请核对证件"
                               f"（{RULE_ONE_RECORD}）", field="new_name", code="party_rename_citizen",
                               rule=RULE_ONE_RECORD)
    new_name = (new_name or "").strip()
    if not new_name:
        raise ValidationFailed("请填写新名称", field="new_name", code="new_name_required")
    if normalise_name(new_name) == normalise_name(party.name):
        raise ValidationFailed("新名称与现名称相同，无需更名", field="new_name", code="new_name_same")
    if not (reason or "").strip():
        raise ValidationFailed("请填写更名原因", field="reason", code="reason_required")
    if not (evidence_ref or "").strip():
        raise ValidationFailed("单位更名须附证明材料（如登记机关准予变更登记通知书及文号）（" + RULE_ONE_RECORD + "）",
                               field="evidence_ref", code="rename_evidence_required", rule=RULE_ONE_RECORD)
    if evidence is not None and not evidence.case.case_parties.filter(party=party).exists():
        raise ValidationFailed("所附证据不属于该当事人的案件", field="evidence", code="rename_evidence_other_party")
    row = PartyName.objects.create(party=party, old_name=party.name, new_name=new_name, reason=reason.strip(),
                                   evidence_ref=evidence_ref.strip(), evidence=evidence, recorded_by=actor,
                                   recorded_at=timezone.now())
    party.name = new_name
    party.save(update_fields=["name"])
    ledger_append(kind="party.rename", actor=actor, agency=actor.agency, subjects=[party, row],
                  data={"evidence_ref": row.evidence_ref},
                  summary=f"当事人更名：{row.old_name} → {new_name}（{party.key_label}{party.key}）")
    return row

