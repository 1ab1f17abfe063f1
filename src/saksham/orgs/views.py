from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from saksham.core import permissions
from saksham.core.errors import DomainError
from saksham.orgs import queries, services
from saksham.orgs.models import OrgKind


def _admin_root(user):
    """The highest org the user administers (the country for a platform admin)."""
    paths = permissions.admin_paths(user)
    if paths is None:
        return queries.country()
    if not paths:
        raise DjangoPermissionDenied
    return queries.Org.objects.filter(path=min(paths, key=len)).first()


@login_required
def org_browser(request, code=None):
    """Browse the hierarchy below the orgs one administers, and manage it."""
    root = _admin_root(request.user)
    org = queries.org_get(code=code) if code else root
    if org is None:
        raise Http404
    if not permissions.allowed(request.user, "org.create_under", org):
        raise DjangoPermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _act(request, org, action)
        except DomainError as exc:
            messages.error(request, exc.user_message())
        else:
            messages.success(request, _("Saved."))
            org.refresh_from_db()
        return redirect("orgs:org", code=org.code)
    ancestors = [a for a in queries.org_ancestors(org) if permissions.allowed(request.user, "org.create_under", a)]
    children = list(queries.org_children(org))
    return render(request, "orgs/browser.html", {
        "org": org, "ancestors": ancestors, "children": children, "kinds": OrgKind.choices,
        "can_manage": permissions.allowed(request.user, "org.manage", org),
        "level_name": queries.level_name(org.kind),
    })


def _act(request, org, action):
    p, actor = request.POST, request.user
    if action == "create":
        services.org_create(actor=actor, parent=org, code=p.get("code", "").strip(), name=p.get("name", ""),
                            name_local=p.get("name_local", ""), kind=p.get("kind", ""))
    elif action == "update":
        services.org_update(actor=actor, org=org, name=p.get("name", ""), name_local=p.get("name_local", ""))
    elif action == "move":
        target = queries.org_get(code=p.get("parent", "").strip())
        if target is None:
            raise DomainError(_("Unknown organisation code."), field="parent")
        services.org_move(actor=actor, org=org, new_parent=target)
    elif action == "merge":
        target = queries.org_get(code=p.get("into", "").strip())
        if target is None:
            raise DomainError(_("Unknown organisation code."), field="into")
        services.org_merge(actor=actor, source=org, target=target)
    elif action == "deactivate":
        services.org_deactivate(actor=actor, org=org)
    elif action == "reactivate":
        services.org_reactivate(actor=actor, org=org)
    else:
        raise DomainError(_("Unknown action."))
