"""Demo learning: a few demo courses end with a graded quiz (``demo/<profile>.json``: questions in the course's
language, added as the course's next version through the studio's services), and the demo learner is enrolled in
courses of different families: one completed, one part-way (a video left at 0:10), one assigned by an admin with a
due date, and one with everything done but its quiz, not yet attempted. Idempotent (fixed event ids, enrolments
reused, a course whose live version has a quiz is left alone)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saksham.catalog import services as catalog
from saksham.catalog.models import ContentItem, Course, CourseVersion, ItemKind, VersionStatus
from saksham.catalog.workflow_demo import DRAFT_TITLE
from saksham.learning import services, structure
from saksham.people.models import Role, User

DEMO_DIR = Path(__file__).resolve().parent / "demo"


def demo_quizzes() -> list[dict]:
    path = DEMO_DIR / f"{Path(settings.PROFILE['source']).stem}.json"
    return json.loads(path.read_text(encoding="utf-8"))["quizzes"] if path.exists() else []


def quiz_course(spec: dict) -> Course | None:
    """The live course a quiz of the demo's list belongs to (by its title)."""
    v = (CourseVersion.objects.filter(title=spec["course"], course__live_version=F("pk"))
         .select_related("course").first())
    return v.course if v else None


def _team() -> dict[str, User]:
    return {key: User.objects.filter(email__startswith=f"catalogue.{key}@demo.").first()
            for key in ("creator", "reviewer", "publisher")}


@transaction.atomic
def build_quizzes() -> int:
    """Give each course of the demo's quiz list its quiz: a new version of the course with a last module holding
    the quiz, its questions written to the course's bank, reviewed and published. Returns the quizzes added."""
    team = _team()
    if None in team.values():
        return 0
    added = 0
    for spec in demo_quizzes():
        course = quiz_course(spec)
        if course is None or ContentItem.objects.filter(module__version=course.live_version_id,
                                                        kind=ItemKind.QUIZ).exists():
            continue
        draft = catalog.version_new_draft(actor=team["creator"], course=course)
        sections = []
        for sec in spec["sections"]:
            ids = [str(services.question_create(actor=team["creator"], course=course, kind=q["kind"],
                                                data={**q, "tags": [sec["key"]]}).public_id)
                   for q in sec["questions"]]
            sections.append({"key": sec["key"], "title": sec["title"], "questions": ids,
                             **{k: sec[k] for k in ("pick", "pass_percent", "time_limit_s") if k in sec}})
        conf = services.quiz_settings_clean({**spec["settings"], "sections": sections}, set(
            str(q) for q in course.questions.filter(is_active=True).values_list("public_id", flat=True)))
        module = catalog.module_add(actor=team["creator"], version=draft,
                                    title=spec["module"])
        catalog.item_add(actor=team["creator"], module=module, kind=ItemKind.QUIZ,
                         data={"title": spec["title"], "duration_minutes": 15, "settings": conf})
        catalog.version_submit(actor=team["creator"], version=draft)
        catalog.version_review(actor=team["reviewer"], version=draft, approve=True, comments="")
        catalog.version_publish(actor=team["publisher"], version=draft)
        added += 1
    return added


DRAFT_QUIZ = [
    {"kind": "single", "text": "Who chairs an office's Internal Committee?",
     "options": [{"id": "a", "text": "The head of the office"}, {"id": "b", "text": "A senior woman employee"},
                 {"id": "c", "text": "An officer from another ministry"}], "answer": "b",
     "explanation": "The Act asks for a woman employed at a senior level as the presiding officer."},
    {"kind": "true_false", "text": "A complaint must be made within three months of the incident.", "answer": True,
     "explanation": "Within three months; the Committee may extend it by three more for reasons recorded."},
    {"kind": "single", "text": "A colleague tells you about harassment. What do you do first?",
     "options": [{"id": "a", "text": "Listen, and tell her how to reach the Committee"},
                 {"id": "b", "text": "Tell the whole section so it stops"}, {"id": "c", "text": "Advise her to ignore it"}],
     "answer": "a", "explanation": "Support her and keep what she told you confidential."},
]


def build_draft_quiz() -> int:
    """The demo creator's course that the reviewer sent back (saksham.catalog.workflow_demo) gets a short quiz, so
    the studio shows a draft with a quiz to open in its editor. Returns 1 when it added the quiz."""

    team = _team()
    version = (CourseVersion.objects.filter(title=DRAFT_TITLE, status=VersionStatus.DRAFT)
               .select_related("course").first())
    if None in team.values() or version is None or ContentItem.objects.filter(
            module__version=version, kind=ItemKind.QUIZ).exists():
        return 0
    creator = version.created_by or team["creator"]
    ids = [str(services.question_create(actor=creator, course=version.course, kind=q["kind"], data=q).public_id)
           for q in DRAFT_QUIZ]
    conf = services.quiz_settings_clean({"pass_percent": 60, "max_attempts": 3,
                                         "sections": [{"key": "check", "title": "", "questions": ids}]}, set(ids))
    module = catalog.module_add(actor=creator, version=version, title="Check yourself")
    catalog.item_add(actor=creator, module=module, kind=ItemKind.QUIZ,
                     data={"title": "Quiz: a safe workplace", "duration_minutes": 10, "settings": conf})
    return 1


def _families() -> list[Course]:
    """The first courses of different families (a course and its translations are one family)."""
    return list(Course.objects.filter(live_version__status=VersionStatus.PUBLISHED, translation_of__isnull=True,
                                      kind="course").select_related("live_version").order_by("id")[:3])


def _quiz_ready_course() -> Course | None:
    """The last course of the demo's quiz list: the learner has learned everything in it but its quiz."""
    specs = demo_quizzes()
    return quiz_course(specs[-1]) if specs else None


def build_learning() -> int:
    learner = User.objects.filter(email__startswith="learner@demo.").first()
    if learner is None:
        return 0
    courses = _families()
    if not courses:
        return 0
    ready = _quiz_ready_course()
    if ready is not None and ready not in courses:
        courses.append(ready)
    admin = (User.objects.filter(memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
             or User.objects.filter(is_superuser=True).order_by("id").first())
    now = timezone.now()
    for n, course in enumerate(courses):
        if n == 2 and admin is not None:
            e = services.enrolment_create(learner=learner, course=course, assigned_by=admin,
                                          due_on=timezone.localdate() + dt.timedelta(days=21))
        else:
            e = services.enrolment_create(learner=learner, course=course)
        items = list(structure.version_items(e.version_id).values())
        if n == 0 or course == ready:
            # Everything but the assessments: the first course completes; the quiz course waits for its quiz.
            when = now - (dt.timedelta(days=2) if n == 0 else dt.timedelta(hours=1))
            chosen = [i for i in items if not i.is_assessment]
            events = [{"enrolment": e.public_id, "item": i.key, "percent": 100, "seconds": 60, "position": None,
                       "event_id": f"demo-{e.pk}-{j}", "at": when + dt.timedelta(minutes=j)}
                      for j, i in enumerate(chosen)]
        else:
            first = items[0] if items else None
            if first is None or first.is_assessment:
                continue
            pos = min(10.0, first.max_position or 10.0) if first.max_position != 0 else None
            events = [{"enrolment": e.public_id, "item": first.key, "percent": 40, "seconds": 60, "position": pos,
                       "event_id": f"demo-{e.pk}-0", "at": now - dt.timedelta(hours=3)}]
        if events:
            services.progress_record(learner=learner, events=events)
    return len(courses)
