"""Permission rules of feedback: a course's provider staff reply and define surveys; moderators (platform admins
and the provider's publishers) hide reviews."""

from __future__ import annotations

from saksham.catalog.rules import holds
from saksham.core.permissions import rule
from saksham.people.models import Role
from saksham.people.rules import is_platform_admin


def provider_staff(actor, course) -> bool:
    org = course.provider.org
    return holds(actor, Role.CONTENT_CREATOR, org) or holds(actor, Role.PUBLISHER, org)


@rule("review.reply")
def _reply(actor, rating) -> bool:
    return provider_staff(actor, rating.course)


@rule("review.moderate")
def _moderate(actor, rating) -> bool:
    return is_platform_admin(actor) or holds(actor, Role.PUBLISHER, rating.course.provider.org)


@rule("survey.manage")
def _survey(actor, course) -> bool:
    return provider_staff(actor, course)
