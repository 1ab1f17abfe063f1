"""A learner whose designation has no role map still gets somewhere: the "for you" card says why and links her
profile, and offers the most popular courses in her language; an empty passport says what a passport is; an empty
certificates page says how to earn one."""

from django.urls import reverse

from saksham.learning import services as learning


def _published(build, publish, capture, title="Noting and drafting"):
    with capture(execute=True):
        v = build(title=title, modules=1)
        publish(v)
        v.refresh_from_db()
    return v.course


def test_no_role_map_offers_the_profile_and_popular_courses(client, build, publish, people,
                                                           django_capture_on_commit_callbacks):
    course = _published(build, publish, django_capture_on_commit_callbacks)
    her = people["bihar_learner"]
    her.designation = ""
    her.save()
    client.force_login(her)
    html = client.get(reverse("competencies:recommendations")).content.decode()
    assert 'id="tell-designation"' in html and "Tell us your designation" in html and 'href="/profile"' in html
    assert 'id="popular-courses"' in html and f"/courses/{course.public_id}" in html
    her.designation = "Record keeper"
    her.save()
    html = client.get(reverse("competencies:recommendations")).content.decode()
    assert "for your designation, Record keeper" in html and "Check my designation" in html


def test_empty_passport_explains_and_links_courses(client, build, publish, people,
                                                   django_capture_on_commit_callbacks):
    _published(build, publish, django_capture_on_commit_callbacks)
    client.force_login(people["hq_learner"])
    html = client.get(reverse("competencies:passport")).content.decode()
    assert 'id="passport-empty"' in html and "record of what you can do" in html
    assert 'href="/courses"' in html and 'id="popular-courses"' in html


def test_empty_certificates_say_how_to_earn_one(client, build, publish, people,
                                                django_capture_on_commit_callbacks):
    course = _published(build, publish, django_capture_on_commit_callbacks)
    her = people["hq_learner"]
    client.force_login(her)
    html = client.get(reverse("credentials:mine")).content.decode()
    assert 'id="no-certificates"' in html and "How to earn one" in html and 'id="closest"' not in html
    learning.enrolment_create(learner=her, course=course)
    html = client.get(reverse("credentials:mine")).content.decode()
    assert 'id="closest"' in html and "Noting and drafting" in html
