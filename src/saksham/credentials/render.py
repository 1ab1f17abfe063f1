"""What a person sees of a certificate: its facts read from the signed document, the QR code (segno) and the
PDF (fpdf2 with HarfBuzz text shaping, so conjuncts and matras of Indic scripts and right-to-left Urdu come out
right).

The PDF embeds the Noto fonts the project already ships for the browser (``web/static/web/fonts``, WOFF2),
converted once to TrueType with fontTools into the data directory's cache; nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saksham.core import l10n
from saksham.core.l10n import default_language
from saksham.credentials.models import Certificate
from saksham.credentials.services import certificate_url, verify_url

FONT_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "web" / "fonts"
# Family name -> WOFF2 file stem: Latin first, then every script a name or a title may be written in.
FONTS = {
    "latin": "noto-sans-latin-{w}-normal",
    "latinext": "noto-sans-latin-ext-{w}-normal",
    "deva": "noto-sans-devanagari-devanagari-{w}-normal",
    "gujr": "noto-sans-gujarati-gujarati-{w}-normal",
    "beng": "noto-sans-bengali-bengali-{w}-normal",
    "taml": "noto-sans-tamil-tamil-{w}-normal",
    "telu": "noto-sans-telugu-telugu-{w}-normal",
    "knda": "noto-sans-kannada-kannada-{w}-normal",
    "mlym": "noto-sans-malayalam-malayalam-{w}-normal",
    "orya": "noto-sans-oriya-oriya-{w}-normal",
    "guru": "noto-sans-gurmukhi-gurmukhi-{w}-normal",
    "arab": "noto-naskh-arabic-arabic-{w}-normal",
    "mtei": "noto-sans-meetei-mayek-meetei-mayek-{w}-normal",
    "olck": "noto-sans-ol-chiki-ol-chiki-{w}-normal",
}
RTL_LANGUAGES = {"ur", "ks", "sd", "ar", "fa", "he"}
# Which family a character needs (Latin is always there).
_RANGES = [(0x0100, 0x024F, "latinext"), (0x1E00, 0x1EFF, "latinext"), (0x0600, 0x06FF, "arab"),
           (0x0750, 0x077F, "arab"), (0x08A0, 0x08FF, "arab"), (0xFB50, 0xFDFF, "arab"), (0xFE70, 0xFEFF, "arab"),
           (0x0900, 0x097F, "deva"), (0x0980, 0x09FF, "beng"), (0x0A00, 0x0A7F, "guru"), (0x0A80, 0x0AFF, "gujr"),
           (0x0B00, 0x0B7F, "orya"), (0x0B80, 0x0BFF, "taml"), (0x0C00, 0x0C7F, "telu"), (0x0C80, 0x0CFF, "knda"),
           (0x0D00, 0x0D7F, "mlym"), (0x1C50, 0x1C7F, "olck"), (0xAAE0, 0xAAFF, "mtei"), (0xABC0, 0xABFF, "mtei")]


def families_for(texts) -> list[str]:
    """The font families the texts need, Latin first: only those are added to (and embedded in) the PDF."""
    need = {"latin"}
    for ch in set("".join(texts)):
        cp = ord(ch)
        if cp < 0x0100:
            continue
        for lo, hi, fam in _RANGES:
            if lo <= cp <= hi:
                need.add(fam)
                break
    return [f for f in FONTS if f in need]
_FONT_LOCK = threading.Lock()


@dataclass
class CertificateView:
    """The facts a page or a PDF shows, read from the signed document (what was signed is what is shown)."""

    id: str
    code: str
    language: str
    rtl: bool
    recipient: str
    title: str
    provider: str
    issuer: str
    issued_on: dt.date
    hours: str
    competencies: list[str] = field(default_factory=list)
    kind: str = "course"
    verify_url: str = ""
    json_url: str = ""
    pdf_url: str = ""
    revoked: bool = False
    revoked_reason: str = ""
    replaced_by: str = ""


def view_of(cert: Certificate) -> CertificateView:

    doc = json.loads(cert.document)
    subject = doc.get("credentialSubject", {})
    ach = subject.get("achievement", {})
    hours = next((r.get("value") for r in subject.get("result", []) if str(r.get("resultDescription", ""))
                  .endswith("#hours")), "")
    url = certificate_url(cert.public_id)
    lang = cert.language or default_language()
    return CertificateView(
        id=str(cert.public_id), code=cert.code, language=lang, rtl=lang.split("-")[0] in RTL_LANGUAGES,
        recipient=subject.get("name", cert.recipient_name), title=ach.get("name", cert.title),
        provider=(ach.get("creator") or {}).get("name", cert.provider_name),
        issuer=(doc.get("issuer") or {}).get("name", ""), issued_on=timezone.localtime(cert.issued_at).date(), hours=hours or "",
        competencies=[a.get("targetName", "") for a in ach.get("alignment", [])], kind=cert.kind,
        verify_url=verify_url(cert.public_id), json_url=f"{url}.json", pdf_url=f"{url}.pdf",
        revoked=bool(cert.revoked_at), revoked_reason=cert.revoked_reason,
        replaced_by=str(cert.replaced_by.public_id) if cert.replaced_by_id else "")


def qr_svg(url: str) -> str:
    """The QR code of a URL as inline SVG (error correction M, scales with its box)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, omitsize=True,
                                    dark="#000", light="#fff")
    return buf.getvalue().decode()


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def _ttf(stem: str) -> Path:
    """The TrueType form of a shipped WOFF2 font, converted once into the data directory."""
    out = Path(settings.DATA_DIR) / "cache" / "fonts" / f"{stem}.ttf"
    if out.exists():
        return out
    from fontTools.ttLib import TTFont

    with _FONT_LOCK:
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            font = TTFont(str(FONT_DIR / f"{stem}.woff2"))
            font.flavor = None
            tmp = out.with_suffix(".tmp")
            font.save(str(tmp))
            tmp.replace(out)
    return out


def labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "heading": _("Certificate of completion"), "event_heading": _("Certificate of participation"),
            "presented": _("This certifies that"), "completed": _("has successfully completed"),
            "attended": _("has attended"), "provider": _("Offered by"), "date": _("Date"),
            "hours": _("Learning hours"), "competencies": _("Competencies"), "code": _("Verification code"),
            "scan": _("Scan to verify"), "issuer": _("Issued by"),
        }


def pdf_bytes(cert: Certificate) -> bytes:
    """An A4 landscape PDF of the certificate in its language, text shaped by HarfBuzz."""
    from fpdf import FPDF

    v = view_of(cert)
    lab = labels(v.language)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{v.title} - {v.recipient}")
    pdf.set_creator(v.issuer or "Saksham")
    pdf.add_page()
    issued_on = l10n.format_date(v.issued_on, "long", language=v.language)
    families = families_for([v.issuer, v.recipient, v.title, v.provider, issued_on, *v.competencies,
                             *lab.values()])
    for fam in families:
        stem = FONTS[fam]
        pdf.add_font(fam, "", str(_ttf(stem.format(w=400))))
        pdf.add_font(fam, "B", str(_ttf(stem.format(w=700))))
    if len(families) > 1:
        pdf.set_fallback_fonts([f for f in families if f != "latin"])
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if v.rtl else "ltr")
    w, h = 297, 210
    pdf.set_draw_color(11, 83, 148)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, w - 16, h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, w - 22, h - 22)

    def line(text, size, style="", y=None, color=(20, 20, 20)):
        pdf.set_font("latin", style, size)
        pdf.set_text_color(*color)
        if y is not None:
            pdf.set_y(y)
        pdf.set_x(20)
        pdf.multi_cell(w - 40, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")

    line(v.issuer, 13, y=22, color=(11, 83, 148))
    line(lab["event_heading"] if v.kind == "event" else lab["heading"], 26, "B", y=32, color=(11, 83, 148))
    line(lab["presented"], 13, y=52)
    line(v.recipient, 28, "B", y=62)
    line(lab["attended"] if v.kind == "event" else lab["completed"], 13, y=80)
    line(v.title, 20, "B", y=89)
    facts = [f"{lab['provider']}: {v.provider}", f"{lab['date']}: {issued_on}", f"{lab['hours']}: {l10n.format_number(v.hours, -1, language=v.language)}"]
    line("   ·   ".join(facts), 11, y=118)
    if v.competencies:
        line(f"{lab['competencies']}: " + ", ".join(v.competencies), 10, y=128)
    pdf.image(io.BytesIO(qr_png(v.verify_url)), x=w - 62, y=h - 66, w=40, h=40)
    pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
    pdf.set_font("latin", "", 9)
    pdf.set_text_color(60, 60, 60)
    pdf.set_xy(w - 72, h - 25)
    pdf.cell(60, 5, lab["scan"], align="C")
    pdf.set_xy(22, h - 36)
    pdf.set_font("latin", "B", 12)
    pdf.cell(120, 6, f"{lab['code']}: {v.code}")
    pdf.set_font("latin", "", 8)
    pdf.set_xy(22, h - 29)
    pdf.cell(170, 5, v.verify_url)
    return bytes(pdf.output())
