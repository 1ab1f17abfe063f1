"""The studio from the reviewer's seat: the pre-review checklist in plain sentences with a link to each fix, the
content of every item to preview, and notifications of each workflow step."""

from saksham.catalog import services
from saksham.catalog.models import ItemKind
from saksham.people.models import Notification
from tests.conftest import PASSWORD


def login(client, user):
    client.logout()
    assert client.login(email=user.email, password=PASSWORD)


def test_the_checklist_names_each_problem_by_title_and_links_to_its_fix(client, build, staff):
    v = build(modules=1, description="")
    services.module_add(actor=staff["creator"], version=v, title="Case studies")
    empty = v.modules.get(title="Case studies")
    services.translation_set(actor=staff["creator"], version=v, language="hi", texts={"title": "स्वच्छ भारत",
                                                                                       "summary": "सार"})
    v.translations.filter(language="hi", field="summary").delete()
    login(client, staff["creator"])
    page = client.get(f"/studio/versions/{v.public_id}").content.decode()
    assert "Write a description of the course." in page and 'href="#description"' in page
    assert "The module “Case studies” has no content yet" in page and f'href="#m-{empty.key}"' in page
    assert "The translation into हिन्दी has no summary." in page
    assert f'href="/studio/versions/{v.public_id}/translations/hi"' in page
    assert str(empty.key) not in page.split('id="checklist"')[1].split("</section>")[0].replace(
        f'href="#m-{empty.key}"', "").replace(f'data-field="modules.{empty.key}"', "")
    assert "modules." + str(empty.key) + ":" not in page
    # the API says the same in its details
    r = client.post(f"/api/v1/catalog/versions/{v.public_id}/submit")
    assert r.status_code == 422 and r.json()["details"][f"modules.{empty.key}"].startswith("The module “Case studies”")


def test_the_reviewer_previews_every_item(client, build, staff):
    v = build(modules=1)
    m = v.modules.first()
    services.item_add(actor=staff["creator"], module=m, kind=ItemKind.LINK,
                      data={"title": "The Act", "url": "https://rti.gov.in/act.html"})
    services.item_add(actor=staff["creator"], module=m, kind=ItemKind.DOCUMENT,
                      data={"title": "Handbook", "url": "https://rti.gov.in/handbook.pdf"})
    services.item_update(actor=staff["creator"], item=m.items.get(kind="page"),
                         data={"body": "<p>Read <strong>this</strong>.</p><script>alert(1)</script>"})
    services.version_submit(actor=staff["creator"], version=v)
    login(client, staff["reviewer"])
    page = client.get(f"/studio/versions/{v.public_id}").content.decode()
    assert '<div class="page-body"><p>Read <strong>this</strong>.</p></div>' in page and "alert(1)" not in page
    assert '<video controls preload="metadata" playsinline class="mw-100" src="https://videos.example/intro.mp4"' in page
    assert 'src="https://rti.gov.in/handbook.pdf"' in page and 'href="https://rti.gov.in/act.html"' in page
    assert 'id="review"' in page


def test_each_workflow_step_notifies_the_next_person(client, build, staff, mailoutbox=None):
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    to_reviewer = Notification.objects.get(recipient=staff["reviewer"])
    assert to_reviewer.kind == "course_workflow" and to_reviewer.url == f"/studio/versions/{v.public_id}"
    assert to_reviewer.title == "“Swachh Bharat Mission” is waiting for your review"
    assert not Notification.objects.filter(recipient=staff["creator"]).exists()
    assert not Notification.objects.filter(recipient=staff["other_reviewer"]).exists()    # another provider's
    services.version_review(actor=staff["reviewer"], version=v, approve=False, comments="Add a summary of phase 2.")
    back = Notification.objects.get(recipient=staff["creator"])
    assert back.title == "“Swachh Bharat Mission” was sent back with the reviewer's comments"
    assert "Add a summary of phase 2." in back.body
    services.version_submit(actor=staff["creator"], version=v)
    assert Notification.objects.filter(recipient=staff["reviewer"]).count() == 2          # the second submission too
    services.version_review(actor=staff["reviewer"], version=v, approve=True)
    assert Notification.objects.filter(recipient=staff["publisher"], title__contains="ready to publish").exists()
    services.version_publish(actor=staff["publisher"], version=v)
    assert Notification.objects.filter(recipient=staff["creator"], title="“Swachh Bharat Mission” is published").exists()
    # the reviewer opens it from her notifications and lands on the version
    login(client, staff["reviewer"])
    page = client.get("/notifications").content.decode()
    assert "is waiting for your review" in page


def test_a_notification_is_written_in_the_recipients_language(build, staff):
    staff["reviewer"].preferred_language = "hi"
    staff["reviewer"].save(update_fields=["preferred_language"])
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    n = Notification.objects.get(recipient=staff["reviewer"])
    assert "Swachh Bharat Mission" in n.title and "waiting for your review" not in n.title
