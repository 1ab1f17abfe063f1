"""Dates, times, numbers and durations in the UI language (CLDR), profile texts, and errors that name fields by
their label."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation

from saksham.core import l10n
from saksham.core.errors import ValidationFailed

# 5 December 2026, 20:06 UTC = 6 December, 01:36 in India.
AT = dt.datetime(2026, 12, 5, 20, 6, tzinfo=dt.UTC)

@pytest.fixture(autouse=True)
def _english_after(settings):
    """A request in another language leaves it active in this thread: later tests start in the default one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def render(text: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(text).render(context)


@pytest.mark.parametrize(("language", "date", "when", "time"), [
    ("en", "6 Dec 2026", "6 Dec 2026, 1:36\u202fAM", "1:36\u202fAM"),          # CLDR: a narrow space
    ("hi", "6 दिस॰ 2026", "6 दिस॰ 2026, 1:36 am", "1:36 am"),
    ("gu", "6 ડિસે, 2026", "6 ડિસે, 2026 01:36 AM", "01:36 AM"),
])
def test_dates_and_times_are_day_first_local_and_in_the_deployment_time_zone(language, date, when, time):
    page = render("{{ at|ldate }}|{{ at|ldatetime }}|{{ at|ltime }}", language, at=AT)
    assert page == f"{date}|{when}|{time}"
    assert "a.m." not in page and "Dec." not in page


def test_a_date_without_time_and_a_span_of_days():
    assert render("{{ d|ldate }}", "gu", d=dt.date(2026, 12, 5)) == "5 ડિસે, 2026"
    assert render('{{ d|ldate:"dMMM" }}', "hi", d=dt.date(2026, 12, 5)) == "5 दिस॰"
    assert render("{{ a|ldaterange:b }}", "gu", a=dt.date(2026, 12, 1), b=dt.date(2026, 12, 9)) == "1–9 ડિસે, 2026"
    assert render("{{ a|ldaterange:b }}", "en", a=dt.date(2026, 11, 28), b=dt.date(2026, 12, 6)) \
        == "28 Nov\u2009–\u20096 Dec 2026"
    assert render("{{ d|ldate }}", "gu", d=None) == ""


def test_a_datetime_in_another_time_zone_is_shown_in_the_current_one(settings):
    with translation.override("en"):
        assert l10n.format_datetime(AT.astimezone(ZoneInfo("America/New_York"))) == "6 Dec 2026, 1:36\u202fAM"


@pytest.mark.parametrize("language", ["en", "hi", "gu"])
def test_numbers_use_indian_grouping(language):
    assert render("{{ n|lnumber }}", language, n=1234567) == "12,34,567"
    assert render('{{ n|lnumber:"1" }}', language, n=4) == "4.0"
    assert render('{{ n|lnumber:"0" }}', language, n=1234567.6) == "12,34,568"
    assert render("{{ n|lnumber }}", language, n=Decimal("464.50")) == "464.50"
    assert render("{{ n|lpercent }}", language, n=42.4) == "42%"


def test_durations_have_translated_plural_correct_units():
    assert render("{{ m|lminutes }}", "en", m=13) == "13 mins"
    assert render("{{ m|lminutes }}", "gu", m=13) == "13 મિનિટ"
    assert render("{{ m|lminutes }}", "hi", m=90) == "1 घं॰, 30 मि॰"
    assert render('{{ m|lminutes:"long" }}', "en", m=1) == "1 minute"
    assert render("{{ h|lhours }}", "hi", h=1) == "1 घंटा"
    assert render("{{ h|lhours }}", "hi", h=4.5) == "4.5 घंटे"
    assert render("{{ h|lhours }}", "en", h=1) == "1 hour"


def test_profile_texts_follow_the_ui_language_with_fallback(settings):
    tagline = {"en": "Learning for every public servant", "gu": "દરેક જાહેર સેવક માટે શિક્ષણ"}
    with translation.override("gu"):
        assert l10n.profile_text(tagline) == "દરેક જાહેર સેવક માટે શિક્ષણ"
    with translation.override("hi"):
        assert l10n.profile_text(tagline) == "Learning for every public servant"       # the default language
    assert l10n.profile_text("plain") == "plain"


def test_the_home_page_tagline_is_in_the_ui_language(client, country):
    client.cookies["saksham_language"] = "gu"
    page = client.get("/").content.decode()
    assert "<h1>દરેક જાહેર સેવક માટે શિક્ષણ</h1>" in page and "Learning for every public servant" not in page


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "PIN code: not a valid PIN code"), ("hi", "पिन कोड: not a valid PIN code"),
    ("gu", "પિન કોડ: not a valid PIN code")])
def test_an_error_names_its_field_by_the_translated_label(language, expected):
    e = ValidationFailed("postal_code: not a valid PIN code", field="postal_code")
    with translation.override(language):
        assert e.user_message() == expected
    assert e.message_for_field() == "not a valid PIN code"


def test_a_field_code_inside_a_translated_sentence_becomes_its_label():
    with translation.override("gu"):
        e = ValidationFailed(translation.gettext("%(field)s is required") % {"field": "comments"}, field="comments")
        assert e.user_message() == "ટિપ્પણીઓ જરૂરી છે"
        assert ValidationFailed("courses[0].due_on: bad", field="courses[0].due_on").user_message() \
            == "નિયત તારીખ: bad"
        assert ValidationFailed("zz_code: bad", field="zz_code").user_message() == "bad"       # no label: dropped
        assert ValidationFailed("a page needs a body", field="body").user_message() == "a page needs a body"
    # A form's own labels come first.
    e = ValidationFailed("postal_code: wrong", field="postal_code")
    assert e.user_message({"postal_code": "Office PIN"}) == "Office PIN: wrong"


@pytest.mark.parametrize(("text", "write"), [
    ("{{ v|ldate }}|{{ v|ldate:'' }}|{{ v|ldate:'long' }}",
     lambda v: [l10n.format_date(v, "medium"), l10n.format_date(v, "medium"), l10n.format_date(v, "long")]),
    ("{{ v|ltime }}|{{ v|ltime:'' }}|{{ v|ltime:'medium' }}",
     lambda v: [l10n.format_time(v, "short"), l10n.format_time(v, "short"), l10n.format_time(v, "medium")]),
    ("{{ v|ldatetime }}|{{ v|ldatetime:'' }}|{{ v|ldatetime:'short' }}",
     lambda v: [l10n.format_datetime(v, "medium"), l10n.format_datetime(v, "medium"),
                l10n.format_datetime(v, "short")]),
    ("{{ m|lminutes }}|{{ m|lminutes:'' }}|{{ m|lminutes:'long' }}",
     lambda v: [l10n.format_minutes(90, "short"), l10n.format_minutes(90, "short"), l10n.format_minutes(90, "long")]),
    ("{{ h|lhours }}|{{ h|lhours:'' }}|{{ h|lhours:'short' }}",
     lambda v: [l10n.format_hours(4.5, "long"), l10n.format_hours(4.5, "long"), l10n.format_hours(4.5, "short")]),
])
@pytest.mark.parametrize("language", ["en", "hi", "gu"])
def test_each_styled_filter_writes_its_default_style_unless_the_template_names_one(text, write, language):
    shown = render(text, language, v=AT, m=90, h=4.5).split("|")
    with translation.override(language):
        assert shown == write(AT)
