"""Validation of a person's fields, shared by registration, the API and the bulk import.

``PersonValidator.clean(row)`` takes a dict of raw strings and returns (clean values, errors);
it is on the bulk import's hot path (a million rows), so it is plain code with precompiled
patterns and no per-row queries.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from saksham.people.models import Gender

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
MOBILE_STRIP = re.compile(r"[\s()-]")
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
MAX_LEN = {"full_name": 200, "designation": 200, "service": 120, "employee_code": 64, "external_id": 128}


def canonical_header(name: str) -> str | None:
    return ALIASES.get(name.strip().lstrip("\ufeff").strip().lower().replace("  ", " "))


class PersonValidator:
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
            if len(name) > 200:
                errors["full_name"] = "longer than 200 characters"
            out["full_name"] = name
        elif not partial or "full_name" in row:
            errors["full_name"] = "is required"

        email = (get("email") or "").strip().lower()
        if email:
            if len(email) > 254 or not EMAIL_RE.match(email):
                errors["email"] = f"'{email[:80]}' is not a valid email address"
            out["email"] = email
        elif not partial or "email" in row:
            errors["email"] = "is required"

        v = get("mobile")
        if v is not None:
            v = MOBILE_STRIP.sub("", v)
            if v and not self.mobile_re.match(v):
                errors["mobile"] = f"'{v[:20]}' is not a valid mobile number"
            out["mobile"] = v

        for key in ("designation", "service", "employee_code", "external_id"):
            v = get(key)
            if v is not None:
                v = v.strip()
                if len(v) > MAX_LEN[key]:
                    errors[key] = f"longer than {MAX_LEN[key]} characters"
                out[key] = v
        if out.get("employee_code") == "":
            out["employee_code"] = None

        v = get("group")
        if v is not None:
            v = v.strip()
            if v:
                g = self.groups.get(v.lower())
                if g is None and self.groups:
                    errors["group"] = f"'{v[:20]}' is not one of {', '.join(self.groups.values())}"
                out["group"] = g or v
            else:
                out["group"] = ""

        for key in ("preferred_language", "mother_tongue"):
            v = get(key)
            if v is not None and v.strip():
                code = self.language(v)
                if code is None:
                    errors[key] = f"'{v[:30]}' is not a language of this deployment"
                out[key] = code or ""
            elif v is not None:
                out[key] = ""

        v = get("gender")
        if v is not None:
            v = v.strip()
            if v:
                g = GENDER_ALIASES.get(v.lower())
                if g is None:
                    errors["gender"] = f"'{v[:20]}' is not one of female, male, other, undisclosed"
                out["gender"] = g or ""
            else:
                out["gender"] = ""

        v = get("date_of_birth")
        if v is not None:
            v = v.strip()
            if v:
                d = parse_date(v)
                if d is None:
                    errors["date_of_birth"] = f"'{v[:20]}' is not a date (use YYYY-MM-DD)"
                elif not (dt.date(1900, 1, 1) <= d <= self.today.replace(year=self.today.year - 14)):
                    errors["date_of_birth"] = f"{d.isoformat()} is not a plausible date of birth"
                out["date_of_birth"] = d
            else:
                out["date_of_birth"] = None

        v = get("postal_code")
        if v is not None:
            v = v.strip()
            if v and not self.postal_re.match(v):
                errors["postal_code"] = f"'{v[:12]}' is not a valid postal code"
            out["postal_code"] = v

        v = get("tags")
        if v is not None:
            out["tags"] = [t.strip() for t in re.split(r"[;|,]", v) if t.strip()][:20]

        v = get("org_code")
        if v is not None:
            out["org_code"] = v.strip()
        return out, errors


def parse_date(value: str) -> dt.date | None:
    if len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value)
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
