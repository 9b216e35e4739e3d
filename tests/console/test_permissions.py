"""Roles as data: the table itself, and the one decision function pages and API share."""
import pytest

from bot.console.permissions import HOLDER_BOUND, PERMISSIONS, ROLES, STAFF, allowed, decide
from bot.db.models import ROLES as DB_ROLES

CASE_PERMISSIONS = ("view_queue", "view_case", "claim_case", "work_case", "act_on_any_case", "reassign_case",
                    "record_offline", "view_load", "view_statistics", "view_audit")


def test_the_console_knows_exactly_the_database_roles():
    assert set(ROLES) == set(DB_ROLES)


@pytest.mark.parametrize("permission", CASE_PERMISSIONS)
def test_teachers_have_no_permission_that_touches_cases(permission):
    assert not allowed("teacher", permission)


def test_every_staff_role_may_view_and_work_cases():
    for role in STAFF:
        assert all(allowed(role, p) for p in ("view_queue", "view_case", "claim_case", "work_case"))


def test_only_supervisors_and_admins_reassign_and_see_statistics_and_audit():
    for permission in ("reassign_case", "view_statistics", "view_audit", "view_load", "act_on_any_case"):
        assert {r for r in ROLES if allowed(r, permission)} == {"supervisor", "admin"}, permission


def test_only_admins_manage_users():
    assert {r for r in ROLES if allowed(r, "manage_users")} == {"admin"}


def test_unknown_permission_is_a_programming_error():
    with pytest.raises(KeyError):
        allowed("admin", "delete_everything")


def test_working_a_case_needs_holding_it_unless_supervisor():
    assert decide("operator", "work_case", user_id=7, holder_id=7).ok
    refused = decide("operator", "work_case", user_id=7, holder_id=8)
    assert not refused.ok and refused.reason == "not_holder" and "toma el caso" in refused.message
    assert decide("operator", "work_case", user_id=7, holder_id=None).reason == "not_holder"
    assert decide("supervisor", "work_case", user_id=1, holder_id=8).ok
    assert decide("admin", "work_case", user_id=1, holder_id=None).ok
    assert decide("teacher", "work_case", user_id=7, holder_id=7).reason == "role"


def test_holder_rule_only_applies_when_a_holder_is_given_and_to_bound_permissions():
    assert decide("operator", "work_case", user_id=7).ok          # no case in question yet
    assert decide("operator", "claim_case", user_id=7, holder_id=8).ok
    assert set(HOLDER_BOUND) <= set(PERMISSIONS) and set(HOLDER_BOUND.values()) <= set(PERMISSIONS)
