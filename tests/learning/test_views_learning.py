"""The web pages: she enrols from the player page, sees the player with her progress, leaves; My learning
lists her courses and hours."""

from django.urls import reverse

from saksham.learning import services
from saksham.learning.models import Enrolment
from tests.learning.conftest import items_of


def test_she_enrols_from_the_player_page_and_sees_the_player(client, course, learner):
    client.force_login(learner)
    url = reverse("learning:player", args=[course.public_id])
    r = client.get(url)
    assert r.status_code == 200 and b'id="enrol"' in r.content
    r = client.post(reverse("learning:enrol", args=[course.public_id]), follow=True)
    assert r.status_code == 200 and b'id="player"' in r.content
    e = Enrolment.objects.get(learner=learner)
    assert str(e.public_id).encode() in r.content and b"Video 1" in r.content
    second = items_of(course)[1]
    r = client.get(url + f"?item={second.key}")
    assert f'data-item="{second.key}"'.encode() in r.content and b'id="page-body"' in r.content
    assert client.get(url + "?item=garbage").status_code == 200


def test_my_learning_lists_her_courses_and_hours(client, course, learner, event):
    e = services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    r = client.get(reverse("learning:mine"))
    assert r.status_code == 200 and b"Right to Information" in r.content and b'id="continue-learning"' in r.content
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n)
                                                      for n, i in enumerate(items_of(course))])
    r = client.get(reverse("learning:mine"))
    assert b'id="completed"' in r.content


def test_leaving_from_the_player(client, course, learner):
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    r = client.post(reverse("learning:leave", args=[course.public_id]), follow=True)
    assert r.status_code == 200
    assert Enrolment.objects.get(learner=learner).state == "left"
    r = client.get(reverse("learning:player", args=[course.public_id]))
    assert b"Resume this course" in r.content


def test_pages_need_a_signed_in_learner_and_a_live_course(client, build, learner):
    draft = build()
    assert client.get(reverse("learning:mine")).status_code == 302
    client.force_login(learner)
    assert client.get(reverse("learning:player", args=[draft.course.public_id])).status_code == 404


def test_operators_see_learning_in_the_django_admin(client, course, learner, people):
    services.enrolment_create(learner=learner, course=course)
    people["platform"].is_staff = people["platform"].is_superuser = True
    people["platform"].save()
    client.force_login(people["platform"])
    for model in ("enrolment", "question", "attempt", "karmaentry", "coursepolicy"):
        assert client.get(f"/admin/learning/{model}/").status_code == 200


def test_her_admin_approves_a_seat_request_on_the_web(client, course, learner, people, staff):
    services.course_policy_set(actor=staff["creator"], course=course, enrolment="moderated")
    e = services.enrolment_create(learner=learner, course=course)
    client.force_login(people["gujarat_admin"])
    assert b"Ravi" not in client.get(reverse("learning:requests")).content
    client.post(reverse("learning:decide", args=[e.public_id]), {"approve": "1"})
    e.refresh_from_db()
    assert e.state == "requested"
    client.force_login(people["bihar_admin"])
    assert b"Ravi" in client.get(reverse("learning:requests")).content
    client.post(reverse("learning:decide", args=[e.public_id]), {"approve": "1"})
    e.refresh_from_db()
    assert e.state == "active"
    client.force_login(learner)
    assert client.get(reverse("learning:requests")).status_code == 404


def test_the_course_page_offers_enrolment_then_her_progress(client, course, learner, event):
    page = reverse("catalog:course", args=[course.public_id])
    r = client.get(page)
    assert b'id="course-panel"' in r.content and b"Sign in to enrol" in r.content
    client.force_login(learner)
    r = client.get(page)
    assert b'id="enrol"' in r.content
    client.post(reverse("learning:enrol", args=[course.public_id]))
    e = Enrolment.objects.get(learner=learner)
    services.progress_record(learner=learner, events=[event(e, items_of(course)[0], percent=100)])
    r = client.get(page)
    assert b'id="continue"' in r.content and b'value="25"' in r.content


def test_a_page_a_learner_may_see_but_not_act_on_answers_403_not_a_server_error(client, course, learner):
    """She may see her own enrolment but not decide it as an admin would: the page answers the 403 page in her
    language (a domain error a view lets through never becomes a 500)."""
    e = services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    r = client.post(reverse("learning:decide", args=[e.public_id]), {"approve": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403
    r = client.post(reverse("learning:decide", args=["01a24909-0000-7000-8000-000000000000"]), {"approve": "1"})
    assert r.status_code == 404
