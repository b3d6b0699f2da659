"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanxiang.common.idnumbers import (
    CITIZEN_ID_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    IdNumberError,
    birth_date_from_citizen_id,
    is_minor,
    make_citizen_id,
    make_uscc,
    validate_citizen_id,
    validate_uscc,
)

TODAY = dt.date(2026, 3, 5)

# The worked examples printed in the standards themselves.
GB11643_EXAMPLE = "11010519491231002X"
GB32100_EXAMPLE = "91350100M000100Y43"


def _raises(func, value: str, code: str, **kwargs) -> IdNumberError:
    with pytest.raises(IdNumberError) as info:
        func(value, **kwargs)
    assert info.value.code == code
    return info.value


# --- strategies -------------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@st.composite
def citizen_prefixes(draw) -> str:
    """17 digits: any 6-digit address code, a real birth date, any sequence number."""
    address = draw(st.text("0123456789", min_size=6, max_size=6))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return f"{address}{draw(birth_dates):%Y%m%d}{sequence}"


@st.composite
def uscc_prefixes(draw) -> str:
    """17 characters: authority and type from the charset, numeric region, 9-character body."""
    head = draw(st.text(USCC_CHARSET, min_size=2, max_size=2))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(USCC_CHARSET, min_size=9, max_size=9))
    return head + region + body


# Replacement characters: ASCII letters and digits, full-width forms, CJK, punctuation.
replacement_chars = st.one_of(
    st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_ ."),
    st.sampled_from("０１２３４５６７８９ＸＹｘ"),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
)


def _substitute(value: str, position: int, char: str) -> str:
    return value[:position] + char + value[position + 1:]


def _same_code(mutated: str, original: str) -> bool:
    """The substitution only changed case or width (x for X, full-width digits): not a real change."""
    return unicodedata.normalize("NFKC", mutated).upper() == original


# --- the checksum claim, checked rather than assumed ------------------------------------------


def test_weighted_sums_detect_every_single_substitution():
    """A substitution changes the weighted sum by weight*delta; with a prime modulus this is never
    0 mod p when the weight is non-zero mod p and 0 < |delta| < p. Check every case outright."""
    for weight in CITIZEN_ID_WEIGHTS:
        assert all((weight * delta) % 11 for delta in range(-9, 10) if delta)
    for weight in USCC_WEIGHTS:
        assert all((weight * delta) % 31 for delta in range(-30, 31) if delta)
    # The check character maps residues one-to-one, so a changed residue is a changed check char.
    assert len(set("10X98765432")) == 11
    assert len(set(USCC_CHARSET)) == 31


# --- citizen IDs --------------------------------------------------------------------------------


def test_standard_example_is_valid():
    assert validate_citizen_id(GB11643_EXAMPLE, today=TODAY) == GB11643_EXAMPLE
    assert make_citizen_id(GB11643_EXAMPLE[:17]) == GB11643_EXAMPLE


def test_helper_computed_examples():
    assert make_citizen_id("41030219850612007") == "41030219850612007X"
    assert validate_citizen_id("41030219850612007x", today=TODAY) == "41030219850612007X"


def test_lowercase_x_blanks_and_full_width_are_normalised():
    assert validate_citizen_id(" 11010519491231002x ", today=TODAY) == GB11643_EXAMPLE
    assert validate_citizen_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY) == GB11643_EXAMPLE


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002X1"])
def test_length_error(value):
    error = _raises(validate_citizen_id, value, "citizen_id_length", today=TODAY)
    assert "18位" in str(error) and "GB 11643-1999" in str(error)


@pytest.mark.parametrize("value", ["1101051949123100XX", "11010519491231002Y", "A1010519491231002X"])
def test_charset_error(value):
    _raises(validate_citizen_id, value, "citizen_id_charset", today=TODAY)


def test_checksum_error_names_the_rule():
    error = _raises(validate_citizen_id, "110105194912310021", "citizen_id_checksum", today=TODAY)
    assert str(error) == "身份证号码校验位错误（GB 11643-1999）"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("birth", ["19850230", "19851301", "18991231", "20260306"])
def test_birthdate_errors(birth):
    value = make_citizen_id(f"410302{birth}007")
    _raises(validate_citizen_id, value, "citizen_id_birthdate", today=TODAY)


def test_birthdate_today_and_1900_are_accepted():
    validate_citizen_id(make_citizen_id("41030220260305007"), today=TODAY)
    validate_citizen_id(make_citizen_id("41030219000101007"), today=TODAY)


