"""Sentences kept as their message id and parameters, rendered in the reader's language when read.

A notification written today is read tomorrow, perhaps in another language: it keeps a ``Message`` (the msgid, the
plural form and its count, the named parameters) instead of text, and renders it with the reader's language
active. ``Message.gettext`` / ``Message.ngettext`` / ``Message.pgettext`` are found by ``makemessages`` like the
functions they are named after::

    Message.ngettext("%(plan)s: %(n)s course assigned to you", "%(plan)s: %(n)s courses assigned to you", n,
                     plan=plan.name, n=n)

Parameters are plain values (text, numbers, dates, datetimes), other ``Message`` objects (a translated label
inside a sentence), ``by_language({...})`` (a text the data has in several languages, such as a course title) or
callables (evaluated when the message is stored, in the recipient's language). Numbers, dates and datetimes are
written at read time in the reader's locale (``core.l10n``).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from saksham.core import l10n

log = logging.getLogger(__name__)


def by_language(texts: dict[str, str]) -> dict:
    """A parameter that the data has in several languages ({"en": .., "hi": ..}): the reader's one is shown, else
    the first."""
    return {"$text": {k: str(v) for k, v in texts.items() if v}}


class Message:
    """A translatable sentence with named parameters, stored as data and rendered at read time."""

    def __init__(self, msgid: str, *, plural: str | None = None, count: int | None = None,
                 context: str | None = None, **params: Any):
        self.msgid, self.plural, self.count, self.context = str(msgid), plural, count, context
        self.params = params

    @classmethod
    def gettext(cls, msgid: str, **params) -> Message:
        return cls(msgid, **params)

    @classmethod
    def ngettext(cls, singular: str, plural: str, count: int, **params) -> Message:
        return cls(singular, plural=plural, count=int(count), **params)

    @classmethod
    def pgettext(cls, context: str, msgid: str, **params) -> Message:
        return cls(msgid, context=context, **params)

    # --- as data --------------------------------------------------------------------------------------------

    def as_data(self) -> dict:
        """JSON-ready: callables are evaluated now (with the language meant for the reader active)."""
        data: dict[str, Any] = {"id": self.msgid}
        if self.plural is not None:
            data["plural"], data["count"] = self.plural, self.count
        if self.context:
            data["context"] = self.context
        if self.params:
            data["params"] = {k: _encode(v) for k, v in self.params.items()}
        return data

    @classmethod
    def from_data(cls, data: dict) -> Message:
        m = cls(data["id"], plural=data.get("plural"), count=data.get("count"), context=data.get("context"))
        m.params = dict(data.get("params") or {})
        m._encoded = True
        return m

    _encoded = False

    # --- rendering -------------------------------------------------------------------------------------------

    def render(self, language: str | None = None) -> str:
        if language:
            with translation.override(language):
                return self.render()
        params = self.params if self._encoded else {k: _encode(v) for k, v in self.params.items()}
        shown = {k: _decode(v) for k, v in params.items()}
        template = self._translated()
        for text in (template, self._source()):
            try:
                return text % shown if shown or "%(" in text else text
            except (KeyError, ValueError, TypeError):
                log.warning("message %r does not fit its parameters", text)
        return self.msgid

    __str__ = render

    def _translated(self) -> str:
        if self.plural is not None:
            n = self.count or 0
            if self.context:
                return translation.npgettext(self.context, self.msgid, self.plural, n)
            return translation.ngettext(self.msgid, self.plural, n)
        if self.context:
            return translation.pgettext(self.context, self.msgid)
        return translation.gettext(self.msgid)

    def _source(self) -> str:
        if self.plural is not None and (self.count or 0) != 1:
            return self.plural
        return self.msgid

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self.as_data() == other.as_data()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"


def render_data(data: dict | None, language: str | None = None) -> str:
    """The text of a stored message (``Message.as_data``), in the active language or the one given."""
    if not data:
        return ""
    return Message.from_data(data).render(language)


def _encode(value):
    if callable(value) and not isinstance(value, Promise | Message):
        value = value()
    if isinstance(value, Message):
        return {"$msg": value.as_data()}
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return {"$number": str(value)}
    if isinstance(value, dict):
        return value
    return str(value)


def _decode(value):
    if not isinstance(value, dict):
        return "" if value is None else value
    if "$msg" in value:
        return render_data(value["$msg"])
    if "$datetime" in value:
        return l10n.format_datetime(dt.datetime.fromisoformat(value["$datetime"]))
    if "$date" in value:
        return l10n.format_date(dt.date.fromisoformat(value["$date"]))
    if "$number" in value:
        return l10n.format_number(value["$number"])
    if "$text" in value:
        texts = value["$text"]
        lang = translation.get_language() or ""
        return texts.get(lang) or texts.get(lang.split("-")[0]) or next(iter(texts.values()), "")
    return str(value)
