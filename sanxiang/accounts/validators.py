"""Password policy (口令复杂度, GB/T 22239-2019 8.1.4.1 a), wired in AUTH_PASSWORD_VALIDATORS.

Each validator names the rule in Chinese, so the change form and the API say which rule refused
the password. The figures are settings (SANXIANG_PASSWORD_MIN_LENGTH, SANXIANG_PASSWORD_HISTORY).
"""

from __future__ import annotations

import string

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

RULE = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1 a)"

CHARACTER_CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


def _classes_in(password: str) -> int:
    found = sum(1 for _, chars in CHARACTER_CLASSES if any(c in chars for c in password))
    # The fourth class: anything that is neither a letter nor a digit (punctuation, CJK, spaces).
    if any(not (c.isascii() and c.isalnum()) for c in password):
        found += 1
    return found


class MinimumLengthValidator:
    """At least SANXIANG_PASSWORD_MIN_LENGTH characters (default 10)."""

    def __init__(self, min_length: int | None = None):
        self._min_length = min_length

    @property
    def min_length(self) -> int:
        return self._min_length or settings.SANXIANG_PASSWORD_MIN_LENGTH

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码至少需要 {self.min_length} 个字符（{RULE}，口令长度）。",
                                  code="password_too_short")

    def get_help_text(self):
        return f"至少 {self.min_length} 个字符。"


class CharacterClassValidator:
    """At least three of: upper-case letters, lower-case letters, digits, other characters."""

    required = 3

    def validate(self, password, user=None):
        if _classes_in(password) < self.required:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {self.required} 类（{RULE}，口令复杂度）。",
                code="password_too_simple")

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、特殊字符中的至少 {self.required} 类。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    """Not the username, the name or the e-mail address, nor too like them (Django's measure)."""

    DEFAULT_USER_ATTRIBUTES = ("username", "display_name", "first_name", "last_name", "email")

    def validate(self, password, user=None):
        if user is not None and user.get_username() and user.get_username().lower() in password.lower():
            raise ValidationError(f"密码不得包含用户名（{RULE}）。", code="password_contains_username")
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(f"密码与用户名、姓名或邮箱过于相似（{RULE}）。",
                                  code="password_too_similar") from exc

    def get_help_text(self):
        return "不得包含用户名，不得与姓名、邮箱相似。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Not one of the 20,000 common passwords Django ships."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(f"该密码属于常见弱口令，请换一个（{RULE}）。",
                                  code="password_too_common") from exc

    def get_help_text(self):
        return "不得使用常见弱口令。"


class PasswordHistoryValidator:
    """Not the current password nor one of the last SANXIANG_PASSWORD_HISTORY (default 5)."""

    @property
    def count(self) -> int:
        return settings.SANXIANG_PASSWORD_HISTORY

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0:
            return
        from sanxiang.accounts.models import PasswordHistory

        hashes = [user.password] if user.has_usable_password() else []
        # The current password counts as one of the last N; the history holds the ones before it.
        hashes += list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count - 1])
        if any(check_password(password, encoded) for encoded in hashes if encoded):
            raise ValidationError(f"新密码不得与最近 {self.count} 次使用过的密码相同（{RULE}）。",
                                  code="password_reused")

    def get_help_text(self):
        return f"不得与最近 {self.count} 次使用过的密码相同。"
