"""Redaction of natural persons' data before an enforcement decision is published (公示脱敏).

A published decision keeps what the public may know (the facts, the legal basis, the penalty,
amounts, dates, document numbers, and an organisation's name, unified social credit code and
legal representative) and loses what identifies or reaches a natural person: the name is cut
to surname + 某, and ID numbers, phone numbers, bank accounts, e-mail addresses and the home
address are replaced by a placeholder naming what was removed.

Two layers:

* exact strings the caller knows (the party's name, ID number, address, phone, bank account),
  replaced wherever they occur, longest first;
* patterns for what the caller may not know (a witness's phone in the facts, an ID number typed
  with spaces): 18- and 15-digit resident ID numbers, mainland mobile and landline numbers,
  16-19 digit bank card numbers and e-mail addresses.

Patterns only match digit runs of their exact length (never a piece of a longer number), so
amounts (罚款人民币5000元), dates (2026年3月5日), article numbers and decision numbers
(洛城管罚〔2026〕第12号) are left alone.

Unified social credit codes are public for organisations and are kept: an 18-character token
(delimited by anything but ASCII letters and digits) that passes the GB 32100 checksum is left
alone, unless it holds a digit run that reads like a personal number: 15 digits with a 19yymmdd
date or 17+ digits with a yyyymmdd date where an ID number has its birth date, or 16-19 digits
passing the Luhn check of bank cards. Most codes contain letters (91410300MA44XXXXXX) and pass;
an all-digit code (914403001922038216) passes when positions 7-14 are no date and it fails Luhn.
A code that looks personal is redacted: over-redacting a public code costs less than publishing
a person's ID or card number. Known limit: a phone number glued to Latin letters on both sides
can be read as part of such a token.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sanxiang.common.idnumbers import IdNumberError, validate_uscc

__all__ = [
    "COMPOUND_SURNAMES",
    "PLACEHOLDERS",
    "RedactionResult",
    "mask_name",
    "redact_content",
    "redact_party",
    "redact_text",
]

# Compound surnames (复姓), checked before the single-character rule. "吴铭" is deliberately
# absent: it appears in some modern lists, but 吴 + a given name starting with 铭 (吴铭杰) is far
# more common, and masking that as "吴铭某" would publish part of the given name.
COMPOUND_SURNAMES: frozenset[str] = frozenset("""
欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳
公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙
壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 公玉
公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长
子书 子桑 即墨 达奚 褚师 淳于
""".split())

MASK = "某"

PLACEHOLDERS: dict[str, str] = {
    "id_number": "[身份证号已隐去]",
    "phone": "[电话已隐去]",
    "bank_account": "[银行账号已隐去]",
    "address": "[住址已隐去]",
    "email": "[电子邮箱已隐去]",
}

# Order of `RedactionResult.removed`.
KINDS: tuple[str, ...] = ("name", "id_number", "phone", "bank_account", "address", "email")

# Party fields that reach a natural person: removed for citizens.
CITIZEN_PRIVATE_FIELDS: tuple[str, ...] = ("id_number", "address", "phone", "bank_account", "email")
# Fields about an organisation's legal representative that stay private; `id_number` on an
# organisation can only be a person's (the organisation's own code is `uscc`).
ORGANISATION_PRIVATE_FIELDS: tuple[str, ...] = (
    "id_number", "legal_representative_id_number", "legal_representative_phone",
    "legal_representative_address",
)
CITIZEN = "citizen"
ORGANISATIONS = frozenset({"legal_person", "other_org"})

# Shortest name / known value replaced: a single character would wreck the text.
MIN_EXACT_LENGTH = 2


@dataclass(frozen=True)
class RedactionResult:
    """The redacted text and what was removed: (kind, count) pairs in KINDS order, counts > 0."""

    text: str
    removed: list[tuple[str, int]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.removed)


# --- names --------------------------------------------------------------------------------------


def _surname(name: str) -> str:
    """The surname: a listed compound surname when the name is longer than it, else one character."""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def mask_name(name: str) -> str:
    """Surname + 某: 张三 → 张某, 欧阳娜娜 → 欧阳某.

    Names with a middle dot (阿依古丽·买买提) and non-Chinese names keep their first character.
    Blank input is returned unchanged.
    """
    name = (name or "").strip()
    if not name:
        return name
    return _surname(name) + MASK


# --- patterns -----------------------------------------------------------------------------------

# \d is Unicode-aware on purpose: full-width digits typed with a Chinese IME are caught too.
_SEP = r"[ \-\u00a0\u2013\u3000\uff0d]"  # space, hyphen, nbsp, en dash, full-width space and hyphen
_X = "XxＸｘ"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID = re.compile(
    rf"(?<!\d)(?:\d{{6}}{_SEP}?\d{{8}}{_SEP}?\d{{3}}[\d{_X}]|\d{{15}})(?!\d)")
_BANK = re.compile(
    rf"(?<!\d)(?:\d{{4}}(?:{_SEP}\d{{4}}){{3}}(?:{_SEP}?\d{{1,3}})?|\d{{6}} \d{{10,13}}|\d{{16,19}})(?!\d)")
_PLUS, _ZERO, _ONE, _THREE_TO_NINE = "[+＋]", "[0０]", "[1１]", "[3-9３-９]"
_COUNTRY = rf"(?:(?:{_PLUS}|{_ZERO}{{2}})?[8８][6６]{_SEP}?|[(（]{_PLUS}?[8８][6６][)）]{_SEP}?)"
_MOBILE = re.compile(rf"(?<!\d){_COUNTRY}?{_ONE}{_THREE_TO_NINE}\d(?:{_SEP}?\d{{4}}){{2}}(?!\d)")
_AREA = rf"(?:[(（]{_ZERO}\d{{2,3}}[)）]{_SEP}?|{_ZERO}\d{{2,3}}{_SEP}?)"
_LANDLINE = re.compile(rf"(?<!\d){_AREA}\d{{3,4}}{_SEP}?\d{{4}}(?:(?:[\-－]|转)\d{{1,6}})?(?!\d)")
# An 18-character alphanumeric token: a credit code candidate.
_CODE_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")


def _digits(value: str) -> str:
    """Fold full width, drop separators and upper-case: '４１０３ 02…x' → '410302…X'."""
    return re.sub(r"[\s\-\u2013+()]", "", unicodedata.normalize("NFKC", value)).upper()


def _plausible_birth_date(yyyymmdd: str) -> bool:
    """A real date between 1900 and 2099: what the birth-date segment of an ID looks like."""
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def _luhn_valid(digits: str) -> bool:
    """The Luhn check that bank card numbers carry in their last digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _looks_personal(run: str) -> bool:
    """Whether a digit run reads like an ID number (a birth date in place) or a bank card (Luhn)."""
    if len(run) == 15 and _plausible_birth_date("19" + run[6:12]):
        return True
    if len(run) >= 17 and _plausible_birth_date(run[6:14]):
        return True
    return 16 <= len(run) <= 19 and _luhn_valid(run)


