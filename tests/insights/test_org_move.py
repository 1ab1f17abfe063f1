"""An org moved to another parent takes its subtree's figures with it: the shift inside the move's transaction
gives exactly the rollups a full rebuild gives, and a refused move changes nothing."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.utils import timezone

from saksham.core.errors import ValidationFailed
from saksham.insights import services
from saksham.insights.models import OrgCourseRollup, OrgRollup
from saksham.learning import services as learning
from saksham.learning import structure
from saksham.learning.models import Enrolment
from saksham.orgs.models import Org
from saksham.orgs.services import org_move
from tests.insights.conftest import random_courses
from tests.insights.test_rollups import figure, snapshot


def rebuilt_snapshot():
    """What a full rebuild gives now, without keeping it (the rebuild runs in a savepoint rolled back)."""
    with transaction.atomic():
        services.rebuild()
        rebuilt = snapshot()
        transaction.set_rollback(True)
    return rebuilt


def assert_equals_rebuild():
    incremental, rebuilt = snapshot(), rebuilt_snapshot()
    assert snapshot() == incremental                      # the rebuild above left no trace
    for key in incremental:
        assert incremental[key] == rebuilt[key], key


def activity(rng, leaves, courses, enlist, event, platform, prefix, n=12):
    """Random registrations, enrolments (one by one and in bulk), progress over 40 days, completions and
    certificates by people of ``leaves``, through the real services; the learning time folded."""
    now = timezone.now()
    learners = [enlist(rng.choice(leaves), f"{prefix}{k}@example.gov.in") for k in range(n)]
    for learner in learners:
        for c in rng.sample(courses, rng.randint(0, 2)):
            learning.enrolment_create(learner=learner, course=c)
    learning.enrolments_assign_bulk(actor=platform, course=courses[-1], learner_ids=[u.pk for u in learners[::3]])
    enrolments = list(Enrolment.objects.filter(learner__in=learners, state="active").select_related("learner"))
    for e in enrolments:
        items = list(structure.version_items(e.version_id).values())
        finish = rng.random() < 0.5
        base = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 20))
        batch = []
        for i, item in enumerate(items):
            if not finish and rng.random() < 0.5:
                continue
            at = base + dt.timedelta(minutes=5 * i)
            batch.append(event(e, item, percent=100 if finish else 50, seconds=0, at=at))
            batch.append(event(e, item, percent=100 if finish else 60, seconds=rng.randint(5, 60),
                               at=at + dt.timedelta(seconds=60)))
        if batch:
            learning.progress_record(learner=e.learner, events=batch)
    done = list(Enrolment.objects.filter(learner__in=learners, completed_at__isnull=False))
    services.on_certificates_issued([{"learner_id": e.learner_id, "course_id": e.course_id,
                                      "issued_at": e.completed_at} for e in done])
    return learners


@pytest.mark.parametrize("seed", [3, 4])
def test_moving_an_org_with_its_sub_org_shifts_the_rollups_as_a_rebuild_would(
        seed, orgs, people, build, publish, enlist, event, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    services.rebuild()                       # the fixtures' people were written directly: start from a rebuild
    courses = random_courses(rng, build, publish)
    leaves = [orgs[k] for k in ("BR", "BR-GAD", "GJ-GAD", "DOPT", "HQ", "HQ", "MIN")]
    platform = people["platform"]
    with django_capture_on_commit_callbacks(execute=True):
        activity(rng, leaves, courses, enlist, event, platform, "a")
    services.time_deltas_fold()
    assert_equals_rebuild()
    dopt_before = figure(orgs["DOPT"], "enr")
    assert dopt_before and figure(orgs["MIN"], "enr") > dopt_before

    # DoPT (with its office) moves from the ministry to a department of Bihar: deeper, one ancestor in common.
    org_move(actor=platform, org=orgs["DOPT"], new_parent=orgs["BR-GAD"])
    assert figure(orgs["DOPT"], "enr") == dopt_before
    assert figure(orgs["BR-GAD"], "enr") >= dopt_before
    assert_equals_rebuild()
    # Learning after the move lands on the new ancestors; then on to Gujarat, and back to the ministry.
    with django_capture_on_commit_callbacks(execute=True):
        activity(rng, leaves, courses, enlist, event, platform, "b", n=6)
    services.time_deltas_fold()
    assert_equals_rebuild()
    org_move(actor=platform, org=orgs["DOPT"], new_parent=orgs["GJ"])
    assert_equals_rebuild()
    org_move(actor=platform, org=orgs["DOPT"], new_parent=orgs["MIN"])
    assert_equals_rebuild()
    # The sub-org alone leaves DoPT for Bihar; moving to the parent it already has changes nothing.
    org_move(actor=platform, org=orgs["HQ"], new_parent=orgs["BR"])
    assert_equals_rebuild()
    org_move(actor=platform, org=orgs["HQ"], new_parent=orgs["BR"])
    assert_equals_rebuild()
    assert OrgRollup.objects.filter(value__lte=0).count() == 0
    assert OrgCourseRollup.objects.filter(value__lte=0).count() == 0


def test_a_merge_moves_the_children_figures_to_the_target(orgs, people, course, enlist,
                                                          django_capture_on_commit_callbacks):
    from saksham.orgs.services import org_merge

    services.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        for k in range(3):
            learner = enlist(orgs["HQ"], f"hq{k}@dopt.gov.in")
            learning.enrolment_create(learner=learner, course=course)
    hq = figure(orgs["HQ"], "enr")
    assert hq == 3
    org_merge(actor=people["platform"], source=orgs["DOPT"], target=orgs["BR"])
    assert figure(orgs["BR"], "enr") == hq and figure(orgs["MIN"], "enr") == 0
    assert_equals_rebuild()


@pytest.mark.parametrize("case", ["cycle", "root", "failing step"])
def test_a_refused_move_changes_nothing(case, orgs, people, course, enlist, settings,
                                        django_capture_on_commit_callbacks):
    services.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        for org in (orgs["HQ"], orgs["DOPT"], orgs["BR-GAD"]):
            learning.enrolment_create(learner=enlist(org, f"x{org.pk}@example.gov.in"), course=course)
    before = snapshot()
    paths = sorted(Org.objects.values_list("id", "parent_id", "path", "depth"))
    if case == "cycle":
        with pytest.raises(ValidationFailed):
            org_move(actor=people["platform"], org=orgs["MIN"], new_parent=orgs["HQ"])
    elif case == "root":
        with pytest.raises(ValidationFailed):
            org_move(actor=people["platform"], org=orgs["IN"], new_parent=orgs["BR"])
    else:
        # A step that fails after the shift: the move and the shift roll back together.
        settings.ORG_MOVE_STEPS = [*settings.ORG_MOVE_STEPS, "tests.insights.test_org_move.failing_step"]
        with pytest.raises(RuntimeError):
            org_move(actor=people["platform"], org=orgs["DOPT"], new_parent=orgs["BR"])
    assert sorted(Org.objects.values_list("id", "parent_id", "path", "depth")) == paths
    assert snapshot() == before


def failing_step(moved):
    raise RuntimeError("step failed")
