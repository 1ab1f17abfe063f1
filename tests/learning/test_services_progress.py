"""Progress is saved as she goes: it never goes backwards, duplicates and late arrivals are harmless, time is
credited only as far as the heartbeats reach, and bad events are refused whole with nothing written."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.core.errors import ValidationFailed
from saksham.learning import queries, services
from saksham.learning.models import Enrolment, ItemProgress, LearningDay, ProgressEvent, Statement
from tests.learning.conftest import items_of


@pytest.fixture
def enrolment(course, learner):
    return services.enrolment_create(learner=learner, course=course)


def _p(enrolment, item):
    return ItemProgress.objects.get(enrolment=enrolment, item_key=item.key)


def test_percent_never_goes_backwards_and_position_follows_the_latest_event(enrolment, learner, course, event):
    video = items_of(course)[0]
    services.progress_record(learner=learner, events=[event(enrolment, video, percent=60, position=360, s=60)])
    # She seeks back to 2:00: the position follows her, the percent stays.
    services.progress_record(learner=learner, events=[event(enrolment, video, percent=20, position=120, s=90)])
    p = _p(enrolment, video)
    assert p.percent == 60 and p.position == 120
    # A late event (sent before the last one, arriving after it) moves nothing back.
    services.progress_record(learner=learner, events=[event(enrolment, video, percent=30, position=180, s=70)])
    p = _p(enrolment, video)
    assert p.percent == 60 and p.position == 120


def test_a_replayed_batch_changes_nothing(enrolment, learner, course, event):
    video = items_of(course)[0]
    batch = [event(enrolment, video, percent=p, position=p * 6, seconds=30, s=p) for p in (10, 40, 70)]
    first = services.progress_record(learner=learner, events=batch)
    assert first.accepted == 3 and first.duplicates == 0
    before = _p(enrolment, video)
    again = services.progress_record(learner=learner, events=batch)
    assert again.accepted == 0 and again.duplicates == 3 and again.credited_seconds == 0
    after = _p(enrolment, video)
    assert (after.percent, after.position, after.seconds_spent, after.events) == \
        (before.percent, before.position, before.seconds_spent, before.events)


def test_time_is_capped_by_the_gap_between_heartbeats_and_the_heartbeat_limit(enrolment, learner, course, event,
                                                                             settings):
    settings.LEARNING_MAX_HEARTBEAT_S = 60
    video = items_of(course)[0]
    r = services.progress_record(learner=learner, events=[
        event(enrolment, video, seconds=5000, s=0),        # first event: capped at 60
        event(enrolment, video, seconds=30, s=10),         # 10 s after the previous event: 10
        event(enrolment, video, seconds=30, s=40),         # 30 s later: 30
        event(enrolment, video, seconds=3600, s=3640),     # a tab left open for an hour: 60
    ])
    assert r.credited_seconds == 60 + 10 + 30 + 60
    assert _p(enrolment, video).seconds_spent == 160
    enrolment.refresh_from_db()
    assert enrolment.seconds_spent == 160
    assert sum(LearningDay.objects.filter(learner=learner).values_list("seconds", flat=True)) == 160
    # An event older than the last one credits nothing.
    assert services.progress_record(learner=learner, events=[event(enrolment, video, seconds=30, s=20)]) \
        .credited_seconds == 0


def test_she_resumes_at_the_item_and_position_she_left(enrolment, learner, course, event):
    video, page, video2, _ = items_of(course)
    services.progress_record(learner=learner, events=[
        event(enrolment, video, percent=100, position=600, s=0), event(enrolment, video2, percent=25, position=150,
                                                                       s=30)])
    state = queries.player_state(Enrolment.objects.get(pk=enrolment.pk))
    assert state["resume"] == video2.key
    by_key = {i.key: i for i in state["items"]}
    assert by_key[video2.key].position == 150 and by_key[video.key].done and not by_key[page.key].done


def _bad(enrolment, learner, events, code):
    before = (ItemProgress.objects.count(), ProgressEvent.objects.count(), LearningDay.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.progress_record(learner=learner, events=events)
    assert exc.value.code == code, exc.value.as_dict()
    assert (ItemProgress.objects.count(), ProgressEvent.objects.count(), LearningDay.objects.count()) == before
    return exc.value


def test_bad_events_refuse_the_whole_batch(enrolment, learner, course, event, build, publish, people):
    video = items_of(course)[0]
    good = event(enrolment, video, percent=10)
    other = build(title="Another course")
    publish(other)
    other.refresh_from_db()
    foreign_item = items_of(other.course)[0]
    err = _bad(enrolment, learner, [good, event(enrolment, foreign_item, percent=10)], "unknown_item")
    assert err.details[0]["index"] == 1 and err.field == "events.1.item"
    _bad(enrolment, learner, [event(enrolment, video, percent=101)], "percent_out_of_range")
    _bad(enrolment, learner, [event(enrolment, video, percent=-1)], "percent_out_of_range")
    _bad(enrolment, learner, [event(enrolment, video, position=10 * 60 + 60)], "position_out_of_range")
    _bad(enrolment, learner, [event(enrolment, video, position=-3)], "position_out_of_range")
    _bad(enrolment, learner, [event(enrolment, video, at=timezone.now() + dt.timedelta(hours=1))],
         "future_timestamp")
    _bad(enrolment, learner, [event(enrolment, video, seconds=-5)], "seconds_out_of_range")
    _bad(enrolment, learner, [{**good, "at": "yesterday"}], "invalid_timestamp")
    _bad(enrolment, learner, [{**good, "at": "2026-01-01T10:00:00"}], "invalid_timestamp")
    _bad(enrolment, learner, [{**good, "event_id": ""}], "invalid_event_id")
    _bad(enrolment, learner, [], "empty_batch")
    _bad(enrolment, learner, [good] * 501, "batch_too_large")
    # Someone else's enrolment is as good as missing.
    _bad(enrolment, people["hq_learner"], [good], "unknown_enrolment")


def test_progress_on_a_course_she_left_is_refused(enrolment, learner, course, event):
    services.enrolment_leave(learner=learner, enrolment=enrolment)
    _bad(enrolment, learner, [event(enrolment, items_of(course)[0], percent=10)], "not_enrolled")


def test_an_event_id_replayed_by_someone_else_neither_counts_nor_blocks(course, learner, people, event):
    mine = services.enrolment_create(learner=learner, course=course)
    theirs = services.enrolment_create(learner=people["hq_learner"], course=course)
    video = items_of(course)[0]
    # The other learner sends, first, an event with the id that her device will use.
    services.progress_record(learner=people["hq_learner"],
                             events=[event(theirs, video, percent=5, event_id="ev-1")])
    r = services.progress_record(learner=learner, events=[event(mine, video, percent=50, event_id="ev-1")])
    assert r.accepted == 1
    assert _p(mine, video).percent == 50 and _p(theirs, video).percent == 5


def test_the_course_completes_once_when_every_required_item_is_done(enrolment, learner, course, event, settings,
                                                                     django_capture_on_commit_callbacks):
    calls = []
    settings.POST_COMPLETION_STEPS = ["tests.learning.steps.record"]
    from tests.learning import steps

    steps.CALLS = calls
    items = items_of(course)
    with django_capture_on_commit_callbacks(execute=True):
        r = services.progress_record(learner=learner, events=[event(enrolment, i, percent=100, s=n * 10)
                                                              for n, i in enumerate(items[:3])])
    assert not r.completed and calls == []
    enrolment.refresh_from_db()
    assert enrolment.percent == 75 and enrolment.completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        r = services.progress_record(learner=learner, events=[event(enrolment, items[3], percent=100, s=100)])
    assert r.completed == [str(enrolment.public_id)]
    enrolment.refresh_from_db()
    assert enrolment.completed_at and enrolment.percent == 100 and enrolment.nominal_minutes == 90
    assert enrolment.pipeline_done_at is not None
    assert calls == [enrolment.pk]
    first = enrolment.completed_at
    # Done again (another device, a replay): nothing is recorded twice, the pipeline does not run again.
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_record(learner=learner, events=[event(enrolment, items[3], percent=100, s=200)])
        services.enrolment_refresh(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == first and calls == [enrolment.pk]
    assert Statement.objects.filter(enrolment=enrolment, verb="completed").count() == 1


def test_optional_items_are_not_needed_for_completion(build, publish, staff, learner, event):
    from saksham.catalog import services as catalog
    from saksham.catalog.models import ItemKind

    v = build(modules=1)
    catalog.item_add(actor=staff["creator"], module=v.modules.first(), kind=ItemKind.LINK,
                     data={"title": "Further reading", "url": "https://example.org", "settings": {"optional": True}})
    publish(v)
    v.refresh_from_db()
    e = services.enrolment_create(learner=learner, course=v.course)
    required = [i for i in items_of(v.course) if i.required]
    assert len(required) == 2
    r = services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n) for n, i in
                                                          enumerate(required)])
    assert r.completed


def test_the_pipeline_is_idempotent_and_resumes_after_a_crash(enrolment, learner, course, event, settings):
    from tests.learning import steps

    steps.CALLS = []
    settings.POST_COMPLETION_STEPS = ["tests.learning.steps.record", "tests.learning.steps.crash_once"]
    steps.CRASHED = False
    services.progress_record(learner=learner, events=[event(enrolment, i, percent=100, s=n)
                                                      for n, i in enumerate(items_of(course))])
    enrolment.refresh_from_db()
    with pytest.raises(RuntimeError):
        services.post_completion_run(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.pipeline_done_at is None
    services.post_completion_run(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.pipeline_done_at is not None and steps.CALLS == [enrolment.pk, enrolment.pk]


def test_hours_this_week_month_and_year(enrolment, learner, course, event, settings):
    settings.LEARNING_MAX_HEARTBEAT_S = 3600
    video = items_of(course)[0]
    now = timezone.now()
    services.progress_record(learner=learner, events=[
        event(enrolment, video, seconds=1800, at=now - dt.timedelta(minutes=1)),
        event(enrolment, items_of(course)[1], seconds=1800, at=now - dt.timedelta(seconds=10))])
    LearningDay.objects.create(learner=learner, day=timezone.localdate() - dt.timedelta(days=400), seconds=7200)
    hours = queries.hours_summary(learner)
    assert hours["week"]["spent_hours"] == 1.0 and hours["year"]["spent_hours"] == 1.0
    assert hours["total"]["spent_hours"] == 3.0
    assert hours["week"]["nominal_hours"] == 0


CREDITED: list = []


def collect_credits(credits):
    CREDITED.extend(credits)


def failing_step(credits):
    from saksham.learning.models import LearningDay

    LearningDay.objects.all().delete()        # a step gone wrong: rolled back to its savepoint
    raise RuntimeError("boom")


def test_credited_seconds_reach_the_time_steps_per_course_version_and_day(enrolment, learner, course, event,
                                                                          settings):
    settings.LEARNING_TIME_STEPS = ["tests.learning.test_services_progress.collect_credits"]
    CREDITED.clear()
    video = items_of(course)[0]
    batch = [event(enrolment, video, seconds=20, s=0), event(enrolment, video, seconds=30, s=30)]
    r = services.progress_record(learner=learner, events=batch)
    assert [(c.learner_id, c.org_id, c.version_id, c.seconds) for c in CREDITED] == \
        [(learner.pk, learner.org_id, course.live_version_id, r.credited_seconds)]
    assert sum(c.seconds for c in CREDITED) == LearningDay.objects.get(learner=learner).seconds
    # A replay credits nothing, so the steps hear nothing.
    CREDITED.clear()
    services.progress_record(learner=learner, events=batch)
    assert CREDITED == []


def test_a_failing_time_step_never_costs_the_learner_her_progress(enrolment, learner, course, event, settings):
    settings.LEARNING_TIME_STEPS = ["tests.learning.test_services_progress.failing_step",
                                    "tests.learning.test_services_progress.collect_credits"]
    CREDITED.clear()
    video = items_of(course)[0]
    r = services.progress_record(learner=learner, events=[event(enrolment, video, percent=40, seconds=20)])
    assert r.accepted == 1 and _p(enrolment, video).percent == 40
    assert LearningDay.objects.get(learner=learner).seconds == r.credited_seconds      # the step's harm undone
    assert len(CREDITED) == 1                                                          # the next step still ran


def test_the_sweep_requeues_pipelines_unfinished_past_the_bound(enrolment, learner, course, event, settings,
                                                                   monkeypatch):
    from types import SimpleNamespace

    from saksham.learning import pipeline

    services.progress_record(learner=learner, events=[event(enrolment, i, percent=100, s=n)
                                                      for n, i in enumerate(items_of(course))])
    settings.PIPELINE_STALL_AFTER_S = 60
    queued: list[str] = []
    monkeypatch.setattr(pipeline, "post_completion", SimpleNamespace(enqueue=queued.append))
    # A dead worker left it unfinished, half a minute ago: not yet stalled.
    Enrolment.objects.filter(pk=enrolment.pk).update(pipeline_done_at=None,
                                                     completed_at=timezone.now() - dt.timedelta(seconds=30))
    assert pipeline.resume_post_completion() == 0 and queued == []
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now() - dt.timedelta(seconds=61))
    assert pipeline.resume_post_completion() == 1 and queued == [str(enrolment.public_id)]
    # Done: never again.
    Enrolment.objects.filter(pk=enrolment.pk).update(pipeline_done_at=timezone.now())
    assert pipeline.resume_post_completion() == 0
