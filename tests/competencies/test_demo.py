"""The demo ships a framework (3 areas, 55 competencies, 5 levels, English and Hindi), tags the demo courses with
levels, maps the demo designations, and the demo learner sees her gaps and courses that close them."""

from saksham.competencies import queries
from saksham.competencies.models import Element, Evidence, Framework, Position
from saksham.people.models import User


def test_the_demo_learner_sees_gaps_and_recommendations_that_close_them(db):
    from saksham.web import demo

    demo.build(learners=10)
    frame = Framework.objects.get(code="NCF-DEMO")
    assert frame.is_default and frame.languages == ["en", "hi"] and sorted(frame.levels) == ["1", "2", "3", "4", "5"]
    assert Element.objects.filter(framework=frame, kind="area").count() == 3
    comps = Element.objects.filter(framework=frame, kind="competency")
    assert comps.count() >= 30 and all(set(c.levels) == {"1", "2", "3", "4", "5"} and c.texts["hi"]["name"]
                                       for c in comps)
    learner = User.objects.get(email__startswith="learner@demo.")
    book = queries.passport(learner)
    kinds = set(Evidence.objects.filter(learner=learner).values_list("kind", flat=True))
    assert kinds == {"course", "institute", "self"}
    met = [n.code for n in book.required if not n.gap]
    assert "DC-SAN-01" in met and len(book.gaps) >= 5
    recs = queries.recommendations(learner)
    gap_codes = {n.code for n in book.gaps}
    assert recs and recs[0].reason == "gap" and set(recs[0].codes) <= gap_codes
    closing = [r for r in recs[:5] if r.why.startswith("Builds")]
    assert closing, [r.why for r in recs]
    counts = (Evidence.objects.count(), Position.objects.count(), Element.objects.count())
    demo.build(learners=10)  # idempotent
    assert (Evidence.objects.count(), Position.objects.count(), Element.objects.count()) == counts
