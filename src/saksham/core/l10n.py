"""Dates, times, numbers and durations in the reader's language, from CLDR data (Babel).

Every page, email, notification and human-readable report formats through these functions (templates through the
filters of ``core/templatetags/l10n_extras.py``, which are template built-ins), so that the UI language decides the
order of day and month, the month names, the clock, the digit grouping (12,34,567 in India) and the units.

A UI language is paired with the deployment's country (``hi`` + ``IN`` is CLDR's ``hi_IN``); where CLDR has no such
pair, the language alone (English falls back to ``en_001``, day-first, not the United States' month-first form).
Datetimes are shown in the current time zone (the deployment's, ``TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError, dates, lists, numbers, units
from django.conf import settings
from django.utils import timezone, translation

DATE_STYLES = ("short", "medium", "long", "full")
Width = Literal["short", "long", "narrow"]            # of units (durations)
ListStyle = Literal["unit", "unit-short", "unit-narrow"]


@lru_cache(maxsize=64)
def _locale_for(language: str, country: str) -> Locale:
    language = (language or "en").replace("-", "_")
    tried = [f"{language}_{country}"] if country and "_" not in language else []
    tried += [language]
    if language == "en":
        tried.append("en_001")
    for name in tried:
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en_001")


def locale(language: str | None = None) -> Locale:
    """The CLDR locale of a UI language (the active one by default) in the deployment's country."""
    country = (settings.PROFILE.get("country") or {}).get("code", "")
    return _locale_for(language or translation.get_language() or settings.LANGUAGE_CODE, country.upper())


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _as_date(value):
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value


def format_date(value, style: str = "medium", language: str | None = None) -> str:
    """A date (or the date of a datetime, in the current time zone). ``style`` is a CLDR width (short, medium,
    long, full) or a CLDR skeleton such as ``dMMM`` (day and month) or ``yMMMd``."""
    value = _local(_as_date(value))
    if value in (None, ""):
        return ""
    loc = locale(language)
    if isinstance(value, dt.datetime):
        value = value.date()
    if style in DATE_STYLES:
        return dates.format_date(value, style, locale=loc)
    return dates.format_skeleton(style, value, locale=loc)


def format_time(value, style: str = "short", language: str | None = None) -> str:
    """A time of day (of a datetime, in the current time zone)."""
    value = _local(_as_date(value))
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    return dates.format_time(value, style if style in DATE_STYLES else "short", locale=locale(language))


def format_datetime(value, style: str = "medium", language: str | None = None) -> str:
    """Date and time of day (hours and minutes), joined as the locale joins them, in the current time zone."""
    value = _local(_as_date(value))
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value, style, language)
    loc = locale(language)
    style = style if style in DATE_STYLES else "medium"
    pattern = str(loc.datetime_formats.get(style) or "{1} {0}")
    return pattern.replace("{1}", format_date(value, style, language)).replace("{0}", format_time(value, "short",
                                                                                                 language))


def format_date_range(start, end, language: str | None = None) -> str:
    """A span of days ("1–9 Dec 2026"), as the locale writes it."""
    start, end = _local(_as_date(start)), _local(_as_date(end))
    if not start or not end:
        return format_date(start or end, "medium", language)
    start = start.date() if isinstance(start, dt.datetime) else start
    end = end.date() if isinstance(end, dt.datetime) else end
    return dates.format_interval(start, end, "yMMMd", locale=locale(language))


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _rounded(d: Decimal, decimals: int | None) -> Decimal:
    if decimals is not None and decimals >= 0:
        return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    places = 3 if decimals is None else -decimals
    d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral() else d


