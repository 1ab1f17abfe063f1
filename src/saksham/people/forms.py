import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from saksham.people import limits
from saksham.people.models import Gender, NewDesignations


def language_choices():
    return [(lang["code"], f'{lang["name_local"]} ({lang["name_en"]})' if lang["name_local"] != lang["name_en"]
             else lang["name_en"]) for lang in settings.PROFILE["languages"]]


def group_choices():
    return [("", "—")] + [(g, g) for g in settings.PROFILE.get("employee_groups", [])]


ORG_CODE_IN_LABEL = re.compile(r"\(([A-Za-z0-9._-]+)\)\s*$")


def org_code_from(value: str) -> str:
    """The org picker shows "Name (CODE)"; a typed bare code works too."""
    value = (value or "").strip()
    m = ORG_CODE_IN_LABEL.search(value)
    return m.group(1) if m else value


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=limits.FULL_NAME)
    mobile = forms.CharField(label=_("Mobile"), max_length=limits.MOBILE, required=False)
    designation = forms.CharField(label=_("Designation"), max_length=limits.DESIGNATION, required=False)
    group = forms.ChoiceField(label=_("Group"), required=False, choices=group_choices)
    service = forms.CharField(label=_("Service / cadre"), max_length=limits.SERVICE, required=False)
    employee_code = forms.CharField(label=_("Employee code"), max_length=limits.EMPLOYEE_CODE, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—")] + list(Gender.choices))
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    postal_code = forms.CharField(label=_("Office PIN / postal code"), max_length=limits.POSTAL_CODE, required=False)


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=limits.FULL_NAME)
    email = forms.EmailField(label=_("Official email"), max_length=limits.EMAIL)
    mobile = forms.CharField(label=_("Mobile"), max_length=limits.MOBILE, required=False)
    org = forms.CharField(label=_("Organisation"), max_length=300,
                          help_text=_("Start typing the name of your ministry, department, office or state."))
    designation = forms.CharField(label=_("Designation"), max_length=limits.DESIGNATION, required=False)
    group = forms.ChoiceField(label=_("Group"), required=False, choices=group_choices)
    service = forms.CharField(label=_("Service / cadre"), max_length=limits.SERVICE, required=False)
    employee_code = forms.CharField(label=_("Employee code"), max_length=limits.EMPLOYEE_CODE, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128,
                               help_text=_("At least 10 characters, not only digits."))


class ConfirmForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    code = forms.CharField(label=_("Code from the email"), max_length=12)


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class SignInCodeRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("The email of your account. We send a six-digit code to it."))


class SignInCodeForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    code = forms.CharField(label=_("Sign-in code"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)
    password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def org_label(org, top_depth: int = 0) -> str:
    name = org.name if not org.name_local or org.name_local == org.name else f"{org.name} / {org.name_local}"
    return f"{'— ' * max(0, org.depth - top_depth)}{name} ({org.code})"


class ImportForm(forms.Form):
    """``orgs``: the organisations she may import into (the choices of the organisation field)."""

    file = forms.FileField(label=_("CSV or Excel file"))
    org = forms.ChoiceField(label=_("Organisation"),
                            help_text=_("Rows without an org_code join this organisation."),
                            error_messages={"invalid_choice": _("Choose one of the organisations you manage."),
                                            "required": _("Choose the organisation to import into.")})
    new_designations = forms.ChoiceField(
        label=_("Rows with an unknown designation"), choices=NewDesignations.choices, initial=NewDesignations.REFUSE,
        widget=forms.RadioSelect,
        help_text=_("A designation is known when the role map of the organisation (or of one above it) names it. "
                    "The report shows the closest known designations for each unknown one."))
    send_emails = forms.BooleanField(label=_("Email activation links to new people"), required=False, initial=True)

    def __init__(self, *args, orgs=(), chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = list(orgs)
        if chosen is not None and all(o.pk != chosen.pk for o in orgs):
            orgs.insert(0, chosen)
        top = min((o.depth for o in orgs), default=0)
        self.orgs = {o.code: o for o in orgs}
        self.fields["org"].choices = [("", _("Choose an organisation"))] + [(o.code, org_label(o, top)) for o in orgs]

    def clean_org(self):
        return self.orgs[self.cleaned_data["org"]]
