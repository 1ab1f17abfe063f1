"""The people table keeps as few indexes as it can (each one is updated for every person a bulk import
writes), and every lookup that needs one still finds one."""

import pytest
from django.db import IntegrityError, connection, transaction

from saksham.people.models import User

pytestmark = pytest.mark.django_db

TABLE = User._meta.db_table


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {name: info["columns"] for name, info in constraints.items() if info["index"] or info["unique"]}


def test_no_index_is_a_prefix_of_another():
    cols = [tuple(c) for c in _indexes().values() if c]
    for a in cols:
        for b in cols:
            assert a == b or b[:len(a)] != a, f"index on {a} is covered by the index on {b}"


def test_employee_code_is_unique_per_org_only(orgs, make_user):
    make_user("a@dopt.gov.in", orgs["DOPT"], employee_code="E1")
    make_user("b@hq.gov.in", orgs["HQ"], employee_code="E1")  # another org: fine
    make_user("c@dopt.gov.in", orgs["DOPT"])  # no code: as many as wanted
    make_user("d@dopt.gov.in", orgs["DOPT"])
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("e@dopt.gov.in", orgs["DOPT"], employee_code="E1")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
@pytest.mark.parametrize("where,params,index", [
    ('"employee_code" = %s', ["E1"], "employee_code_unique_per_org"),  # people search by employee code
    ('"employee_code" IN (%s, %s)', ["E1", "E2"], "employee_code_unique_per_org"),  # the import's lookup
    ('"org_id" = %s AND "employee_code" = %s', [1, "E1"], "employee_code_unique_per_org"),  # registration
    ('"org_id" = %s', [1], "user_org_id"),  # people of an org (and the foreign key's check)
    ('"email" = %s', ["a@b.in"], "sqlite_autoindex"),
    ('"full_name" >= %s AND "full_name" < %s', ["Ra", "Rb"], "user_full_name"),
    ('"designation" = %s', ["Section Officer"], "designation"),
    ('"status" = %s', ["invited"], "status"),
])
def test_lookups_use_an_index(where, params, index):
    plan = _plan(f'SELECT "id" FROM "{TABLE}" WHERE {where}', params)
    assert "SEARCH" in plan and index in plan, plan
