"""The audit log page (/people/audit): who changed what in the orgs the admin administers; CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from saksham.core import audit
from saksham.core.errors import ValidationFailed
from saksham.core.exports import csv_lines, csv_response
from saksham.people import auditlog
from saksham.people.queries import is_admin, is_platform_admin


def _labels() -> dict[str, str]:
    return {"actor": _("Who"), "person": _("About"), "action": _("Action"), "from": _("From"), "to": _("To"),
            "page": _("Page")}


@login_required
def audit_log(request):
    if not is_admin(request.user):
        raise DjangoPermissionDenied
    g = request.GET
    ctx = {"values": {k: g.get(k, "") for k in ("actor", "person", "action", "from", "to")},
           "actions": auditlog.action_choices(), "everything": is_platform_admin(request.user), "errors": {}}
    try:
        filters = auditlog.filters_parse(g)
    except ValidationFailed as exc:
        field = exc.field or ""
        ctx["errors"] = {field: exc.message_for_field()}
        ctx["error_summary"] = f"{_labels().get(field, field)}: {exc.message_for_field()}"
        ctx["result"] = auditlog.Page(rows=[], page=1, has_next=False)
        return render(request, "people/audit_log.html", ctx, status=400)
    if g.get("format") == "csv":
        audit.record(actor=request.user, action="export.audit_log", target=request.user,
                     changes={k: [None, v] for k, v in filters.query().items()}, ip=request.META.get("REMOTE_ADDR"))
        stamp = timezone.localdate().isoformat()
        return csv_response(csv_lines(auditlog.csv_rows(request.user, filters)), f"audit-log-{stamp}.csv")
    query = filters.query()
    ctx.update(result=auditlog.page(request.user, filters), query=urlencode(query),
               export=urlencode({**query, "format": "csv"}))
    return render(request, "people/audit_log.html", ctx)
