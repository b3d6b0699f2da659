"""公示脱敏: names masked, personal numbers removed, public numbers and codes left intact."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanxiang.common.idnumbers import USCC_CHARSET, make_citizen_id, make_uscc
from sanxiang.disclosure.redaction import (
    PLACEHOLDERS,
    RedactionResult,
    mask_name,
    redact_party,
    redact_text,
)

CITIZEN_ID = make_citizen_id("41030219850612007")  # 41030219850612007X
OTHER_ID = make_citizen_id("41030219900101123")
USCC = make_uscc("91410300MA4400001")
ID_PLACEHOLDER = PLACEHOLDERS["id_number"]
PHONE_PLACEHOLDER = PLACEHOLDERS["phone"]
BANK_PLACEHOLDER = PLACEHOLDERS["bank_account"]

PUBLIC_TEXT = (
    "经查，当事人于2026年3月5日在洛阳市西工区占道经营。依据《中华人民共和国行政处罚法》第八十五条，"
    "决定罚款人民币5000元（大写：伍仟元整），并处没收违法所得12,345.67元。"
    "文书编号：洛城管罚〔2026〕第12号。立案时间2026-03-05 10:30:00，期限20260305至20260605。"
    f"测试市宏达建筑工程有限公司（统一社会信用代码{USCC}）法定代表人李四。"
)


def _redact(text: str, **kwargs) -> RedactionResult:
    return redact_text(text, **kwargs)


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张某"),
    ("张三丰", "张某"),
    ("欧阳娜娜", "欧阳某"),
    ("司马光", "司马某"),
    ("诸葛亮", "诸葛某"),
    ("上官婉儿", "上官某"),
    ("欧阳", "欧某"),          # two characters: single surname + given name
    ("吴铭杰", "吴某"),        # 吴铭 is deliberately not treated as a compound surname
    ("阿依古丽·买买提", "阿某"),
    (" 李四 ", "李某"),
    ("张某", "张某"),
    ("", ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_names_are_masked_longest_first():
    result = _redact("张三丰与张三系父子，欧阳娜娜在场。", person_names=["张三", "张三丰", "欧阳娜娜"])
    assert result.text == "张某与张某系父子，欧阳某在场。"
    assert result.counts == {"name": 3}


def test_single_character_and_blank_names_are_ignored():
    text = "张三在张家口。"
    assert _redact(text, person_names=["张", "", "  "]).text == text


# --- known values -------------------------------------------------------------------------------


def test_known_values_are_replaced_by_kind():
    text = f"张三，身份证号{CITIZEN_ID}，住测试市西工区幸福路8号，电话13912345678，账号6222021234567890。"
    result = _redact(text, person_names=["张三"], known_values=[
        CITIZEN_ID, "测试市西工区幸福路8号", "13912345678", "6222021234567890"])
    assert result.text == ("张某，身份证号[身份证号已隐去]，住[住址已隐去]，电话[电话已隐去]，"
                           "账号[银行账号已隐去]。")
    assert result.removed == [("name", 1), ("id_number", 1), ("phone", 1), ("bank_account", 1),
                              ("address", 1)]


def test_known_values_with_explicit_kind_and_short_values():
    text = "联系人微信号zhangsan1985，住7号。"
    result = _redact(text, known_values=[("phone", "zhangsan1985"), "7号"[:1], ""])
    assert result.text == "联系人微信号[电话已隐去]，住7号。"


def test_known_value_with_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="未知的隐去类型"):
        _redact("文本", known_values=[("licence_plate", "豫C12345")])


def test_known_values_are_classified_by_shape():
    result = _redact("甲0379-63212345乙zs@example.com丙6222021234567890丁63212345戊",
                     known_values=["0379-63212345", "zs@example.com", "6222021234567890", "63212345"])
    assert result.text == "甲[电话已隐去]乙[电子邮箱已隐去]丙[银行账号已隐去]丁[电话已隐去]戊"


def test_address_occurring_twice():
    address = "测试市西工区幸福路8号"
    result = _redact(f"住{address}；送达地址：{address}。", known_values=[address])
    assert result.text == "住[住址已隐去]；送达地址：[住址已隐去]。"
    assert result.counts == {"address": 2}


# --- patterns -----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    CITIZEN_ID,
    CITIZEN_ID.lower(),
    "410302 19850612 007X",
    "410302-19850612-007X",
    "４１０３０２１９８５０６１２００７Ｘ",
    OTHER_ID,
    "410302850612007",  # 15-digit ID issued before 1999
])
def test_id_numbers_are_removed(written):
    result = _redact(f"身份证号{written}号码")
    assert result.text == f"身份证号{ID_PLACEHOLDER}号码"
    assert result.counts == {"id_number": 1}


def test_id_number_glued_to_letters_is_removed():
    assert _redact(f"ID{CITIZEN_ID}abc").text == f"ID{ID_PLACEHOLDER}abc"


@pytest.mark.parametrize("written", [
    "13912345678", "139 1234 5678", "139-1234-5678", "+86 13912345678", "+8613912345678",
    "0086-139-1234-5678", "8613912345678", "（+86）13912345678", "１３９１２３４５６７８", "＋８６ １３９１２３４５６７８",
    "0379-63212345", "037963212345", "010-12345678", "(0379)63212345", "（0379）6321-2345",
    "0379-6321-2345", "0379-63212345-801", "０３７９－６３２１２３４５",
])
def test_phone_numbers_are_removed(written):
    assert _redact(f"电话：{written}。").text == f"电话：{PHONE_PLACEHOLDER}。"


@pytest.mark.parametrize("written", [
    "6222021234567890", "6222 0212 3456 7890", "6222-0212-3456-7890", "6222021234567890123",
    "6222 0212 3456 7890 123", "622202 1234567890123", "62220212345678901",
])
def test_bank_card_numbers_are_removed(written):
    assert _redact(f"卡号{written}。").text == f"卡号{BANK_PLACEHOLDER}。"


@pytest.mark.parametrize("written", ["zhang.san@example.com", "13912345678@163.com", "a_b+c@mail.gov.cn"])
def test_email_addresses_are_removed(written):
    assert _redact(f"邮箱{written}。").text == "邮箱[电子邮箱已隐去]。"


def test_public_text_is_untouched():
    result = _redact(PUBLIC_TEXT)
    assert result.text == PUBLIC_TEXT
    assert result.removed == []


def test_all_digit_credit_code_without_birth_date_is_kept():
    # Positions 7-14 read "00192203", not a date; the GB 32100 checksum holds.
    code = make_uscc("91440300192203821")
    assert code.isdigit()
    assert _redact(f"代码{code}。").text == f"代码{code}。"


def test_all_digit_run_with_birth_date_is_redacted_even_if_it_passes_the_credit_code_checksum():
    """Privacy first: such a run is taken for an ID number."""
    code = make_uscc("41030219850612105")
    assert code == "410302198506121051"  # all digits, and no valid ID (its ID check char is not 1)
    assert _redact(f"号码{code}。").text == f"号码{ID_PLACEHOLDER}。"


def test_mistyped_credit_code_with_letters_is_kept():
    """Not protected (its checksum fails) but no pattern matches inside it either."""
    mistyped = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert _redact(f"代码{mistyped}。").text == f"代码{mistyped}。"


def test_old_id_glued_to_letters_is_not_taken_for_a_credit_code():
    # 15 digits + "AA" + the check char that makes the 18 characters a valid credit code.
    token = make_uscc("410302850612007AA")
    assert _redact(f"证号{token}。").text == f"证号{ID_PLACEHOLDER}{token[15:]}。"


def test_public_values_are_protected():
    text = "当事人电话13912345678。如不服，可咨询本机关，电话0379-63212345。"
    result = _redact(text, public_values=["0379-63212345"])
    assert result.text == "当事人电话[电话已隐去]。如不服，可咨询本机关，电话0379-63212345。"


def test_long_digit_runs_are_not_cut_into_pieces():
    text = "流水号12345678901234567890123。"
    assert _redact(text).text == text


def test_fifteen_digit_number_without_a_birth_date_is_kept():
    text = "注册号410300000012345。"
    assert _redact(text).text == text


def test_full_decision():
    text = (f"当事人张三丰（身份证号{CITIZEN_ID}），住测试市西工区幸福路8号，联系电话139-1234-5678。"
            f"证人王五（电话13812345678）证实。{PUBLIC_TEXT}")
    result = _redact(text, person_names=["张三丰"], known_values=[CITIZEN_ID, "测试市西工区幸福路8号"])
    assert result.text == ("当事人张某（身份证号[身份证号已隐去]），住[住址已隐去]，联系电话[电话已隐去]。"
                           f"证人王五（电话[电话已隐去]）证实。{PUBLIC_TEXT}")
    assert result.counts == {"name": 1, "id_number": 1, "address": 1, "phone": 2}


def test_empty_text():
    assert _redact("") == RedactionResult(text="", removed=[])


# --- parties ------------------------------------------------------------------------------------


def test_redact_citizen_party():
    party = {"type": "citizen", "name": "欧阳娜娜", "id_number": CITIZEN_ID, "address": "幸福路8号",
             "phone": "13912345678", "bank_account": "6222021234567890", "legal_representative": ""}
    redacted = redact_party(party)
    assert redacted == {"type": "citizen", "name": "欧阳某", "id_number": None, "address": None,
                        "phone": None, "bank_account": None, "email": None, "legal_representative": ""}
    assert party["name"] == "欧阳娜娜"  # the input is not changed


def test_redact_citizen_party_with_model_kind_key():
    assert redact_party({"kind": "citizen", "name": "张三"})["name"] == "张某"


@pytest.mark.parametrize("party_type", ["legal_person", "other_org"])
def test_redact_organisation_party(party_type):
    party = {"type": party_type, "name": "测试市宏达建筑工程有限公司", "uscc": USCC,
             "address": "测试市涧西区建设路1号", "phone": "0379-63212345", "bank_account": "41001234",
             "legal_representative": "李四", "legal_representative_phone": "13912345678",
             "legal_representative_id_number": CITIZEN_ID, "id_number": ""}
    redacted = redact_party(party)
    assert redacted == {**party, "legal_representative_phone": None,
                        "legal_representative_id_number": None, "id_number": None}


def test_redact_organisation_nested_representative():
    party = {"type": "legal_person", "name": "某公司",
             "legal_representative": {"name": "李四", "phone": "13912345678", "id_number": CITIZEN_ID}}
    assert redact_party(party)["legal_representative"] == {"name": "李四"}


def test_redact_party_unknown_type():
    with pytest.raises(ValueError, match="当事人类型未知"):
        redact_party({"type": "robot", "name": "X"})


# --- properties ---------------------------------------------------------------------------------

filler = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("，。；：、“”《》 abcXYZ"),
    ),
    min_size=1, max_size=12,
)


@st.composite
def citizen_ids(draw) -> str:
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31)))
    address = draw(st.text("0123456789", min_size=6, max_size=6))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    value = make_citizen_id(f"{address}{born:%Y%m%d}{sequence}")
    return draw(st.sampled_from([value, value.lower(), f"{value[:6]} {value[6:14]} {value[14:]}"]))


@st.composite
def old_citizen_ids(draw) -> str:
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)))
    return draw(st.text("0123456789", min_size=6, max_size=6)) + f"{born:%y%m%d}" + draw(
        st.text("0123456789", min_size=3, max_size=3))


@st.composite
def mobiles(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    dashed = f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return draw(st.sampled_from([number, spaced, dashed, f"+86 {number}", f"+86{number}"]))


def _luhn_digit(payload: str) -> str:
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char) * (1 if position % 2 else 2)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


@st.composite
def bank_cards(draw) -> str:
    """UnionPay-style card numbers of 16-19 digits with their Luhn check digit."""
    payload = "62" + draw(st.text("0123456789", min_size=13, max_size=16))
    number = payload + _luhn_digit(payload)
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return draw(st.sampled_from([number, grouped]))


@st.composite
def amounts(draw) -> str:
    n = draw(st.integers(1, 9_999_999_999))
    return draw(st.sampled_from([f"罚款人民币{n}元", f"罚款{n:,}元", f"没收{n}.00元"]))


@st.composite
def dates(draw) -> str:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
    return draw(st.sampled_from([
        f"{day.year}年{day.month}月{day.day}日", f"{day:%Y-%m-%d}", f"{day:%Y%m%d}", f"{day:%Y.%m.%d}",
        f"洛城管罚〔{day.year}〕第{day.day}号",
    ]))


delimiters = st.sampled_from("，。；：、（） ")


def _assemble(draw, private: list[str], public: list[str]) -> str:
    """Pieces in random order amid random text; a delimiter keeps Latin letters off each piece
    (credit codes are read as whole alphanumeric tokens: see test_*_glued_to_letters)."""
    pieces = draw(st.permutations(private + public))
    return "".join(draw(filler) + draw(delimiters) + piece + draw(delimiters) for piece in pieces) + draw(filler)


def _bare_digits(text: str) -> str:
    return re.sub(r"[\s\-+]", "", text)


@st.composite
def decision_texts(draw) -> tuple[str, list[str], list[str]]:
    private = draw(st.lists(st.one_of(citizen_ids(), old_citizen_ids(), mobiles(), bank_cards()), min_size=1, max_size=4))
    public = draw(st.lists(st.one_of(amounts(), dates()), min_size=1, max_size=4))
    return _assemble(draw, private, public), private, public


@given(decision_texts())
def test_ids_phones_and_cards_never_survive_but_amounts_and_dates_do(case):
    text, private, public = case
    result = redact_text(text)
    for value in private:
        core = _bare_digits(value).upper()[-11:]  # the ID's or card's tail, or the mobile number
        assert value not in result.text
        assert core not in _bare_digits(result.text).upper()
    for value in public:
        assert value in result.text


cjk_filler = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=12)


latin = st.text("ABCDEFGHJKLMNPQRTUWXYabcxy", max_size=6)


@given(latin, st.one_of(citizen_ids(), old_citizen_ids(), bank_cards()), latin)
def test_ids_and_cards_glued_to_letters_never_survive(before, value, after):
    result = redact_text(f"号码{before}{value}{after}。")
    assert _bare_digits(value).upper()[-11:] not in _bare_digits(result.text).upper()


@given(st.text(USCC_CHARSET, min_size=2, max_size=2), st.text("0123456789", min_size=6, max_size=6),
       st.text(USCC_CHARSET, min_size=9, max_size=9).filter(lambda body: not body[:7].isdigit()), cjk_filler)
def test_credit_codes_with_letters_survive(head, region, body, text):
    """A letter among the first seven organisation-code characters: no birth date where an ID has
    one, so the code is never taken for an ID. Codes are read as whole tokens, so the text around
    them has no Latin letters or digits."""
    code = make_uscc(head + region + body)
    assert redact_text(f"{text}{code}{text}").text == f"{text}{code}{text}"


@given(filler, citizen_ids(), st.sampled_from(["张三", "欧阳娜娜", "李四光"]))
def test_known_id_and_name_never_survive(text, citizen_id, name):
    result = redact_text(f"{text}{name}{citizen_id}{text}", person_names=[name], known_values=[citizen_id])
    assert citizen_id not in result.text
    assert mask_name(name) in result.text
