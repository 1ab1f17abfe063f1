"""Django's own messages that our pages show (form errors, password rules, the password reset mail),
listed here only so that ``makemessages`` copies them into our catalogues.

Django ships no Gujarati catalogue, and its Hindi one is partial (it renders "email" as "postal
address"). Our ``LOCALE_PATHS`` catalogues take precedence over Django's, so translating these
msgids there gives every page the same wording in every UI language. The msgids must stay
byte-for-byte equal to Django's (note the typographic apostrophes). Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_FORM_MESSAGES = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("No file was submitted. Check the encoding type on the form."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
]

DJANGO_PASSWORD_MESSAGES = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "n",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("New password confirmation"),
    gettext_noop("Password reset on %(site_name)s"),
]
