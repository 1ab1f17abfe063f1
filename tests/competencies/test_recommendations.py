"""Gaps, recommendations (explained, cached per learner, refreshed when what they depend on changes) and an
admin's coverage of her subtree."""

import random

import pytest
from django.core.cache import cache

from saksham.catalog import services as catalog
from saksham.competencies import queries, services
from saksham.competencies.models import DesignationCourse
from saksham.core.errors import PermissionDenied
from saksham.learning import services as learning


def test_her_gaps_are_the_required_levels_she_has_not_proved(mapping, learner, tagged, complete):
    book = queries.passport(learner)
    assert [(n.code, n.required, n.level, n.gap) for n in book.required] == [
        ("BC-ETH-01", 2, 0, True), ("FC-OP-01", 3, 0, True), ("FC-RTI-01", 2, 0, True)]
    complete(learner, tagged("RTI for CPIOs", [("FC-RTI-01", 2)]))
    book = queries.passport(learner)
    assert [n.code for n in book.gaps] == ["BC-ETH-01", "FC-OP-01"]
    assert next(n for n in book.required if n.code == "FC-RTI-01").level == 2


def test_courses_closing_her_gaps_come_first_and_say_why(mapping, learner, tagged, people):
    closes_two = tagged("Office procedure and RTI", [("FC-OP-01", 3), ("FC-RTI-01", 2)])
    closes_one = tagged("Integrity", [("BC-ETH-01", 2)])
    partial = tagged("Office basics", [("FC-OP-01", 1)])
    unrelated = tagged("Cyber hygiene", [("DC-CYB-01", 3)])
    recs = queries.recommendations(learner)
    assert [r.course for r in recs[:3]] == [str(closes_two.public_id), str(closes_one.public_id),
                                            str(partial.public_id)]
    assert all(r.reason == "gap" for r in recs[:3]) and str(unrelated.public_id) not in [r.course for r in recs]
    assert recs[0].why.startswith("Builds Office procedure (FC-OP-01) to level 3: your role needs 3, you have 0")
    assert recs[2].why == "Takes Office procedure (FC-OP-01) from level 0 to 1 towards the 3 your role needs"


def test_what_she_is_enrolled_in_or_did_is_left_out(mapping, learner, tagged, complete):
    a = tagged("Office procedure and RTI", [("FC-OP-01", 3), ("FC-RTI-01", 2)])
    b = tagged("Integrity", [("BC-ETH-01", 2)])
    assert str(a.public_id) in [r.course for r in queries.recommendations(learner)]
    learning.enrolment_create(learner=learner, course=a)
    assert [r.course for r in queries.recommendations(learner)] == [str(b.public_id)]
    complete(learner, b)
    assert queries.recommendations(learner) == []


def test_her_language_first_and_the_family_member_in_her_language(mapping, learner, tagged, build, publish, staff):
    learner.preferred_language = "hi"
    learner.save(update_fields=["preferred_language"])
    en = tagged("Integrity", [("BC-ETH-01", 2)])
    hi_v = build(title="सत्यनिष्ठा", language="hi", translation_of=en)
    services.course_tags_set(actor=staff["creator"], version=hi_v, tags=[("BC-ETH-01", 2)])
    publish(hi_v)
    tagged("Tamil only integrity", [("BC-ETH-01", 2)], language="ta")
    recs = queries.recommendations(learner)
    assert [(r.title, r.language) for r in recs] == [("सत्यनिष्ठा", "hi")]


def test_then_what_people_of_her_designation_in_her_org_take(mapping, learner, tagged, build, publish, make_user,
                                                             orgs):
    gap = tagged("Integrity", [("BC-ETH-01", 2)])
    popular = build(title="Noting and drafting")
    publish(popular)
    national = build(title="Leave rules")
    publish(national)
    for n in range(3):
        peer = make_user(f"peer{n}@dopt.gov.in", orgs["HQ"], designation="Section Officer")
        learning.enrolment_create(learner=peer, course=popular.course)
    far = make_user("far@bihar.gov.in", orgs["BR-GAD"], designation="section officer")
    learning.enrolment_create(learner=far, course=national.course)
    assert services.cohort_counts_fold() == 4
    assert services.cohort_counts_fold() == 0                   # incremental: nothing new, nothing added
    assert DesignationCourse.objects.get(org_ref=orgs["HQ"].pk, course=popular.course).n == 3
    recs = queries.recommendations(learner)
    assert [(r.course, r.reason) for r in recs] == [(str(gap.public_id), "gap"),
                                                   (str(popular.course.public_id), "popular"),
                                                   (str(national.course.public_id), "popular")]
    assert "in your organisation: 3 enrolled" in recs[1].why and "on the platform: 1 enrolled" in recs[2].why


