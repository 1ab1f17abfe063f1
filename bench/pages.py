"""The learner's pages at national scale: every page a learner opens, signed in, served by granian (2 workers) on
a generated deployment (`saksham generate`: states, ministries, courses, enrolments, hours, certificates).

Figures (each with its baseline measured in the same run, on the same machine, through the same server):

  pages.<page>_p95_ms   95th percentile of the time to the whole answer of one page (home, the catalogue, a
                        course page, My learning, the player, certificates, passport, learning weeks, points,
                        the home page's recommendations, notifications, profile), one request at a time, for learners drawn at random among those
                        with enrolments, each in her own UI language (en, hi, gu in turn), against the p95 of a
                        hello-world Django view
  pages.p95_ms          the worst of those p95s (the target is under 200 ms at 1 M learners)

    saksham bench pages [--size N]        (default 1,000,000 learners)
    SAKSHAM_BENCH_DATABASE_URL=postgres://... saksham bench pages     (the same on an empty PostgreSQL database)

The deployment is generated on the bench's scratch database, or reused: point SAKSHAM_BENCH_DATABASE_URL at a
database that already holds a generated deployment to skip the generation.
"""

from __future__ import annotations

import http.client
import os
import random
import sys
import time

DEFAULT_SIZE = 1_000_000
LEARNERS = 30
ROUNDS = 3
SEED = 2026
LANGS = ("en", "hi", "gu")


def _err(*parts) -> None:
    print("[pages]", *parts, file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def _learners(n: int) -> list[dict]:
    """``n`` generated learners with at least one enrolment, each with a session cookie and one of her courses."""
    from django.conf import settings
    from django.test import Client

    from saksham.learning.models import Enrolment
    from saksham.people.models import User

    rng = random.Random(SEED)
    last = User.objects.filter(created_via="generated").order_by("-id").values_list("id", flat=True).first() or 0
    picked, seen, tries = [], set(), 0
    while len(picked) < n and tries < n * 50:
        tries += 1
        enrolment = (Enrolment.objects.filter(learner_id__gte=rng.randint(1, max(1, last)))
                     .select_related("course", "learner").order_by("learner_id").first())
        if enrolment is None or enrolment.learner_id in seen:
            continue
        seen.add(enrolment.learner_id)
        learner: User = enrolment.learner
        lang = LANGS[len(picked) % len(LANGS)]
        if learner.preferred_language != lang:
            User.objects.filter(pk=learner.pk).update(preferred_language=lang)
        client = Client()
        client.force_login(learner)   # a session row the server reads like any other
        picked.append({"cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
                                 f"{settings.LANGUAGE_COOKIE_NAME}={lang}",
                       "course": str(enrolment.course.public_id)})
    if not picked:
        raise RuntimeError("the deployment has no enrolments: generate one first (saksham generate)")
    return picked


def _pages(learner: dict) -> list[tuple[str, str]]:
    c = learner["course"]
    return [("home", "/"), ("catalogue", "/courses"), ("search", "/courses?q=governance"),
            ("course", f"/courses/{c}"), ("my_learning", "/learn"), ("player", f"/learn/courses/{c}"),
            ("certificates", "/certificates"), ("passport", "/competencies/passport"), ("weeks", "/weeks"),
            ("points", "/learn/points"),
            ("recommendations", "/competencies/recommendations"), ("notifications", "/notifications"), ("profile", "/profile")]


def _get(conn, path: str, cookie: str | None = None) -> tuple[int, float]:
    s = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = conn.getresponse()
    r.read()
    return r.status, (time.perf_counter() - s) * 1000


def run(size: int, out) -> None:
    from django.core.management import call_command
    from django.db import connection

    from saksham.orgs.models import Org

    call_command("migrate", verbosity=0, interactive=False)
    if not Org.objects.filter(code__startswith="G-").exists():
        _err(f"generating {size:,} learners (set SAKSHAM_BENCH_DATABASE_URL to reuse a generated database)")
        call_command("generate", learners=size, stdout=sys.stderr)
    learners = _learners(LEARNERS)
    _err(f"{len(learners)} learners signed in ({connection.vendor})")
    connection.close()
    call_command("collectstatic", interactive=False, verbosity=0)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _serve as serving

    port = serving.free_port()
    server = serving.start(port, 2)
    times: dict[str, list[float]] = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for learner in learners[:4]:                       # warm both workers and their caches
            for _, path in _pages(learner):
                _get(conn, path, learner["cookie"])
        hello = [_get(conn, "/bench/hello")[1] for _ in range(300)]
        for _ in range(ROUNDS):
            for learner in learners:
                for name, path in _pages(learner):
                    status, ms = _get(conn, path, learner["cookie"])
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status} to a signed-in learner")
                    times.setdefault(name, []).append(ms)
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    base = _p95(hello)
    _err(f"hello-world p95 {base:.2f} ms; {sum(len(v) for v in times.values()):,} page loads")
    for name, values in times.items():
        p = _p95(values)
        out.write(f"pages.{name}_p95_ms: {p:.1f} ms (ratio {p / base:.1f} to hello-world endpoint)\n")
    worst = max(times, key=lambda k: _p95(times[k]))
    p = _p95(times[worst])
    out.write(f"pages.p95_ms: {p:.1f} ms (ratio {p / base:.1f} to hello-world endpoint; slowest page: {worst})\n")
    out.flush()
