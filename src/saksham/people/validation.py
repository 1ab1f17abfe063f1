"""Validation of a person's fields, shared by registration, the API and the bulk import.

``PersonValidator.clean(row)`` takes a dict of raw strings and returns (clean values, errors);
it is on the bulk import's hot path (a million rows), so it is plain code with precompiled
patterns and no per-row queries. The lengths are ``people.limits``'s; the bulk import's row loop
(``importing.validation``) checks a row with the same limits and the same checks (``email_ok``,
``mobile_ok``, ``postal_ok``, the field cleaners) and hands any row it finds wrong to ``clean``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from saksham.people import limits
from saksham.people.models import Gender

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
MOBILE_STRIP = re.compile(r"[\s()-]")
TAG_SPLIT = re.compile(r"[;|,]").split
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
GENDER_ALIASES = {
    "f": Gender.FEMALE, "female": Gender.FEMALE, "woman": Gender.FEMALE,
    "m": Gender.MALE, "male": Gender.MALE, "man": Gender.MALE,
    "o": Gender.OTHER, "other": Gender.OTHER, "transgender": Gender.OTHER, "t": Gender.OTHER,
    "u": Gender.UNDISCLOSED, "undisclosed": Gender.UNDISCLOSED, "prefer not to say": Gender.UNDISCLOSED,
}

# Column names of the bulk file (and the API's field names), with the spellings accepted for them.
COLUMNS = {
    "full_name": ("full_name", "name", "full name", "employee name"),
    "email": ("email", "email_id", "e-mail", "email address"),
    "mobile": ("mobile", "mobile_number", "phone", "mobile number"),
    "designation": ("designation", "post"),
    "group": ("group", "service_group", "group (a/b/c/d)"),
    "service": ("service", "cadre", "service/cadre", "service_cadre"),
    "employee_code": ("employee_code", "employee code", "emp_code", "employee id"),
    "org_code": ("org_code", "organisation_code", "organization_code", "org", "office_code"),
    "preferred_language": ("preferred_language", "language"),
    "gender": ("gender",),
    "date_of_birth": ("date_of_birth", "dob", "date of birth"),
    "mother_tongue": ("mother_tongue", "mother tongue"),
    "postal_code": ("postal_code", "pin_code", "pin", "pincode", "office_pin_code", "office pin code"),
    "external_id": ("external_id", "external id", "hrms_id"),
    "tags": ("tags",),
}
REQUIRED_COLUMNS = ("full_name", "email")
ALIASES = {alias: canon for canon, names in COLUMNS.items() for alias in names}
MAX_LEN = limits.MAX_LEN


def email_ok(email: str) -> bool:
    """Whether a stripped, lower-cased email is one a person may have."""
    return 0 < len(email) <= limits.EMAIL and EMAIL_RE.match(email) is not None


def canonical_header(name: str) -> str | None:
    return ALIASES.get(name.strip().lstrip("\ufeff").strip().lower().replace("  ", " "))


class PersonValidator:
    """``clean(row)`` checks a whole person; each optional field has its own cleaner
    (``cleaners[field](text) -> (value, error or None)``), which ``clean`` calls in a fixed order
    and the bulk import calls once per distinct cell text."""

    def __init__(self, profile: dict | None = None):
        profile = profile or settings.PROFILE
        self.mobile_re = re.compile(profile.get("mobile_pattern", r"^\+?[0-9]{6,15}$"))
        self.postal_re = re.compile(profile.get("postal_code_pattern", r"^[0-9A-Za-z -]{3,10}$"))
        self.groups = {g.lower(): g for g in profile.get("employee_groups", [])}
        self.languages: dict[str, str] = {}
        for lang in profile["languages"]:
            self.languages[lang["code"].lower()] = lang["code"]
            self.languages[lang.get("name_en", "").lower()] = lang["code"]
            if lang.get("name_local"):
                self.languages[lang["name_local"]] = lang["code"]
        self.languages.pop("", None)
        self.today = dt.date.today()
        try:
            self.latest_birth = self.today.replace(year=self.today.year - 14)
        except ValueError:  # 29 February
            self.latest_birth = self.today.replace(year=self.today.year - 14, day=28)
        # The optional fields, in the order ``clean`` checks them (the order of its error messages).
        self.cleaners: dict[str, Callable[[str], tuple]] = {
            "mobile": self._mobile,
            "designation": self._max_len("designation"),
            "service": self._max_len("service"),
            "employee_code": self._employee_code,
            "external_id": self._max_len("external_id"),
            "group": self._group,
            "preferred_language": self._language,
            "mother_tongue": self._language,
            "gender": self._gender,
            "date_of_birth": self._date_of_birth,
            "postal_code": self._postal_code,
            "tags": self._tags,
            "org_code": self._org_code,
        }

    def language(self, value: str) -> str | None:
        return self.languages.get(value.strip().lower()) or self.languages.get(value.strip())

    def clean(self, row: dict[str, str], *, partial: bool = False) -> tuple[dict, dict[str, str]]:
        """Clean one person's raw fields. ``partial`` (an update) skips required-field checks
        for fields that are absent."""
        out: dict = {}
        errors: dict[str, str] = {}
        get = row.get

        name = (get("full_name") or "").strip()
        if name:
            if len(name) > limits.FULL_NAME:
                errors["full_name"] = _("longer than %(limit)d characters") % {"limit": limits.FULL_NAME}
            out["full_name"] = name
        elif not partial or "full_name" in row:
            errors["full_name"] = _("is required")

        email = (get("email") or "").strip().lower()
        if email:
            if not email_ok(email):
                errors["email"] = _("'%(value)s' is not a valid email address") % {"value": email[:80]}
            out["email"] = email
        elif not partial or "email" in row:
            errors["email"] = _("is required")

        for key, clean_one in self.cleaners.items():
            v = get(key)
            if v is not None:
                out[key], error = clean_one(v)
                if error is not None:
                    errors[key] = error
        return out, errors

    # -- one optional field: text -> (value, error or None) --

    def mobile_ok(self, v: str) -> bool:
        """Whether a mobile number, its spaces, dashes and brackets taken out, is one of the deployment's."""
        return len(v) <= limits.MOBILE and self.mobile_re.match(v) is not None

    def postal_ok(self, v: str) -> bool:
        """Whether a stripped postal code is one of the deployment's."""
        return len(v) <= limits.POSTAL_CODE and self.postal_re.match(v) is not None

    def _mobile(self, v: str) -> tuple:
        v = MOBILE_STRIP.sub("", v)
        if v and not self.mobile_ok(v):
            return v, _("'%(value)s' is not a valid mobile number") % {"value": v[:20]}
        return v, None

    @staticmethod
    def _max_len(key: str) -> Callable[[str], tuple]:
        limit = MAX_LEN[key]

        def clean_one(v: str) -> tuple:
            v = v.strip()
            return v, (_("longer than %(limit)d characters") % {"limit": limit} if len(v) > limit else None)

        return clean_one

    def _employee_code(self, v: str) -> tuple:
        v = v.strip()
        return v or None, (_("longer than %(limit)d characters") % {"limit": limits.EMPLOYEE_CODE}
                           if len(v) > limits.EMPLOYEE_CODE else None)

    def _group(self, v: str) -> tuple:
        v = v.strip()
        if not v:
            return "", None
        g = self.groups.get(v.lower())
        if g is None and self.groups:
            return v, _("'%(value)s' is not one of %(choices)s") % {"value": v[:20], "choices": ", ".join(self.groups.values())}
        if len(g or v) > limits.GROUP:  # a deployment without a list of groups takes any text that fits
            return v, _("longer than %(limit)d characters") % {"limit": limits.GROUP}
        return g or v, None

    def _language(self, v: str) -> tuple:
        if not v.strip():
            return "", None
        code = self.language(v)
        if code is None:
            return "", _("'%(value)s' is not a language of this deployment") % {"value": v[:30]}
        return code, None

    @staticmethod
    def _gender(v: str) -> tuple:
        v = v.strip()
        if not v:
            return "", None
        g = GENDER_ALIASES.get(v.lower())
        if g is None:
            return "", _("'%(value)s' is not one of female, male, other, undisclosed") % {"value": v[:20]}
        return g, None

    def _date_of_birth(self, v: str) -> tuple:
        v = v.strip()
        if not v:
            return None, None
        d = parse_date(v)
        if d is None:
            return None, _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": v[:20]}
        if not (dt.date(1900, 1, 1) <= d <= self.latest_birth):
            return d, _("%(date)s is not a plausible date of birth") % {"date": d.isoformat()}
        return d, None

    def _postal_code(self, v: str) -> tuple:
        v = v.strip()
        if v and not self.postal_ok(v):
            return v, _("'%(value)s' is not a valid postal code") % {"value": v[:12]}
        return v, None

    @staticmethod
    def _tags(v: str) -> tuple:
        return [t.strip() for t in TAG_SPLIT(v) if t.strip()][:limits.TAGS], None

    @staticmethod
    def _org_code(v: str) -> tuple:
        return v.strip(), None


def parse_date(value: str) -> dt.date | None:
    if len(value) == 10:
        if value[4] == "-":
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
        # DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY written out in full: what strptime would say, ten times faster.
        sep = value[2]
        if sep in "-/." and value[5] == sep and value.isascii() and (value[:2] + value[3:5] + value[6:]).isdigit():
            try:
                return dt.date(int(value[6:]), int(value[3:5]), int(value[:2]))
            except ValueError:
                return None
    for fmt in DATE_FORMATS[1:]:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    return None


def email_domain_whitelisted(email: str, extra: list[str] | None = None) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    for allowed in list(settings.PROFILE.get("email_domains", [])) + list(extra or []):
        if domain == allowed or domain.endswith("." + allowed):
            return True
    return False
