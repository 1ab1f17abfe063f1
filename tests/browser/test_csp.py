"""In Chromium, with the Content-Security-Policy on: every role walks its main pages of the demo deployment (home,
catalogue, a course, the player with a video, a document and a quiz, the studio and the quiz editor, the dashboards
with their charts and map, the certificate and the verify pages, the API docs) and not one thing on them is refused
by the policy (no securitypolicyviolation event in any frame, no policy error in the console). Then a script put in
free text (a person's name, a course title, a review) is shown as text and never runs."""

import re

import pytest

from saksham.catalog.models import ContentItem, CourseVersion, ItemKind
from saksham.credentials.models import Certificate
from saksham.feedback.models import Rating
from saksham.learning.demo import demo_quizzes, quiz_course
from saksham.people.models import User
from tests.browser_support import shot, sync_api  # importing it skips this module without Chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Saksham-demo-2026"

# Run in every frame before its own scripts: what the policy refuses is kept in window.__csp.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " + (e.sourceFile || "")
                    + ":" + e.lineNumber);
});
"""


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


class Walk:
    """A signed-in browser context that records every refusal of the policy, page by page."""

    def __init__(self, browser, base: str, email: str | None):
        self.base, self.problems, self.pages = base, [], 0
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-IN")
        self.context.set_default_timeout(20_000)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.where = "/login (signing in)"
        if email:
            self.page.goto(f"{base}/login")
            self.page.fill("#id_email", email)
            self.page.fill("#id_password", PASSWORD)
            self.page.locator("main button[type=submit]").click()
            self.page.wait_for_url(f"{base}/")

    def _console(self, message):
        text = message.text
        if message.type in ("error", "warning") and re.search(r"Content.Security.Policy|Permissions.Policy", text):
            self.problems.append(f"{self.where}: console: {text}")

    def visit(self, path: str, ready: str | None = None, idle: bool = False):
        self.where = path
        response = self.page.goto(f"{self.base}{path}")
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        if ready:
            self.page.wait_for_selector(ready)
        if idle or self.page.locator("[hx-trigger*=load], [data-chart]").count():
            self.page.wait_for_load_state("networkidle")
        self.check()
        self.pages += 1

    def check(self):
        for frame in self.page.frames:
            try:
                found = frame.evaluate("window.__csp || []")
            except sync_api.Error:          # a frame showing a PDF or media has no script context
                continue
            self.problems.extend(f"{self.where}: {v}" for v in found)

    def close(self):
        self.page.goto("about:blank")
        self.page.wait_for_timeout(500)     # the player's last progress request ends before the database is emptied
        self.context.close()


def _item(course, kind):
    return ContentItem.objects.filter(module__version=course.live_version, kind=kind).order_by(
        "module__position", "position").first()


def test_no_page_of_any_role_trips_the_policy(browser, live_server, deployment):
    base, problems, pages = live_server.url, [], 0
    course = quiz_course(demo_quizzes()[-1])              # the demo learner is enrolled in it
    video, document, quiz = (_item(course, k) for k in (ItemKind.VIDEO, ItemKind.DOCUMENT, ItemKind.QUIZ))
    learner = User.objects.get(email="learner@demo.gov.in")
    certificate = Certificate.objects.filter(learner=learner).first() or Certificate.objects.first()
    assert certificate is not None
    in_review = CourseVersion.objects.filter(status="in_review").first()
    quiz_draft = ContentItem.objects.filter(kind=ItemKind.QUIZ, module__version__status="draft").first()

    walks = {
        None: [("/", None), ("/courses", None), (f"/courses/{course.public_id}", None), ("/verify", None),
               (f"/verify/{certificate.public_id}", "#verdict"), ("/numbers", None), ("/login", None),
               ("/register", None), ("/api/docs", "#swagger-ui .information-container")],
        "learner@demo.gov.in": [
            ("/", None), ("/courses?q=policy", None), (f"/courses/{course.public_id}", None), ("/learn", None),
            (f"/learn/courses/{course.public_id}?item={video.key}", "#video"),
            (f"/learn/courses/{course.public_id}?item={document.key}", "#document[src]"),
            (f"/learn/courses/{course.public_id}?item={quiz.key}", "#quiz-facts"),
            ("/certificates", None), (f"/certificates/{certificate.public_id}", "#certificate"),
            ("/competencies/passport", None), ("/weeks", None), ("/learn/points", None), ("/notifications", None),
            ("/profile", None)],
        "creator@demo.gov.in": [("/studio", None), ("/studio/new", None)]
        + ([(f"/studio/versions/{quiz_draft.module.version.public_id}", None),
            (f"/studio/versions/{quiz_draft.module.version.public_id}/quiz/{quiz_draft.key}", None)]
           if quiz_draft else []),
        "reviewer@demo.gov.in": [("/studio", None)]
        + ([(f"/studio/versions/{in_review.public_id}", ".item-preview")] if in_review else []),
        "publisher@demo.gov.in": [("/studio", None), ("/insights/providers/", None)],
        "mdo.admin@demo.gov.in": [("/insights/", None), ("/people", None), ("/people/imports", None),
                                  ("/learn/plans", None), ("/competencies/frameworks", None)],
        "state.admin@demo.gov.in": [("/insights/", "[data-chart=map][data-rendered]"), ("/insights/people", None)],
        "admin@demo.gov.in": [("/insights/", "[data-chart][data-rendered]"), ("/insights/breakdown", None),
                              ("/orgs", None), ("/weeks/new", None), ("/certificates/events", None),
                              ("/admin/", None)],
    }
    for email, paths in walks.items():
        walk = Walk(browser, base, email)
        for path, ready in paths:
            walk.visit(path, ready)
            if path.endswith(f"item={quiz.key}") and walk.page.locator("#quiz-start").count():
                walk.page.click("#quiz-start")
                walk.page.wait_for_selector("#quiz-form")
                walk.check()
            if path.startswith("/verify/"):
                shot(walk.page, "csp-verify")
        # The drop-off chart of a provider's course is drawn when its row is opened (charts.js, no inline script).
        if email == "publisher@demo.gov.in":
            link = walk.page.locator("a[href^='/insights/providers/']").first
            if link.count():
                walk.visit(link.get_attribute("href"))
                details = walk.page.locator("details:has([data-lazy])").first
                if details.count():
                    details.locator("summary").click()
                    walk.page.wait_for_selector("details[open] [data-lazy][data-rendered]")
                    walk.check()
        problems += walk.problems
        pages += walk.pages
        walk.close()
    assert pages >= 40, pages
    assert not problems, "\n".join(problems)


XSS = "<script>window.__xss=1</script><img/src=x/onerror=window.__xss=2>"


def test_a_script_in_free_text_is_shown_as_text_and_never_runs(browser, live_server, deployment):
    base = live_server.url
    course = quiz_course(demo_quizzes()[-1])
    User.objects.filter(email="learner@demo.gov.in").update(full_name=f"{XSS} Sharma")
    CourseVersion.objects.filter(pk=course.live_version_id).update(title=f"{XSS} Course")
    learner = User.objects.get(email="learner@demo.gov.in")
    Rating.objects.update_or_create(course=course, learner=learner, defaults={"stars": 4, "review": f"{XSS} review"})

    walk = Walk(browser, base, "learner@demo.gov.in")
    for path in ("/", f"/courses/{course.public_id}", "/learn", f"/learn/courses/{course.public_id}", "/profile"):
        walk.visit(path)
        assert walk.page.evaluate("window.__xss") is None, path
    walk.visit(f"/courses/{course.public_id}")
    text = walk.page.inner_text("body")
    assert "<script>window.__xss=1</script>" in text               # her name in the menu, the title, the review
    assert text.count("window.__xss") >= 4, text.count("window.__xss")
    shot(walk.page, "csp-script-as-text")
    assert not walk.problems, walk.problems          # escaped, so nothing even reached the policy

    # Had one slipped through the escaping, the policy refuses it: markup added to the page runs no script.
    walk.page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        '<img src="data:," onerror="window.__xss=3"><div id="probe"></div>');
        var s = document.createElement("script"); s.textContent = "window.__xss = 4"; document.body.appendChild(s);""")
    walk.page.wait_for_timeout(300)
    assert walk.page.evaluate("window.__xss") is None
    assert any("script-src" in v for v in walk.page.evaluate("window.__csp")), walk.page.evaluate("window.__csp")
    walk.close()

    admin = Walk(browser, base, "mdo.admin@demo.gov.in")
    admin.visit(f"/people?q={learner.email}")
    assert admin.page.evaluate("window.__xss") is None
    assert "<script>window.__xss=1</script>" in admin.page.inner_text("main")
    admin.close()
