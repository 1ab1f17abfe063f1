"""Reads about people. Every list of people is scoped to the caller's org subtree."""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import product

from django.db import connection
from django.db.models import CharField, F, Func, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from saksham.core import permissions
from saksham.core.errors import NotFound
from saksham.core.ids import uuid_or_none
from saksham.core.models import AuditEntry
from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q, subtrees_q
from saksham.people.models import (
    EMAIL_BY_DEFAULT,
    ImportJob,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    UserGroup,
)
from saksham.people.rules import admin_paths, administers, is_admin, is_platform_admin  # noqa: F401


def people_visible_to(actor: User) -> QuerySet[User]:
    """Everyone in the subtrees the actor administers (everyone for a platform admin; nobody else)."""
    paths = admin_paths(actor)
    qs = User.objects.select_related("org")
    if paths is None:
        return qs
    return qs.filter(subtrees_q(paths, "org__path"))


@dataclass
class PeoplePage:
    items: list[User]
    page: int
    page_size: int
    has_next: bool


def people_search(actor: User, *, text: str = "", org: Org | None = None, status: str = "", designation: str = "",
                  group: str = "", page: int = 1, page_size: int = 25) -> PeoplePage:
    """Search the people the actor may see: by name or email prefix, employee code or mobile;
    filtered by org subtree, status, designation, group. Newest first; no total count (it would
    cost a scan of the subtree), a next page flag instead.

    The newest-first walk stops after a page of matches, which is quick when matches are common
    and a walk of the whole table when they are rare; so on SQLite a text search or a designation
    first collects the ids that can match from the indexes (``_candidate_ids``) when they are few."""
    filters: list[Q] = []  # the conditions, besides the org scope
    candidates: list[set[int]] = []  # ids that can match, when an index gives them and they are few
    text = (text or "").strip()[:100]
    if text:
        low = text.lower()
        if "@" in low:
            match = Q(email__startswith=low)
            ids = _candidate_ids([_prefix_range("email", low)])
        else:
            match = Q(full_name__istartswith=text) | Q(email__startswith=low) | Q(employee_code=text) | Q(mobile=text)
            parts = [_like_prefix("full_name", text, whole=False), _prefix_range("email", low),
                     _equal("employee_code", text)]
            if not set(text) - MOBILE_CHARS:  # a stored mobile number is digits and at most a "+"
                parts.append(_equal("mobile", text))
            ids = _candidate_ids(parts)
        filters.append(match) if ids is None else candidates.append(ids)
    if designation:
        designation = designation.strip()
        ids = _candidate_ids([_like_prefix("designation", designation, whole=True)])
        filters.append(Q(designation__iexact=designation)) if ids is None else candidates.append(ids)
    if status:
        filters.append(Q(status=status))
    if group:
        filters.append(Q(group=group))
    page = max(1, page)
    page_size = max(1, min(page_size, 200))
    start = (page - 1) * page_size
    n = page_size + 1
    if candidates:
        rows = _page_of_candidates(_plain_qs(actor, org, filters), sorted(set.intersection(*candidates),
                                                                           reverse=True), start, n)
    else:
        rows = _page_of_newest(actor, org, filters, start, n)
        if rows is None:
            qs = people_visible_to(actor)
            if org is not None:
                qs = qs.filter(subtree_q(org.path, "org__path"))
            for f in filters:
                qs = qs.filter(f)
            rows = list(qs.order_by("-id")[start: start + n])
    return PeoplePage(items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size)


NEWEST_WINDOW = 10_000  # people looked at first, newest first, before asking for the whole scope


def _page_of_newest(actor: User, org: Org | None, filters: list[Q], start: int, n: int) -> list[User] | None:
    """The page, if the newest NEWEST_WINDOW people hold it (the usual case for a first page of
    common matches: a short walk back from the newest id), else None."""
    if connection.vendor != "sqlite":
        return None
    newest = User.objects.aggregate(m=Max("id"))["m"] or 0
    qs = _plain_qs(actor, org, filters).filter(pk__gt=newest - NEWEST_WINDOW)
    ids = list(qs.order_by("-id").values_list("id", flat=True)[start: start + n])
    if len(ids) < n and newest > NEWEST_WINDOW:
        return None
    return list(User.objects.select_related("org").filter(pk__in=ids).order_by("-id")) if ids else []


def _plain_qs(actor: User, org: Org | None, filters: list[Q]) -> QuerySet[User]:
    """People in scope passing ``filters``, the conditions put on unindexed copies of their columns
    (SQLite's unary +): for walks by id, which SQLite might otherwise trade for a walk of a whole
    org or status."""
    qs = User.objects.alias(**{f"plain_{f}": _unindexed(f) for f in (
        "org__path", "status", "designation", "group", "full_name", "email", "employee_code", "mobile")})
    paths = admin_paths(actor)
    if paths is not None:
        qs = qs.filter(subtrees_q(paths, "plain_org__path"))
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "plain_org__path"))
    for f in filters:
        qs = qs.filter(_plain(f))
    return qs


