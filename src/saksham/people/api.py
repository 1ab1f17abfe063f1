import datetime as dt
from uuid import UUID

from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query, page_query
from saksham.orgs.queries import org_by_ref
from saksham.people import importing, limits, queries, services, signin, tasks
from saksham.people.models import Status as UserStatus
from saksham.people.models import User
from saksham.people.views import report_response

router = Router(tags=["people"])


class OrgRef(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    name_local: str


class PersonOut(Schema):
    id: UUID = Field(alias="public_id")
    email: str
    full_name: str
    mobile: str
    designation: str
    group: str
    service: str
    employee_code: str | None
    org: OrgRef
    preferred_language: str
    gender: str
    date_of_birth: dt.date | None
    mother_tongue: str
    postal_code: str
    external_id: str
    tags: list[str]
    status: str
    date_joined: dt.datetime


class RoleOut(Schema):
    role: str
    org: OrgRef


class MeOut(PersonOut):
    roles: list[RoleOut]


class PeoplePageOut(Schema):
    items: list[PersonOut]
    page: int
    page_size: int
    has_next: bool


class ProfileIn(StrictSchema):
    full_name: str | None = Field(None, max_length=limits.FULL_NAME)
    mobile: str | None = Field(None, max_length=limits.MOBILE)
    designation: str | None = Field(None, max_length=limits.DESIGNATION)
    group: str | None = Field(None, max_length=limits.GROUP)
    service: str | None = Field(None, max_length=limits.SERVICE)
    employee_code: str | None = Field(None, max_length=limits.EMPLOYEE_CODE)
    preferred_language: str | None = Field(None, max_length=limits.LANGUAGE)
    gender: str | None = Field(None, max_length=limits.GENDER)
    date_of_birth: dt.date | None = None
    mother_tongue: str | None = Field(None, max_length=limits.LANGUAGE)
    postal_code: str | None = Field(None, max_length=limits.POSTAL_CODE)
    external_id: str | None = Field(None, max_length=limits.EXTERNAL_ID)
    tags: list[str] | None = Field(None, max_length=limits.TAGS)


class PersonUpdateIn(ProfileIn):
    email: str | None = Field(None, max_length=limits.EMAIL)
    org: str | None = Field(None, description="org code or id")


class PersonCreateIn(StrictSchema):
    email: str = Field(max_length=limits.EMAIL)
    full_name: str = Field(max_length=limits.FULL_NAME)
    org: str = Field(description="org code or id")
    mobile: str = Field("", max_length=limits.MOBILE)
    designation: str = Field("", max_length=limits.DESIGNATION)
    group: str = Field("", max_length=limits.GROUP)
    service: str = Field("", max_length=limits.SERVICE)
    employee_code: str = Field("", max_length=limits.EMPLOYEE_CODE)
    preferred_language: str = Field("", max_length=limits.LANGUAGE)


class RegisterIn(PersonCreateIn):
    password: str = Field(max_length=128)


class ConfirmIn(StrictSchema):
    email: str = Field(max_length=254)
    code: str = Field(max_length=12)


class LoginIn(StrictSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class DecisionIn(StrictSchema):
    reason: str = Field("", max_length=500)


class RoleIn(StrictSchema):
    role: str
    org: str


class TokenIn(StrictSchema):
    name: str = Field(max_length=100)
    days: int | None = 365


class TokenOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class StatusOut(Schema):
    status: str
    message: str = ""


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _me(user: User) -> dict:
    data = PersonOut.from_orm(user).model_dump(by_alias=True)
    data["roles"] = [{"role": m.role, "org": OrgRef.from_orm(m.org).model_dump(by_alias=True)} for m in queries.roles_of(user)]
    return data


def _person(request, ref: UUID) -> User:
    return queries.person_get(request.auth, ref)


def _clean_update(payload: ProfileIn) -> dict:
    data = payload.model_dump(exclude_unset=True)
    return {k: ("" if v is None and k not in ("date_of_birth", "tags") else v) for k, v in data.items()}


# --- auth --------------------------------------------------------------------------------

@router.get("/auth/csrf", auth=None, response={200: dict})
def csrf(request):
    """A CSRF token for browser clients that call the API with the session cookie."""
    return {"csrf_token": get_token(request)}


@router.post("/auth/register", auth=None, response={201: StatusOut, **ERRORS})
def register(request, payload: RegisterIn):
    """Self-registration; a confirmation code and link go to the email address."""
    data = payload.model_dump(exclude={"password"})
    services.registration_create(data=data, password=payload.password, ip=_ip(request))
    return Status(201, {"status": UserStatus.PENDING_EMAIL, "message": _("check your email for the confirmation code")})


@router.post("/auth/confirm", auth=None, response={200: StatusOut, **ERRORS})
def confirm(request, payload: ConfirmIn):
    user = services.email_confirm_code(email=payload.email, code=payload.code)
    return {"status": user.status}


@router.post("/auth/login", auth=None, response={200: MeOut, **ERRORS})
def api_login(request, payload: LoginIn):
    """Session sign-in for browser clients (scripts use API tokens). Wrong passwords slow further attempts of the
    account and of the address (429 with ``Retry-After``); ``/auth/login/code`` still lets the owner in."""
    user = signin.sign_in_with_password(request, email=payload.email, password=payload.password, ip=_ip(request))
    login(request, user)
    return _me(user)


class CodeRequestIn(StrictSchema):
    email: str = Field(max_length=254)


class CodeSignInIn(StrictSchema):
    email: str = Field(max_length=254)
    code: str = Field(max_length=12)


@router.post("/auth/login/code", auth=None, response={202: StatusOut, **ERRORS})
def login_code_request(request, payload: CodeRequestIn):
    """Email a one-time sign-in code. The answer is the same whether or not the email has an account."""
    signin.signin_code_request(email=payload.email, ip=_ip(request))
    return Status(202, {"status": "sent", "message": _("If this email belongs to an active account, a sign-in code "
                                                       "is on its way to it.")})


@router.post("/auth/login/code/verify", auth=None, response={200: MeOut, **ERRORS})
def login_code_verify(request, payload: CodeSignInIn):
    """Sign in with the emailed code (a session, as ``/auth/login``)."""
    user = signin.sign_in_with_code(email=payload.email, code=payload.code, ip=_ip(request))
    login(request, user)
    return _me(user)


@router.post("/auth/logout", response={204: None})
def api_logout(request):
    logout(request)
    return Status(204, None)


# --- me ----------------------------------------------------------------------------------

@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    return _me(request.auth)


@router.patch("/me", response={200: MeOut, **ERRORS})
def me_update(request, payload: ProfileIn):
    user = services.profile_update(actor=request.auth, person=request.auth, data=_clean_update(payload))
    return _me(user)


@router.get("/me/tokens", response={200: list[TokenOut], **ERRORS})
def tokens(request):
    return list(request.auth.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at"))


@router.post("/me/tokens", response={201: TokenCreatedOut, **ERRORS})
def token_create(request, payload: TokenIn):
    token, secret = services.api_token_create(user=request.auth, name=payload.name, days=payload.days)
    data = TokenOut.from_orm(token).model_dump(by_alias=True)
    data["token"] = secret
    return Status(201, data)


@router.delete("/me/tokens/{token_id}", response={204: None, **ERRORS})
def token_revoke(request, token_id: UUID):
    services.api_token_revoke(user=request.auth, public_id=token_id)
    return Status(204, None)


# --- people --------------------------------------------------------------------------------

@router.get("/users", response={200: PeoplePageOut, **ERRORS})
def users(request, q: str = "", org: str | None = None, status: str = "", designation: str = "", group: str = "",
          page: int = page_query(), page_size: int = bounded_query(25, 1, 200)):
    """People in the caller's org subtree, newest first."""
    if not queries.is_admin(request.auth):
        raise permissions.PermissionDenied(_("only organisation admins list people"))
    if status and status not in UserStatus.values:
        raise ValidationFailed(_("status must be one of %(choices)s") % {"choices": ', '.join(UserStatus.values)}, field="status")
    if not 1 <= page_size <= 200 or not 1 <= page <= 100_000:
        raise ValidationFailed(_("page_size must be 1-200 and page 1-100000"), field="page_size")
    scope = None
    if org:
        scope = org_by_ref(org)
        if scope is None or not permissions.allowed(request.auth, "people.manage_in", scope):
            # another organisation: the answer of an org nobody has
            raise NotFound(_("no org %(org)s") % {"org": repr(org)}, field="org")
    result = queries.people_search(request.auth, text=q, org=scope, status=status, designation=designation,
                                   group=group, page=page, page_size=page_size)
    return result.__dict__


@router.post("/users", response={201: PersonOut, **ERRORS})
def user_create(request, payload: PersonCreateIn):
    data = payload.model_dump(exclude={"org"})
    return Status(201, services.person_create(actor=request.auth, data=data, org=payload.org))


@router.get("/users/{user_id}", response={200: MeOut, **ERRORS})
def user_detail(request, user_id: UUID):
    return _me(_person(request, user_id))


@router.patch("/users/{user_id}", response={200: PersonOut, **ERRORS})
def user_update(request, user_id: UUID, payload: PersonUpdateIn):
    person = _person(request, user_id)
    permissions.require(request.auth, "person.manage", person)
    return services.profile_update(actor=request.auth, person=person, data=_clean_update(payload))


class AuditOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    changes: dict

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.email if obj.actor_id else None


@router.get("/users/{user_id}/history", response={200: list[AuditOut], **ERRORS})
def user_history(request, user_id: UUID, limit: int = bounded_query(50, 1, 500)):
    """Who changed this person's record, when, from what to what (newest first)."""
    person = _person(request, user_id)
    permissions.require(request.auth, "person.manage", person)
    if not 1 <= limit <= 500:
        raise ValidationFailed(_("limit must be 1-500"), field="limit")
    return list(queries.person_history(person)[:limit])


@router.post("/users/{user_id}/deactivate", response={200: PersonOut, **ERRORS})
def user_deactivate(request, user_id: UUID):
    return services.person_set_active(actor=request.auth, person=_person(request, user_id), active=False)


@router.post("/users/{user_id}/reactivate", response={200: PersonOut, **ERRORS})
def user_reactivate(request, user_id: UUID):
    return services.person_set_active(actor=request.auth, person=_person(request, user_id), active=True)


@router.post("/users/{user_id}/approve", response={200: PersonOut, **ERRORS})
def user_approve(request, user_id: UUID):
    return services.registration_decide(actor=request.auth, person=_person(request, user_id), approve=True)


@router.post("/users/{user_id}/reject", response={200: PersonOut, **ERRORS})
def user_reject(request, user_id: UUID, payload: DecisionIn):
    return services.registration_decide(actor=request.auth, person=_person(request, user_id), approve=False,
                                        reason=payload.reason)


@router.post("/users/{user_id}/roles", response={201: RoleOut, **ERRORS})
def role_grant(request, user_id: UUID, payload: RoleIn):
    org = org_by_ref(payload.org)
    if org is None:
        raise NotFound(_("no org %(org)s") % {"org": repr(payload.org)}, field="org")
    m = services.role_grant(actor=request.auth, person=_person(request, user_id), org=org, role=payload.role)
    return Status(201, {"role": m.role, "org": OrgRef.from_orm(org).model_dump(by_alias=True)})


@router.delete("/users/{user_id}/roles", response={204: None, **ERRORS})
def role_revoke(request, user_id: UUID, payload: RoleIn):
    org = org_by_ref(payload.org)
    if org is None:
        raise NotFound(_("no org %(org)s") % {"org": repr(payload.org)}, field="org")
    services.role_revoke(actor=request.auth, person=_person(request, user_id), org=org, role=payload.role)
    return Status(204, None)


# --- bulk import ---------------------------------------------------------------------------------

class ImportJobOut(Schema):
    id: UUID = Field(alias="public_id")
    org: str
    file_name: str = Field(alias="original_name")
    status: str
    percent: int
    total_rows: int | None
    processed_rows: int
    created: int = Field(alias="created_count")
    updated: int = Field(alias="updated_count")
    rejected: int = Field(alias="rejected_count")
    new_designations: str = Field(description="refuse: rows naming an unknown designation are rejected; accept: "
                                  "imported with a warning")
    unknown_designation_rows: int = Field(alias="unknown_designation_count")
    unknown_designations: dict = Field(description="each unknown designation named: {rows, closest}")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    report_url: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_report_url(obj):
        return f"/api/v1/imports/{obj.public_id}/report"


class RejectedRowOut(Schema):
    line: int
    reason: str


class WarnedRowOut(Schema):
    line: int
    warning: str


class ImportJobDetailOut(ImportJobOut):
    rejected_rows: list[RejectedRowOut]
    warned_rows: list[WarnedRowOut]


def _import_job(request, job_id: UUID):
    return queries.import_job_get(request.auth, job_id)


@router.post("/imports", response={202: ImportJobOut, **ERRORS})
def import_create(request, org: Form[str], file: File[UploadedFile], send_emails: Form[bool] = True,
                  new_designations: Form[str] = "accept"):
    """Upload a CSV or XLSX of people for an org (code); the import runs in the background. A designation the
    org does not know is imported with a warning (``new_designations=accept``) or its row rejected (``refuse``)."""

    scope = org_by_ref(org)
    if scope is None:
        raise NotFound(_("no org %(org)s") % {"org": repr(org)}, field="org")
    job = importing.job_create(actor=request.auth, org=scope, upload=file, original_name=file.name or "",
                               send_emails=send_emails, new_designations=new_designations)
    tasks.import_queue(job)
    return Status(202, job)


@router.get("/imports", response={200: list[ImportJobOut], **ERRORS})
def import_list(request, limit: int = bounded_query(20, 1, 100)):
    if not 1 <= limit <= 100:
        raise ValidationFailed(_("limit must be 1-100"), field="limit")
    return list(queries.import_jobs_visible_to(request.auth)[:limit])


@router.get("/imports/{job_id}", response={200: ImportJobDetailOut, **ERRORS})
def import_detail(request, job_id: UUID):

    job = _import_job(request, job_id)
    job.rejected_rows = [{"line": n, "reason": r} for n, r in importing.rejected_rows(job, 1000)]
    job.warned_rows = [{"line": n, "warning": w} for n, w in importing.warned_rows(job, 1000)]
    return job


@router.get("/imports/{job_id}/report", response={200: None, **ERRORS})
def import_report(request, job_id: UUID):
    """The uploaded file with status, error and warning columns added (CSV, or XLSX for an Excel upload)."""

    return report_response(_import_job(request, job_id), actor=request.user, ip=request.META.get("REMOTE_ADDR"))


# --- notifications centre -----------------------------------------------------------------------------------

class NotificationOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    title: str = Field(alias="shown_title", description="in the reader's language")
    body: str = Field(alias="shown_body", description="in the reader's language")
    url: str
    created: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    unread: int
    page: int
    page_size: int
    has_next: bool


class MarkReadIn(StrictSchema):
    ids: list[UUID] | None = Field(None, max_length=500, description="these notifications; absent: all of them")


class PreferenceIn(StrictSchema):
    kind: str = Field(max_length=24)
    in_app: bool | None = None
    email: bool | None = None


class PreferencesIn(StrictSchema):
    preferences: list[PreferenceIn] = Field(max_length=50)


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: bool


@router.get("/me/notifications", response={200: NotificationPageOut, **ERRORS})
def notifications(request, unread: bool = False, page: int = page_query(),
                  page_size: int = bounded_query(20, 1, 100)):
    p = queries.notifications_of(request.auth, unread_only=unread, page=page, page_size=page_size)
    return {"items": p.items, "unread": p.unread, "page": p.page, "page_size": p.page_size, "has_next": p.has_next}


@router.post("/me/notifications/read", response={200: dict, **ERRORS})
def notifications_read(request, payload: MarkReadIn):
    n = services.notifications_mark_read(user=request.auth, ids=payload.ids)
    return {"marked": n, "unread": queries.notifications_unread_count(request.auth)}


@router.get("/me/notifications/preferences", response={200: list[PreferenceOut], **ERRORS})
def notification_preferences(request):
    return queries.notification_preferences_of(request.auth)


@router.put("/me/notifications/preferences", response={200: list[PreferenceOut], **ERRORS})
def notification_preferences_set(request, payload: PreferencesIn):
    choices = {p.kind: p.model_dump(exclude_none=True, exclude={"kind"}) for p in payload.preferences}
    services.notification_preferences_set(user=request.auth, choices=choices)
    return queries.notification_preferences_of(request.auth)


# --- user groups --------------------------------------------------------------------------------------------

class GroupOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    description: str
    org: OrgRef
    created_at: dt.datetime


class GroupIn(StrictSchema):
    org: str = Field(description="org code or id")
    name: str = Field(max_length=200)
    description: str = Field("", max_length=2000)


class MembersIn(StrictSchema):
    users: list[UUID] = Field(max_length=5000)


def _group(request, group_id: UUID):
    return queries.user_group_get(request.auth, group_id)


@router.get("/groups", response={200: list[GroupOut], **ERRORS})
def groups(request):
    if not queries.is_admin(request.auth):
        return []
    return list(queries.user_groups_visible_to(request.auth)[:500])


@router.post("/groups", response={201: GroupOut, **ERRORS})
def group_create(request, payload: GroupIn):
    org = services._resolve_org(payload.org)
    return Status(201, services.user_group_create(actor=request.auth, org=org, name=payload.name,
                                                  description=payload.description))


@router.get("/groups/{group_id}/members", response={200: PeoplePageOut, **ERRORS})
def group_members(request, group_id: UUID, page: int = page_query(), page_size: int = bounded_query(50, 1, 200)):
    group = _group(request, group_id)
    page, page_size = max(1, page), max(1, min(page_size, 200))
    rows = list(group.members.select_related("org").order_by("full_name", "id")
                [(page - 1) * page_size: page * page_size + 1])
    return {"items": rows[:page_size], "page": page, "page_size": page_size, "has_next": len(rows) > page_size}


@router.post("/groups/{group_id}/members", response={200: dict, **ERRORS})
def group_members_add(request, group_id: UUID, payload: MembersIn):
    return {"added": services.user_group_members_add(actor=request.auth, group=_group(request, group_id),
                                                      users=payload.users)}


@router.post("/groups/{group_id}/members/remove", response={200: dict, **ERRORS})
def group_members_remove(request, group_id: UUID, payload: MembersIn):
    return {"removed": services.user_group_members_remove(actor=request.auth, group=_group(request, group_id),
                                                           users=payload.users)}
