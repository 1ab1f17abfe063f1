"""Permission rules of learning. An admin assigns courses to, and decides the requests of, the people of her
subtree; a course's publishers decide requests for their course too; a course's editors set its policy."""

from __future__ import annotations

from saksham.catalog.rules import holds
from saksham.core.permissions import rule
from saksham.people.models import Role
from saksham.people.rules import administers


@rule("enrolment.view")
def _view(actor, enrolment) -> bool:
    """Her own enrolment; the admins of her subtree and the course's publishers see it too (they decide it)."""
    return actor.pk == enrolment.learner_id or _decide(actor, enrolment)


@rule("enrolment.assign")
def _assign(actor, learner) -> bool:
    return administers(actor, learner.org.path)


@rule("enrolment.decide")
def _decide(actor, enrolment) -> bool:
    return administers(actor, enrolment.learner.org.path) or holds(actor, Role.PUBLISHER,
                                                                    enrolment.course.provider.org)


@rule("course.policy")
def _policy(actor, course) -> bool:
    return holds(actor, Role.CONTENT_CREATOR, course.provider.org) or holds(actor, Role.PUBLISHER,
                                                                          course.provider.org)


@rule("question.manage")
def _questions(actor, course) -> bool:
    return holds(actor, Role.CONTENT_CREATOR, course.provider.org)


@rule("plan.manage")
def _plan_manage(actor, org) -> bool:
    """Learning plans and content requests of an org: its admins (and those above)."""
    return org is not None and administers(actor, org.path)


@rule("content_request.answer")
def _content_request_answer(actor, provider) -> bool:
    return provider is not None and (holds(actor, Role.CONTENT_CREATOR, provider.org)
                                     or holds(actor, Role.PUBLISHER, provider.org))