def test_recommendations_are_cached_and_refresh_when_her_passport_or_the_catalogue_changes(
        mapping, learner, tagged, people, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    a = tagged("Integrity", [("BC-ETH-01", 2)])
    first = queries.recommendations(learner)
    with django_assert_max_num_queries(6):      # generation, holdings, her org, enrolments (cached recommendations)
        assert queries.recommendations(learner) == first
    services.competency_report(actor=people["platform"], provider=a.provider, learner=learner, code="BC-ETH-01",
                               level=2)
    assert queries.recommendations(learner) == []               # her gap closed: recomputed for her
    with django_capture_on_commit_callbacks(execute=True):
        b = tagged("Office procedure", [("FC-OP-01", 3)])       # a course goes live: every stamp changes
    assert [r.course for r in queries.recommendations(learner)] == [str(b.public_id)]


def test_quality_on_generated_data_a_gap_is_closed_by_a_top_five_course(framework, people, make_user, orgs, build,
                                                                        publish, staff):
    """200 courses with random tags, 20 designations with random requirements, 60 learners with random holdings
    and co-enrolments: every learner with a gap that some course closes gets such a course in her top 5."""
    rng = random.Random(7)
    admin = people["platform"]
    codes = ["BC-ETH-01", "FC-OP-01", "FC-RTI-01", "DC-CYB-01"]
    designations = [f"Designation {d}" for d in range(20)]
    learners = []
    for n in range(60):
        learners.append(make_user(f"l{n}@dopt.gov.in", orgs["HQ"], designation=rng.choice(designations)))
    for d, designation in enumerate(designations):
        reqs = {c: rng.randint(1, 5) for c in rng.sample(codes, rng.randint(1, 3))}
        services.activity_upsert(actor=admin, code=f"ACT-{d}", requirements=reqs)
        services.role_upsert(actor=admin, code=f"ROLE-{d}", activities=[f"ACT-{d}"])
        services.position_set(actor=admin, designation=designation, roles=[f"ROLE-{d}"])
    courses = []
    for n in range(200):
        v = build(title=f"Course {n}", modules=1)
        services.course_tags_set(actor=staff["creator"], version=v,
                                 tags=[(c, rng.randint(1, 5)) for c in rng.sample(codes, rng.randint(0, 2))])
        publish(v)
        courses.append(v.course)
    tags = {}
    for c in courses:
        c.refresh_from_db()
        tags[c.pk] = dict(c.live_version.competencies.values_list("code", "level"))
    for p in learners:
        for c in rng.sample(courses, 5):
            learning.enrolment_create(learner=p, course=c)
        for code in rng.sample(codes, 2):
            services.competency_report(actor=admin, provider=courses[0].provider, learner=p, code=code,
                                       level=rng.randint(1, 3), reference=f"{p.pk}:{code}")
    services.cohort_counts_fold()
    checked = 0
    for p in learners:
        book = queries.passport(p, evidence=False)
        mine = {c.pk for c in courses if c.enrolments.filter(learner=p).exists()}
        closable = [g for g in book.gaps if any(t.get(g.code, 0) >= g.required for pk, t in tags.items()
                                                 if pk not in mine)]
        if not closable:
            continue
        top = queries.recommendations(p, limit=5)
        by_public = {str(c.public_id): c.pk for c in courses}
        assert any(tags[by_public[r.course]].get(g.code, 0) >= g.required for r in top for g in closable), p
        assert all(by_public[r.course] not in mine for r in top)
        checked += 1
    assert checked >= 30


def test_coverage_counts_her_people_at_each_level_within_her_subtree(mapping, learner, people, make_user, orgs):
    peers = [make_user(f"so{n}@dopt.gov.in", orgs["HQ"], designation="Section Officer") for n in range(3)]
    outsider = make_user("so@bihar.gov.in", orgs["BR-GAD"], designation="Section Officer")
    admin = people["platform"]
    provider_org = orgs["DOPT"]
    prov = catalog.provider_register(actor=None, org=provider_org)
    for p, level in zip([learner, *peers], [3, 1, 3, 4], strict=True):
        services.competency_report(actor=admin, provider=prov, learner=p, code="FC-OP-01", level=level)
    services.competency_report(actor=admin, provider=prov, learner=outsider, code="FC-OP-01", level=5)
    services.competency_declare(learner=peers[0], code="BC-ETH-01", level=5)      # declared: not counted
    cov = queries.coverage(people["dopt_admin"], orgs["DOPT"])
    rows = {r.code: r for r in cov.rows}
    assert cov.people == 5 and set(rows) == {"FC-OP-01", "FC-RTI-01", "BC-ETH-01"}   # 4 officers + the admin
    op = rows["FC-OP-01"]
    assert (op.required, op.needed_by, op.by_level, op.meeting, op.percent) == (3, 4, [1, 0, 2, 1, 0], 3, 75)
    assert rows["BC-ETH-01"].by_level == [0, 0, 0, 0, 0]
    whole = {r.code: r for r in queries.coverage(people["platform"], orgs["IN"]).rows}
    assert whole["FC-OP-01"].by_level == [1, 0, 2, 1, 1] and whole["FC-OP-01"].needed_by == 5
    # The incremental counts equal a set-based recount; a person who moved org is counted in her new org after it.
    services.coverage_rollups_rebuild()
    assert {r.code: r.by_level for r in queries.coverage(people["platform"], orgs["IN"]).rows} == \
        {r: whole[r].by_level for r in whole}
    outsider.org = orgs["HQ"]
    outsider.save(update_fields=["org"])
    services.coverage_rollups_rebuild()
    moved = {r.code: r for r in queries.coverage(people["dopt_admin"], orgs["DOPT"]).rows}
    assert moved["FC-OP-01"].by_level == [1, 0, 2, 1, 1] and moved["FC-OP-01"].needed_by == 5
    with pytest.raises(PermissionDenied):
        queries.coverage(people["dopt_admin"], orgs["BR"])
    with pytest.raises(PermissionDenied):
        queries.coverage(learner, orgs["HQ"])


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
