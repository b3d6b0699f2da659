"""Account services: creating staff users is logged like every other write."""

from __future__ import annotations

from django.db import transaction

from sanxiang.accounts.models import User
from sanxiang.common.services import record_save


@transaction.atomic
def user_create(*, username: str, password: str, role: str, agency=None, display_name: str = "",
                actor="system", is_staff: bool = False, is_superuser: bool = False) -> User:
    user = User(username=username, role=role, agency=agency, display_name=display_name, is_staff=is_staff,
                is_superuser=is_superuser)
    user.set_password(password)
    return record_save(user, actor=actor, agency=agency, summary=f"新增用户：{username}（{user.get_role_display()}）")
