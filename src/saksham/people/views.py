
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from saksham.core import audit
from saksham.core.errors import DomainError, NotFound, RateLimited
from saksham.core.exports import csv_lines, csv_response, file_response, table_response
from saksham.orgs.queries import org_by_ref, org_search
from saksham.people import importing, queries, services, signin, tasks, template
from saksham.people.forms import (
    ConfirmForm,
    ImportForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendForm,
    SetPasswordForm,
    SignInCodeForm,
    SignInCodeRequestForm,
    org_code_from,
    org_label,
)
from saksham.people.models import ImportStatus, NotificationKind, Role, Status, User


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def _form_error(form, exc: DomainError):
    """The error beside its field, or above the form naming the field by its label (never by its code)."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message_for_field())
    else:
        form.add_error(None, exc.user_message({k: f.label for k, f in form.fields.items()}))


def _require_admin(request):
    if not queries.is_admin(request.user):
        raise DjangoPermissionDenied


# --- registration and sign-in -----------------------------------------------------------------

def register(request):
    form = RegisterForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        data["org"] = org_code_from(data["org"])
        try:
            services.registration_create(data=data, password=form.cleaned_data["password"], ip=_ip(request))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            # The same answer when the email already has an account (its owner is emailed instead).
            email = form.cleaned_data["email"].strip().lower()
            request.session["confirm_email"] = email
            messages.success(request, _("We sent a confirmation code to %(email)s.") % {"email": email})
            messages.info(request, _("The email usually arrives within a minute. If it does not, look in your spam "
                                     "folder or ask for a new code below."))
            return redirect("people:confirm")
    return render(request, "people/register.html", {"form": form})


def org_options(request):
    """<option>s for the organisation picker (htmx, as she types)."""
    q = request.GET.get("org", "") or request.GET.get("q", "")
    orgs = list(org_search(q, limit=30)) if len(q.strip()) >= 2 else []
    return render(request, "people/_org_options.html", {"orgs": orgs})


def confirm(request):
    form = ConfirmForm(request.POST or None, initial={"email": request.session.get("confirm_email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.email_confirm_code(email=form.cleaned_data["email"], code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return _confirmed(request, user)
    return render(request, "people/confirm.html", {"form": form,
                                                   "email": request.session.get("confirm_email", "")})


@require_POST
def confirm_resend(request):
    """"Resend code": a new code replaces the one sent before; limited per account (a minute between two, five an
    hour), with the wait in words when she asks too soon."""
    form = ResendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the email you registered with to get a new code."))
        return redirect("people:confirm")
    email = form.cleaned_data["email"]
    try:
        services.confirmation_resend(email=email)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session["confirm_email"] = email
        messages.success(request, _("A new code is on its way to %(email)s. The code sent before no longer works.")
                         % {"email": email})
    return redirect("people:confirm")


def confirm_link(request, token):
    try:
        user = services.email_confirm_link(token=token)
    except DomainError as exc:
        messages.error(request, exc.user_message())
        return redirect("people:confirm")
    return _confirmed(request, user)


def _confirmed(request, user: User):
    if user.status == Status.ACTIVE:
        messages.success(request, _("Your email is confirmed. You can sign in now."))
    else:
        messages.info(request, _("Your email is confirmed. Your organisation's admin will approve your account."))
    return redirect("people:login")


def _next_or_home(request):
    nxt = request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("web:home")


def _too_many(response, exc: DomainError):
    """A throttled form answers 429 with how long to wait, like the API."""
    if isinstance(exc, RateLimited):
        response.status_code = 429
        response["Retry-After"] = str(int((exc.details or {}).get("retry_after") or 60))
    return response


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = signin.sign_in_with_password(request, email=form.cleaned_data["email"],
                                                password=form.cleaned_data["password"], ip=_ip(request))
        except DomainError as exc:
            form.add_error(None, exc.user_message())
            return _too_many(render(request, "people/login.html", {"form": form, "throttled":
                                                                    isinstance(exc, RateLimited)}), exc)
        login(request, user)
        return _next_or_home(request)
    return render(request, "people/login.html", {"form": form})


def login_code(request):
    """"Email me a sign-in code": the way in that no wrong password can close."""
    form = SignInCodeRequestForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            signin.signin_code_request(email=email, ip=_ip(request))
        except DomainError as exc:
            form.add_error("email", exc.message_for_field())
            return _too_many(render(request, "people/login_code.html", {"form": form}), exc)
        request.session["signin_email"] = email
        messages.success(request, _("If %(email)s belongs to an active account, a sign-in code is on its way to it. "
                                    "The code is valid for 10 minutes.") % {"email": email})
        return redirect("people:login_code_enter")
    return render(request, "people/login_code.html", {"form": form})


def login_code_enter(request):
    form = SignInCodeForm(request.POST or None, initial={"email": request.session.get("signin_email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = signin.sign_in_with_code(email=form.cleaned_data["email"], code=form.cleaned_data["code"],
                                            ip=_ip(request))
        except DomainError as exc:
            _form_error(form, exc)
            return _too_many(render(request, "people/login_code_enter.html", {"form": form}), exc)
        request.session.pop("signin_email", None)
        login(request, user)
        return _next_or_home(request)
    return render(request, "people/login_code_enter.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, whose email is drawn and sent by a task: the request takes the same time whether or
    not the email has an account, and answers the same."""

    template_name = "people/password_reset.html"
    success_url = reverse_lazy("people:password_reset_done")

    def form_valid(self, form):
        signin.password_reset_request(email=form.cleaned_data["email"])
        return redirect(self.get_success_url())


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:home")


