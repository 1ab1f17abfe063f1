"""Course covers: the provider's uploaded image (the live version's thumbnail) or, when there is none, a cover made
here as SVG from the course's title in its own script, on a background picked by a hash of the course id from the
theme's palette (white text at 5:1 or more). The SVG is inline in the page, so it is drawn with the page's
'Saksham Sans' webfont (every script of the deployment) and costs no request."""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.utils.html import escape

from saksham.core.theme import cover_colours

WIDTH, HEIGHT, MARGIN = 320, 180, 20
RTL_SCRIPTS = ("ARABIC", "HEBREW", "SYRIAC", "THAANA")


# How wide a letter of each script is, in ems of the cover's bold type (roughly; the longest titles are cut with
# an ellipsis, so the estimate errs on the wide side).
SCRIPT_EM = {"LATIN": 0.58, "DEVANAGARI": 0.74, "GUJARATI": 0.72, "BENGALI": 0.74, "GURMUKHI": 0.72, "ORIYA": 0.8,
             "TAMIL": 0.92, "TELUGU": 0.86, "KANNADA": 0.86, "MALAYALAM": 0.95, "ARABIC": 0.6, "OL": 0.7,
             "MEETEI": 0.7}


def _script(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "LATIN").split()[0]
    return "LATIN"


def _width(word: str) -> int:
    """Columns a word takes: non-spacing signs (viramas, the vowel signs above and below) take none."""
    return sum(1 for ch in word if unicodedata.category(ch) not in ("Mn", "Cf"))


def _lines(title: str, per_line: int, most: int) -> list[str]:
    lines, cur = [], ""
    for word in title.split():
        if cur and _width(cur) + 1 + _width(word) > per_line:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(" ,.;:") + "…"
    return [line if _width(line) <= per_line + 4 else line[: per_line + 2] + "…" for line in lines]


def _rtl(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return any(unicodedata.name(ch, "").startswith(s) for s in RTL_SCRIPTS)
    return False


@lru_cache(maxsize=4096)
def generated_cover(key: str, title: str, language: str, primary: str, caption: str = "") -> str:
    """The SVG markup of a generated cover (cached per process: the same course and title draw the same cover)."""
    bg, band = cover_colours(key, primary)
    title = " ".join((title or "").split()) or "·"
    size = 24 if _width(title) <= 36 else 20
    per_line = int((WIDTH - 2 * MARGIN) / (size * SCRIPT_EM.get(_script(title), 0.8)))
    lines = _lines(title, per_line, 3)
    rtl = _rtl(title)
    x = WIDTH - MARGIN if rtl else MARGIN
    anchor = "end" if rtl else "start"
    step = int(size * 1.35)
    top = HEIGHT - MARGIN - step * (len(lines) - 1) - 6
    n = int(hashlib.blake2s(key.encode(), digest_size=2).hexdigest(), 16)
    cx, r = 250 + n % 60, 70 + n % 40
    dir_attr = ' direction="rtl"' if rtl else ""
    bar_x = x - 36 if rtl else x
    spans = "".join(f'<tspan x="{x}" y="{top + i * step}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    cap = (f'<text x="{x}" y="{MARGIN + 14}" fill="#fff" font-size="13" font-weight="600" text-anchor="{anchor}" '
           f'opacity=".92">{escape(caption)}</text>') if caption else ""
    return (f'<svg class="cover" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(title)}" lang="{escape(language)}" preserveAspectRatio="xMidYMid slice"'
            f'{dir_attr}>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{bg}"/>'
            f'<circle cx="{cx}" cy="24" r="{r}" fill="{band}"/>'
            f'<circle cx="{cx - 40}" cy="0" r="{r // 2}" fill="#fff" fill-opacity=".07"/>'
            f'<rect x="{bar_x}" y="{top - step + 2}" width="36" height="4" rx="2" fill="#fff" fill-opacity=".85"/>'
            f'{cap}<text fill="#fff" font-size="{size}" font-weight="700" text-anchor="{anchor}">{spans}</text></svg>')


def cover_html(*, course_id, title: str, language: str, url: str = "", caption: str = "") -> str:
    """An uploaded cover as an <img> (its alt text the title), else the generated SVG."""
    if url:
        return (f'<img class="cover" src="{escape(url)}" alt="{escape(title)}" lang="{escape(language)}" '
                f'loading="lazy" decoding="async">')
    primary = settings.PROFILE.get("branding", {}).get("primary_color") or "#0b5394"
    return generated_cover(str(course_id or ""), title or "", language or "", primary, caption)
