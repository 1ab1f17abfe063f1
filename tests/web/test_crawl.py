"""Every page a visitor can reach by following links, as every role of the demo deployment and in each interface
language: no server error, no broken internal link, no template left unrendered.

The crawl starts at the home page and follows the internal links of each HTML page breadth-first, and the
fragments and chart data it loads (hx-get, data-src), GET only (sign
out and the links that change or download things are left alone). Pages of one shape (the same path with other
ids or codes, the same query keys) are visited a few times, not once per row, so the crawl stays small."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from saksham.people.models import User

PASSWORD = "Saksham-demo-2026"
ROLES = ["admin", "state.admin", "ministry.admin", "mdo.admin", "creator", "reviewer", "publisher", "learner"]

# Links a crawler must not follow: they sign out, change things on GET-like forms, or download files.
SKIP = re.compile(r"/(logout|revoke|finalise|leave|enrol|read|open)(/|$)|^/admin/|\.(pdf|json|csv|xlsx|svg)$"
                  r"|/export|/file$")
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
CODE = re.compile(r"(?<=/)[A-Z][A-Z0-9-]+(?=/|$)")
UNRENDERED = re.compile(r"\{\{|\{%|%\}|\}\}")
PER_SHAPE = 2
MAX_PAGES = 120


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("hx-get", "data-src"):   # fragments and chart data the page loads
            if attrs.get(name):
                self.links.append(attrs[name])


def _shape(path: str, query: str) -> str:
    keys = sorted(p.split("=")[0] for p in query.split("&") if p)
    return CODE.sub("<code>", UUID.sub("<id>", path)) + "?" + "&".join(keys)


def _visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def crawl(client: Client, language: str) -> tuple[list[str], list[str]]:
    """(the pages visited, the problems found) of a breadth-first walk from the home page."""
    seen, shapes = {"/"}, Counter()
    queue: deque[tuple[str, str]] = deque([("/", "")])
    visited, problems = [], []
    while queue and len(visited) < MAX_PAGES:
        url, came_from = queue.popleft()
        r = client.get(url)
        visited.append(url)
        if r.status_code >= 500 or r.status_code == 404:
            problems.append(f"{r.status_code} {url} (linked from {came_from})")
            continue
        if r.status_code in (301, 302):
            target = r["Location"]
            if not urlsplit(target).netloc and target not in seen:
                seen.add(target)
                queue.append((target, url))
            continue
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        html = r.content.decode()
        if "<html" in html and f'<html lang="{language}"' not in html:   # a whole page, not a fragment
            problems.append(f"{url}: not in {language}")
        if UNRENDERED.search(_visible_text(html)):
            problems.append(f"{url}: template syntax shown on the page")
        parser = _Links()
        parser.feed(html)
        for href in parser.links:
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            parts = urlsplit(urljoin(f"http://testserver{url}", href))
            if parts.netloc != "testserver" or SKIP.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen:
                continue
            shape = _shape(parts.path, parts.query)
            shapes[shape] += 1
            if shapes[shape] > PER_SHAPE:
                continue
            seen.add(link)
            queue.append((link, url))
    return visited, problems


@pytest.fixture
def deployment(db, django_capture_on_commit_callbacks):
    """The demo deployment with a few learners; the post-completion pipelines run (certificates issued)."""
    from saksham.web import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.build(learners=10)


def _client(role: str | None, language: str) -> Client:
    client = Client()
    client.cookies["saksham_language"] = language
    if role is not None:
        email = f"{role}@demo.gov.in"
        User.objects.filter(email=email).update(preferred_language=language)
        assert client.login(email=email, password=PASSWORD), email
    return client


def test_every_role_reaches_its_pages_without_errors_or_broken_links(deployment):
    problems, reached = [], {}
    for role in [None, *ROLES]:
        visited, found = crawl(_client(role, "en"), "en")
        problems += [f"[{role or 'anonymous'}] {p}" for p in found]
        reached[role] = {_shape(urlsplit(u).path, "") for u in visited}
    assert not problems, "\n".join(problems)
    # What each role must find from the navigation.
    learner = reached["learner"]
    for shape in ("/courses?", "/learn?", "/certificates?", "/certificates/<id>?", "/competencies/passport?", "/notifications?",
                  "/weeks/<id>?", "/profile?"):
        assert shape in learner, shape
    for role in ("admin", "state.admin", "ministry.admin", "mdo.admin"):
        for shape in ("/people?", "/people/imports?", "/insights/?", "/learn/plans?", "/competencies/coverage?"):
            assert shape in reached[role], (role, shape)
    for role in ("creator", "reviewer", "publisher"):
        assert "/studio?" in reached[role], role
    assert "/people?" not in learner and "/studio?" not in learner


def test_the_pages_in_hindi_and_gujarati(deployment):
    problems = []
    for language in ("hi", "gu"):
        for role in (None, "learner", "admin", "creator"):
            _visited, found = crawl(_client(role, language), language)
            problems += [f"[{role or 'anonymous'} {language}] {p}" for p in found]
    assert not problems, "\n".join(problems)