def _page_of_candidates(qs: QuerySet[User], ids: list[int], start: int, n: int) -> list[User]:
    """Rows ``start`` to ``start + n`` (newest first) of the candidates ``ids`` (newest first) that
    pass ``qs``: the newest candidates are looked up by id, a batch at a time, until enough pass."""
    passed: list[int] = []
    batch, i = 4 * n, 0
    while i < len(ids) and len(passed) < start + n:
        part = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids[i: i + batch])])  # one parameter
        passed += qs.filter(pk__in=part).order_by("-id").values_list("id", flat=True)
        i += batch
        batch = min(batch * 4, 4000)
    page = passed[start: start + n]
    return list(User.objects.select_related("org").filter(pk__in=page).order_by("-id")) if page else []


# --- candidates from the indexes (SQLite) -------------------------------------------------------------

CANDIDATES_MAX = 20_000  # more than this: matches are common, the newest-first walk finds a page quickly
_CASE_VARIANT_CHARS = 4  # case variants of this many leading letters are looked up in a (binary) index
_LAST = "\U0010ffff"
MOBILE_CHARS = set("+0123456789")  # sorts after every character: "abc" <= s < "abc" + _LAST holds for every s starting "abc"


def _prefix_range(column: str, prefix: str) -> tuple[str, list]:
    """Rows whose ``column`` starts with ``prefix`` exactly: a range of its index."""
    q = connection.ops.quote_name
    return f"SELECT id FROM {q(User._meta.db_table)} WHERE {q(column)} >= %s AND {q(column)} < %s", \
        [prefix, prefix + _LAST]


def _equal(column: str, value: str) -> tuple[str, list]:
    q = connection.ops.quote_name
    return f"SELECT id FROM {q(User._meta.db_table)} WHERE {q(column)} = %s", [value]


def _like_prefix(column: str, text: str, *, whole: bool) -> tuple[str, list]:
    """Rows where ``column LIKE text%`` (``whole``: ``LIKE text``), as Django's istartswith (iexact)
    asks SQLite: ASCII letters in any case. The column's binary index is read at the ranges of each
    case variant of the first letters, and LIKE, read from the index too, checks the rest."""
    q = connection.ops.quote_name
    head = text[:_CASE_VARIANT_CHARS]
    variants = {"".join(chars) for chars in product(*(
        {c.lower(), c.upper()} if c.isascii() and c.isalpha() else {c} for c in head))}
    pattern = connection.ops.prep_for_like_query(text) + ("" if whole else "%")
    table, col = q(User._meta.db_table), q(column)
    parts, params = [], []
    for v in sorted(variants):
        parts.append(f"SELECT id FROM {table} WHERE {col} >= %s AND {col} < %s AND {col} LIKE %s ESCAPE '\\'")
        params += [v, v + _LAST, pattern]
    return " UNION ALL ".join(parts), params


def _unindexed(field: str) -> Func:
    return Func(F(field), template="+%(expressions)s", output_field=CharField())


def _plain(q: Q) -> Q:
    """The same condition on the ``plain_`` (unindexed) aliases of its columns."""
    out = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_plain(child))
        else:
            lookup, value = child
            field, _, rest = lookup.partition("__")
            out.children.append((f"plain_{field}{'__' + rest if rest else ''}", value))
    return out


def _candidate_ids(parts: list[tuple[str, list]]) -> set[int] | None:
    """The ids the parts select (each an indexed lookup), or None when there are more than
    CANDIDATES_MAX of them (or the database is not SQLite)."""
    if connection.vendor != "sqlite":
        return None
    sql = " UNION ALL ".join(f"SELECT id FROM ({part})" for part, _ in parts)
    params = [p for _, ps in parts for p in ps]
    with connection.cursor() as cursor:
        # One row holding a list, rather than a row per id: far cheaper to fetch.
        cursor.execute(f"SELECT count(*), group_concat(id) FROM (SELECT DISTINCT id FROM ({sql}) "
                       f"LIMIT {CANDIDATES_MAX + 1})", params)
        count, ids = cursor.fetchone()
    if count > CANDIDATES_MAX:
        return None
    return set(map(int, ids.split(","))) if ids else set()


def person_get_visible(actor: User, public_id) -> User | None:
    try:
        person = User.objects.select_related("org").get(public_id=public_id)
    except (User.DoesNotExist, ValueError, Exception):  # noqa: BLE001 - a malformed id is simply not found
        return None
    if person.pk == actor.pk or administers(actor, person.org.path):
        return person
    return None


