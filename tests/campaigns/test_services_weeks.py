"""Creating and editing learning weeks: who may, overlap refusal, bad input (nothing changed)."""

import datetime as dt

import pytest

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek
from saksham.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.campaigns.conftest import today


def test_a_platform_admin_runs_national_weeks_and_a_state_admin_her_state(make_week, people, orgs):
    national = make_week()
    assert national.scope == orgs["IN"] and national.starts_at < national.ends_at
    bihar = make_week(scope="IN-BR", actor=people["bihar_admin"], title="Bihar Learning Week")
    assert bihar.scope == orgs["BR"] and bihar.scope_path == orgs["BR"].path
    for actor, scope in ((people["bihar_admin"], "IN"), (people["bihar_admin"], "IN-GJ"),
                         (people["ministry_admin"], "IN"), (people["bihar_learner"], "IN-BR")):
        with pytest.raises(PermissionDenied):
            make_week(scope=scope, actor=actor, starts_on=today() + dt.timedelta(days=20),
                      ends_on=today() + dt.timedelta(days=22))
    with pytest.raises(ValidationFailed) as e:
        make_week(scope="DOPT", starts_on=today() + dt.timedelta(days=20), ends_on=today() + dt.timedelta(days=22))
    assert e.value.field == "scope"
    assert LearningWeek.objects.count() == 2


def test_overlapping_weeks_of_one_scope_are_refused_other_scopes_and_adjacent_dates_are_not(make_week, people):
    make_week()
    with pytest.raises(Conflict) as e:
        make_week(starts_on=today() + dt.timedelta(days=8), ends_on=today() + dt.timedelta(days=10))
    assert e.value.code == "overlapping_week"
    make_week(scope="IN-BR", actor=people["bihar_admin"])                    # a state's own week may overlap
    make_week(starts_on=today() + dt.timedelta(days=9), ends_on=today() + dt.timedelta(days=12))  # adjacent
    assert LearningWeek.objects.count() == 3


def test_editing_into_an_overlap_is_refused_and_changes_nothing(make_week, people):
    first = make_week()
    later = make_week(starts_on=today() + dt.timedelta(days=20), ends_on=today() + dt.timedelta(days=25))
    with pytest.raises(Conflict):
        services.week_update(actor=people["platform"], week=later, data={"starts_on": today() + dt.timedelta(days=5)})
    later.refresh_from_db()
    assert later.starts_on == today() + dt.timedelta(days=20)
    services.week_update(actor=people["platform"], week=first, data={"goal_hours": 6, "title": "Karmayogi Week"})
    first.refresh_from_db()
    assert first.goal_seconds == 6 * 3600 and first.title == "Karmayogi Week"
    with pytest.raises(PermissionDenied):
        services.week_update(actor=people["bihar_admin"], week=first, data={"title": "Mine"})


@pytest.mark.parametrize("data,field,code", [
    ({"ends_on": "yesterday"}, "ends_on", "invalid_date"),
    ({"ends_on": dt.date(2000, 1, 1)}, "ends_on", "invalid_dates"),
    ({"ends_on": "+40"}, "ends_on", "invalid_dates"),
    ({"starts_on": "-3", "ends_on": "+2"}, "starts_on", "dates_in_past"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
    ({"goal_hours": 0}, "goal_hours", "no_goal"),
    ({"goal_hours": -1}, "goal_hours", "validation_failed"),
    ({"goal_hours": 1000}, "goal_hours", "validation_failed"),
    ({"counts_hours": False, "counts_completions": False}, "counts_hours", "nothing_counts"),
    ({"counts_hours": False, "goal_hours": 4}, "goal_hours", "validation_failed"),
    ({"featured_only": True}, "featured", "no_featured"),
    ({"featured": ["not-a-uuid"]}, "featured.0", "unknown_course"),
    ({"featured": ["0190b6c2-0000-7000-8000-000000000000"]}, "featured.0", "unknown_course"),
    ({"title": ""}, "title", "validation_failed"),
    ({"rank_by": "karma"}, "rank_by", "validation_failed"),
])
def test_bad_input_is_refused_naming_the_field(make_week, data, field, code):
    for k in ("starts_on", "ends_on"):
        if isinstance(data.get(k), str) and data[k][:1] in "+-":
            data = {**data, k: today() + dt.timedelta(days=int(data[k]))}
    with pytest.raises(ValidationFailed) as e:
        make_week(**data)
    assert (e.value.field, e.value.code) == (field, code)
    assert LearningWeek.objects.count() == 0


def test_featured_courses_must_be_published(make_week, build, course):
    draft = build(title="Not yet published")
    with pytest.raises(ValidationFailed) as e:
        make_week(featured=[str(course.public_id), str(draft.course.public_id)])
    assert e.value.field == "featured.1" and LearningWeek.objects.count() == 0
    week = make_week(featured=[str(course.public_id)], featured_only=True)
    assert list(week.featured.all()) == [course]
