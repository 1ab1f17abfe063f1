"""Every read of competencies: frameworks and their trees, a learner's passport with her role's requirements
and gaps, recommendations, and an admin's coverage of her subtree.

What is read on every passport (the competencies of every framework, the requirements of a designation) is
small and changes rarely: it is kept per process, keyed by the ``generation`` counter that every framework or
mapping write (and every course going live) bumps in the database, so all processes see a change at once.
Recommendations are cached per learner under a stamp of everything they are computed from (the generation, her
designation, org and language, her holdings, the courses she is enrolled in): a change to any of them computes
them afresh for her alone; nothing else does."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from saksham.catalog.queries import courses_building, families_listed
from saksham.competencies.models import (
    DesignationCourse,
    Element,
    Evidence,
    EvidenceKind,
    Framework,
    Holding,
    Kind,
    ModuleTag,
    OrgDesignation,
    PassportShare,
    Position,
    Requirement,
    text_in,
)
from saksham.competencies.services import GENERATION, coverage_rollups_rebuild, designation_key
from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.l10n import default_language, reader_language
from saksham.learning.queries import course_families_of
from saksham.orgs.models import PATH_STEP
from saksham.orgs.queries import subtree_q, subtree_range
from saksham.people.models import User

RECO_CACHE_S = 1800
CANDIDATES = 40

_LOCAL: dict = {}


def generation() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT last_id FROM competencies_foldmark WHERE name = %s", [GENERATION])
        row = cur.fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class Comp:
    id: int
    code: str
    texts: dict
    levels: dict
    framework_id: int
    parent_id: int | None

    def name(self, language: str) -> str:
        return text_in(self.texts, language, "name") or self.code


def _index(gen: int) -> dict:
    """Every competency of every framework, by id and by code (per process, for one generation)."""
    got = _LOCAL.get("index")
    if got and got[0] == gen:
        return got[1]
    by_id = {}
    for row in Element.objects.filter(kind=Kind.COMPETENCY).values_list("id", "code", "texts", "levels",
                                                                        "framework_id", "parent_id"):
        by_id[row[0]] = Comp(*row)
    index = {"id": by_id, "code": {c.code: c for c in by_id.values()}}
    _LOCAL["index"] = (gen, index)
    return index


def competency_labels(codes: list[str], language: str) -> dict[str, str]:
    """For the catalogue: the names of the known competency codes."""
    by_code = _index(generation())["code"]
    return {c: by_code[c].name(language) for c in codes if c in by_code}


def competency_by_code(code: str) -> Element:
    e = Element.objects.filter(kind=Kind.COMPETENCY, code=code).select_related("framework").first()
    if e is None:
        raise NotFound(_("unknown competency %(code)s") % {"code": code}, field="competency")
    return e


def frameworks() -> list[Framework]:
    return list(Framework.objects.all())


def framework_get(public_id) -> Framework:
    try:
        f = Framework.objects.filter(public_id=public_id).first()
    except (ValueError, ValidationFailed):
        f = None
    if f is None:
        raise NotFound(_("no such framework"), field="framework")
    return f


def default_framework() -> Framework | None:
    return Framework.objects.filter(is_default=True).first() or Framework.objects.first()


@dataclass
class Node:
    element: Element
    name: str
    description: str
    children: list = field(default_factory=list)
    levels: list = field(default_factory=list)


def framework_tree(frame: Framework, language: str) -> list[Node]:
    elements = list(frame.elements.order_by("position", "id"))
    nodes = {e.pk: Node(e, e.name(language), text_in(e.texts, language, "description"),
                        levels=[(n, text_in(e.levels.get(str(n), {}), language, "")) for n in range(1, 6)
                                if e.levels.get(str(n))]) for e in elements}
    roots = []
    for e in elements:
        (nodes[e.parent_id].children if e.parent_id in nodes else roots).append(nodes[e.pk])
    return roots


def level_names(frame: Framework | None, language: str) -> dict[int, str]:
    levels = (frame.levels if frame else {}) or {}
    return {n: (levels.get(str(n)) or {}).get(language) or (levels.get(str(n)) or {}).get("en") or str(n)
            for n in range(1, 6)}


def competency_choices(language: str) -> list[dict]:
    """For the course studio's competency picker: every framework (the default first) with its level names and its
    competencies (code and name in ``language``), in the framework's order (``settings.COMPETENCY_CHOICES``)."""
    frames = sorted(frameworks(), key=lambda f: (not f.is_default, f.code))
    by_frame: dict[int, list[dict]] = {f.pk: [] for f in frames}
    for e in Element.objects.filter(kind=Kind.COMPETENCY).order_by("framework_id", "position", "code"):
        by_frame.setdefault(e.framework_id, []).append({"code": e.code, "name": e.name(language)})
    return [{"code": f.code, "name": text_in(f.texts, language, "name") or f.code,
             "levels": level_names(f, language), "competencies": by_frame.get(f.pk, [])} for f in frames]


