"""The rollups kept event by event give exactly what a full rebuild from the raw tables gives."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from saksham.insights import services
from saksham.insights.models import (
    ActiveMark,
    CompletionMark,
    CourseRollup,
    LearnerStat,
    OrgCourseRollup,
    OrgRollup,
    TimeDelta,
)
from saksham.learning import services as learning
from saksham.learning import structure
from saksham.learning.hooks import Completion
from tests.insights.conftest import random_courses


def snapshot():
    return {
        "org": sorted(OrgRollup.objects.filter(value__gt=0).values_list("org_id", "metric", "grain", "day", "value")),
        "course": sorted(CourseRollup.objects.filter(value__gt=0)
                         .values_list("course_id", "metric", "grain", "day", "value")),
        "org_course": sorted(OrgCourseRollup.objects.filter(value__gt=0)
                             .values_list("org_id", "metric", "course_id", "value")),
        "learners": sorted(LearnerStat.objects.values_list("learner_id", "enrolments", "completions",
                                                          "certificates", "seconds", "last_active")),
        "active": sorted(ActiveMark.objects.values_list("learner_id", "period", "start")),
        "completed": sorted(CompletionMark.objects.values_list("enrolment_id", flat=True)),
    }


def figure(org, metric, grain="t"):
    row = OrgRollup.objects.filter(org_id=org.pk, metric=metric, grain=grain).first()
    return row.value if row else 0


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_rollups_equal_a_rebuild_on_random_activity(seed, orgs, people, build, publish, enlist, event,
                                                               django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    services.rebuild()                       # the fixtures' people were written directly: start from a rebuild
    courses = random_courses(rng, build, publish)
    leaves = [orgs[k] for k in ("BR", "BR-GAD", "GJ-GAD", "DOPT", "HQ", "MIN")]
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        learners = [enlist(rng.choice(leaves), f"learner{n}@example.gov.in") for n in range(14)]
        enrolments = []
        for learner in learners:
            for c in rng.sample(courses, rng.randint(0, 2)):
                enrolments.append(learning.enrolment_create(learner=learner, course=c))
        # An admin assigns a course to many at once (the set-based path).
        learning.enrolments_assign_bulk(actor=people["platform"], course=courses[2],
                                        learner_ids=[u.pk for u in learners[::2]])
        from saksham.learning.models import Enrolment

        enrolments = list(Enrolment.objects.filter(learner__in=learners, state="active").select_related("learner"))
        for e in enrolments:
            items = list(structure.version_items(e.version_id).values())
            finish = rng.random() < 0.5
            days_ago = rng.randint(0, 40)
            base = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 20))
            batch = []
            for i, item in enumerate(items):
                if not finish and rng.random() < 0.5:
                    continue
                at = base + dt.timedelta(minutes=5 * i)
                batch.append(event(e, item, percent=100 if finish else rng.choice([10, 50]), seconds=0, at=at))
                batch.append(event(e, item, percent=100 if finish else 60, seconds=rng.randint(5, 60),
                                   at=at + dt.timedelta(seconds=60)))
            if batch:
                learning.progress_record(learner=e.learner, events=batch)
        done = list(Enrolment.objects.filter(learner__in=learners, completed_at__isnull=False))
        assert done, "the scenario completes some courses"
        # Certificates as the credentials app tells them (when installed it tells them too): a certificate
        # told twice, or re-issued, counts once per learner and course.
        facts = [{"learner_id": e.learner_id, "org_id": e.learner.org_id, "course_id": e.course_id,
                  "issued_at": e.completed_at, "certificate_id": f"c{e.pk}"} for e in done]
        services.on_certificates_issued(facts)
        services.on_certificates_issued([{**f, "certificate_id": "again"} for f in facts[:2]])
        for e in done[:2]:                                       # a re-run pipeline step counts nothing twice
            services.on_completion(Completion.of(e))
    # Learning time waits as deltas until the periodic fold (every 2 s in a worker) folds it.
    pending = TimeDelta.objects.count()
    assert pending and not OrgRollup.objects.filter(metric="sec").exists()
    assert services.time_deltas_fold(limit=7) == pending           # in claims of 7 rows
    assert not TimeDelta.objects.exists() and services.time_deltas_fold() == 0
    incremental = snapshot()
    assert figure(orgs["IN"], "cmp") == len(done)
    assert figure(orgs["IN"], "crt") == len(done)
    services.rebuild()
    rebuilt = snapshot()
    for key in incremental:
        assert incremental[key] == rebuilt[key], key


def test_a_state_figure_folds_its_whole_subtree(orgs, people, enlist, django_capture_on_commit_callbacks):
    services.rebuild()
    before_in, before_br = figure(orgs["IN"], "reg"), figure(orgs["BR"], "reg")
    with django_capture_on_commit_callbacks(execute=True):
        enlist(orgs["BR-GAD"], "a@bihar.gov.in")
        enlist(orgs["BR"], "b@bihar.gov.in")
        enlist(orgs["HQ"], "c@dopt.gov.in")
    assert figure(orgs["BR"], "reg") == before_br + 2
    assert figure(orgs["BR-GAD"], "reg", "d") >= 1
    assert figure(orgs["IN"], "reg") == before_in + 3
    assert figure(orgs["MIN"], "reg") == figure(orgs["DOPT"], "reg") + 1      # its own admin, and DoPT's
    assert figure(orgs["GJ"], "reg") == 2                  # Gujarat's admin and learner, untouched


def test_a_bulk_import_and_a_bulk_assignment_count_their_people_per_chunk(orgs, people, course, tmp_path, settings,
                                                                          django_capture_on_commit_callbacks):
    """The set-based paths: an import of 2,500 people in chunks of 1,000 and an assignment to all of them bump
    the rollups with one grouped statement per chunk; the figures equal a rebuild's."""
    import io

    from django.core.management import call_command

    from saksham.people.models import User

    settings.IMPORT_CHUNK_ROWS = 1000
    services.rebuild()
    before = figure(orgs["BR"], "reg")
    lines = ["full_name,email,org_code"] + [f"Person {n},p{n}@bihar.gov.in,IN-BR-GAD" for n in range(2500)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_users", str(path), "--org", "IN-BR", "--as", "admin@bihar.gov.in", "--no-email",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert figure(orgs["BR"], "reg") == before + 2500
    assert figure(orgs["BR-GAD"], "reg", "d") >= 2500
    ids = list(User.objects.filter(email__startswith="p", org=orgs["BR-GAD"]).values_list("pk", flat=True))
    User.objects.filter(pk__in=ids).update(is_active=True, status="active")
    with django_capture_on_commit_callbacks(execute=True):
        learning.enrolments_assign_bulk(actor=people["bihar_admin"], course=course, learner_ids=ids)
    assert figure(orgs["BR"], "enr") == 2500
    assert LearnerStat.objects.filter(learner_id__in=ids, enrolments=1).count() == 2500
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental


def test_learning_time_is_folded_once_and_a_rebuild_drops_what_it_already_counts(orgs, people, course, event,
                                                                                 django_capture_on_commit_callbacks):
    from saksham.learning.models import LearningDay

    services.rebuild()
    learner = people["bihar_learner"]
    e = learning.enrolment_create(learner=learner, course=course)
    item = list(structure.version_items(e.version_id).values())[0]
    with django_capture_on_commit_callbacks(execute=True):
        learning.progress_record(learner=learner, events=[event(e, item, seconds=30, s=0),
                                                          event(e, item, seconds=30, s=30)])
    spent = LearningDay.objects.get(learner=learner).seconds
    assert figure(orgs["BR"], "sec") == 0 and TimeDelta.objects.count() == 1
    services.time_deltas_fold()
    services.time_deltas_fold()
    assert figure(orgs["BR"], "sec") == figure(orgs["IN"], "sec") == spent
    assert figure(orgs["BR"], "ad", "d") == 1                      # one learner active today, counted once
    # A delta still pending when a rebuild runs is already in the raw tables: the rebuild drops it.
    with django_capture_on_commit_callbacks(execute=True):
        learning.progress_record(learner=learner, events=[event(e, item, seconds=20, s=50)])
    services.rebuild()
    services.time_deltas_fold()
    assert figure(orgs["IN"], "sec") == LearningDay.objects.get(learner=learner).seconds
