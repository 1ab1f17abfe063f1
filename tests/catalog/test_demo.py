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