# --- requirements: designation > roles > activities > competencies ---------------------------------------------

def _ancestor_ids(path: str) -> list[int]:
    return [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def requirements_for(designation: str, org_path: str, *, gen: int | None = None) -> dict[int, tuple[int, tuple]]:
    """{competency id: (required level, role codes)} for a designation in an org: the positions mapped for the
    whole deployment and for the org or any org above it; the highest level any of her roles needs."""
    gen = generation() if gen is None else gen
    key = designation_key(designation)
    if not key:
        return {}
    cache_key = ("req", gen, key, org_path)
    reqs = _LOCAL.get("req", {})
    if reqs.get("gen") != gen:
        reqs = {"gen": gen}
        _LOCAL["req"] = reqs
    if cache_key in reqs:
        return reqs[cache_key]
    rows = (Requirement.objects
            .filter(activity__roles__positions__key=key)
            .filter(Q(activity__roles__positions__org__isnull=True)
                    | Q(activity__roles__positions__org_id__in=_ancestor_ids(org_path)))
            .values_list("competency_id", "level", "activity__roles__code"))
    out: dict[int, tuple[int, tuple]] = {}
    for comp, level, role in rows:
        have = out.get(comp)
        out[comp] = (max(level, have[0] if have else 0), tuple(sorted({*(have[1] if have else ()), role})))
    if len(reqs) > 5000:
        reqs.clear()
        reqs["gen"] = gen
    reqs[cache_key] = out
    return out


# --- the passport ---------------------------------------------------------------------------------------------

@dataclass
class Held:
    code: str
    name: str
    level: int
    declared: int
    at: object


@dataclass
class Need:
    code: str
    name: str
    required: int
    level: int
    declared: int
    roles: tuple
    gap: bool


@dataclass
class Passport:
    learner: object
    language: str
    held: list[Held]
    required: list[Need]
    evidence: list[dict]
    generation: int

    @property
    def gaps(self) -> list[Need]:
        return [n for n in self.required if n.gap]


def passport(learner, *, language: str | None = None, evidence: bool = True) -> Passport:
    """Every competency she holds (level proved, level declared), her role's requirements beside them with the
    gaps (required level not proved), and the evidence behind them, newest first."""
    language = reader_language(requested=language, user=learner)
    gen = generation()
    idx = _index(gen)["id"]
    holdings = {c: (lvl, dec, at) for c, lvl, dec, at in
                Holding.objects.filter(learner_id=learner.pk).values_list("competency_id", "level", "declared", "at")}
    org_path = learner.org.path
    reqs = requirements_for(learner.designation, org_path, gen=gen)
    held = [Held(idx[c].code, idx[c].name(language), lvl, dec, at) for c, (lvl, dec, at) in holdings.items()
            if c in idx]
    held.sort(key=lambda h: h.code)
    required = []
    for c, (need, roles) in reqs.items():
        if c not in idx:
            continue
        lvl, dec, _at = holdings.get(c, (0, 0, None))
        required.append(Need(idx[c].code, idx[c].name(language), need, lvl, dec, roles, lvl < need))
    required.sort(key=lambda n: (not n.gap, n.code))
    rows = []
    if evidence:
        for e in (Evidence.objects.filter(learner_id=learner.pk).order_by("-at", "-id")
                  .values("public_id", "competency_id", "level", "kind", "at", "course__public_id", "course_title",
                          "certificate_ref", "certificate_url", "provider__org__name", "note")[:500]):
            comp = idx.get(e["competency_id"])
            if comp is None:
                continue
            rows.append({"id": str(e["public_id"]), "code": comp.code, "name": comp.name(language),
                         "level": e["level"], "kind": e["kind"], "kind_label": str(EvidenceKind(e["kind"]).label),
                         "at": e["at"], "course": str(e["course__public_id"]) if e["course__public_id"] else None,
                         "course_title": e["course_title"], "certificate": e["certificate_ref"],
                         "certificate_url": e["certificate_url"], "provider": e["provider__org__name"] or "",
                         "note": e["note"]})
    return Passport(learner, language, held, required, rows, gen)


def passport_of(actor, learner, *, language: str | None = None) -> Passport:
    permissions.require(actor, "competencies.passport_view", learner)
    return passport(learner, language=language)


def shares_of(learner) -> list[PassportShare]:
    return list(PassportShare.objects.filter(learner=learner).order_by("-created_at"))


def share_get(learner, public_id) -> PassportShare:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:   # not an id at all (a form's field tampered with): no such link, not a 500
        raise NotFound(_("no such link"), field="share") from None
    s = PassportShare.objects.filter(learner=learner, public_id=public_id).first()
    if s is None:
        raise NotFound(_("no such link"), field="share")
    return s


def reported_learner_get(actor, provider, public_id):
    """The learner a training institute reports a competency of: an active person of any org (institutes train
    people of every organisation), once ``actor`` may report for ``provider`` (403 before the person is looked
    for, so one who may not report learns nothing of who exists). Missing, malformed and inactive are the one
    404."""

    permissions.require(actor, "competencies.report", provider)
    try:
        ref = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        ref = None
    learner = User.objects.filter(public_id=ref, is_active=True).first() if ref else None
    if learner is None:
        raise NotFound(_("no such person"), field="id")
    return learner


def shared_passport(token: str, *, language: str | None = None) -> Passport:
    """The passport behind a public link, while the link is not revoked."""
    if not token or len(token) > 64:
        raise NotFound(_("no such passport link"))
    share = PassportShare.objects.filter(token=token, revoked_at__isnull=True).select_related("learner__org").first()
    if share is None or not share.learner.is_active:
        raise NotFound(_("no such passport link"))
    return passport(share.learner, language=language)


# --- recommendations ------------------------------------------------------------------------------------------

@dataclass
class Recommendation:
    family: int
    course: str
    title: str
    language: str
    reason: str            # "gap" | "popular"
    why: str
    codes: list[str]
    score: float


def _why_gap(closes: list, advances: list, language: str) -> str:
    from django.utils.translation import gettext as _

    parts = []
    for name, code, need, have, lvl in (closes + advances)[:2]:
        if lvl >= need:
            parts.append(_("builds %(name)s (%(code)s) to level %(level)s: your role needs %(need)s, you have "
                           "%(have)s") % {"name": name, "code": code, "level": lvl, "need": need, "have": have})
        else:
            parts.append(_("takes %(name)s (%(code)s) from level %(have)s to %(level)s towards the %(need)s your "
                           "role needs") % {"name": name, "code": code, "level": lvl, "need": need, "have": have})
    more = len(closes) + len(advances) - len(parts)
    text = "; ".join(parts)
    if more > 0:
        text += " " + _("(and %(n)s more of your gaps)") % {"n": more}
    return text[:1].upper() + text[1:]


def _stamp(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def recommendations(learner, *, limit: int = 10, book: Passport | None = None, language: str | None = None) \
        -> list[Recommendation]:
    """Courses for her, each with why: first those that close her role's gaps (the more gaps a course closes,
    the earlier; her language first; then popularity), then those popular among people of her designation in her
    org (then on the whole platform), in her language (or the fallback language), leaving out every course family
    she is enrolled in, asked for or finished."""

    language = reader_language(requested=language, user=learner)
    book = book or passport(learner, language=language, evidence=False)
    exclude = course_families_of(learner)
    key = designation_key(learner.designation)
    from django.utils import translation

    stamp = _stamp(book.generation, key, learner.org_id, language, translation.get_language(),
                   sorted((h.code, h.level) for h in book.held), sorted(exclude))
    cache_key = f"competencies:reco:{learner.pk}"
    hit = cache.get(cache_key)
    if hit and hit[0] == stamp and hit[1] >= limit:
        return hit[2][:limit]
    recs = _compute(learner, book, exclude, key, language, max(limit, CANDIDATES // 2))
    cache.set(cache_key, (stamp, max(limit, CANDIDATES // 2), recs), RECO_CACHE_S)
    return recs[:limit]


def _readable(languages: list[str], language: str) -> int:
    """2: in her language; 1: in the fallback language; 0: neither."""
    return 2 if language in languages else (1 if default_language() in languages else 0)


def _compute(learner, book: Passport, exclude: set[int], key: str, language: str, limit: int) -> list[Recommendation]:
    from django.utils.translation import gettext as _


    gaps = {n.code: n for n in book.gaps}
    out: list[Recommendation] = []
    seen = set(exclude)
    if gaps:
        fams: dict[int, dict] = {}
        for row in courses_building(list(gaps), language=language):
            if row["family"] in seen:
                continue
            readable = _readable(row["languages"], language)
            if not readable:
                continue
            need = gaps[row["code"]]
            if row["level"] <= need.level:
                continue
            f = fams.setdefault(row["family"], {"row": row, "closes": [], "advances": [], "readable": readable})
            item = (need.name, need.code, need.required, need.level, row["level"])
            (f["closes"] if row["level"] >= need.required else f["advances"]).append(item)
        ranked = []
        for fam, f in fams.items():
            row = f["row"]
            score = (100 * len(f["closes"]) + 10 * len(f["advances"]) + 5 * (f["readable"] == 2)
                     + math.log10(1 + row["enrolments"]))
            ranked.append(Recommendation(fam, row["course"], row["title"], row["language"], "gap",
                                         _why_gap(f["closes"], f["advances"], language),
                                         [c[1] for c in f["closes"] + f["advances"]], round(score, 3)))
        ranked.sort(key=lambda r: (-r.score, r.family))
        out.extend(ranked[:limit])
        seen.update(r.family for r in out)
    if len(out) < limit and key:
        counts: dict[int, tuple[int, bool]] = {}
        for org_ref, local in ((learner.org_id, True), (0, False)):
            for fam, n in (DesignationCourse.objects.filter(org_ref=org_ref, key=key).order_by("-n")
                           .values_list("course_id", "n")[:CANDIDATES]):
                if fam not in seen and fam not in counts:
                    counts[fam] = (n, local)
            if len(counts) >= limit:
                break
        listed = families_listed(list(counts), language=language)
        popular = []
        for fam, (n, local) in counts.items():
            row = listed.get(fam)
            if row is None:
                continue
            readable = _readable(row["languages"], language)
            if not readable:
                continue
            if local:
                why = _("Popular with people of your designation (%(designation)s) in your organisation: %(n)s "
                        "enrolled") % {"designation": learner.designation, "n": n}
            else:
                why = _("Popular with people of your designation (%(designation)s) on the platform: %(n)s "
                        "enrolled") % {"designation": learner.designation, "n": n}
            popular.append(Recommendation(fam, row["course"], row["title"], row["language"], "popular", why, [],
                                          round((1000 if local else 0) + n + 0.5 * (readable == 2), 3)))
        popular.sort(key=lambda r: (-r.score, r.family))
        out.extend(popular[: limit - len(out)])
    return out


# --- coverage ------------------------------------------------------------------------------------------------

@dataclass
class CoverageRow:
    code: str
    name: str
    required: int
    needed_by: int
    by_level: list[int]       # people holding it at level 1..5 (proved)
    meeting: int              # of those who need it... people at the required level or above

    @property
    def percent(self) -> int:
        return int(100 * self.meeting / self.needed_by) if self.needed_by else 0


@dataclass
class Coverage:
    org: object
    people: int
    rows: list[CoverageRow]


def coverage(actor, org, *, language: str = "en") -> Coverage:
    """For each competency that the designations of her subtree require: how many people need it, how many of
    her people hold it at each level (proved), and how many reach the required level. Read from the per-org
    rollups (``OrgCoverage``, ``OrgDesignation``): the cost grows with the orgs of the subtree, not its people."""

    permissions.require(actor, "competencies.coverage", org)
    if not OrgDesignation.objects.exists():

        coverage_rollups_rebuild(holdings=False)
    gen = generation()
    idx = _index(gen)["id"]
    low, high = subtree_range(org.path)
    by_designation: dict[str, int] = {}
    total = 0
    with connection.cursor() as cur:
        cur.execute("""
            SELECT d.key, SUM(d.n) FROM orgs_org o JOIN competencies_orgdesignation d ON d.org_ref = o.id
            WHERE o.path >= %s AND o.path < %s GROUP BY d.key""", [low, high])
        for k, n in cur.fetchall():
            total += n
            k = designation_key(k)
            if k:
                by_designation[k] = by_designation.get(k, 0) + n
    mapped = {k for k in Position.objects.filter(key__in=list(by_designation)).values_list("key", flat=True)}
    needs: dict[int, list[int]] = {}
    for k in mapped:
        for comp, (level, _roles) in requirements_for(k, org.path, gen=gen).items():
            cur_need = needs.setdefault(comp, [0, 0])
            cur_need[0] = max(cur_need[0], level)
            cur_need[1] += by_designation[k]
    # Positions mapped only for orgs below hers.
    for _k, comp, level in (Requirement.objects.filter(activity__roles__positions__key__in=list(mapped),
                                                       activity__roles__positions__org__path__gt=org.path,
                                                       activity__roles__positions__org__path__lt=high)
                            .values_list("activity__roles__positions__key", "competency_id", "level").distinct()):
        cur_need = needs.setdefault(comp, [0, 0])
        cur_need[0] = max(cur_need[0], level)
    if not needs:
        return Coverage(org, total, [])
    counts: dict[int, list[int]] = {c: [0] * 6 for c in needs}
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.competency_id, c.level, SUM(c.n)
            FROM orgs_org o JOIN competencies_orgcoverage c ON c.org_ref = o.id
            WHERE o.path >= %s AND o.path < %s AND c.level > 0
            GROUP BY c.competency_id, c.level""", [low, high])
        for comp, level, n in cur.fetchall():
            if comp in counts:
                counts[comp][min(level, 5)] += n
    rows = []
    for comp, (level, needed_by) in needs.items():
        if comp not in idx:
            continue
        c = counts[comp]
        rows.append(CoverageRow(idx[comp].code, idx[comp].name(language), level, needed_by, c[1:],
                                sum(c[level:])))
    rows.sort(key=lambda r: (r.percent, r.code))
    return Coverage(org, total, rows)


def module_tags(course, language: str = "en") -> dict[str, list[dict]]:
    """{module key: [{code, name, level}]} of a course's module tags."""

    out: dict[str, list[dict]] = {}
    for t in ModuleTag.objects.filter(course=course).select_related("competency").order_by("competency__code"):
        out.setdefault(str(t.module_key), []).append({"code": t.competency.code, "name": t.competency.name(language),
                                                      "level": t.level})
    return out


# --- designations known in an org (for the bulk import's check) -------------------------------------------------

def designations_known_in(org) -> list[str]:
    """The designations mapped to roles for the whole deployment, for the org or an org above it, or for an org
    below it: the role map's spelling of each (the people app checks a bulk file's designations against them)."""

    above = _ancestor_ids(org.path)
    rows = (Position.objects.filter(Q(org__isnull=True) | Q(org_id__in=above) | subtree_q(org.path, "org__path"))
            .values_list("designation", flat=True).distinct())
    return sorted({" ".join(d.split()) for d in rows if d and d.strip()})