def person_get(actor: User, public_id, action: str = "person.view") -> User:
    """A person ``actor`` may see (herself, or someone of the subtrees she administers), then allowed ``action``
    ("person.manage"; 403). Missing, malformed and not visible are the one 404."""
    person = person_get_visible(actor, public_id)
    if person is None:
        raise NotFound(_("no such person in your organisations"), field="id")
    if action != "person.view":
        permissions.require(actor, action, person)
    return person


def _one_of(visible, public_id, missing: str):
    """The row of ``visible`` (a queryset already scoped to the actor) with that public id, else the one 404."""
    ref = uuid_or_none(public_id)
    row = visible.filter(public_id=ref).first() if ref else None
    if row is None:
        raise NotFound(missing, field="id")
    return row


def import_job_get(actor: User, public_id) -> ImportJob:
    """An import job of an org the actor administers; the one 404 otherwise."""
    return _one_of(import_jobs_visible_to(actor), public_id, _("no such import job"))


def user_group_get(actor: User, public_id):
    """A user group of an org the actor administers; the one 404 otherwise."""
    return _one_of(user_groups_visible_to(actor), public_id, _("no such group in your organisations"))


def notification_get(actor: User, public_id):
    """One of her own notifications; anyone else's is the one 404."""
    ref = uuid_or_none(public_id)
    n = Notification.objects.filter(recipient=actor, public_id=ref).first() if ref and actor.is_authenticated \
        else None
    if n is None:
        raise NotFound(_("no such notification"), field="id")
    return n


def pending_approvals(actor: User) -> QuerySet[User]:
    return people_visible_to(actor).filter(status="pending_approval").order_by("date_joined")


def roles_of(user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("org").order_by("role"))


def import_jobs_visible_to(actor: User) -> QuerySet[ImportJob]:
    paths = admin_paths(actor)
    qs = ImportJob.objects.select_related("org", "created_by").order_by("-created_at")
    if paths is None:
        return qs
    return qs.filter(subtrees_q(paths, "org__path"))


def import_orgs_for(actor: User, text: str = "", *, limit: int = 200) -> list[Org]:
    """The active orgs an admin may import into (her subtrees; everywhere for a platform admin), in tree order,
    those whose name, local name or code matches ``text``."""
    paths = admin_paths(actor)
    if paths is not None and not paths:
        return []
    qs = Org.objects.filter(is_active=True)
    if paths is not None:
        qs = qs.filter(subtrees_q(paths))
    text = (text or "").strip()[:100]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(name_local__icontains=text) | Q(code__istartswith=text))
    return list(qs.order_by("path")[:limit])


def import_org_get(actor: User, code: str) -> Org | None:
    """The active org of that code if she may import into it, else None."""
    org = Org.objects.filter(code=(code or "").strip()[:64], is_active=True).first()
    return org if org is not None and administers(actor, org.path) else None


def person_history(person: User):
    """Audit entries about one person, newest first."""

    return AuditEntry.objects.filter(target_type="people.user", target_id=str(person.public_id)).select_related("actor")


# --- notifications ----------------------------------------------------------------------------------------

@dataclass
class NotificationPage:
    items: list
    unread: int
    page: int
    page_size: int
    has_next: bool


UNREAD_CAP = 99


def notifications_unread_count(user: User) -> int:
    """Her unread in-app notifications, counted up to UNREAD_CAP + 1 (the badge says "99+"): a bounded read
    of a partial index, cheap enough for every page."""

    return Notification.objects.filter(recipient=user, read_at__isnull=True, in_app=True)[:UNREAD_CAP + 1].count()


MAX_PAGE = 100_000


def notifications_of(user: User, *, unread_only: bool = False, page: int = 1, page_size: int = 20) -> NotificationPage:

    # A page past any real one (a huge number typed in the address) is an empty page, not an offset the database
    # cannot hold.
    page, page_size = max(1, min(page, MAX_PAGE)), max(1, min(page_size, 100))
    qs = Notification.objects.filter(recipient=user, in_app=True).order_by("-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    rows = list(qs[(page - 1) * page_size: page * page_size + 1])
    return NotificationPage(items=rows[:page_size], unread=notifications_unread_count(user), page=page,
                            page_size=page_size, has_next=len(rows) > page_size)


def notification_preferences_of(user: User) -> list[dict]:
    """Every kind with her choice (or the default): [{kind, label, in_app, email}]."""

    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    out = []
    for kind, label in NotificationKind.choices:
        p = chosen.get(kind)
        out.append({"kind": kind, "label": str(label), "in_app": p.in_app if p else True,
                    "email": p.email if p else kind in EMAIL_BY_DEFAULT})
    return out


def user_groups_visible_to(actor: User) -> QuerySet:
    """The user groups of the orgs the actor administers."""

    paths = admin_paths(actor)
    qs = UserGroup.objects.select_related("org").order_by("name")
    return qs if paths is None else qs.filter(subtrees_q(paths, "org__path"))
