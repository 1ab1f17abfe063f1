"""Catalogue search at the reference platform's size: 2,400 published courses, each readable in 16
languages, from 200 providers, searched through the HTTP API served by granian (2 workers).

Figures (each with its baseline measured in the same run, on the same machine, through the same server):

  search.p95_ms        95th percentile latency of GET /api/v1/catalog/courses over a mix of queries (Latin
                       letters for Indic titles, Indic scripts, misspellings, filters, sorts, pages),
                       one request at a time, against the p95 of a hello-world Django view
  search.per_s         searches answered per second by 2 granian workers with 8 concurrent keep-alive
                       clients, against hello-world requests per second measured the same way
  search.inprocess_p95_ms  the same mix called in-process (queries.catalog_search), against ``SELECT 1``; every
                       other round as a signed-in searcher whose org sees its own collections (one course in
                       twenty is a collection made for its provider's people)

    saksham bench search [--size N]        (default 2,400 courses)
    SAKSHAM_BENCH_DATABASE_URL=postgres://... saksham bench search     (the same on an empty PostgreSQL database)
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import random
import sys
import time
import urllib.parse

DEFAULT_SIZE = 2400
PROVIDERS = 200
SEED = 2026
WORKERS = 2
CLIENTS = 8
SECONDS = 8
LANGS = ["en", "hi", "bn", "gu", "mr", "ta", "te", "kn", "ml", "or", "pa", "as", "ne", "kok", "mai", "sa"]
SCRIPT = {"hi": "devanagari", "mr": "devanagari", "ne": "devanagari", "kok": "devanagari", "mai": "devanagari",
          "sa": "devanagari", "bn": "bengali", "as": "bengali", "gu": "gujarati", "ta": "tamil", "te": "telugu",
          "kn": "kannada", "ml": "malayalam", "or": "oriya", "pa": "gurmukhi"}
TOPICS = [
    ("Swachh Bharat Mission", "स्वच्छ भारत मिशन"), ("Rajbhasha Hindi", "राजभाषा हिंदी"),
    ("Right to Information", "सूचना का अधिकार"), ("Cyber security", "साइबर सुरक्षा"),
    ("PFMS payments", "पीएफएमएस भुगतान"), ("GeM procurement", "जेम खरीद"), ("Office procedure", "कार्यालय प्रक्रिया"),
    ("e-Office files", "ई-ऑफिस फाइल"), ("Conduct rules", "आचरण नियम"), ("Disciplinary proceedings", "अनुशासनिक कार्यवाही"),
    ("Leave rules", "छुट्टी नियम"), ("Pension benefits", "पेंशन लाभ"), ("Ethics and integrity", "नैतिकता और सत्यनिष्ठा"),
    ("Mission Karmayogi", "मिशन कर्मयोगी"), ("Leadership", "नेतृत्व"), ("Citizen services", "नागरिक सेवाएँ"),
    ("Disaster management", "आपदा प्रबंधन"), ("Financial rules", "वित्तीय नियम"), ("Budget preparation", "बजट तैयारी"),
    ("Internal audit", "आंतरिक लेखा परीक्षा"), ("Goods and services tax", "वस्तु एवं सेवा कर"),
    ("Customs procedure", "सीमा शुल्क प्रक्रिया"), ("Digital India", "डिजिटल इंडिया"), ("Data protection", "डेटा संरक्षण"),
    ("Artificial intelligence", "कृत्रिम बुद्धिमत्ता"), ("Spreadsheets", "स्प्रेडशीट"), ("Email etiquette", "ईमेल शिष्टाचार"),
    ("Data dashboards", "डेटा डैशबोर्ड"), ("MGNREGA works", "मनरेगा कार्य"), ("Panchayat planning", "पंचायत योजना"),
    ("Rural housing", "ग्रामीण आवास"), ("Jal Jeevan Mission", "जल जीवन मिशन"), ("Ayushman Bharat", "आयुष्मान भारत"),
    ("Public health", "जन स्वास्थ्य"), ("Mother and child health", "मातृ एवं शिशु स्वास्थ्य"),
    ("Public administration", "लोक प्रशासन"), ("Gender sensitisation", "लैंगिक संवेदनशीलता"),
    ("Policy research", "नीति अनुसंधान"), ("Land records", "भूमि अभिलेख"), ("Revenue administration", "राजस्व प्रशासन"),
    ("Grievance redress", "शिकायत निवारण"), ("Stress management", "तनाव प्रबंधन"), ("Yoga at work", "कार्यस्थल पर योग"),
    ("Parliament questions", "संसद प्रश्न"), ("Noting and drafting", "टिप्पण और आलेखन"), ("Translation tools", "अनुवाद उपकरण"),
    ("Digital signature", "डिजिटल हस्ताक्षर"), ("Public procurement", "सार्वजनिक खरीद"), ("Contract management", "अनुबंध प्रबंधन"),
    ("Project management", "परियोजना प्रबंधन"), ("Team building", "टीम निर्माण"), ("Communication skills", "संचार कौशल"),
    ("Negotiation", "वार्ता कौशल"), ("Time management", "समय प्रबंधन"), ("Decision making", "निर्णय लेना"),
    ("Women empowerment", "महिला सशक्तिकरण"), ("Skill India", "स्किल इंडिया"), ("Startup India", "स्टार्टअप इंडिया"),
    ("Climate change", "जलवायु परिवर्तन"), ("Road safety", "सड़क सुरक्षा"),
]
VARIANTS = [
    ("basics", "मूल बातें"), ("for officers", "अधिकारियों के लिए"), ("in practice", "व्यवहार में"),
    ("advanced", "उन्नत"), ("case studies", "केस अध्ययन"), ("for districts", "जिलों के लिए"), ("refresher", "पुनश्चर्या"),
    ("toolkit", "टूलकिट"), ("for new recruits", "नए कर्मचारियों के लिए"), ("handbook", "पुस्तिका"),
    ("workshop", "कार्यशाला"), ("for supervisors", "पर्यवेक्षकों के लिए"), ("step by step", "चरण दर चरण"),
    ("essentials", "अनिवार्य"), ("for states", "राज्यों के लिए"), ("masterclass", "मास्टरक्लास"),
    ("quick guide", "त्वरित मार्गदर्शिका"), ("for field staff", "क्षेत्रीय कर्मचारियों के लिए"), ("foundation", "आधार"),
    ("certificate course", "प्रमाणपत्र पाठ्यक्रम"), ("for ministries", "मंत्रालयों के लिए"), ("updates 2026", "अद्यतन 2026"),
    ("self-paced", "स्व-गति"), ("for trainers", "प्रशिक्षकों के लिए"), ("simplified", "सरल"), ("deep dive", "गहन अध्ययन"),
    ("FAQs", "सामान्य प्रश्न"), ("for accounts staff", "लेखा कर्मचारियों के लिए"), ("module one", "पहला मॉड्यूल"),
    ("module two", "दूसरा मॉड्यूल"), ("for clerks", "लिपिकों के लिए"), ("level one", "स्तर एक"), ("level two", "स्तर दो"),
    ("best practices", "सर्वोत्तम प्रथाएँ"), ("law and rules", "कानून और नियम"), ("digital tools", "डिजिटल उपकरण"),
    ("for panchayats", "पंचायतों के लिए"), ("for hospitals", "अस्पतालों के लिए"), ("for schools", "स्कूलों के लिए"),
    ("for police", "पुलिस के लिए"),
]
QUERIES = [
    {"q": "swachh bharat"}, {"q": "rajbhasha"}, {"q": "rajbhasha hindi"}, {"q": "cyber security"},
    {"q": "gem procurement"}, {"q": "pfms"}, {"q": "right to information"}, {"q": "leadership"},
    {"q": "pension"}, {"q": "disaster management", "sort": "popular"},
    {"q": "स्वच्छ भारत"}, {"q": "राजभाषा"}, {"q": "साइबर सुरक्षा"}, {"q": "सूचना का अधिकार"},
    {"q": "સ્વચ્છ ભારત"}, {"q": "সাইবার"}, {"q": "ஆயுஷ்மான்"}, {"q": "ಡಿಜಿಟಲ್"},
    {"q": "rajbasha"}, {"q": "cyber securty"}, {"q": "procuremnt"}, {"q": "swach bharath"}, {"q": "pensoin"},
    {"q": "ayushman", "language": "ta"}, {"q": "digital", "sort": "newest"}, {"q": "mission", "page": "2"},
    {"q": "health", "kind": "course", "min_rating": "4"}, {"q": "", "sort": "popular"},
    {"q": "", "language": "gu", "sort": "newest"}, {"q": "management", "facets": "true"},
    {"q": "for officers", "provider": "@provider"}, {"q": "yoga", "lang": "hi"},
]


def _err(*parts) -> None:
    print("[search]", *parts, file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


# --- the catalogue ---------------------------------------------------------------------------------------------

def _translit(text: str, lang: str) -> str:
    from indic_transliteration import sanscript

    scheme = SCRIPT.get(lang)
    if scheme is None or scheme == "devanagari":
        return text
    return sanscript.transliterate(text, sanscript.DEVANAGARI, scheme)


def build(size: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from saksham.catalog import services
    from saksham.catalog.models import (
        ContentItem,
        Course,
        CourseVersion,
        ItemKind,
        Module,
        Translation,
        VersionCompetency,
        VersionStatus,
    )
    from saksham.orgs.models import OrgKind
    from saksham.orgs.queries import country
    from saksham.orgs.services import org_create
    from saksham.people.models import Role, Status, User
    from saksham.people.services import role_grant

    rng = random.Random(SEED)
    call_command("setup", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    root = country()
    t = time.perf_counter()
    with transaction.atomic():
        ministry = org_create(code="MIN-CAT", name="Ministry of Catalogues", kind=OrgKind.MINISTRY, parent=root)
        providers = [services.provider_register(actor=None, org=org_create(
            code=f"PROV-{i:03d}", name=f"Training Institute {i:03d}", kind=OrgKind.ORGANISATION, parent=ministry))
            for i in range(PROVIDERS)]
        team = {}
        for role in (Role.CONTENT_CREATOR, Role.CONTENT_REVIEWER, Role.PUBLISHER):
            team[role] = User.objects.create(email=f"{role}@bench.gov.in", full_name=role, org=ministry,
                                             status=Status.ACTIVE, password="!")
            role_grant(actor=None, person=team[role], org=ministry, role=role)
    combos = [(tp, vr) for vr in VARIANTS for tp in TOPICS]
    courses, versions = [], []
    with transaction.atomic():
        for i in range(size):
            (t_en, t_hi), (v_en, v_hi) = combos[i % len(combos)]
            lang = LANGS[i % len(LANGS)]
            # One in twenty is a collection its provider made for its own people (seen only by them).
            scoped = i % 20 == 19
            courses.append(Course(provider=providers[i % PROVIDERS], created_by=team[Role.CONTENT_CREATOR],
                                  kind="collection" if scoped else "course",
                                  audience=providers[i % PROVIDERS].org if scoped else None,
                                  enrolment_count=int(rng.paretovariate(1.2) * 100),
                                  rating_avg=round(rng.uniform(3, 5), 2), rating_count=rng.randrange(0, 2000)))
        Course.objects.bulk_create(courses, batch_size=1000)
        texts = []
        for i, c in enumerate(courses):
            (t_en, t_hi), (v_en, v_hi) = combos[i % len(combos)]
            by_lang = {}
            for lang in LANGS:
                if lang == "en":
                    by_lang[lang] = (f"{t_en} {v_en}", f"A course on {t_en.lower()}: {v_en}, for public servants.")
                else:
                    by_lang[lang] = (_translit(f"{t_hi} {v_hi}", lang),
                                     _translit(f"लोक सेवकों के लिए {t_hi} पर पाठ्यक्रम: {v_hi}", lang))
            lang = LANGS[i % len(LANGS)]
            texts.append(by_lang)
            versions.append(CourseVersion(course=c, number=1, status=VersionStatus.APPROVED, language=lang,
                                          title=by_lang[lang][0], summary=by_lang[lang][1],
                                          description=f"<p>{by_lang[lang][1]}</p>",
                                          duration_minutes=rng.choice([30, 45, 60, 90, 120, 180, 240, 480]),
                                          created_by=team[Role.CONTENT_CREATOR]))
        CourseVersion.objects.bulk_create(versions, batch_size=1000)
        modules = [Module(version=v, position=p, title=f"Module {p}") for v in versions for p in (1, 2)]
        Module.objects.bulk_create(modules, batch_size=2000)
        ContentItem.objects.bulk_create(
            [ContentItem(module=m, position=p, kind=ItemKind.VIDEO, title=f"Video {p}",
                         url="https://media.example/v.mp4", duration_minutes=10) for m in modules for p in (1, 2)],
            batch_size=4000)
        VersionCompetency.objects.bulk_create([VersionCompetency(version=v, code=f"FC-{i % 97:03d}")
                                               for i, v in enumerate(versions)], batch_size=4000)
        Translation.objects.bulk_create(
            [Translation(version=v, language=lang, target="course", field=f, text=text)
             for v, by_lang in zip(versions, texts, strict=True) for lang, (title, summary) in by_lang.items()
             if lang != v.language for f, text in (("title", title), ("summary", summary))], batch_size=5000)
    _err(f"built {size:,} courses x {len(LANGS)} languages, {PROVIDERS} providers in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    publish_ms = []
    for n, v in enumerate(versions):
        s = time.perf_counter()
        services.version_publish(actor=team[Role.PUBLISHER], version=v)
        publish_ms.append((time.perf_counter() - s) * 1000)
        if (n + 1) % 500 == 0:
            _err(f"published {n + 1:,} / {size:,}")
    _err(f"published and indexed {size:,} courses in {time.perf_counter() - t:.1f}s "
         f"(p95 {_p95(publish_ms):.1f} ms per course, search index included)")
    # A signed-in searcher working at the first provider sees its collections too: her org and those above it.
    return {"provider": str(providers[0].public_id), "audience": [root.pk, ministry.pk, providers[0].org_id]}


# --- measuring ---------------------------------------------------------------------------------------------------

def _paths(ctx: dict) -> list[str]:
    out = []
    for q in QUERIES:
        params = {k: (ctx["provider"] if v == "@provider" else v) for k, v in q.items()}
        out.append("/api/v1/catalog/courses?" + urllib.parse.urlencode(params))
    return out


def inprocess(ctx: dict, rounds: int) -> tuple[float, float]:
    from django.db import connection

    from saksham.catalog import queries

    times, base = [], []
    for n in range(rounds):
        for q in QUERIES:
            params = {k: (ctx["provider"] if v == "@provider" else v) for k, v in q.items()}
            f = queries.SearchFilters(q=params.get("q", ""), language=params.get("language", ""),
                                      provider=params.get("provider", ""), kind=params.get("kind", ""),
                                      min_rating=float(params["min_rating"]) if "min_rating" in params else None,
                                      sort=params.get("sort", "relevance"),
                                      audience=ctx["audience"] if n % 2 else None)   # signed in, every other round
            s = time.perf_counter()
            queries.catalog_search(f, language=params.get("lang", "en"), page=int(params.get("page", 1)),
                                   facets=params.get("facets") == "true")
            times.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
            base.append((time.perf_counter() - s) * 1000)
    return _p95(times), _p95(base)


def _get(conn, path: str) -> int:
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status


def _sequential(port: int, paths: list[str], rounds: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(rounds):
        for p in paths:
            s = time.perf_counter()
            status = _get(conn, p)
            times.append((time.perf_counter() - s) * 1000)
            if status != 200:
                raise RuntimeError(f"{p} answered {status}")
    conn.close()
    return times


def _client(port: int, paths: list[str], seconds: float, offset: int, q) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n, bad, i = 0, 0, offset
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if _get(conn, paths[i % len(paths)]) != 200:
            bad += 1
        n += 1
        i += 1
    q.put((n, bad))


def _throughput(port: int, paths: list[str], seconds: float) -> float:
    q = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, paths, seconds, k * 3, q)) for k in range(CLIENTS)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    spent = time.perf_counter() - t
    bad = sum(b for _, b in results)
    if bad:
        raise RuntimeError(f"{bad} requests failed")
    return sum(n for n, _ in results) / spent


def _start_server(port: int):
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _serve as serving

    return serving.start(port, WORKERS)


def run(size: int, out) -> None:
    from django.db import connection

    ctx = build(size)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    connection.close()
    ip95, base95 = inprocess(ctx, rounds=20)
    _err(f"in-process: search p95 {ip95:.2f} ms, SELECT 1 p95 {base95:.3f} ms")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _serve as serving

    port = serving.free_port()
    server = _start_server(port)
    try:
        paths = _paths(ctx)
        _sequential(port, paths + ["/bench/hello"], rounds=3)  # warm both workers
        hello = _sequential(port, ["/bench/hello"], rounds=600)
        lat = _sequential(port, paths, rounds=20)
        _err(f"HTTP, one at a time: search p95 {_p95(lat):.2f} ms, hello p95 {_p95(hello):.2f} ms")
        hello_rate = _throughput(port, ["/bench/hello"], SECONDS / 2)
        rate = _throughput(port, paths, SECONDS)
        _err(f"HTTP, {CLIENTS} clients on {WORKERS} workers: {rate:,.0f} searches/s, {hello_rate:,.0f} hello/s")
    finally:
        server.terminate()
        server.wait(timeout=20)
    out.write(f"search.p95_ms: {_p95(lat):.1f} ms (ratio {_p95(lat) / _p95(hello):.1f} to hello-world endpoint)\n")
    out.write(f"search.per_s: {rate:.0f} searches/s (ratio {rate / hello_rate:.2f} to hello-world endpoint)\n")
    out.write(f"search.inprocess_p95_ms: {ip95:.2f} ms (ratio {ip95 / base95:.0f} to SELECT 1)\n")
    out.flush()
