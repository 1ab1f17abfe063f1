"""A search card and the course page it opens show the same figures: the provider of the course opened, and the
learners, ratings and languages of the whole family (one course in several languages), on the pages and in
the API."""

import re

from saksham.catalog import services
from saksham.catalog.queries import SearchFilters, catalog_search
from saksham.people.models import Role


def test_the_card_and_the_page_it_opens_agree(client, build, publish, staff, other_provider, make_user):
    en = publish(build(title="Right to Information Act", summary="RTI for officers"))
    nifm = {r: make_user(f"{r}@nifm.gov.in", other_provider.org, role=role)
            for r, role in (("reviewer", Role.CONTENT_REVIEWER), ("publisher", Role.PUBLISHER))}
    hi = build(language="hi", title="सूचना का अधिकार अधिनियम", summary="अधिकारियों के लिए आरटीआई",
               translation_of=en.course, prov=other_provider, creator=staff["other_creator"],
               duration_minutes=75)
    services.version_submit(actor=staff["other_creator"], version=hi)
    services.version_review(actor=nifm["reviewer"], version=hi, approve=True)
    services.version_publish(actor=nifm["publisher"], version=hi)
    hi.refresh_from_db()
    # Learners and ratings as the learning and feedback apps hand them: per member of the family.
    services.course_stats_set(course=en.course, enrolment_count=1200, rating_avg=4.0, rating_count=10)
    services.course_stats_set(course=hi.course, enrolment_count=59, rating_avg=3.0, rating_count=30)

    hit = catalog_search(SearchFilters(q="information"), language="hi").items[0]
    assert hit.course == str(hi.course.public_id)                       # her language's course is opened
    assert hit.provider["name"] == other_provider.org.name and hit.duration_minutes == 75
    assert (hit.enrolment_count, hit.rating_count, round(hit.rating_avg, 2)) == (1259, 40, 3.25)

    learner = staff["learner"]
    client.force_login(learner)
    for lang, opened, provider_name in (("en", en, staff["creator"].org.name),
                                        ("hi", hi, other_provider.org.name)):
        type(learner).objects.filter(pk=learner.pk).update(preferred_language=lang)
        html = client.get("/courses?q=information", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        card = re.search(r'<li class="col course-hit">(.*?)</li>', html, re.S)[1]
        href = re.search(r'<h3 class="card-title"><a href="([^"]+)"', card)[1]
        assert href == f"/courses/{opened.course.public_id}"
        card_text = " ".join(card.split())
        page = client.get(href, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        page_provider = re.search(r'<p class="helptext"[^>]*>[^<]*: <strong>(.*?)</strong>', page)[1]
        stats = " ".join(re.search(r'<div class="stats"[^>]*>(.*?)\n</div>', page, re.S)[1].split())
        # provider, rating, rating count, learners, languages: the card's and the page's
        assert re.search(r'<p class="provider"[^>]*>(.*?)</p>', card)[1] == provider_name == page_provider, lang
        assert re.search(r"★ ([\d.]+) .*?\((\d+)\)", card_text).groups() == ("3.3", "40")
        assert re.search(r"★ ([\d.]+)</strong> (\d+)", stats).groups() == ("3.3", "40")
        assert re.search(r'class="learners">([\d,]+)', card_text)[1] == re.findall(r"<strong>([\d,]+)</strong>",
                                                                                  stats)[-1] == "1,259"
        assert len(re.findall(r'<span class="badge">', card)) == 2       # her language, and "also in 1 more"
        also = re.findall(r'<a class="badge also-lang" href="([^"]+)" lang="(\w+)"',
                          re.search(r'id="also-in"[^>]*>(.*?)</p>', page, re.S)[1])
        other = hi if opened is en else en
        assert [code for _h, code in also] == [other.language] and str(other.course.public_id) in also[0][0]

    data = client.get(f"/api/v1/catalog/courses/{hi.course.public_id}").json()
    assert (data["provider"]["name"], data["enrolment_count"], data["rating_count"], data["rating_avg"],
            data["family_languages"]) == (other_provider.org.name, 1259, 40, 3.25, ["en", "hi"])
    english = client.get(f"/api/v1/catalog/courses/{en.course.public_id}").json()
    assert (english["enrolment_count"], english["rating_count"], english["rating_avg"]) == (1259, 40, 3.25)
