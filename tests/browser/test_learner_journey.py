"""In a real browser (Debian's Chromium through Playwright): a learner enrols, watches a video part-way, closes
the tab, comes back to the same place, reads a page, passes the quiz and sees the course completed.

The "video" is a generated WAV file (the media element plays it like a video; Debian's Chromium has no
proprietary codecs) served with byte ranges so that it can be seeked."""

import http.server
import io
import re
import threading
import wave

import pytest

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import services as learning
from saksham.learning.models import Enrolment, ItemProgress
from tests.browser_support import open_page, shot, sign_in, wait_until  # (skips without Chromium)
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)
learner = _learning.learner


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wav(seconds: int = 180, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes([128]) * seconds * rate)
    return buf.getvalue()


@pytest.fixture(scope="module")
def media_url():
    """A tiny HTTP server for the media file, with Range support (seeking needs it)."""
    data = _wav()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            rng = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            start, end = (int(rng.group(1)), int(rng.group(2) or len(data) - 1)) if rng else (0, len(data) - 1)
            self.send_response(206 if rng else 200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if rng:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            self.end_headers()
            self.wfile.write(data[start:end + 1])

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/lecture.wav"
    server.shutdown()


@pytest.fixture
def course(build, publish, staff, media_url):
    from tests.learning.conftest import QUESTIONS

    v = build(title="Right to Information", modules=0, duration_minutes=30)
    m = catalog.module_add(actor=staff["creator"], version=v, title="The Act")
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.VIDEO,
                     data={"title": "Lecture", "url": media_url, "duration_minutes": 3})
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE,
                     data={"title": "Reading", "body": "<p>Section 6: the request.</p>"})
    qs = {k: learning.question_create(actor=staff["creator"], course=v.course, kind=k, data=dict(d))
          for k, d in QUESTIONS if k in ("single", "true_false")}
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.QUIZ,
                     data={"title": "Final quiz", "settings": {"pass_percent": 100, "max_attempts": 3,
                                                               "time_limit_s": 600}})
    publish(v)
    v.refresh_from_db()
    return v.course, qs


def test_a_learner_plays_through_a_course_and_comes_back_to_the_same_place(browser, live_server, course, learner):
    course, qs = course
    base = live_server.url
    page = open_page(browser)
    context = page.context
    sign_in(page, base, learner.email)

    page.goto(f"{base}/learn/courses/{course.public_id}")
    page.click("#enrol")
    page.wait_for_selector("#video")
    shot(page, "journey-en-video")
    # She watches to 1:35 (seeking stands in for watching), then closes the tab.
    page.wait_for_function("document.getElementById('video').readyState >= 1")
    page.evaluate("document.getElementById('video').currentTime = 95")
    video_key = page.get_attribute("#player", "data-item")
    wait_until(lambda: ItemProgress.objects.filter(item_key=video_key, position__gte=94).exists())
    page.close(run_before_unload=True)

    # She comes back (a new tab): the player opens at the video, at 1:35.
    page = context.new_page()
    page.goto(f"{base}/learn/courses/{course.public_id}")
    assert page.get_attribute("#player", "data-item") == video_key
    page.wait_for_function("Math.abs(document.getElementById('video').currentTime - 95) < 1")
    shot(page, "journey-en-video-resumed")
    page.click("#mark-done")
    page.wait_for_selector(".outline li.done")
    page.click("#next")
    page.wait_for_selector("#page-body")
    shot(page, "journey-en-page")
    page.click("#mark-done")
    page.wait_for_function("document.querySelectorAll('.outline li.done').length == 2")
    page.click("#next")

    # The quiz: one wrong answer fails it; she tries again and passes.
    page.click("#quiz-start")
    single, tf = str(qs["single"].public_id), str(qs["true_false"].public_id)
    page.check(f'[data-question="{single}"] input[value="b"]')
    page.check(f'[data-question="{tf}"] input[value="true"]')
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.wrong")
    shot(page, "journey-en-quiz-failed")
    page.click("#quiz-again")
    page.check(f'[data-question="{single}"] input[value="a"]')
    page.check(f'[data-question="{tf}"] input[value="true"]')
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.right")
    assert "Section 12(3)" in page.inner_text("#quiz-solutions")
    page.wait_for_selector("#completed-banner:not([hidden])")
    shot(page, "journey-en-completed")
    e = Enrolment.objects.get(learner=learner, course=course)
    assert e.completed_at is not None and e.percent == 100

    page.goto(f"{base}/learn")
    assert "Right to Information" in page.inner_text("#completed")
    shot(page, "journey-en-my-learning")
    context.close()
