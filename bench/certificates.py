"""Certificates: issuing and public verification.

Figures (each with its baseline measured in the same run, on the same machine):

  certificates.issued_per_s    certificates issued per second from completed enrolments (facts loaded a batch at
                               a time, Open Badges 3.0 document built, eddsa-jcs-2022 signed, stored with its status
                               index, her notification), against raw canonicalise (RFC 8785) + SHA-256 + Ed25519
                               sign of the same documents, in this process
  certificates.issued_with_steps_per_s   the same with the other apps' CERTIFICATE_ISSUED_STEPS as configured
  certificates.issued_one_per_s   certificates issued one completion at a time (the post-completion path: one
                               enrolment, one transaction) by one process, against raw_jcs_sign_per_s
  certificates.issued_per_s_parallel   the same by ISSUERS processes at once, each issuing its share, against
                               issued_one_per_s of the same run (how far concurrent issuers of one issuer key
                               scale: they share the platform's open status lists, CREDENTIALS_OPEN_LISTS)
  certificates.verified_per_s  verifications per second through POST /api/v1/credentials/verify (the public API;
                               signature, dates and the published status list checked), 4 keep-alive client
                               processes, granian with 2 workers, against hello-world requests per second through
                               the same server and clients
  certificates.vcapi_verified_per_s   the same through the VC-API endpoint POST /credentials/verify
  certificates.valid           share of verifications that answered "valid" (must be 1.00)

    saksham bench certificates [--size N]        (default 20,000 certificates)
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import sys
import time

DEFAULT_SIZE = 20_000
ISSUERS = 4
WORKERS = 2
CLIENTS = 4
SECONDS = 6
SAMPLE = 300


def _err(*parts) -> None:
    print("[certificates]", *parts, file=sys.stderr, flush=True)


def build(size: int) -> dict:
    """A published course and ``size`` learners who completed it (completion written set-based), plus
    (1 + ISSUERS) shares of ``size // 10`` more for the one-at-a-time figures."""
    from django.db import connection
    from django.utils import timezone

    from saksham.learning import services as learning
    from saksham.learning.models import Enrolment
    from saksham.people.models import Status, User

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import progress

    ctx = progress.build()
    names = ["Ravi Kumar", "हेतल पटेल", "தமிழ்ச்செல்வி", "সুস্মিতা দাস", "عائشہ خان", "Priya Sharma"]
    User.objects.bulk_create([User(email=f"cert{i}@bench.gov.in", full_name=f"{names[i % len(names)]} {i}",
                                   org=ctx["ministry"], status=Status.ACTIVE, password="!") for i in range(size)],
                             batch_size=5000)
    share = max(50, size // 10)
    User.objects.bulk_create([User(email=f"one{i}@bench.gov.in", full_name=f"{names[i % len(names)]} {i}",
                                   org=ctx["ministry"], status=Status.ACTIVE, password="!")
                              for i in range(share * (1 + ISSUERS))], batch_size=5000)
    ids = list(User.objects.filter(email__startswith="cert").values_list("pk", flat=True))
    one_ids = list(User.objects.filter(email__startswith="one").values_list("pk", flat=True))
    learning.enrolments_assign_bulk(actor=None, course=ctx["course"], learner_ids=one_ids)
    learning.enrolments_assign_bulk(actor=None, course=ctx["course"], learner_ids=ids)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute("UPDATE learning_enrolment SET completed_at = %s, percent = 100, nominal_minutes = 60 "
                    "WHERE course_id = %s", [now, ctx["course"].pk])
    ctx["enrolments"] = list(Enrolment.objects.filter(course=ctx["course"], learner_id__in=ids).order_by("pk")
                             .values_list("pk", flat=True))
    one = list(Enrolment.objects.filter(course=ctx["course"], learner_id__in=one_ids).order_by("pk")
               .values_list("pk", flat=True))
    ctx["shares"] = [one[k * share:(k + 1) * share] for k in range(1 + ISSUERS)]
    return ctx


def issue(ctx) -> dict:
    """Half the enrolments issued by the credentials app alone (build, sign, store, notify), the other half with
    the other apps' CERTIFICATE_ISSUED_STEPS (the insights rollups) as configured."""
    from django.conf import settings

    from saksham.credentials import services
    from saksham.credentials.models import Certificate

    services.active_key(None)
    ids = ctx["enrolments"]
    half = len(ids) // 2
    steps = list(getattr(settings, "CERTIFICATE_ISSUED_STEPS", []))
    settings.CERTIFICATE_ISSUED_STEPS = []
    t = time.perf_counter()
    n = services.certificates_issue_for_enrolments(ids[:half])
    spent = time.perf_counter() - t
    settings.CERTIFICATE_ISSUED_STEPS = steps
    t = time.perf_counter()
    n2 = services.certificates_issue_for_enrolments(ids[half:])
    spent2 = time.perf_counter() - t
    if n + n2 != len(ids) or Certificate.objects.filter(enrolment_id__in=ids).count() != len(ids):
        raise RuntimeError(f"issued {n + n2} of {len(ids)}")
    return {"rate": n / spent, "seconds": spent + spent2, "n": n + n2, "rate_steps": n2 / spent2,
            "steps": ", ".join(s.rsplit(".", 2)[-3] for s in steps) or "none"}


def _issue_share(enrolment_ids, go, q) -> None:
    """One issuer process: each completion's certificate in its own transaction, as the post-completion task
    issues it (facts read, signed, stored, her notification after the commit)."""
    from django.db import connection

    from saksham.credentials import services
    from saksham.learning.models import Enrolment

    connection.close()
    enrolments = list(Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk"))
    services.private_key(services.active_key(None))
    q.put("ready")
    go.wait()
    t = time.perf_counter()
    n = sum(1 for e in enrolments if services.certificate_issue_for_enrolment(enrolment=e) is not None)
    spent = time.perf_counter() - t
    connection.close()
    q.put((n, spent))


def _issuers(shares) -> tuple[int, float]:
    """Issuer processes, one per share, started together; returns (issued, wall seconds)."""
    from django.db import connection

    connection.close()
    q, go = mp.Queue(), mp.Event()
    procs = [mp.Process(target=_issue_share, args=(share, go, q)) for share in shares]
    for p in procs:
        p.start()
    for _ in procs:
        if q.get() != "ready":
            raise RuntimeError("an issuer failed to start")
    t = time.perf_counter()
    go.set()
    results = [q.get() for _ in procs]
    spent = time.perf_counter() - t
    for p in procs:
        p.join()
    if any(p.exitcode for p in procs):
        raise RuntimeError("an issuer failed")
    return sum(r[0] for r in results), spent


def issue_one_at_a_time(ctx) -> dict:
    """The per-completion path: one issuer, then ISSUERS at once (the credentials app alone: no issued steps)."""
    from django.conf import settings

    from saksham.credentials.models import Certificate, StatusList

    steps = list(getattr(settings, "CERTIFICATE_ISSUED_STEPS", []))
    settings.CERTIFICATE_ISSUED_STEPS = []
    try:
        single, single_s = _issuers(ctx["shares"][:1])
        parallel, parallel_s = _issuers(ctx["shares"][1:])
    finally:
        settings.CERTIFICATE_ISSUED_STEPS = steps
    wanted = sum(len(s) for s in ctx["shares"])
    ids = [i for s in ctx["shares"] for i in s]
    if single + parallel != wanted or Certificate.objects.filter(enrolment_id__in=ids).count() != wanted:
        raise RuntimeError(f"issued {single + parallel} of {wanted} one at a time")
    return {"one": single / single_s, "parallel": parallel / parallel_s, "n": wanted,
            "lists": StatusList.objects.count()}


def raw_sign_baseline() -> float:
    """RFC 8785 + SHA-256 (document and proof options) + Ed25519 of the same documents, nothing else."""
    from saksham.credentials import crypto, services
    from saksham.credentials.models import Certificate

    key = services.active_key(None)
    private = services.private_key(key)
    docs = []
    for text in Certificate.objects.values_list("document", flat=True).iterator(chunk_size=2000):
        d = json.loads(text)
        proof = d.pop("proof")
        proof.pop("proofValue")
        docs.append((d, proof))
    t = time.perf_counter()
    for d, proof in docs:
        private.sign(crypto.hash_data(d, proof, crypto.JCS_SUITE))
    return len(docs) / (time.perf_counter() - t)


def _client(port, path, bodies, seconds, q):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = valid = bad = 0
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        body = bodies[i % len(bodies)] if bodies else None
        i += 1
        if body is None:
            conn.request("GET", path)
        else:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        payload = r.read()
        n += 1
        if body is not None:
            if r.status == 200 and (b'"verdict": "valid"' in payload or b'"verdict":"valid"' in payload):
                valid += 1
            else:
                bad += 1
                if bad < 3:
                    print("[certificates] not valid:", r.status, payload[:300], file=sys.stderr)
    q.put((n, valid, bad))


def _load(port, path, bodies, seconds):
    q = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, path, bodies, seconds, q)) for _ in range(CLIENTS)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    spent = time.perf_counter() - t
    n = sum(r[0] for r in results)
    return n / spent, sum(r[1] for r in results), sum(r[2] for r in results)


