"""The synthetic national deployment has the reference's shape: 60 % in states, 40 % in ministries, the top five
states on top, Zipf course popularity, about 3 completions and 3.8 hours per learner, growth from 3 % two years
ago, a learning-week spike, and dashboards' rollups filled."""

import datetime as dt

import pytest
from django.db import connection

from saksham.insights.generate import Generator
from saksham.insights.models import OrgRollup
from saksham.orgs.models import Org

N = 6000


def _one(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture
def generated(db):
    gen = Generator(learners=N, courses=300, providers=30, ministries=20, out=lambda s: None)
    gen.run()
    return gen


def test_the_generated_deployment_has_the_reference_shape(generated):
    country = Org.objects.get(parent__isnull=True)
    assert _one("SELECT COUNT(*) FROM people_user WHERE created_via = 'generated'")[0][0] == N
    total = OrgRollup.objects.get(org_id=country.pk, metric="reg", grain="t").value
    assert total == N
    by_top = dict(_one("SELECT o.code, r.value FROM insights_orgrollup r JOIN orgs_org o ON o.id = r.org_id "
                       "WHERE r.metric = 'reg' AND r.grain = 't' AND o.depth = 1"))
    states = {k: v for k, v in by_top.items() if k.startswith("IN-")}
    assert len(states) == 36
    assert 0.56 < sum(states.values()) / N < 0.64                       # 60 % states, 40 % ministries
    top5 = sorted(states, key=states.get, reverse=True)[:5]
    assert set(top5) == {"IN-BR", "IN-AP", "IN-MP", "IN-RJ", "IN-UP"}
    assert top5[0] == "IN-BR"
    # Zipf: the most popular course far ahead, the head of the catalogue holding most enrolments.
    per_course = [v for (v,) in _one("SELECT COUNT(*) c FROM learning_enrolment GROUP BY course_id ORDER BY c DESC")]
    assert per_course[0] > 10 * per_course[49]
    assert sum(per_course[:30]) / sum(per_course) > 0.5
    completions = _one("SELECT COUNT(*) FROM learning_enrolment WHERE completed_at IS NOT NULL")[0][0]
    assert 2.5 < completions / N < 3.5
    hours = _one("SELECT SUM(seconds) FROM learning_learningday")[0][0] / 3600
    assert 3.0 < hours / N < 4.6
    assert OrgRollup.objects.get(org_id=country.pk, metric="crt", grain="t").value == completions
    # Registrations grow from 3 % two years ago; the learning week draws a spike of enrolments.
    start = connection.ops.adapt_datetimefield_value(generated.start)
    early = _one("SELECT COUNT(*) FROM people_user WHERE created_via = 'generated' AND date_joined < %s", [start])[0][0]
    assert 0.02 < early / N < 0.04
    week = generated.week_start
    in_week = _one("SELECT COUNT(*) FROM learning_enrolment WHERE enrolled_at >= %s AND enrolled_at < %s",
                   [connection.ops.adapt_datetimefield_value(week),
                    connection.ops.adapt_datetimefield_value(week + dt.timedelta(days=9))])[0][0]
    month_before = _one("SELECT COUNT(*) FROM learning_enrolment WHERE enrolled_at >= %s AND enrolled_at < %s",
                        [connection.ops.adapt_datetimefield_value(week - dt.timedelta(days=30)),
                         connection.ops.adapt_datetimefield_value(week)])[0][0]
    assert in_week / 9 > 3 * month_before / 30
