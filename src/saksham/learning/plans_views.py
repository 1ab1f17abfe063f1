"""Web pages of learning plans and content requests: the admin builds, publishes and follows a plan; providers
answer content requests. Thin: every write goes through ``plans``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksham.catalog.models import LIVE_STATUSES, Course
from saksham.catalog.queries import provider_get, providers_for
from saksham.catalog.rules import has_any_catalog_role
from saksham.core.errors import DomainError, NotFound
from saksham.learning import plans
from saksham.learning.models import ContentRequestStatus, PlanStatus, TargetKind
from saksham.learning.plans_api import export_response, plan_data
from saksham.orgs.models import Org
from saksham.orgs.queries import org_get
from saksham.people.models import User
from saksham.people.queries import user_groups_visible_to
from saksham.people.rules import admin_scopes, is_admin, is_platform_admin

STATUS_LABELS = {"completed": gettext_lazy("completed"), "in_progress": gettext_lazy("in progress"),
                 "not_started": gettext_lazy("not started"), "overdue": gettext_lazy("overdue")}


def _require_admin(request):
    if not is_admin(request.user):
        raise DjangoPermissionDenied


def _plan(request, plan_id):
    try:
        return plans.plan_get(request.user, plan_id)
    except DomainError:
        raise Http404 from None


def _admin_orgs(user):

    if is_platform_admin(user):
        return list(Org.objects.filter(parent__isnull=True)[:1]) + list(
            Org.objects.filter(memberships__user=user).distinct()[:20])
    paths = [p for p, _r in admin_scopes(user)]
    return list(Org.objects.filter(path__in=paths).order_by("path"))


@login_required
def plan_list(request):
    _require_admin(request)
    if request.method == "POST":

        org = org_get(code=request.POST.get("org", ""))
        try:
            if org is None:
                raise DomainError(_("Choose an organisation."), field="org")
            year = request.POST.get("year", "").strip()
            year = int(year) if year.isdigit() and len(year) <= 4 else 0   # not a year: the service says which are
            plan = plans.plan_create(actor=request.user, org=org, name=request.POST.get("name", ""), year=year,
                                     description=request.POST.get("description", ""))
        except DomainError as exc:
            messages.error(request, exc.user_message())
        else:
            return redirect("learning:plan", plan_id=plan.public_id)
    return render(request, "learning/plans.html", {
        "plans": plans.plans_visible_to(request.user)[:200], "orgs": _admin_orgs(request.user),
        "year": timezone.localdate().year})


@login_required
def plan_detail(request, plan_id):
    plan = _plan(request, plan_id)
    _require_admin(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_course":
                plans.plan_course_add(actor=request.user, plan=plan, course=request.POST.get("course", ""),
                                      due_on=request.POST.get("due_on", ""))
            elif action == "remove_course":
                plans.plan_course_remove(actor=request.user, plan=plan, course_id=request.POST.get("course"))
            elif action == "add_target":
                kind = request.POST.get("kind", "")
                person = None
                if kind == TargetKind.PERSON:

                    found = User.objects.filter(email__iexact=request.POST.get("person", "").strip()).first()
                    person = found.public_id if found else "-"
                plans.plan_target_add(actor=request.user, plan=plan, kind=kind, org=request.POST.get("org") or None,
                                      designation=request.POST.get("designation", ""),
                                      group=request.POST.get("group") or None, person=person)
            elif action == "remove_target":
                plans.plan_target_remove(actor=request.user, plan=plan, target_id=request.POST.get("target"))
            elif action == "publish":
                r = plans.plan_publish(actor=request.user, plan=plan)
                if r.queued:
                    messages.success(request, _("Published: %(n)s people are being assigned.") % {"n": r.people})
                else:
                    messages.success(request, _("Published: %(n)s people assigned.") % {"n": r.people})
            elif action == "retire":
                plans.plan_retire(actor=request.user, plan=plan)
                messages.success(request, _("The plan is retired."))
        except DomainError as exc:
            messages.error(request, exc.user_message())
        return redirect("learning:plan", plan_id=plan.public_id)
    status = request.GET.get("status", "")
    try:
        after = max(0, int(request.GET.get("after", 0)))
    except ValueError:
        after = 0
    people = []
    if plan.status != PlanStatus.DRAFT:
        try:
            people = plans.compliance_people(plan, status=status, after=after, limit=50)
        except DomainError:
            people = []
        for p in people:
            p["status_label"] = STATUS_LABELS[p["status"]]
    courses = []
    if plan.status == PlanStatus.DRAFT:
        courses = (Course.objects.filter(live_version__status__in=LIVE_STATUSES)
                   .select_related("live_version").order_by("live_version__title")[:300])
    return render(request, "learning/plan.html", {
        "plan": plan, "data": plan_data(plan), "draft": plan.status == PlanStatus.DRAFT,
        "compliance": plans.compliance_by_course(plan) if plan.status != PlanStatus.DRAFT else [],
        "people": people, "status": status, "next_after": people[-1]["cursor"] if len(people) == 50 else None,
        "statuses": list(STATUS_LABELS.items()), "courses": courses, "kinds": TargetKind.choices,
        "groups": user_groups_visible_to(request.user)[:200], "today": timezone.localdate()})


@login_required
def plan_export(request, plan_id, fmt):
    plan = _plan(request, plan_id)
    _require_admin(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return export_response(plan, fmt, actor=request.user, ip=request.META.get("REMOTE_ADDR"))


# --- content requests -----------------------------------------------------------------------------------------

@login_required
def content_requests(request):

    admin, staff = is_admin(request.user), has_any_catalog_role(request.user)
    if not admin and not staff:
        raise DjangoPermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "answer":
                req_id, prov_id = plans.as_uuid(request.POST.get("request")), plans.as_uuid(
                    request.POST.get("provider"))
                req = plans.content_requests_visible_to(request.user).filter(public_id=req_id).first() \
                    if req_id else None
                try:
                    provider = provider_get(request.user, prov_id) if prov_id else None
                except NotFound:
                    provider = None
                if req is None or provider is None:
                    raise DomainError(_("Choose a request and a provider."))
                plans.content_request_answer(actor=request.user, request=req, provider=provider,
                                             text=request.POST.get("text", ""))
                messages.success(request, _("Your answer is sent."))
            else:

                org = org_get(code=request.POST.get("org", ""))
                if org is None:
                    raise DomainError(_("Choose an organisation."), field="org")
                plans.content_request_create(actor=request.user, org=org, title=request.POST.get("title", ""),
                                             description=request.POST.get("description", ""),
                                             language=request.POST.get("language", ""),
                                             competency=request.POST.get("competency", ""))
                messages.success(request, _("Your request is sent to the providers."))
        except DomainError as exc:
            messages.error(request, exc.user_message())
        return redirect("learning:content_requests")
    return render(request, "learning/content_requests.html", {
        "requests": plans.content_requests_visible_to(request.user).prefetch_related("answers__provider__org")[:100],
        "admin": admin, "providers": list(providers_for(request.user)) if staff else [],
        "orgs": _admin_orgs(request.user) if admin else [], "open": ContentRequestStatus.OPEN})

