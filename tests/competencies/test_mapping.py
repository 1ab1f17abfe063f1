"""FRAC: designations > roles > activities > competencies with required levels; web-style edits and a
spreadsheet upload checked row by row (nothing written when a row is bad)."""

import io

import pytest

from saksham.competencies import queries, services
from saksham.competencies.models import Activity, JobRole, Position, Requirement
from saksham.core.errors import PermissionDenied, ValidationFailed

HEADER = "designation,org,role,role_name,activity,activity_name,competency,level\n"


def _upload(actor, text, name="frac.csv"):
    return services.mapping_upload(actor=actor, name=name, content=text.encode())


def test_her_designation_gives_her_the_roles_requirements(mapping, learner):
    reqs = queries.requirements_for(learner.designation, learner.org.path)
    by_code = {queries._index(queries.generation())["id"][c].code: lvl for c, (lvl, _r) in reqs.items()}
    assert by_code == {"FC-OP-01": 3, "FC-RTI-01": 2, "BC-ETH-01": 2}
    assert queries.requirements_for("  section   OFFICER ", learner.org.path) == reqs   # spelling-insensitive


def test_an_org_mapping_holds_in_its_subtree_only(framework, people, orgs, learner):
    services.activity_upsert(actor=people["platform"], code="ACT-CYB", requirements={"DC-CYB-01": 4})
    services.role_upsert(actor=people["platform"], code="ROLE-IT", activities=["ACT-CYB"])
    services.position_set(actor=people["dopt_admin"], designation="Section Officer", roles=["ROLE-IT"],
                          org=orgs["DOPT"])
    assert len(queries.requirements_for("Section Officer", orgs["HQ"].path)) == 1
    assert queries.requirements_for("Section Officer", orgs["BR-GAD"].path) == {}
    with pytest.raises(PermissionDenied):
        services.position_set(actor=people["dopt_admin"], designation="Clerk", roles=["ROLE-IT"], org=orgs["BR"])
    with pytest.raises(PermissionDenied):        # national mappings are the platform's
        services.position_set(actor=people["dopt_admin"], designation="Clerk", roles=["ROLE-IT"])


def test_unknown_roles_activities_and_competencies_are_refused(framework, people):
    admin = people["platform"]
    with pytest.raises(ValidationFailed, match="unknown competency NOPE"):
        services.activity_upsert(actor=admin, code="A1", requirements={"NOPE": 2})
    with pytest.raises(ValidationFailed, match="must be 1 to 5"):
        services.activity_upsert(actor=admin, code="A1", requirements={"FC-OP-01": 9})
    with pytest.raises(ValidationFailed, match="unknown activity"):
        services.role_upsert(actor=admin, code="R1", activities=["NOPE"])
    with pytest.raises(ValidationFailed, match="unknown role"):
        services.position_set(actor=admin, designation="Section Officer", roles=["NOPE"])
    assert not Activity.objects.exists() and not JobRole.objects.exists()


def test_a_spreadsheet_maps_designations_to_roles_activities_and_competencies(framework, people, learner):
    text = HEADER + ("Section Officer,,ROLE-DESK,Desk officer,ACT-FILES,Process files,FC-OP-01,3\n"
                     "Section Officer,,ROLE-DESK,Desk officer,ACT-FILES,Process files,FC-RTI-01,2\n"
                     "section officer,DOPT,ROLE-IT,IT,ACT-CYB,Secure the desk,DC-CYB-01,2\n")
    report = _upload(people["platform"], text)
    assert (report.rows, report.positions, report.roles, report.activities, report.requirements) == (3, 2, 2, 2, 3)
    assert JobRole.objects.get(code="ROLE-DESK").texts == {"en": {"name": "Desk officer"}}
    reqs = queries.requirements_for("Section Officer", learner.org.path)
    assert sorted(lvl for lvl, _ in reqs.values()) == [2, 2, 3]
    _upload(people["platform"], text)            # the same file again changes nothing
    assert Requirement.objects.count() == 3 and Position.objects.count() == 2


def test_an_xlsx_spreadsheet_is_read_too(framework, people, learner):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(["Section Officer", None, "ROLE-DESK", "Desk officer", "ACT-FILES", "Files", "FC-OP-01", 3])
    buf = io.BytesIO()
    wb.save(buf)
    report = services.mapping_upload(actor=people["platform"], name="frac.xlsx", content=buf.getvalue())
    assert report.requirements == 1 and Requirement.objects.get().level == 3


def test_bad_rows_are_reported_each_with_its_line_and_nothing_is_written(framework, people, learner):
    text = HEADER + ("Section Officer,,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n"      # line 2: good
                     "Chief Wizard,,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n"         # 3: nobody holds it
                     "Section Officer,,ROLE-DESK,,ACT-FILES,,XX-99,3\n"         # 4: unknown competency
                     "Section Officer,,ROLE-DESK,,ACT-FILES,,FC-OP-01,7\n"      # 5: level out of range
                     "Section Officer,NO-ORG,ROLE-DESK,,ACT-FILES,,FC-OP-01,2\n"   # 6: unknown org
                     "Section Officer,,,,ACT-FILES,,FC-OP-01,2\n")               # 7: no role
    with pytest.raises(ValidationFailed) as exc:
        _upload(people["platform"], text)
    assert exc.value.details == [
        {"line": 3, "message": "unknown designation 'Chief Wizard' (nobody holds it and it is not mapped)"},
        {"line": 4, "message": "unknown competency XX-99"},
        {"line": 5, "message": "level '7' is out of range 1-5"},
        {"line": 6, "message": "unknown org NO-ORG"},
        {"line": 7, "message": "role is required"},
    ]
    assert not Requirement.objects.exists() and not Position.objects.exists() and not JobRole.objects.exists()


def test_an_org_admin_uploads_for_her_subtree_only(framework, people, learner):
    text = HEADER + ("Section Officer,DOPT,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n"
                     "Section Officer,IN-BR,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n"
                     "Section Officer,,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n")
    with pytest.raises(ValidationFailed) as exc:
        _upload(people["dopt_admin"], text)
    assert [e["line"] for e in exc.value.details] == [3, 4]
    assert "you may not map designations in IN-BR" in exc.value.details[0]["message"]
    _upload(people["dopt_admin"], HEADER + "Section Officer,DOPT,ROLE-DESK,,ACT-FILES,,FC-OP-01,3\n")
    assert Position.objects.get().org.code == "DOPT"


def test_files_that_are_not_mappings_are_refused(framework, people):
    with pytest.raises(ValidationFailed, match="lacks"):
        _upload(people["platform"], "name,email\nA,b@c.in\n")
    with pytest.raises(ValidationFailed, match="upload a .csv or .xlsx"):
        _upload(people["platform"], HEADER, name="frac.pdf")
    with pytest.raises(ValidationFailed, match="not an Excel"):
        _upload(people["platform"], HEADER, name="frac.xlsx")


def test_the_mapping_exports_in_the_uploads_shape(mapping):
    rows = services.mapping_export_rows()
    assert rows[0] == list(services.MAPPING_COLUMNS)
    assert sorted(r[6] + ":" + r[7] for r in rows[1:]) == ["BC-ETH-01:2", "FC-OP-01:3", "FC-RTI-01:2"]
