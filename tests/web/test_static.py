"""The webfonts that render Indic scripts ship as static files, and the catalogues are complete."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

import saksham

LOCALE = Path(saksham.__file__).parent / "locale"


def test_fonts_css_lists_devanagari_and_gujarati_woff2():
    path = finders.find("web/fonts/fonts.css")
    assert path, "web/fonts/fonts.css is not found by the staticfiles finders"
    css = Path(path).read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+\.woff2)\)", css)
    devanagari = [f for f in fonts if "devanagari" in f]
    gujarati = [f for f in fonts if "gujarati" in f]
    assert devanagari and gujarati
    for name in devanagari + gujarati:
        found = finders.find(f"web/fonts/{name}")
        assert found and Path(found).read_bytes()[:4] == b"wOF2", name
    # One family for every script, so pages need not know which script a text is in.
    assert "U+0900-097F" in css and "U+0A80-0AFF" in css
    assert set(re.findall(r"font-family:'([^']+)'", css)) == {"Saksham Sans"}
    app_css = Path(finders.find("web/app.css")).read_text(encoding="utf-8")
    assert '@import url("fonts/fonts.css")' in app_css and "'Saksham Sans'" in app_css


def test_the_base_page_links_the_stylesheet(client, orgs):
    page = client.get("/").content.decode()
    assert 'href="/static/web/app.css"' in page


def _po_entries(path: Path):
    """(flags, msgid, msgid_plural, {msgstr...}) of every live entry but the header."""
    entries, cur, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur and cur["msgid"] and not cur.get("obsolete"):
                entries.append(cur)
            cur, key = None, None
            continue
        if cur is None:
            cur = {"flags": "", "msgid": "", "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            cur["flags"] += line
        elif line.startswith("#~"):
            cur["obsolete"] = True  # left by makemessages for a string no longer in the source; unused
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            cur["msgctxt"] = ast.literal_eval(line[len("msgctxt "):])  # the same msgid in another context
            key = "msgctxt"
        else:
            m = re.match(r'^(msgid_plural|msgid|msgstr(?:\[(\d)\])?) (".*")$', line)
            if m:
                key = m.group(1)
                value = ast.literal_eval(m.group(3))
            else:
                value = ast.literal_eval(line)
            if key == "msgid":
                cur["msgid"] += value
            elif key == "msgid_plural":
                cur["msgid_plural"] = (cur["msgid_plural"] or "") + value
            else:
                cur["msgstr"][key] = cur["msgstr"].get(key, "") + value
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.mark.parametrize("lang", ["hi", "gu"])
def test_every_message_is_translated_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    entries = _po_entries(po)
    assert len(entries) > 100
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    script = {"hi": r"[\u0900-\u097F]", "gu": r"[\u0A80-\u0AFF]"}[lang]
    for e in entries:
        msgid = e["msgid"]
        assert "fuzzy" not in e["flags"], msgid
        strings = list(e["msgstr"].values())
        assert strings and all(strings), f"untranslated: {msgid!r}"
        if e["msgid_plural"]:
            assert sorted(e["msgstr"]) == ["msgstr[0]", "msgstr[1]"], msgid
            assert compiled.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr"]["msgstr[0]"]
            assert compiled.ngettext(msgid, e["msgid_plural"], 5) == e["msgstr"]["msgstr[1]"]
        elif e.get("msgctxt"):
            assert compiled.pgettext(e["msgctxt"], msgid) == e["msgstr"]["msgstr"], f".mo is stale for {msgid!r}"
        else:
            assert compiled.gettext(msgid) == e["msgstr"]["msgstr"], f".mo is stale for {msgid!r}"
        for s in strings:
            assert sorted(PLACEHOLDER.findall(s)) == sorted(PLACEHOLDER.findall(msgid)), msgid
            assert s.endswith("\n") == msgid.endswith("\n"), msgid
            if re.search(r"[A-Za-z]", PLACEHOLDER.sub("", msgid)):      # words to translate, not just a format
                assert re.search(script, s), f"not in the {lang} script: {s!r}"
    header = compiled.info()
    assert header["language"] == lang and header["plural-forms"] == "nplurals=2; plural=(n != 1);"
