from saksham.catalog import queries
from saksham.catalog.models import Course, CourseVersion, Provider


def test_the_demo_publishes_a_multilingual_catalogue(db):
    from saksham.web import demo

    demo.build(learners=10)
    live = Course.objects.filter(live_version__isnull=False)
    assert live.count() >= 60 and Provider.objects.count() >= 10
    langs = set(CourseVersion.objects.filter(status="published").values_list("language", flat=True))
    assert {"en", "hi", "gu", "ta", "bn", "mr"} <= langs
    assert live.filter(translation_of__isnull=False).count() >= 10
    hit = queries.catalog_search(queries.SearchFilters(q="swachh bharat"), language="gu").items[0]
    assert hit.title == "સ્વચ્છ ભારત મિશન" and {"en", "hi", "gu", "bn", "ta", "mr"} <= set(hit.languages)
    before = live.count()
    demo.build(learners=10)  # idempotent
    assert Course.objects.filter(live_version__isnull=False).count() == before


def test_the_demo_leaves_work_waiting_for_each_studio_role(client, db):
    """The creator finds her new course sent back with the reviewer's comments (and a notification); the reviewer
    finds a new version of a published course in his queue, with its content to preview; both stay as they are
    when the demo is built again."""
    from saksham.catalog.workflow_demo import DRAFT_TITLE, REVIEW_COMMENTS
    from saksham.people.models import Notification, User
    from saksham.web import demo

    demo.build(learners=10)
    sent_back = CourseVersion.objects.get(title=DRAFT_TITLE)
    assert sent_back.status == "draft" and sent_back.review_comments == REVIEW_COMMENTS
    [in_review] = CourseVersion.objects.filter(status="in_review")
    assert in_review.number >= 2 and in_review.course.live_version.status == "published"
    creator = User.objects.get(email="creator@demo.gov.in")
    reviewer = User.objects.get(email="reviewer@demo.gov.in")
    assert Notification.objects.filter(recipient=creator, kind="course_workflow").exists()
    assert Notification.objects.filter(recipient=reviewer, kind="course_workflow").exists()
    client.force_login(reviewer)
    page = client.get(f"/studio/versions/{in_review.public_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="card preview"' in page
    client.force_login(creator)
    page = client.get(f"/studio/versions/{sent_back.public_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert REVIEW_COMMENTS in page.replace("&#x27;", "'")
    demo.build(learners=10)
    assert CourseVersion.objects.filter(status="in_review").count() == 1
    assert CourseVersion.objects.filter(title=DRAFT_TITLE).count() == 1
