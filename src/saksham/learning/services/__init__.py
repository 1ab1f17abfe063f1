"""Every write of learning, one module per sub-domain, in this order (a module imports only those before it):

1. ``ledger``: the SQL primitives (the progress merge's statements, the dialect's MIN/MAX, the statements insert).
2. ``completion``: the share done and the completion rule, recording a completion (which enqueues the
   post-completion pipeline of ``learning/pipeline.py``), a passed assessment item, programs recounted.
3. ``progress``: the progress merge of a batch of client events (``progress_record``).
4. ``enrolments``: course policies, enrolling (open, assigned, requested and decided), leaving, bulk assignment,
   and programmes (their courses enrolled and counted with them).
5. ``versions``: unfinished enrolments moved to a course's newer version.
6. ``assessments``: the exam engine (attempts drawn, answered, paced by section, graded).
7. ``questions``: the question bank and quiz authoring in the studio (reads ``learning.queries``, which reads
   ``completion``, ``enrolments`` and ``assessments``).

Background work: ``learning/tasks.py`` runs the work of ``versions``, ``completion`` and the plans; none of these
modules imports it. Enqueueing is done in one place, ``learning/enqueue.py`` (the hook steps after a publish or a
retirement, a large plan's publication), except the post-completion pipeline, whose task sits with its runner in
``learning/pipeline.py`` below every module here.

This package names the public writes of all of them, so that ``from saksham.learning import services`` and
``services.enrolment_create(...)`` serve every caller; a module of learning that a task reaches imports the
sub-module itself (``from saksham.learning.services.completion import ...``).
"""

from saksham.learning.hooks import Completion, EnrolmentsStarted, TimeCredit
from saksham.learning.pipeline import post_completion_run
from saksham.learning.services.assessments import (
    ATTEMPT_GRACE,
    SectionClock,
    assessment_item,
    attempt_next_section,
    attempt_save,
    attempt_start,
    attempt_submit,
    draw_paper,
    expire_if_due,
    is_paced,
    paper_questions,
    section_clock,
    show_solutions,
)
from saksham.learning.services.completion import (
    enrolment_refresh,
    item_passed,
    on_completion_programs,
    program_progress,
    programs_recount,
)
from saksham.learning.services.enrolments import (
    course_policy,
    course_policy_set,
    enrolment_create,
    enrolment_decide,
    enrolment_leave,
    enrolment_steps_enqueue,
    enrolments_assign_bulk,
)
from saksham.learning.services.progress import (
    FUTURE_SKEW,
    MAX_BATCH,
    MAX_EVENT_SECONDS,
    ProgressResult,
    max_heartbeat_s,
    progress_record,
    time_steps_run,
)
from saksham.learning.services.questions import (
    MAX_QUESTION_OPTIONS,
    MAX_SECTION_QUESTIONS,
    MAX_SECTIONS,
    QUIZ_DEFAULTS,
    question_create,
    question_deactivate,
    quiz_question_add,
    quiz_question_remove,
    quiz_question_replace,
    quiz_section_delete,
    quiz_section_save,
    quiz_settings_clean,
    quiz_settings_set,
)
from saksham.learning.services.versions import MoveResult, enrolments_version_move

__all__ = [
    "ATTEMPT_GRACE", "FUTURE_SKEW", "MAX_BATCH", "MAX_EVENT_SECONDS", "MAX_QUESTION_OPTIONS", "MAX_SECTIONS",
    "MAX_SECTION_QUESTIONS", "QUIZ_DEFAULTS", "Completion", "EnrolmentsStarted", "MoveResult", "ProgressResult",
    "SectionClock", "TimeCredit", "assessment_item", "attempt_next_section", "attempt_save", "attempt_start",
    "attempt_submit", "course_policy", "course_policy_set", "draw_paper", "enrolment_create", "enrolment_decide",
    "enrolment_leave", "enrolment_refresh", "enrolment_steps_enqueue", "enrolments_assign_bulk",
    "enrolments_version_move", "expire_if_due", "is_paced", "item_passed", "max_heartbeat_s",
    "on_completion_programs", "paper_questions", "post_completion_run", "program_progress", "programs_recount",
    "progress_record", "question_create", "question_deactivate", "quiz_question_add", "quiz_question_remove",
    "quiz_question_replace", "quiz_section_delete", "quiz_section_save", "quiz_settings_clean", "quiz_settings_set",
    "section_clock", "show_solutions", "time_steps_run",
]