def format_number(value, decimals: int | None = None, language: str | None = None) -> str:
    """A number with the locale's grouping and decimal sign. ``decimals`` fixes the digits after the sign; None
    shows a Decimal with its own places and any other number with up to three, trailing zeros dropped; a negative
    value shows up to that many (-1: 4.5, 4)."""
    d = _decimal(value)
    if d is None:
        return "" if value is None else str(value)
    if not (decimals is None and isinstance(value, Decimal)):       # a Decimal keeps the places it was rounded to
        d = _rounded(d, decimals)
    loc = locale(language)
    exponent = d.as_tuple().exponent
    places = max(0, -exponent) if d.is_finite() and isinstance(exponent, int) else 0
    whole = str(loc.decimal_formats[None].pattern).split(";")[0].split(".")[0]
    return numbers.format_decimal(d, format=whole + ("." + "0" * places if places else ""), locale=loc,
                                  decimal_quantization=False)


def format_percent(value, decimals: int = 0, language: str | None = None) -> str:
    """A share given in percent (42.5 → "43%", as the locale writes a percentage)."""
    d = _decimal(value)
    if d is None:
        return ""
    loc = locale(language)
    pattern = str(loc.percent_formats[None].pattern)
    if decimals > 0:
        pattern = pattern.replace("0%", "0." + "0" * decimals + "%", 1)
    return numbers.format_percent(d / 100, format=pattern, locale=loc)


def format_minutes(minutes, width: Width = "short", language: str | None = None) -> str:
    """A duration in minutes as hours and minutes with the locale's units and plurals ("1 hr, 30 min")."""
    d = _decimal(minutes)
    if d is None:
        return ""
    total = int(d.to_integral_value(rounding=ROUND_HALF_UP))
    loc = locale(language)
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(units.format_unit(hours, "duration-hour", width, locale=loc))
    if mins or not hours:
        parts.append(units.format_unit(mins, "duration-minute", width, locale=loc))
    styles: dict[str, ListStyle] = {"long": "unit", "short": "unit-short", "narrow": "unit-narrow"}
    style = styles.get(width, "unit-short")
    return lists.format_list(parts, style=style, locale=loc)


def format_hours(hours, width: Width = "long", decimals: int = -1, language: str | None = None) -> str:
    """A number of hours with the locale's unit and plural ("4.5 hours", "4.5 घंटे")."""
    d = _decimal(hours)
    if d is None:
        return ""
    return units.format_unit(_rounded(d, decimals), "duration-hour", width, locale=locale(language))


def profile_text(value, language: str | None = None) -> str:
    """A text of the deployment profile in the UI language: a plain string, or one per language
    ({"en": .., "hi": .., "gu": ..}) falling back to the deployment's default language, then English, then any."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    lang = language or translation.get_language() or settings.LANGUAGE_CODE
    for code in (lang, lang.split("-")[0], settings.LANGUAGE_CODE, "en"):
        if value.get(code):
            return str(value[code])
    return next((str(v) for v in value.values() if v), "")


def profile_texts(data: dict) -> dict:
    """A section of the profile (branding, hierarchy levels ...) with each text in the UI language."""
    return {k: profile_text(v) if isinstance(v, dict | str) else v for k, v in (data or {}).items()}


# --- the language of content (courses, competencies, certificates) ------------------------------------------------

def default_language() -> str:
    """The deployment profile's default language: the fallback of every text in more than one language."""
    return (settings.PROFILE or {}).get("default_language") or settings.LANGUAGE_CODE


def reader_language(request=None, requested: str | None = None, *, user=None) -> str:
    """The language a reader wants content in: the one she asked for (``?lang=``), else her profile's preferred
    language, else the language of the page (the request's), else the profile's default language.
    ``user`` stands for the request's signed-in person (or API token holder) where there is no request."""
    if requested:
        return requested
    if user is None and request is not None:
        user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "preferred_language", ""):
        return user.preferred_language
    return (getattr(request, "LANGUAGE_CODE", None) if request is not None else None) or default_language()


def content_languages(requested: str | None, own: str | None = None) -> list[str]:
    """The languages a text is looked for in, in order: the reader's, the profile's default, then the content's own
    (the language it was written in, or its first); each once."""
    return [code for code in dict.fromkeys([requested, default_language(), own]) if code]