def _is_organisation_code(token: str) -> bool:
    """Whether an 18-character token is an organisation's credit code, kept as public.

    Only codes passing the GB 32100 checksum are protected, and never one holding a digit run
    that reads like an ID number or a bank card (see module doc). A mistyped code is not
    protected but survives all the same unless it holds a run of 15 or more digits.
    """
    code = token.upper()
    try:
        validate_uscc(code)
    except IdNumberError:
        return False
    return not any(_looks_personal(run) for run in re.findall(r"\d+", code))


def _classify_id_match(match: str) -> str | None:
    """The kind for an ID-pattern match, or None to keep it (a 15-digit number that is no ID)."""
    digits = _digits(match)
    if len(digits) == 15:
        return "id_number" if _plausible_birth_date("19" + digits[6:12]) else None
    if _plausible_birth_date(digits[6:14]) or digits.endswith("X"):
        return "id_number"
    return "bank_account"  # 18 digits without a birth date: redact all the same


def _classify_known_value(value: str) -> str:
    """The placeholder kind for an exact value the caller passed without saying what it is."""
    if _EMAIL.fullmatch(value):
        return "email"
    digits = _digits(value)
    if _ID.fullmatch(digits) and _classify_id_match(digits) == "id_number":
        return "id_number"
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return "phone"
    if digits.isdigit() and len(digits) in (7, 8):
        return "phone"  # a local landline without area code
    if digits.isdigit() and len(digits) > 8:
        return "bank_account"
    return "address"


# --- the passes ---------------------------------------------------------------------------------

Classifier = Callable[[str], str | None]

PATTERN_PASSES: tuple[tuple[re.Pattern[str], Classifier], ...] = (
    (_EMAIL, lambda match: "email"),
    (_ID, _classify_id_match),
    (_BANK, lambda match: "bank_account"),
    (_MOBILE, lambda match: "phone"),
    (_LANDLINE, lambda match: "phone"),
)


