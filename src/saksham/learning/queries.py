"""Every read of learning: an enrolment of hers, "My learning", the player's state, hours, requests to decide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import ContentItem, Course, ItemKind, Translation, VersionStatus
from saksham.catalog.queries import SearchFilters, audience_orgs, catalog_search
from saksham.core import hooks, permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.ids import uuid_or_none
from saksham.core.l10n import content_languages
from saksham.learning import structure
from saksham.learning.hooks import MY_LEARNING_LINKS
from saksham.learning.models import (
    Attempt,
    Enrolment,
    EnrolmentState,
    ItemProgress,
    KarmaEntry,
    LearningDay,
    Question,
)
from saksham.learning.services.assessments import (
    assessment_item,
    paper_questions,
    section_clock,
    show_solutions,
)
from saksham.learning.services.completion import done_count, program_progress
from saksham.learning.services.enrolments import course_policy
from saksham.people.rules import admin_paths


def _uuid(value, field: str) -> UUID:
    ref = uuid_or_none(value)
    if ref is None:
        raise NotFound(_("no such %(field)s") % {"field": field}, field=field)
    return ref


def enrolment_of(learner, public_id) -> Enrolment:
    """One of her enrolments (someone else's is as good as missing)."""
    e = (Enrolment.objects.select_related("course", "version", "course__provider__org")
         .filter(public_id=_uuid(public_id, "enrolment"), learner=learner).first())
    if e is None:
        raise NotFound(_("no such enrolment"), field="enrolment")
    return e


def enrolment_get(actor, public_id, action: str = "enrolment.view") -> Enrolment:
    """An enrolment ``actor`` may see (hers, or one of a learner she administers, or of a course she publishes),
    then allowed ``action`` ("enrolment.decide"; 403); missing, malformed and not visible are the one 404."""
    try:
        ref = _uuid(public_id, "enrolment")
    except NotFound:
        ref = None
    e = (Enrolment.objects.select_related("learner__org", "course__provider__org", "version")
         .filter(public_id=ref).first() if ref else None)
    if e is None or not permissions.allowed(actor, "enrolment.view", e):
        raise NotFound(_("no such enrolment"), field="enrolment")
    if action != "enrolment.view":
        permissions.require(actor, action, e)
    return e


def enrolment_for_course(learner, course) -> Enrolment | None:
    return Enrolment.objects.filter(learner=learner, course=course).select_related("version").first()


def my_learning(learner) -> dict[str, list[Enrolment]]:
    """In progress, completed, assigned (not completed, with due dates, soonest first), requested."""
    rows = list(Enrolment.objects.filter(learner=learner).exclude(state=EnrolmentState.REJECTED)
                .select_related("version", "course").order_by("-last_activity_at", "-created_at"))
    out: dict[str, list[Enrolment]] = {"in_progress": [], "completed": [], "assigned": [], "requested": []}
    # One course in several languages is one course: once she completed it in one language, her enrolments in its
    # other languages are done too (``done_in``: the completed one) and leave "in progress".
    done_in = {e.course.translation_of_id or e.course_id: e for e in rows if e.completed_at}
    for e in rows:
        e.done_in = None if e.completed_at else done_in.get(e.course.translation_of_id or e.course_id)
        if e.completed_at:
            out["completed"].append(e)
        elif e.state == EnrolmentState.REQUESTED:
            out["requested"].append(e)
        elif e.state == EnrolmentState.ACTIVE:
            if e.done_in is None:
                out["in_progress"].append(e)
            if e.assigned_by_id:
                out["assigned"].append(e)
    _program_counts(learner, [e for e in rows if e.course.kind == "program"])
    far = dt.date.max
    out["assigned"].sort(key=lambda e: e.due_on or far)
    out["completed"].sort(key=lambda e: e.completed_at, reverse=True)
    return out


def _program_counts(learner, enrolments: list[Enrolment]) -> None:
    """Set ``courses_done`` and ``courses_total`` on her program enrolments (two reads whatever their number)."""
    if not enrolments:
        return
    linked = {e.pk: structure.program_courses(e.version_id) or () for e in enrolments}
    for e in enrolments:
        e.courses_done, e.courses_total, _done = program_progress([learner.pk], linked[e.pk])[learner.pk]


@dataclass
class ProgramCourse:
    course: UUID
    title: str
    state: str              # "not_started", "requested", "in_progress", "left" or "completed"
    percent: int


def program_courses(learner, version, language: str) -> list[ProgramCourse]:
    """The courses of a program's version in order, each with its title in ``language`` (else English, else its
    own) and her state in it: three reads whatever the number of courses."""
    linked = structure.program_courses(version.pk) or ()
    courses = {c.pk: c for c in Course.objects.filter(pk__in=linked).select_related("live_version")}
    versions = [c.live_version_id for c in courses.values() if c.live_version_id]
    texts: dict[tuple[int, str], str] = {
        (v, lang): t for v, lang, t in Translation.objects.filter(
            version_id__in=versions, target="course", field="title", language__in=[language, "en"])
        .values_list("version_id", "language", "text") if t}
    mine, done_here = {}, set()
    if learner is not None and learner.is_authenticated:
        mine = {c: (st, p, done) for c, st, p, done in Enrolment.objects.filter(learner=learner, course_id__in=linked)
                .values_list("course_id", "state", "percent", "completed_at")}
        done_here = program_progress([learner.pk], linked)[learner.pk][2]   # in any of its languages
    out = []
    for pk in linked:
        c = courses.get(pk)
        if c is None or c.live_version is None:
            continue
        v = c.live_version
        if v.status not in (VersionStatus.PUBLISHED, VersionStatus.UNLISTED) and pk not in done_here:
            continue                           # retired: no longer part of what is left to do
        title = next((t for t in (v.title if lang == v.language else texts.get((v.pk, lang))
                                  for lang in content_languages(language, v.language)) if t), v.title)
        st, percent, done = mine.get(pk, (None, 0, None))
        done = done or (pk in done_here)
        state = ("completed" if done else "in_progress" if st == EnrolmentState.ACTIVE
                 else "requested" if st == EnrolmentState.REQUESTED else "left" if st == EnrolmentState.LEFT
                 else "not_started")
        out.append(ProgramCourse(course=c.public_id, title=title, state=state,
                                 percent=100 if done else (percent if st else 0)))
    return out


@dataclass
class ItemState:
    key: UUID
    kind: str
    title: str
    required: bool
    percent: int
    position: float
    seconds_spent: int
    done: bool
    passed: bool


def player_state(enrolment: Enrolment) -> dict:
    """Every item of her version with her progress on it, and where she resumes."""
    progress = {p.item_key: p for p in ItemProgress.objects.filter(enrolment=enrolment)}
    items = []
    for key, info in structure.version_items(enrolment.version_id).items():
        p = progress.get(key)
        passed = bool(p and p.passed_at)
        done = passed if info.is_assessment else bool(p and p.completed_at)
        items.append(ItemState(key=key, kind=info.kind, title=info.title, required=info.required,
                               percent=100 if done else (p.percent if p else 0),
                               position=p.position if p else 0.0, seconds_spent=p.seconds_spent if p else 0,
                               done=done, passed=passed))
    resume = enrolment.last_item_key
    if resume is None or all(i.key != resume for i in items):
        resume = next((i.key for i in items if not i.done), items[0].key if items else None)
    return {"items": items, "resume": resume}


def completion_status(enrolment: Enrolment) -> dict:
    """The course's completion rule for her: required items, how many are done, when it was completed."""
    done, total = done_count(enrolment)
    return {"completed": enrolment.completed_at is not None, "completed_at": enrolment.completed_at,
            "percent": enrolment.percent, "required_items": total, "done_items": done,
            "seconds_spent": enrolment.seconds_spent,
            "nominal_minutes": enrolment.nominal_minutes or enrolment.version.duration_minutes}


def hours(seconds) -> float:
    """Learning hours, the platform's one definition of the figure: the seconds credited by progress batches (the
    heartbeat ledger, capped per heartbeat), in hours to one decimal, rounded half up with integer arithmetic so
    that every page, report and endpoint shows the same number for the same seconds. Nominal hours (a course's
    stated duration) are another figure and are labelled as such."""
    return ((int(seconds or 0) * 10 + 1800) // 3600) / 10


def _period_starts(today: dt.date) -> dict[str, dt.date]:
    return {"week": today - dt.timedelta(days=today.weekday()), "month": today.replace(day=1),
            "year": today.replace(month=1, day=1)}


def hours_summary(learner, today: dt.date | None = None) -> dict[str, dict[str, float]]:
    """Hours actually spent (the heartbeat ledger) and nominal hours of the courses completed, this week (from
    Monday), this month and this year, in the deployment's time zone; and in all."""
    today = today or timezone.localdate()
    starts = _period_starts(today)
    tz = timezone.get_current_timezone()
    out = {}
    for name, start in [*starts.items(), ("total", dt.date(1970, 1, 1))]:
        spent = LearningDay.objects.filter(learner=learner, day__gte=start, day__lte=today) \
            .aggregate(s=Sum("seconds"))["s"] or 0
        since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        # A program's hours are its courses' (counted as they complete), not counted again.
        nominal = Enrolment.objects.filter(learner=learner, completed_at__gte=since) \
            .exclude(course__kind="program").aggregate(m=Sum("nominal_minutes"))["m"] or 0
        out[name] = {"spent_hours": hours(spent), "nominal_hours": round(nominal / 60, 1),
                     "spent_seconds": spent}
    return out


def requests_to_decide(actor) -> QuerySet[Enrolment]:
    """Pending requests of the people the actor administers."""
    qs = Enrolment.objects.filter(state=EnrolmentState.REQUESTED).select_related("learner__org", "version")
    paths = admin_paths(actor)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    q = Q()
    for p in paths:
        q |= Q(learner__org__path__startswith=p)
    return qs.filter(q)


def check_page(page: int, page_size: int) -> tuple[int, int]:
    if not 1 <= page <= 100_000 or not 1 <= page_size <= 100:
        raise ValidationFailed(_("page from 1 to 100000, page_size from 1 to 100"), field="page")
    return (page - 1) * page_size, page * page_size


# --- assessments --------------------------------------------------------------------------------------------

def attempt_of(learner, public_id):
    a = (Attempt.objects.select_related("enrolment__course", "enrolment__version")
         .filter(public_id=_uuid(public_id, "attempt"), enrolment__learner=learner).first())
    if a is None:
        raise NotFound(_("no such attempt"), field="attempt")
    return a


def attempts_of(enrolment, item_key):
    return Attempt.objects.filter(enrolment=enrolment, item_key=_uuid(item_key, "item")).order_by("number")


def attempt_view(attempt, *, now: dt.datetime | None = None) -> dict:
    """What the learner's device sees of an attempt. Before submission: the questions and options, her saved
    answers and the time left, never the answers. After: her score, and the solutions when the course allows.
    An open attempt paced by section shows only the open section's questions (the others: their titles), with
    that section's time left."""
    now = now or timezone.now()
    questions = paper_questions(attempt)
    closed = attempt.state != "open"
    solutions = closed and show_solutions(attempt)
    clock = None if closed else section_clock(attempt)
    sections = []
    for n, sec in enumerate(attempt.paper):
        qs = []
        for qid in sec["questions"] if clock is None or n == clock.index else ():
            q = questions[qid]
            shown = {"id": qid, "kind": q.kind, "text": q.text, "points": q.points, "options": q.options}
            if closed:
                shown["awarded"] = attempt.marks.get(qid)
            if solutions:
                shown["solution"] = q.answer
                shown["explanation"] = q.explanation
            qs.append(shown)
        sections.append({"key": sec["key"], "title": sec.get("title", ""), "questions": qs,
                         "time_limit_s": sec.get("time_limit_s")})
    left = None
    if attempt.deadline and not closed:
        left = max(0, int((attempt.deadline - now).total_seconds()))
    return {"id": attempt.public_id, "item": attempt.item_key, "number": attempt.number, "state": attempt.state,
            "started_at": attempt.started_at, "deadline": attempt.deadline, "seconds_left": left,
            "submitted_at": attempt.submitted_at, "answers": attempt.answers, "sections": sections,
            "score": attempt.score, "max_score": attempt.max_score, "percent": attempt.percent,
            "passed": attempt.passed, "section_results": attempt.sections, "solutions_shown": solutions,
            "paced": bool(attempt.opened), "current_section": clock.key if clock else None,
            "section_number": clock.index + 1 if clock else None, "last_section": clock.last if clock else None,
            "section_deadline": clock.deadline if clock else None,
            "section_seconds_left": clock.seconds_left(now) if clock else None}


def quiz_facts(enrolment, item_key) -> dict:
    """What the start screen of a quiz tells her before she begins: the questions per section, the pass mark, the
    attempts allowed, used and left, the time limits, and whether the right answers are shown afterwards."""
    conf = assessment_item(enrolment, item_key).settings or {}
    bank = list(Question.objects.filter(course=enrolment.course, is_active=True).values_list("public_id", "tags"))
    ids = {str(q) for q, _tags in bank}
    sections = []
    for n, sec in enumerate(conf.get("sections") or [{"key": "all"}]):
        if "pool" in sec:
            available = sum(1 for _q, tags in bank if sec["pool"] in (tags or []))
        elif "questions" in sec:
            available = sum(1 for q in sec["questions"] if str(q) in ids)
        else:
            available = len(ids)
        count = min(int(sec["pick"]), available) if sec.get("pick") else available
        sections.append({"key": str(sec.get("key") or n + 1), "title": sec.get("title", ""), "questions": count,
                         "drawn": bool(sec.get("pick")) and available > int(sec["pick"]),
                         "pass_percent": sec.get("pass_percent"), "time_limit_s": sec.get("time_limit_s")})
    used = Attempt.objects.filter(enrolment=enrolment, item_key=item_key).count()
    limit = conf.get("max_attempts")
    solutions = conf["show_solutions"] if "show_solutions" in conf else \
        course_policy(enrolment.course).show_solutions
    return {"sections": sections, "questions": sum(s["questions"] for s in sections),
            "pass_percent": conf.get("pass_percent", 0), "max_attempts": int(limit) if limit else None,
            "used": used, "left": max(0, int(limit) - used) if limit else None,
            "time_limit_s": conf.get("time_limit_s"), "show_solutions": bool(solutions),
            "shuffled": bool(conf.get("shuffle")) or any(s["drawn"] for s in sections),
            "negative_marking": conf.get("negative_marking") or 0}


def progress_summary(learner, enrolment_ids) -> list[dict]:
    """After a progress batch, what the player shows without a reload: each enrolment's share done, whether it is
    completed, and the items done (assessments: passed). Two reads whatever the batch."""
    rows = list(Enrolment.objects.filter(learner=learner, public_id__in=list(enrolment_ids))
                .values_list("pk", "public_id", "version_id", "percent", "completed_at"))
    done: dict[int, list[str]] = {pk: [] for pk, *_rest in rows}
    versions = {pk: v for pk, _p, v, *_rest in rows}
    for eid, key, completed_at, passed_at in (ItemProgress.objects.filter(enrolment_id__in=list(done))
                                              .filter(Q(completed_at__isnull=False) | Q(passed_at__isnull=False))
                                              .values_list("enrolment_id", "item_key", "completed_at", "passed_at")):
        info = structure.version_items(versions[eid]).get(key)
        if info is not None and (passed_at if info.is_assessment else completed_at):
            done[eid].append(str(key))
    return [{"id": str(pid), "percent": percent, "completed": completed_at is not None, "done": done[pk]}
            for pk, pid, _v, percent, completed_at in rows]


def certificate_links(learner, enrolment) -> list[dict]:
    """The links other apps offer beside a completed course (``settings.MY_LEARNING_LINKS``: her certificate)."""
    return [link for links in hooks.query(MY_LEARNING_LINKS, learner, [enrolment]) for link in links.get(enrolment.pk, [])]


@dataclass
class Resume:
    enrolment: Enrolment
    course: UUID
    title: str
    percent: int
    item: UUID | None          # where she continues: the item she stopped at, or the next one not done after it
    item_title: str
    due_on: dt.date | None
    overdue: bool
    assigned: bool


def continue_learning(learner, *, limit: int | None = None, exclude: int | None = None) -> list[Resume]:
    """Her courses in progress with the point to resume at, assigned ones by due date first (overdue first of
    all), then the others by the time she last learned. Two reads whatever their number (item lists come from the
    per-process structure cache)."""
    # Her enrolments through the learner index, sorted out here: a condition on completed_at would let the planner
    # prefer the country-wide index of unfinished enrolments (seconds at a national scale). A course she completed
    # in another language is done (one course in several languages is one course).
    mine = list(Enrolment.objects.filter(learner=learner).select_related("course", "version"))
    done = {e.course.translation_of_id or e.course_id for e in mine if e.completed_at is not None}
    rows = [e for e in mine if e.pk != exclude and e.state == EnrolmentState.ACTIVE and e.completed_at is None
            and e.course.kind == "course" and (e.course.translation_of_id or e.course_id) not in done]
    far, never = dt.date.max, dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda e: (e.due_on or far, -(e.last_activity_at or e.created_at or never).timestamp()))
    rows = rows[:limit] if limit else rows
    done: dict[int, set[UUID]] = {e.pk: set() for e in rows}
    for eid, key in (ItemProgress.objects.filter(enrolment_id__in=list(done))
                     .filter(Q(completed_at__isnull=False) | Q(passed_at__isnull=False))
                     .values_list("enrolment_id", "item_key")):
        done[eid].add(key)
    today = timezone.localdate()
    out = []
    for e in rows:
        items = list(structure.version_items(e.version_id).values())
        keys = [i.key for i in items]
        at = keys.index(e.last_item_key) if e.last_item_key in keys else 0
        # The item she stopped at, unless she finished it: then the first not done after it (or before it).
        order = items[at:] + items[:at]
        pick = items[at] if items and e.last_item_key in keys and e.last_item_key not in done[e.pk] else \
            next((i for i in order if i.key not in done[e.pk]), items[at] if items else None)
        out.append(Resume(enrolment=e, course=e.course.public_id, title=e.version.title, percent=e.percent,
                          item=pick.key if pick else None, item_title=pick.title if pick else "",
                          due_on=e.due_on, overdue=bool(e.due_on and e.due_on < today),
                          assigned=e.assigned_by_id is not None))
    return out


def suggested_courses(learner, *, language: str, limit: int = 4) -> list:
    """A few courses to start with when she has nothing to do: the most popular in her language among those her
    org may see, leaving out those she is in (in any language); in any language when none is in hers."""
    mine = course_families_of(learner)
    audience = audience_orgs(learner)
    for lang in (language, ""):
        hits = catalog_search(SearchFilters(language=lang, kind="course", sort="popular", audience=audience),
                              language=language, page_size=limit + min(len(mine), 20)).items
        family = {str(p): t or c for p, c, t in Course.objects.filter(public_id__in=[h.course for h in hits])
                  .values_list("public_id", "pk", "translation_of_id")}
        hits = [h for h in hits if family.get(str(h.course)) not in mine][:limit]
        if hits:
            return hits
    return []


# --- karma ----------------------------------------------------------------------------------------------------

def karma_summary(learner) -> dict:
    month = timezone.localdate().replace(day=1)
    qs = KarmaEntry.objects.filter(learner=learner)
    return {"total": qs.aggregate(s=Sum("points"))["s"] or 0,
            "this_month": qs.filter(month=month).aggregate(s=Sum("points"))["s"] or 0}


def karma_history(learner):
    return KarmaEntry.objects.filter(learner=learner).order_by("-at", "-id")


# --- for the apps that build on learning (competencies: recommendations) ---------------------------------------

def course_families_of(learner) -> set[int]:
    """The course families (a course and its translations) she is enrolled in or has asked for or done."""
    return {t or c for c, t in Enrolment.objects.filter(learner=learner).exclude(state=EnrolmentState.REJECTED)
            .values_list("course_id", "course__translation_of_id")}


def enrolment_facts_since(*, after_id: int, limit: int) -> list[tuple[int, int, str, int]]:
    """(enrolment id, her org id, her designation, course family id) of enrolments after ``after_id``, in id
    order: what co-enrolment counts fold incrementally. A rejected request has designation ""."""
    rows = (Enrolment.objects.filter(pk__gt=after_id).order_by("pk")
            .values_list("pk", "learner__org_id", "learner__designation", "course_id", "course__translation_of_id",
                         "state")[:limit])
    return [(i, o, "" if st == EnrolmentState.REJECTED else (d or ""), t or c) for i, o, d, c, t, st in rows]


# --- quiz authoring: a quiz item's sections and questions, for its creators and reviewers ------------------------

@dataclass
class QuizSection:
    index: int
    key: str
    title: str
    questions: list            # active Question rows, in the section's order
    pick: int | None = None
    pass_percent: float | None = None
    time_limit_s: int | None = None
    negative_marking: float | None = None
    implicit: bool = False     # a quiz without sections: the whole bank is one section

    @property
    def minutes(self) -> int:
        return -(-int(self.time_limit_s) // 60) if self.time_limit_s else 0

    @property
    def drawn(self) -> int:
        """How many questions an attempt draws from it."""
        return min(self.pick, len(self.questions)) if self.pick else len(self.questions)

    @property
    def points(self) -> tuple[float, float]:
        """The least and the most points one attempt's draw of this section is worth."""
        marks = sorted(q.points for q in self.questions)
        n = self.drawn
        return (sum(marks[:n]), sum(marks[len(marks) - n:]) if n else 0.0)


def quiz_settings(item) -> dict:
    return dict(item.settings) if isinstance(item.settings, dict) else {}


def quiz_bank(course) -> dict:
    return {str(q.public_id): q for q in Question.objects.filter(course=course, is_active=True).order_by("id")}


def quiz_sections(item, course, *, bank: dict | None = None) -> list[QuizSection]:
    """The sections of a quiz item as an attempt draws them: a section's questions are its list, or the bank's
    questions tagged with its pool; without sections, the course's whole active bank."""
    bank = quiz_bank(course) if bank is None else bank
    conf = quiz_settings(item)
    sections = conf.get("sections")
    if not isinstance(sections, list) or not sections:
        return [QuizSection(0, "all", "", list(bank.values()), implicit=True)]
    out = []
    for n, sec in enumerate(s for s in sections if isinstance(s, dict)):
        if isinstance(sec.get("pool"), str):
            qs = [q for q in bank.values() if sec["pool"] in (q.tags or [])]
        else:
            qs = [bank[str(qid)] for qid in sec.get("questions") or [] if str(qid) in bank]
        out.append(QuizSection(n, str(sec.get("key") or n + 1), str(sec.get("title") or ""), qs,
                               pick=sec.get("pick") or None, pass_percent=sec.get("pass_percent"),
                               time_limit_s=sec.get("time_limit_s"), negative_marking=sec.get("negative_marking")))
    return out


def quiz_summary(item, course) -> dict:
    """What the studio and the reviewer see of a quiz: its sections with their counts and points, and its rules."""
    conf = quiz_settings(item)
    sections = quiz_sections(item, course)
    low = sum(s.points[0] for s in sections)
    high = sum(s.points[1] for s in sections)
    return {"sections": sections, "questions": sum(len(s.questions) for s in sections),
            "drawn": sum(s.drawn for s in sections), "points_low": low, "points_high": high,
            "pass_percent": conf.get("pass_percent"), "max_attempts": conf.get("max_attempts"),
            "time_limit_s": conf.get("time_limit_s"),
            "minutes": -(-int(conf["time_limit_s"]) // 60) if isinstance(conf.get("time_limit_s"), int) else 0,
            "negative_marking": conf.get("negative_marking"),
            "partial_credit": bool(conf.get("partial_credit")), "show_solutions": conf.get("show_solutions")}


def _section_name(sec: QuizSection) -> str:
    return sec.title or _("Section %(n)s") % {"n": sec.index + 1}


def quiz_problems(version) -> dict[str, str]:
    """The pre-review checklist's problems of a version's quizzes (``settings.VERSION_PROBLEM_CHECKS``): a quiz or
    a section without questions, a section that draws more questions than it holds."""
    items = list(ContentItem.objects.filter(module__version=version, kind=ItemKind.QUIZ).order_by("module__position",
                                                                                                 "position"))
    if not items:
        return {}
    bank = quiz_bank(version.course)
    problems: dict[str, str] = {}
    for item in items:
        sections = quiz_sections(item, version.course, bank=bank)
        if not any(s.questions for s in sections):
            problems[f"items.{item.key}"] = _("The quiz “%(quiz)s” has no questions yet.") % {"quiz": item.title}
            continue
        for s in sections:
            field = f"items.{item.key}.sections.{s.index}"
            if not s.questions:
                problems[field] = _("The section “%(section)s” of the quiz “%(quiz)s” has no questions yet.") % {
                    "section": _section_name(s), "quiz": item.title}
            elif s.pick and s.pick > len(s.questions):
                problems[field] = _("The section “%(section)s” of the quiz “%(quiz)s” draws %(pick)s questions "
                                    "but holds only %(count)s.") % {"section": _section_name(s), "quiz": item.title,
                                                                   "pick": s.pick, "count": len(s.questions)}
    return problems
