"""Continue learning: her courses in progress with where to resume, assigned ones by due date (overdue first),
then by recency; the player's progress answer carries the share done and the items done; the completion banner
links her certificate once issued and a next course; empty pages offer courses to start with."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from saksham.learning import queries, services
from saksham.learning.models import Enrolment
from tests.learning.conftest import items_of


def _courses(build, publish, n, capture):
    out = []
    with capture(execute=True):
        for i in range(n):
            v = build(title=f"Course {i}", modules=1)
            publish(v)
            v.refresh_from_db()
            out.append(v.course)
    return out


def test_resume_point_and_order(build, publish, learner, people, event, django_capture_on_commit_callbacks):
    a, b, c, d = _courses(build, publish, 4, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    ea = services.enrolment_create(learner=learner, course=a)
    eb = services.enrolment_create(learner=learner, course=b, assigned_by=people["bihar_admin"],
                                   due_on=today + dt.timedelta(days=5))
    ec = services.enrolment_create(learner=learner, course=c, assigned_by=people["bihar_admin"], due_on=today)
    Enrolment.objects.filter(pk=ec.pk).update(due_on=today - dt.timedelta(days=1))      # the date has passed
    services.enrolment_create(learner=learner, course=d)
    video, page = items_of(a)
    # In a: she watched part of the video and stopped there; in d she finished the video (resume: the page).
    services.progress_record(learner=learner, events=[event(ea, video, percent=40, position=30, s=1)])
    dv, dp = items_of(d)
    ed = Enrolment.objects.get(learner=learner, course=d)
    services.progress_record(learner=learner, events=[event(ed, dv, percent=100, s=2)])
    Enrolment.objects.filter(pk=ea.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=2))
    rows = queries.continue_learning(learner)
    assert [r.course for r in rows] == [c.public_id, b.public_id, d.public_id, a.public_id]
    assert rows[0].overdue and not rows[1].overdue and rows[1].due_on == eb.due_on and rows[0].assigned
    assert rows[3].item == video.key and rows[3].item_title == "Video 1" and rows[3].percent == 0
    assert rows[2].item == dp.key and rows[2].percent == 50
    assert queries.continue_learning(learner, exclude=ec.pk, limit=1)[0].course == b.public_id


def test_home_card_and_my_learning_show_continue_links(client, build, publish, learner, people, event,
                                                       django_capture_on_commit_callbacks):
    (a,) = _courses(build, publish, 1, django_capture_on_commit_callbacks)
    e = services.enrolment_create(learner=learner, course=a, assigned_by=people["bihar_admin"],
                                  due_on=timezone.localdate())
    Enrolment.objects.filter(pk=e.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    video, page = items_of(a)
    services.progress_record(learner=learner, events=[event(e, video, percent=100, s=1),
                                                      event(e, page, percent=20, position=20, s=2)])
    client.force_login(learner)
    html = client.get(reverse("learning:continue")).content.decode()
    assert 'id="continue-learning"' in html and "Continue: Reading 1" in html and f"?item={page.key}" in html
    assert "50% done" in html and "Overdue" in html and "text-bg-danger" in html
    html = client.get(reverse("learning:mine")).content.decode()
    assert "Continue: Reading 1" in html and 'class="overdue"' in html
    assert 'hx-get="/learn/continue"' in client.get("/").content.decode()


def test_empty_my_learning_suggests_courses(client, build, publish, learner, django_capture_on_commit_callbacks):
    (a,) = _courses(build, publish, 1, django_capture_on_commit_callbacks)
    client.force_login(learner)
    for url in (reverse("learning:mine"), reverse("learning:continue")):
        html = client.get(url).content.decode()
        assert 'id="find-course"' in html and "You have no course in progress" in html
        assert f'/courses/{a.public_id}"' in html and "Course 0" in html
    services.enrolment_create(learner=learner, course=a)
    html = client.get(reverse("learning:mine")).content.decode()
    assert "You have no course in progress" not in html


def test_the_progress_answer_tells_the_share_done_and_items_done(api, course, learner, event):
    e = services.enrolment_create(learner=learner, course=course)
    first = items_of(course)[0]
    r = api.post("/learning/progress", {"events": [event(e, first, percent=100, s=1)]}, user=learner)
    assert r.status_code == 200
    (mine,) = r.json()["enrolments"]
    assert mine == {"id": str(e.public_id), "percent": 25, "completed": False, "done": [str(first.key)]}


def test_the_completion_banner_waits_for_then_links_the_certificate(client, course, learner, event, settings,
                                                                     django_capture_on_commit_callbacks):
    e = services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    url = reverse("learning:completion", args=[course.public_id])
    assert client.get(url).status_code == 404                     # not completed yet
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n)
                                                      for n, i in enumerate(items_of(course))])
    html = client.get(url).content.decode()                        # the pipeline has not run: it says so, polls
    assert "Course completed" in html and 'id="certificate-pending"' in html and "hx-trigger" in html
    assert 'id="next-course"' in html
    html = client.get(url + "?n=40").content.decode()              # two minutes on: stops asking, says where
    assert "hx-trigger" not in html and "taking longer than usual" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.post_completion_run(Enrolment.objects.get(pk=e.pk))
    html = client.get(url).content.decode()
    assert "certificate-link" in html and "/certificates/" in html and "hx-trigger" not in html
    player = client.get(reverse("learning:player", args=[course.public_id])).content.decode()
    assert "certificate-link" in player and 'id="completed-banner"' in player


def test_media_have_a_loading_line_and_an_error_message(client, course, learner):
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    html = client.get(reverse("learning:player", args=[course.public_id])).content.decode()
    assert 'id="media-loading"' in html and 'id="media-error"' in html and 'id="media-retry"' in html
    assert 'id="media-open" href="https://videos.example/intro.mp4"' in html