def _alternation(strings: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching any of `strings`, longest first, or None when there are none."""
    ordered = sorted(set(strings), key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def _replace_exact(text: str, replacements: dict[str, tuple[str, str]], counter: Counter) -> str:
    """Replace each key of `replacements` with its (kind, replacement) in one pass."""
    pattern = _alternation(replacements)
    if pattern is None:
        return text

    def substitute(match: re.Match[str]) -> str:
        kind, replacement = replacements[match.group()]
        counter[kind] += 1
        return replacement

    return pattern.sub(substitute, text)


def _apply_pattern(text: str, pattern: re.Pattern[str], classify: Classifier, counter: Counter) -> str:
    def substitute(match: re.Match[str]) -> str:
        kind = classify(match.group())
        if kind is None:
            return match.group()
        counter[kind] += 1
        return PLACEHOLDERS[kind]

    return pattern.sub(substitute, text)


def _redact_patterns(segment: str, counter: Counter) -> str:
    for pattern, classify in PATTERN_PASSES:
        segment = _apply_pattern(segment, pattern, classify, counter)
    return segment


def _protected_spans(text: str, public_values: Iterable[str]) -> list[tuple[int, int]]:
    """Spans left untouched by the patterns: organisations' credit codes and public values."""
    spans = [match.span() for match in _CODE_TOKEN.finditer(text) if _is_organisation_code(match.group())]
    public = _alternation(value for value in public_values if value.strip())
    if public is not None:
        spans += [match.span() for match in public.finditer(text)]
    return sorted(spans)


def _redact_outside(text: str, spans: list[tuple[int, int]], counter: Counter) -> str:
    """Run the pattern passes on the text between protected spans."""
    parts, position = [], 0
    for start, end in spans:
        start = max(start, position)  # spans may overlap
        if end <= start:
            continue
        parts += [_redact_patterns(text[position:start], counter), text[start:end]]
        position = end
    parts.append(_redact_patterns(text[position:], counter))
    return "".join(parts)


def _exact_replacements(person_names: Iterable[str],
                        known_values: Iterable[str | tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """{string: (kind, replacement)} for the names and known values worth replacing."""
    replacements: dict[str, tuple[str, str]] = {}
    for item in known_values:
        kind, value = item if isinstance(item, tuple) else (None, item)
        value = (value or "").strip()
        if kind is not None and kind not in PLACEHOLDERS:
            raise ValueError(f"未知的隐去类型：{kind!r}（可选：{'、'.join(PLACEHOLDERS)}）")
        if len(value) >= MIN_EXACT_LENGTH:
            kind = kind or _classify_known_value(value)
            replacements[value] = (kind, PLACEHOLDERS[kind])
    for name in person_names:
        name = (name or "").strip()
        if len(name) >= MIN_EXACT_LENGTH and mask_name(name) != name:
            replacements[name] = ("name", mask_name(name))
    return replacements


def redact_text(text: str, *, person_names: Iterable[str] = (),
                known_values: Iterable[str | tuple[str, str]] = (),
                public_values: Iterable[str] = ()) -> RedactionResult:
    """Redact natural persons' data from `text` for publication.

    person_names: names masked wherever they occur (张三丰 → 张某), longest first.
    known_values: exact private strings (ID number, address, phone, bank account, e-mail),
        each replaced by the placeholder of its kind. A plain string's kind is guessed from its
        shape and defaults to address; pass (kind, value) with a PLACEHOLDERS key to be explicit.
    public_values: strings the patterns must not touch, e.g. the agency's own telephone in the
        remedy notice (复议、诉讼告知), which would otherwise be removed as a landline.
    Names and values shorter than two characters are ignored.
    """
    counter: Counter = Counter()
    text = _replace_exact(text or "", _exact_replacements(person_names, known_values), counter)
    text = _redact_outside(text, _protected_spans(text, public_values), counter)
    return RedactionResult(text=text, removed=[(kind, counter[kind]) for kind in KINDS if counter[kind]])


# Keys of a document's structured content that hold codes, not text (documents.content).
_STRUCTURAL_KEYS = frozenset({"type", "kind", "layout", "indent", "version"})


def redact_content(content, *, person_names: Iterable[str] = (),
                   known_values: Iterable[str | tuple[str, str]] = (),
                   public_values: Iterable[str] = ()):
    """A copy of a document's structured content (documents.content) with every text redacted.

    The published text and the published PDF of a decision are both made from this one redacted
    copy, so they cannot differ. Each string is redacted on its own: a pattern never spans two
    blocks, exactly as a reader sees them.
    """
    names, values, public = list(person_names), list(known_values), list(public_values)

    def walk(node, key=None):
        if isinstance(node, str):
            if key in _STRUCTURAL_KEYS:
                return node
            return redact_text(node, person_names=names, known_values=values, public_values=public).text
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        return node

    return walk(content)


# --- parties ------------------------------------------------------------------------------------


def _party_type(party: dict) -> str:
    """The party's type: `type` as in the publication schema, or `kind` as on the Party model."""
    party_type = party.get("type") or party.get("kind")
    if party_type != CITIZEN and party_type not in ORGANISATIONS:
        raise ValueError(f"当事人类型未知：{party_type!r}（应为自然人、法人或其他组织）")
    return party_type


def _redact_representative(representative):
    """A nested legal representative keeps only the name; a plain name string is kept."""
    if isinstance(representative, dict):
        return {"name": representative.get("name")}
    return representative


def redact_party(party: dict) -> dict:
    """A copy of `party` fit for publication.

    Citizen: name masked, ID number, address, phone, bank account and e-mail set to None.
    Legal person / other organisation: kept (name, credit code, address and the legal
    representative's name are public in 公示 practice) except any ID number, phone or address
    of the legal representative.
    """
    redacted = dict(party)
    if _party_type(party) == CITIZEN:
        redacted["name"] = mask_name(party.get("name") or "")
        redacted.update(dict.fromkeys(CITIZEN_PRIVATE_FIELDS))
        return redacted
    for key in ORGANISATION_PRIVATE_FIELDS:
        if key in redacted:
            redacted[key] = None
    if "legal_representative" in redacted:
        redacted["legal_representative"] = _redact_representative(redacted["legal_representative"])
    return redacted