def test_make_citizen_id_rejects_bad_prefix():
    for prefix in ("4103021985061200", "4103021985061200A", "410302198506120071"):
        with pytest.raises(IdNumberError):
            make_citizen_id(prefix)


@given(citizen_prefixes())
def test_citizen_round_trip(prefix):
    value = make_citizen_id(prefix)
    assert validate_citizen_id(value, today=TODAY) == value
    assert birth_date_from_citizen_id(value).strftime("%Y%m%d") == prefix[6:14]


@given(citizen_prefixes(), st.integers(0, 17), replacement_chars)
def test_citizen_single_substitution_is_rejected(prefix, position, char):
    value = make_citizen_id(prefix)
    mutated = _substitute(value, position, char)
    if _same_code(mutated, value):
        assert validate_citizen_id(mutated, today=TODAY) == value
    else:
        with pytest.raises(IdNumberError):
            validate_citizen_id(mutated, today=TODAY)


def test_citizen_every_digit_substitution_is_rejected():
    """Exhaustive over one ID: every position, every other digit or X."""
    value = GB11643_EXAMPLE
    for position in range(18):
        for char in "0123456789X":
            if char != value[position]:
                with pytest.raises(IdNumberError):
                    validate_citizen_id(_substitute(value, position, char), today=TODAY)


# --- birth date and minors ----------------------------------------------------------------------


def test_birth_date():
    assert birth_date_from_citizen_id(GB11643_EXAMPLE) == dt.date(1949, 12, 31)


def test_is_minor_until_the_day_after_the_18th_birthday():
    value = make_citizen_id("41030220080612007")
    assert is_minor(value, dt.date(2026, 6, 11))
    assert is_minor(value, dt.date(2026, 6, 12))  # 18th birthday: still a minor
    assert not is_minor(value, dt.date(2026, 6, 13))


def test_is_minor_leap_day_birth():
    value = make_citizen_id("41030220080229007")
    assert is_minor(value, dt.date(2026, 2, 28))
    assert not is_minor(value, dt.date(2026, 3, 1))


def test_is_minor_rejects_invalid_id():
    with pytest.raises(IdNumberError):
        is_minor("410302200806120070", dt.date(2026, 1, 1))


# --- unified social credit codes ----------------------------------------------------------------


def test_uscc_standard_example_and_helpers():
    assert validate_uscc(GB32100_EXAMPLE) == GB32100_EXAMPLE
    assert make_uscc(GB32100_EXAMPLE[:17]) == GB32100_EXAMPLE
    assert make_uscc("11410300000000001") == "11410300000000001D"
    assert make_uscc("91410300MA4400001") == "91410300MA4400001B"


def test_uscc_check_value_31_maps_to_zero():
    # "00000000000000000" sums to 0, so 31 - 0 = 31, which the standard writes as 0.
    assert make_uscc("0" * 17) == "0" * 18


def test_uscc_is_upper_cased():
    assert validate_uscc(" " + GB32100_EXAMPLE.lower() + " ") == GB32100_EXAMPLE


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y431"])
def test_uscc_length_error(value):
    _raises(validate_uscc, value, "uscc_length")


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_uscc_charset_error(bad):
    error = _raises(validate_uscc, _substitute(GB32100_EXAMPLE, 10, bad), "uscc_charset")
    assert "GB 32100-2015" in str(error)


def test_uscc_region_must_be_digits():
    _raises(validate_uscc, make_uscc("9135A100M000100Y4"), "uscc_region")


def test_uscc_checksum_error():
    error = _raises(validate_uscc, "91350100M000100Y44", "uscc_checksum")
    assert str(error) == "统一社会信用代码校验位错误（GB 32100-2015）"


def test_make_uscc_rejects_bad_prefix():
    for prefix in ("9135010", "91350100I000100Y4"):
        with pytest.raises(IdNumberError):
            make_uscc(prefix)


@given(uscc_prefixes())
def test_uscc_round_trip(prefix):
    value = make_uscc(prefix)
    assert validate_uscc(value) == value


@given(uscc_prefixes(), st.integers(0, 17), replacement_chars)
def test_uscc_single_substitution_is_rejected(prefix, position, char):
    value = make_uscc(prefix)
    mutated = _substitute(value, position, char)
    if _same_code(mutated, value):
        assert validate_uscc(mutated) == value
    else:
        with pytest.raises(IdNumberError):
            validate_uscc(mutated)
