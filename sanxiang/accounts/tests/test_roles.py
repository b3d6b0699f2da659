"""role_labels: refusals name the roles in one order whatever collection holds them."""

from sanxiang.accounts.models import Role, role_labels


def test_role_labels_follow_the_declared_order_not_the_set():
    expected = "承办机构负责人、机关负责人"
    for roles in ({Role.AGENCY_HEAD, Role.UNIT_HEAD}, frozenset({"agency_head", "unit_head"}),
                  ("agency_head", "unit_head"), ["unit_head", "agency_head"]):
        assert role_labels(roles) == expected
    assert role_labels(set()) == ""