def verify_http(ctx) -> dict:
    from django.db import connection

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import progress

    from saksham.credentials.models import Certificate

    docs = list(Certificate.objects.order_by("?").values_list("document", flat=True)[:SAMPLE])
    api_bodies = [d.encode() for d in docs]
    vc_bodies = [json.dumps({"verifiableCredential": json.loads(d), "options": {}}).encode() for d in docs]
    connection.close()
    port = progress._server().free_port()
    server = progress._server().start(port, WORKERS)
    try:
        _load(port, "/bench/hello", None, 1.0)                      # warm both workers
        _load(port, "/api/v1/credentials/verify", api_bodies[:20], 1.0)
        hello, _, _ = _load(port, "/bench/hello", None, SECONDS / 2)
        api, api_valid, api_bad = _load(port, "/api/v1/credentials/verify", api_bodies, SECONDS)
        vc, vc_valid, vc_bad = _load(port, "/credentials/verify", vc_bodies, SECONDS / 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"hello": hello, "api": api, "vc": vc, "valid": (api_valid + vc_valid) / max(1, api_valid + api_bad +
                                                                                         vc_valid + vc_bad)}


def run(size: int, out) -> None:
    ctx = build(size)
    _err(f"{size:,} completed enrolments ready")
    i = issue(ctx)
    _err(f"issued {i['n']:,} certificates in {i['seconds']:.1f}s")
    o = issue_one_at_a_time(ctx)
    _err(f"issued {o['n']:,} one at a time: {o['one']:,.0f}/s by one issuer, {o['parallel']:,.0f}/s by {ISSUERS} "
         f"({o['lists']} status lists)")
    raw = raw_sign_baseline()
    v = verify_http(ctx)
    _err(f"verify: API {v['api']:,.0f}/s, VC-API {v['vc']:,.0f}/s, hello {v['hello']:,.0f}/s, valid {v['valid']:.2f}")
    out.write(f"certificates.issued_per_s: {i['rate']:.0f} certificates/s (ratio {i['rate'] / raw:.3f} to "
              f"raw_jcs_sign_per_s {raw:.0f})\n")
    out.write(f"certificates.issued_with_steps_per_s: {i['rate_steps']:.0f} certificates/s (ratio "
              f"{i['rate_steps'] / raw:.3f} to raw_jcs_sign_per_s {raw:.0f}; steps: {i['steps']})\n")
    out.write(f"certificates.issued_one_per_s: {o['one']:.0f} certificates/s (ratio {o['one'] / raw:.3f} to "
              f"raw_jcs_sign_per_s {raw:.0f})\n")
    out.write(f"certificates.issued_per_s_parallel: {o['parallel']:.0f} certificates/s (ratio "
              f"{o['parallel'] / o['one']:.3f} to issued_one_per_s {o['one']:.0f}; {ISSUERS} issuer processes)\n")
    out.write(f"certificates.verified_per_s: {v['api']:.0f} verifications/s (ratio {v['api'] / v['hello']:.3f} to "
              f"hello_req_per_s {v['hello']:.0f})\n")
    out.write(f"certificates.vcapi_verified_per_s: {v['vc']:.0f} verifications/s (ratio {v['vc'] / v['hello']:.3f} "
              f"to hello_req_per_s {v['hello']:.0f})\n")
    out.write(f"certificates.valid: {v['valid']:.2f} share (ratio {v['valid']:.2f} to all 1.00)\n")
