"""Admin permissions by role (三权分立, GB/T 22239-2019 8.1.4.2 d): never by groups or grants.

The system administrator configures the registry, the calendar and the review catalogue; the
security administrator manages accounts, API tokens (by prefix only) and lockouts; the audit
administrator has nothing in /admin/ (the audit trail is on /staff/audit/). No role is given any
case content: cases, parties, evidence, documents, reviews and publications are not registered
in the admin at all (see each app's admin.py).
"""

from __future__ import annotations

from sanxiang.accounts.models import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EDIT = frozenset({VIEW, ADD, CHANGE})

ROLE_PERMISSIONS: dict[str, dict[str, dict[str, frozenset[str]]]] = {
    Role.ADMIN: {
        "registry": {m: EDIT for m in ("agency", "officer", "enforcementitem", "flow", "parameter", "avrequirement")},
        "common": {"calendaryear": EDIT, "calendaroverride": EDIT},
        "reviews": {"catalogueentry": EDIT},
        "guidance": {"law": frozenset({VIEW}), "article": frozenset({VIEW})},
    },
    Role.SECURITY_ADMIN: {
        "accounts": {"user": EDIT, "apitoken": frozenset({VIEW, CHANGE})},
        # Deleting an access attempt is how django-axes' admin lifts a lockout early.
        "axes": {"accessattempt": frozenset({VIEW, DELETE}), "accesslog": frozenset({VIEW}),
                 "accessfailurelog": frozenset({VIEW})},
    },
    Role.AUDIT_ADMIN: {},
}


def role_allows(role: str, app_label: str, action: str, model: str) -> bool:
    return action in ROLE_PERMISSIONS.get(role, {}).get(app_label, {}).get(model, frozenset())


class RolePermissionBackend:
    """Answers has_perm / has_module_perms from ROLE_PERMISSIONS; authenticates nobody."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not user_obj.is_active or not getattr(user_obj, "role", None) or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        action, _, model = codename.partition("_")
        return role_allows(user_obj.role, app_label, action, model)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return bool(user_obj.is_active and ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), {}).get(app_label))
