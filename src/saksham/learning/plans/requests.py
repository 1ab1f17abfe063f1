"""Content requests: an admin asks providers for a course she cannot find, a provider answers, the admin closes."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from saksham.catalog.models import Provider
from saksham.catalog.queries import course_get
from saksham.catalog.rules import has_any_catalog_role
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, ValidationFailed, body_field
from saksham.core.messages import Message
from saksham.learning.models import ContentRequest, ContentRequestAnswer, ContentRequestStatus
from saksham.learning.plans.common import visible_one, within_admin_subtrees
from saksham.orgs.models import Org
from saksham.orgs.queries import language_codes
from saksham.people.models import NotificationKind
from saksham.people.services import notification_send


@transaction.atomic
def content_request_create(*, actor, org: Org, title: str, description: str = "", language: str = "",
                           competency: str = "") -> ContentRequest:
    """An admin asks providers for a course she cannot find."""
    permissions.require(actor, "plan.manage", org)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(gettext("title: 1 to 200 characters"), field="title")
    if language and language not in {c for c, _n in settings.LANGUAGES} | set(_content_languages()):
        raise ValidationFailed(gettext("language: unknown language %(language)s") % {"language": repr(language)}, field="language")
    req = ContentRequest.objects.create(org=org, requested_by=actor, title=title, description=description or "",
                                        language=language or "", competency=(competency or "")[:200])
    audit.record(actor=actor, action="content_request.create", target=req, changes={"title": [None, title]})
    return req


def _content_languages() -> list[str]:
    return list(language_codes())


@transaction.atomic
def content_request_answer(*, actor, request: ContentRequest, provider: Provider, text: str,
                           course=None) -> ContentRequestAnswer:
    """A provider answers (we will make it / this course exists); the requester is notified."""

    permissions.require(actor, "content_request.answer", provider)
    if request.status == ContentRequestStatus.CLOSED:
        raise Conflict(gettext("the request is closed"), code="closed", field="status")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(gettext("text: required"), field="text")
    course_obj = None
    if course:

        with body_field("course"):       # a course she may see (another org's draft is the one 404)
            course_obj = course_get(actor, course)
    answer = ContentRequestAnswer.objects.create(request=request, provider=provider, author=actor, text=text,
                                                 course=course_obj)
    request.status = ContentRequestStatus.ANSWERED
    request.save(update_fields=["status"])
    if request.requested_by:
        notification_send(user=request.requested_by, kind=NotificationKind.CONTENT_REQUEST,
                          title=Message.gettext("%(provider)s answered your request “%(title)s”",
                                                provider=provider.org.name, title=request.title),
                          body=text[:1000], url=reverse("learning:content_requests"))
    audit.record(actor=actor, action="content_request.answer", target=request)
    return answer


@transaction.atomic
def content_request_close(*, actor, request: ContentRequest) -> ContentRequest:
    permissions.require(actor, "plan.manage", request.org)
    request.status = ContentRequestStatus.CLOSED
    request.save(update_fields=["status"])
    return request


def content_requests_visible_to(actor) -> QuerySet[ContentRequest]:
    """Providers' staff see every request; admins see those of their orgs."""
    qs = ContentRequest.objects.select_related("org", "requested_by").order_by("-created_at", "-id")
    return qs if has_any_catalog_role(actor) else within_admin_subtrees(qs, actor)


def content_request_get(actor, public_id) -> ContentRequest:
    """A content request the actor may see (``content_requests_visible_to``); the one 404 otherwise."""
    return visible_one(content_requests_visible_to(actor), public_id, gettext("no such content request"))
