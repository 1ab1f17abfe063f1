"""Course tags and the competency passport: every kind of evidence, the level it proves, idempotence of the
post-completion step, self-declarations, institute reports, share links, who may see a passport."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.catalog import queries as catalog_queries
from saksham.catalog import services as catalog
from saksham.competencies import queries, services
from saksham.competencies.models import Evidence, Holding
from saksham.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saksham.learning.hooks import Completion


def test_a_creator_tags_a_course_with_levels_and_the_reviewer_sees_them(framework, build, staff, client):
    v = build(title="Noting and drafting")
    services.course_tags_set(actor=staff["creator"], version=v, tags=[("FC-OP-01", 3), ("BC-ETH-01", None)])
    tags = catalog_queries.competency_tags(v, "hi")
    assert tags == [{"code": "BC-ETH-01", "level": None, "name": "सत्यनिष्ठा", "known": True},
                    {"code": "FC-OP-01", "level": 3, "name": "कार्यालय प्रक्रिया", "known": True}]
    catalog.version_submit(actor=staff["creator"], version=v)
    client.force_login(staff["reviewer"])
    page = client.get(f"/studio/versions/{v.public_id}").content.decode()
    assert 'id="competency-tags"' in page and "FC-OP-01" in page and "Office procedure" in page and "level 3" in page


def test_tags_must_name_known_competencies_and_levels_1_to_5(framework, build, staff):
    v = build(title="Noting and drafting")
    with pytest.raises(ValidationFailed, match="unknown competency XX-01"):
        services.course_tags_set(actor=staff["creator"], version=v, tags=[("XX-01", 2)])
    with pytest.raises(ValidationFailed, match="must be 1 to 5"):
        services.course_tags_set(actor=staff["creator"], version=v, tags=[("FC-OP-01", 6)])
    assert not v.competencies.exists()


def test_only_the_courses_creators_tag_it(framework, build, people):
    v = build(title="Noting and drafting")
    with pytest.raises(PermissionDenied):
        services.course_tags_set(actor=people["hq_learner"], version=v, tags=[("FC-OP-01", 2)])


def test_the_search_entry_carries_the_tags(framework, tagged):
    tagged("Noting and drafting", [("FC-OP-01", 3)])
    page = catalog_queries.catalog_search(catalog_queries.SearchFilters(competency="FC-OP-01"), language="en")
    assert [h.title for h in page.items] == ["Noting and drafting"]


def test_a_completed_course_puts_its_competencies_in_her_passport_once(framework, tagged, learner, complete):
    course = tagged("Noting and drafting", [("FC-OP-01", 3), ("BC-ETH-01", None)])
    e = complete(learner, course)
    rows = {(x.competency.code, x.level, x.kind) for x in Evidence.objects.filter(learner=learner)
            .select_related("competency")}
    assert rows == {("FC-OP-01", 3, "course"), ("BC-ETH-01", 1, "course")}
    ev = Evidence.objects.get(learner=learner, competency__code="FC-OP-01")
    assert ev.course_id == course.pk and ev.enrolment_ref == str(e.public_id) and ev.at == e.completed_at
    # The step again (a retried task): nothing twice.
    assert services.on_completion(Completion.of(e)) == 0
    from saksham.learning import services as learning

    learning.post_completion_run(e)
    assert Evidence.objects.filter(learner=learner).count() == 2
    assert dict(Holding.objects.filter(learner=learner).values_list("competency__code", "level")) == \
        {"FC-OP-01": 3, "BC-ETH-01": 1}


def test_the_certificate_of_the_course_is_linked_when_a_lookup_is_configured(framework, tagged, learner, complete,
                                                                            settings):
    settings.PASSPORT_CERTIFICATE_LOOKUP = "tests.competencies.steps.certificate"
    course = tagged("Noting and drafting", [("FC-OP-01", 2)])
    e = complete(learner, course)
    ev = Evidence.objects.get(learner=learner)
    assert ev.certificate_ref == f"CERT-{e.pk}" and ev.certificate_url.endswith(f"/certificates/CERT-{e.pk}")


def test_a_standalone_assessment_passed_is_evidence_of_its_kind(framework, tagged, learner, complete):
    course = tagged("Cyber hygiene test", [("DC-CYB-01", 2)])
    course.kind = "assessment"
    course.save(update_fields=["kind"])
    complete(learner, course)
    assert Evidence.objects.get(learner=learner).kind == "assessment"


def test_levels_only_rise(framework, tagged, learner, complete):
    complete(learner, tagged("Office procedure, advanced", [("FC-OP-01", 4)]))
    complete(learner, tagged("Office procedure, basics", [("FC-OP-01", 1)]))
    book = queries.passport(learner)
    assert [(h.code, h.level) for h in book.held] == [("FC-OP-01", 4)]
    assert [e["level"] for e in book.evidence] == [1, 4]     # both facts, newest first


def test_she_declares_a_competency_and_it_is_marked_but_proves_nothing(framework, mapping, learner):
    services.competency_declare(learner=learner, code="FC-RTI-01", level=3, note="Five years as CPIO")
    assert services.competency_declare(learner=learner, code="FC-RTI-01", level=3) is None   # the same, twice
    book = queries.passport(learner)
    held = {h.code: (h.level, h.declared) for h in book.held}
    assert held == {"FC-RTI-01": (0, 3)}
    rti = next(n for n in book.required if n.code == "FC-RTI-01")
    assert rti.gap and rti.declared == 3
    assert book.evidence[0]["kind"] == "self" and book.evidence[0]["note"] == "Five years as CPIO"
    with pytest.raises(NotFound):
        services.competency_declare(learner=learner, code="NOPE", level=2)
    with pytest.raises(ValidationFailed):
        services.competency_declare(learner=learner, code="FC-RTI-01", level=0)


def test_a_training_institute_reports_a_competency(framework, learner, staff, provider, other_provider, people):
    at = timezone.now() - dt.timedelta(days=30)
    services.competency_report(actor=staff["creator"], provider=provider, learner=learner, code="BC-ETH-01",
                               level=2, at=at, reference="BATCH-7/42")
    again = services.competency_report(actor=staff["creator"], provider=provider, learner=learner, code="BC-ETH-01",
                                       level=2, at=at, reference="BATCH-7/42")
    assert again is None
    ev = Evidence.objects.get(learner=learner)
    assert (ev.kind, ev.level, ev.provider_id, ev.at, ev.reported_by_id) == ("institute", 2, provider.pk, at,
                                                                            staff["creator"].pk)
    assert queries.passport(learner).held[0].level == 2
    with pytest.raises(PermissionDenied):       # not this institute's staff
        services.competency_report(actor=staff["creator"], provider=other_provider, learner=learner,
                                   code="BC-ETH-01", level=3)
    with pytest.raises(PermissionDenied):
        services.competency_report(actor=people["bihar_learner"], provider=provider, learner=learner,
                                   code="BC-ETH-01", level=3)
    with pytest.raises(ValidationFailed):
        services.competency_report(actor=staff["creator"], provider=provider, learner=learner, code="BC-ETH-01",
                                   level=2, at=timezone.now() + dt.timedelta(days=2))


def test_she_shares_her_passport_and_revokes_the_link(framework, learner, people):
    services.competency_declare(learner=learner, code="FC-OP-01", level=2)
    share = services.share_create(learner=learner)
    assert queries.shared_passport(share.token).held[0].code == "FC-OP-01"
    with pytest.raises(NotFound):
        services.share_revoke(learner=people["bihar_learner"], share=share)
    services.share_revoke(learner=learner, share=share)
    with pytest.raises(NotFound):
        queries.shared_passport(share.token)
    with pytest.raises(NotFound):
        queries.shared_passport("nonsense")


def test_at_most_ten_live_links(framework, learner):
    for _ in range(10):
        services.share_create(learner=learner)
    with pytest.raises(Conflict):
        services.share_create(learner=learner)


def test_her_passport_is_hers_and_her_admins(framework, learner, people):
    assert queries.passport_of(learner, learner).learner == learner
    assert queries.passport_of(people["dopt_admin"], learner).learner == learner      # DOPT > HQ
    assert queries.passport_of(people["platform"], learner).learner == learner
    for outsider in (people["bihar_admin"], people["bihar_learner"]):
        with pytest.raises(PermissionDenied):
            queries.passport_of(outsider, learner)


def test_a_creator_tags_a_module_and_the_tags_carry_over_to_the_next_version(framework, build, publish, staff, people):
    v = build(title="Noting and drafting")
    module = v.modules.first()
    services.module_tags_set(actor=staff["creator"], version=v, module_key=module.key, tags=[("FC-OP-01", 2)])
    with pytest.raises(ValidationFailed):
        services.module_tags_set(actor=staff["creator"], version=v, module_key=module.key, tags=[("NOPE", 2)])
    with pytest.raises(PermissionDenied):
        services.module_tags_set(actor=people["hq_learner"], version=v, module_key=module.key,
                                 tags=[("FC-OP-01", 3)])
    publish(v)
    v.refresh_from_db()
    with pytest.raises(Conflict):
        services.module_tags_set(actor=staff["creator"], version=v, module_key=module.key, tags=[("FC-OP-01", 3)])
    draft = catalog.version_new_draft(actor=staff["creator"], course=v.course)
    assert queries.module_tags(v.course) == {str(module.key): [{"code": "FC-OP-01", "name": "Office procedure",
                                                                 "level": 2}]}
    services.module_tags_set(actor=staff["creator"], version=draft, module_key=module.key, tags=[("FC-OP-01", 3)])
    assert queries.module_tags(v.course)[str(module.key)][0]["level"] == 3
    from django.test import Client

    page = Client().get(f"/courses/{v.course.public_id}").content.decode()
    assert "Module 1: Office procedure (FC-OP-01, level 3)" in page


def test_the_evidence_kind_reads_in_her_language_as_plain_text(framework, tagged, learner, complete):
    from django.utils import translation

    complete(learner, tagged("Noting and drafting", [("FC-OP-01", 3)]))
    with translation.override("hi"):
        row = queries.passport(learner, evidence=True).evidence[0]
        assert type(row["kind_label"]) is str and row["kind_label"] == translation.gettext("Completed course")


def test_revoking_a_link_with_an_id_that_is_not_one_says_no_such_link(framework, learner, client):
    with pytest.raises(NotFound):
        queries.share_get(learner, "zzz")
    client.force_login(learner)
    r = client.post("/competencies/passport", {"action": "revoke", "share": "zzz"}, follow=True)
    assert r.status_code == 200 and "no such link" in r.content.decode()
