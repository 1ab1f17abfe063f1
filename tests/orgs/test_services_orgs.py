import pytest

from saksham.core.errors import PermissionDenied, ValidationFailed
from saksham.core.models import AuditEntry
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.profile import ProfileError, load_profile, validate_profile
from saksham.orgs.queries import org_ancestors, org_subtree
from saksham.orgs.services import org_create, org_deactivate, org_merge, org_move, profile_apply
from saksham.people.models import User


def test_india_profile_creates_36_states_and_uts_with_local_names(country):
    regions = Org.objects.filter(parent=country, kind=OrgKind.REGION)
    assert regions.count() == 36
    assert regions.get(code="IN-GJ").name_local == "ગુજરાત"
    assert regions.get(code="IN-TN").language == "ta"
    assert set(regions.values_list("subkind", flat=True)) == {"state", "union_territory"}


def test_profile_apply_is_idempotent(country):
    _root, created = profile_apply()
    assert created == 0
    assert Org.objects.count() == 37


def test_a_second_country_is_only_data():
    nepal = load_profile("nepal")
    assert nepal["time_zone"] == "Asia/Kathmandu"
    assert len(nepal["regions"]) == 7
    assert nepal["regions"][2]["name_local"] == "बागमती"


def test_profile_with_a_bad_time_zone_is_refused():
    bad = dict(load_profile("nepal"), time_zone="Mars/Olympus")
    with pytest.raises(ProfileError, match="time_zone"):
        validate_profile(bad)


def test_subtree_covers_descendants_only(orgs):
    codes = set(org_subtree(orgs["MIN"]).values_list("code", flat=True))
    assert codes == {"MOPPGP", "DOPT", "DOPT-HQ"}
    assert [o.code for o in org_ancestors(orgs["HQ"])] == ["IN", "MOPPGP", "DOPT"]


def test_move_reprefixes_the_whole_subtree(people, orgs):
    admin = people["platform"]
    org_move(actor=admin, org=orgs["DOPT"], new_parent=orgs["BR"])
    hq = Org.objects.get(code="DOPT-HQ")
    assert hq.path.startswith(orgs["BR"].path)
    assert hq.depth == 3
    assert User.objects.get(email="priya@dopt.gov.in").org == hq  # people stay in their orgs
    assert AuditEntry.objects.filter(action="org.move").exists()


def test_move_under_own_subtree_is_refused(people, orgs):
    with pytest.raises(ValidationFailed) as exc:
        org_move(actor=people["platform"], org=orgs["MIN"], new_parent=orgs["HQ"])
    assert exc.value.code == "cycle"
    assert Org.objects.get(code="DOPT").parent == orgs["MIN"]


def test_merge_moves_people_and_children_then_deactivates(people, orgs):
    other = org_create(code="DARPG", name="Department of Administrative Reforms", kind=OrgKind.DEPARTMENT,
                       parent=orgs["MIN"])
    org_merge(actor=people["platform"], source=orgs["DOPT"], target=other)
    dopt = Org.objects.get(code="DOPT")
    assert not dopt.is_active and dopt.merged_into == other
    assert Org.objects.get(code="DOPT-HQ").parent == other
    assert User.objects.get(email="admin@dopt.gov.in").org == other
    assert User.objects.filter(org=dopt).count() == 0


def test_deactivate_keeps_people(people, orgs):
    org_deactivate(actor=people["platform"], org=orgs["DOPT"])
    assert not Org.objects.get(code="DOPT-HQ").is_active
    assert User.objects.filter(org__code="DOPT-HQ").count() == 1


def test_state_admin_cannot_manage_another_state(people, orgs):
    with pytest.raises(PermissionDenied):
        org_create(actor=people["bihar_admin"], code="GJ-NEW", name="X", kind=OrgKind.OFFICE, parent=orgs["GJ-GAD"])
    org_create(actor=people["bihar_admin"], code="BR-NEW", name="Patna office", kind=OrgKind.OFFICE,
               parent=orgs["BR-GAD"])
    assert Org.objects.filter(code="BR-NEW").exists()


def test_a_second_country_deploys_from_its_profile(db):
    root, created = profile_apply(load_profile("nepal"))
    assert root.code == "NP" and root.name_local == "नेपाल"
    assert created == 7
    assert Org.objects.get(code="NP-P3").name_local == "बागमती"