def activate(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "people/activate.html", {"invalid": True}, status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activation_complete(user=user, password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error("password", exc.message_for_field())
        else:
            messages.success(request, _("Your password is set. Sign in."))
            return redirect("people:login")
    return render(request, "people/activate.html", {"form": form, "person": user})


@login_required
def profile(request):
    user = request.user
    initial = {f: getattr(user, f) for f in ProfileForm.base_fields}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["date_of_birth"] = data["date_of_birth"].isoformat() if data["date_of_birth"] else ""
        try:
            services.profile_update(actor=user, person=user, data=data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if data.get("preferred_language") in dict(settings.LANGUAGES):
                translation.activate(data["preferred_language"])  # say it in the language she just chose
            messages.success(request, _("Profile saved."))
            return redirect("people:profile")
    return render(request, "people/profile.html", {"form": form, "roles": queries.roles_of(user),
                                                   "notification_prefs": queries.notification_preferences_of(user)})


# --- notifications centre -------------------------------------------------------------------------------

@login_required
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    return render(request, "people/notifications.html", {
        "page": queries.notifications_of(request.user, unread_only=unread_only, page=page),
        "unread_only": unread_only})


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("people:notifications")


@login_required
@require_POST
def notification_open(request, notification_id):
    """Open a notification: it is read, and she goes where it points (a path of this site only)."""
    try:
        n = queries.notification_get(request.user, notification_id)
    except NotFound:
        raise Http404 from None
    services.notifications_mark_read(user=request.user, ids=[n.public_id])
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return redirect(n.url)
    return redirect("people:notifications")


@login_required
@require_POST
def notification_preferences(request):

    in_app, email = set(request.POST.getlist("in_app")), set(request.POST.getlist("email"))
    services.notification_preferences_set(user=request.user, choices={
        k: {"in_app": k in in_app, "email": k in email} for k in NotificationKind.values})
    messages.success(request, _("Your notification choices are saved."))
    return redirect("people:profile")


# --- administration -----------------------------------------------------------------------------

@login_required
def people(request):
    _require_admin(request)
    g = request.GET
    code = g.get("org", "").strip()
    scope = org_by_ref(code) if code else None
    try:
        page = max(1, min(int(g.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    org_error = ""
    if code and (scope is None or not queries.administers(request.user, scope.path)):
        # An org she does not administer (or that does not exist) is an empty list, never her whole scope.
        org_error = _("No organisation with the code %(code)s among those you administer.") % {"code": code}
        result = queries.PeoplePage(items=[], page=1, page_size=25, has_next=False)
    else:
        result = queries.people_search(request.user, text=g.get("q", ""), org=scope, status=g.get("status", ""),
                                       designation=g.get("designation", ""), group=g.get("group", ""), page=page)
    ctx = {"result": result, "q": g.get("q", ""), "status": g.get("status", ""), "org": code,
           "designation": g.get("designation", ""), "statuses": Status.choices, "org_error": org_error,
           "pending": queries.pending_approvals(request.user)[:20]}
    template = "people/_people_table.html" if request.headers.get("HX-Request") else "people/people.html"
    return render(request, template, ctx)


@login_required
def person(request, person_id):
    try:
        person = queries.person_get(request.user, person_id)
    except NotFound:
        raise Http404 from None
    if person.pk == request.user.pk and not queries.is_admin(request.user):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.registration_decide(actor=request.user, person=person, approve=True)
            elif action == "reject":
                services.registration_decide(actor=request.user, person=person, approve=False,
                                             reason=request.POST.get("reason", ""))
            elif action in ("deactivate", "reactivate"):
                services.person_set_active(actor=request.user, person=person, active=action == "reactivate")
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, exc.user_message())
        return redirect("people:person", person_id=person.public_id)
    history = [_history_row(h) for h in queries.person_history(person)[:20]]
    return render(request, "people/person.html", {"person": person, "roles": queries.roles_of(person),
                                                  "history": history})


@login_required
def imports(request):
    _require_admin(request)
    posted = request.POST.get("org") if request.method == "POST" else None
    chosen = queries.import_org_get(request.user, posted) if posted else None
    form = ImportForm(request.POST or None, request.FILES or None, orgs=queries.import_orgs_for(request.user),
                      chosen=chosen, initial={"send_emails": True})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.job_create(actor=request.user, org=form.cleaned_data["org"], upload=upload,
                                       original_name=upload.name, send_emails=form.cleaned_data["send_emails"],
                                       new_designations=form.cleaned_data["new_designations"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            tasks.import_queue(job)
            return redirect("people:import_detail", job_id=job.public_id)
    jobs = queries.import_jobs_visible_to(request.user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "people/imports.html", {"form": form, "jobs": jobs,
                                                   "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
                  status=status)


@login_required
def import_org_options(request):
    """The organisation picker's <option>s for what she typed (htmx): orgs of her own subtree only."""
    _require_admin(request)
    orgs = queries.import_orgs_for(request.user, request.GET.get("q", ""), limit=200)
    top = min((o.depth for o in orgs), default=0)
    return render(request, "people/_import_org_options.html",
                  {"options": [(o.code, org_label(o, top)) for o in orgs]})


@login_required
def import_template(request, file_format):
    """An empty file to fill: the header, an example row and a guide to each column."""
    _require_admin(request)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "xlsx":
        return file_response(lambda path: template.write_xlsx(str(path)), "people-template.xlsx")
    return csv_response("".join(csv_lines(template.csv_rows())), "people-template.csv")


# What happened to a person, in words (the audit log keeps the codes).
HISTORY_ACTIONS = {
    "person.activate": gettext_lazy("Account activated"), "person.approve": gettext_lazy("Registration approved"),
    "person.confirm_email": gettext_lazy("Email confirmed"),
    "person.confirm_resend": gettext_lazy("Asked for a new confirmation code"), "person.create": gettext_lazy("Added"),
    "person.deactivate": gettext_lazy("Deactivated"), "person.register": gettext_lazy("Registered"),
    "person.reject": gettext_lazy("Registration rejected"), "person.update": gettext_lazy("Profile changed"),
    "role.grant": gettext_lazy("Role given"), "role.revoke": gettext_lazy("Role taken away"),
}


def _history_value(value) -> str:
    """"content_creator@ISTM" -> "Content creator @ ISTM"; other values as they are."""
    text = "" if value is None else str(value)
    role, at, org = text.partition("@")
    if at and role in Role.values:
        return f"{Role(role).label} @ {org}"
    return text


def _history_row(entry) -> dict:
    changes = []
    for field, value in (entry.changes or {}).items():
        before, after = value if isinstance(value, (list, tuple)) and len(value) == 2 else (None, value)
        changes.append((field, _history_value(before), _history_value(after)))
    return {"at": entry.at, "action": HISTORY_ACTIONS.get(entry.action, entry.action), "actor": entry.actor,
            "changes": changes}


def _import_context(job) -> dict:
    unknown = sorted(job.unknown_designations.items(), key=lambda kv: (-kv[1]["rows"], kv[0]))
    return {"job": job, "rejected": importing.rejected_rows(job, 50), "warned": importing.warned_rows(job, 50),
            "unknown": [{"designation": k, "rows": v["rows"], "closest": v["closest"]} for k, v in unknown]}


def _job(request, job_id):
    try:
        return queries.import_job_get(request.user, job_id)
    except NotFound:
        raise Http404 from None


@login_required
def import_detail(request, job_id):
    job = _job(request, job_id)
    return render(request, "people/import_detail.html", _import_context(job))


@login_required
def import_progress(request, job_id):
    job = _job(request, job_id)
    response = render(request, "people/_import_progress.html", _import_context(job))
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        response["HX-Trigger"] = "import-finished"
    return response


@login_required
def import_report(request, job_id):
    return report_response(_job(request, job_id), actor=request.user, ip=_ip(request))


def report_response(job, *, actor, ip: str | None = None) -> HttpResponse:
    """The uploaded file with status and error columns: CSV streamed, XLSX built on disk; the download is
    recorded in the audit log."""
    audit.record(actor=actor, action="export.import_report", target=job, org=job.org_id, ip=ip,
                 changes={"file": [None, job.original_name]})
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return table_response(job.file_format, importing.report_rows(job), f"{stem}-report", sheet="report")
