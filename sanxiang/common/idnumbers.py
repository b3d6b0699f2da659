"""Identity numbers of parties: PRC resident ID numbers and unified social credit codes.

* 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
  number and a check character computed with ISO 7064 MOD 11-2.
* 统一社会信用代码 (GB 32100-2015): registration authority, organisation type, 6-digit
  administrative region code, 9-character organisation code and a MOD 31 check character.

Pure Python, no Django: the validators raise `IdNumberError`, a `ValueError` carrying a
machine `code` and a Chinese message naming the rule, and return the normalised value.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

__all__ = [
    "CITIZEN_ID_WEIGHTS",
    "IdNumberError",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "birth_date_from_citizen_id",
    "citizen_id_check_char",
    "is_minor",
    "make_citizen_id",
    "make_uscc",
    "uscc_check_char",
    "validate_citizen_id",
    "validate_uscc",
]

CITIZEN_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CITIZEN_ID_CHECK_CHARS = "10X98765432"
CITIZEN_ID_EARLIEST_BIRTH = dt.date(1900, 1, 1)

# GB 32100-2015 table 2: the ten digits and the capital letters without I, O, S, V and Z
# (31 characters, one per residue of MOD 31; "M" is included, as in the common "91…MA…" codes).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ADULT_AGE = 18


class IdNumberError(ValueError):
    """An identity number broke a rule; `code` names the rule for APIs and forms."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _normalise(value: str) -> str:
    """Strip surrounding blanks, fold full-width characters (typed with Chinese IMEs) and upper-case."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


# --- citizen ID (GB 11643-1999) -------------------------------------------------------------


def citizen_id_check_char(prefix17: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(prefix17, CITIZEN_ID_WEIGHTS, strict=True))
    return CITIZEN_ID_CHECK_CHARS[total % 11]


def _check_citizen_id_format(value: str) -> None:
    if len(value) != 18:
        raise IdNumberError(
            f"身份证号码应为18位（GB 11643-1999），当前为{len(value)}位", code="citizen_id_length")
    if not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        raise IdNumberError(
            "身份证号码前17位须为数字，第18位校验码须为数字或X（GB 11643-1999）", code="citizen_id_charset")


def _check_citizen_id_checksum(value: str) -> None:
    if citizen_id_check_char(value[:17]) != value[17]:
        raise IdNumberError("身份证号码校验位错误（GB 11643-1999）", code="citizen_id_checksum")


def _parse_birth_date(digits: str) -> dt.date | None:
    """The date written as YYYYMMDD, or None when it is not a calendar date."""
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _check_birth_date(value: str, today: dt.date) -> None:
    born = _parse_birth_date(value[6:14])
    if born is None:
        raise IdNumberError(
            "身份证号码第7至14位出生日期不是有效日期（GB 11643-1999）", code="citizen_id_birthdate")
    if born > today:
        raise IdNumberError("身份证号码中的出生日期晚于今天", code="citizen_id_birthdate")
    if born < CITIZEN_ID_EARLIEST_BIRTH:
        raise IdNumberError("身份证号码中的出生日期早于1900年1月1日", code="citizen_id_birthdate")


def validate_citizen_id(value: str, *, today: dt.date | None = None) -> str:
    """Validate an 18-digit resident ID number and return it normalised (upper-case X).

    Checks, in order: length, characters, check character, birth date (a real date, not before
    1900, not after `today`, which defaults to the system date). Raises `IdNumberError`.
    """
    normalised = _normalise(value)
    _check_citizen_id_format(normalised)
    _check_citizen_id_checksum(normalised)
    _check_birth_date(normalised, today or dt.date.today())
    return normalised


def make_citizen_id(prefix17: str) -> str:
    """Append the check character to 17 digits (address code, birth date, sequence number).

    Only the characters are checked, not the birth date, so tests can build IDs that pass the
    checksum but carry an impossible date.
    """
    if len(prefix17) != 17 or not (prefix17.isascii() and prefix17.isdigit()):
        raise IdNumberError("生成身份证号码需要17位数字", code="citizen_id_prefix")
    return prefix17 + citizen_id_check_char(prefix17)


def birth_date_from_citizen_id(citizen_id: str) -> dt.date:
    """The birth date encoded in a valid resident ID number (validated first)."""
    normalised = validate_citizen_id(citizen_id)
    born = _parse_birth_date(normalised[6:14])
    assert born is not None  # validate_citizen_id has checked it
    return born


def _anniversary(born: dt.date, years: int) -> dt.date:
    """The `years`-th birthday; someone born on 29 February has it on 28 February (民法典第二百零二条)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 2, 28)


def is_minor(citizen_id: str, on_date: dt.date) -> bool:
    """Whether the holder is under 18 on `on_date`.

    Ages in years (周岁) count by the Gregorian calendar from the day after the birthday, the
    rule of the Supreme People's Court interpretation on juvenile cases (Art. 2) that is also
    applied to administrative cases: on the 18th birthday itself the holder is still a minor.
    """
    return on_date <= _anniversary(birth_date_from_citizen_id(citizen_id), ADULT_AGE)


# --- unified social credit code (GB 32100-2015) ---------------------------------------------


def uscc_check_char(prefix17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(USCC_CHARSET.index(char) * weight
                for char, weight in zip(prefix17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def _check_uscc_format(value: str) -> None:
    if len(value) != 18:
        raise IdNumberError(
            f"统一社会信用代码应为18位（GB 32100-2015），当前为{len(value)}位", code="uscc_length")
    if any(char not in USCC_CHARSET for char in value):
        raise IdNumberError(
            "统一社会信用代码只能由数字和除I、O、S、V、Z以外的大写字母组成（GB 32100-2015）",
            code="uscc_charset")
    if not value[2:8].isdigit():
        raise IdNumberError(
            "统一社会信用代码第3至8位须为数字形式的登记管理机关行政区划码（GB 32100-2015）",
            code="uscc_region")


def validate_uscc(value: str) -> str:
    """Validate an 18-character unified social credit code and return it upper-cased.

    Checks length, character set, the numeric region code (positions 3-8) and the MOD 31 check
    character. The registration-authority and type codes (positions 1-2) are only checked
    against the character set: authorities keep adding codes. Raises `IdNumberError`.
    """
    normalised = _normalise(value)
    _check_uscc_format(normalised)
    if uscc_check_char(normalised[:17]) != normalised[17]:
        raise IdNumberError("统一社会信用代码校验位错误（GB 32100-2015）", code="uscc_checksum")
    return normalised


def make_uscc(prefix17: str) -> str:
    """Append the check character to the first 17 characters of a unified social credit code."""
    prefix = _normalise(prefix17)
    if len(prefix) != 17 or any(char not in USCC_CHARSET for char in prefix):
        raise IdNumberError("生成统一社会信用代码需要17位合法字符", code="uscc_prefix")
    return prefix + uscc_check_char(prefix)
