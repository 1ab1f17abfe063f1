"""Render the demo deployment's own media into src/saksham/catalog/demo/media/:

- ``overview.webm``: 15 s, 640x360, VP9, silent: a title card, then moving shapes and the steps of learning on
  the platform;
- ``guidelines.pdf``: three pages (English, Hindi, Gujarati) of guidelines for learners.

Needs, at generation time only, ffmpeg and the Noto fonts (``apt-get install ffmpeg fonts-noto-core``) and fpdf2
with uharfbuzz (text shaping for Devanagari and Gujarati). The demo itself only copies the files made here.

    python tools/demo_media.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "saksham" / "catalog" / "demo" / "media"
NOTO = Path("/usr/share/fonts/truetype/noto")
LATIN = NOTO / "NotoSans-Regular.ttf"
LATIN_BOLD = NOTO / "NotoSans-Bold.ttf"

STEPS = ["1  Find a course in your language", "2  Learn at your own pace", "3  Pass the assessment",
         "4  Receive a verifiable certificate"]


def _text(s: str) -> str:
    """drawtext's text, escaped for its option syntax."""
    return s.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace("%", "\\%")


def video(path: Path) -> None:
    font, bold = str(LATIN), str(LATIN_BOLD)
    filters = [
        # Title card (0-4 s): the name and the subject, fading out.
        f"drawtext=fontfile={bold}:text='{_text('Saksham')}':fontcolor=white:fontsize=56:"
        "x=(w-text_w)/2:y=110:alpha='if(lt(t,3),1,max(0,4-t))':enable='lt(t,4)'",
        f"drawtext=fontfile={font}:text='{_text('Learning for public service')}':fontcolor=0xffd27f:fontsize=28:"
        "x=(w-text_w)/2:y=190:alpha='if(lt(t,3),1,max(0,4-t))':enable='lt(t,4)'",
        f"drawtext=fontfile={font}:text='{_text('Course overview')}':fontcolor=white@0.8:fontsize=20:"
        "x=(w-text_w)/2:y=240:enable='lt(t,4)'",
        "drawbox=x=60:y=220:w=520:h=12:color=0xffffff@0.5:t=2:enable='gte(t,4)'",
        f"drawtext=fontfile={bold}:text='{_text('How learning works')}':fontcolor=white:fontsize=30:"
        "x=60:y=110:enable='gte(t,4)'",
    ]
    for n, step in enumerate(STEPS):
        start = 5 + 2.2 * n
        filters.append(
            f"drawtext=fontfile={font}:text='{_text(step)}':fontcolor=white:fontsize=22:"
            f"x='60+max(0,(({start}+0.6)-t)*400)':y=150:enable='between(t,{start},{start + 2.2})'")
    filters.append(f"drawtext=fontfile={font}:text='{_text('saksham · demo')}':fontcolor=white@0.6:fontsize=14:"
                   "x=w-text_w-12:y=h-text_h-10")
    # Moving shapes (4-15 s): three boxes crossing the screen at different speeds, a marker moving along a track
    # (overlay evaluates its position on every frame).
    shapes = [("0xf4a261", 60, 60, "mod(t*120,W+80)-80", "40"), ("0x2a9d8f", 40, 40, "W-mod(t*90,W+60)", "300"),
              ("0xe9c46a", 100, 16, "mod(t*60,W+100)-100", "260"), ("0xffffff", 20, 20, "60+(t-4)/11*500", "216")]
    graph = ["color=c=0x264653:s=640x360:r=24:d=15[s0]"]
    for n, (colour, w, h, x, y) in enumerate(shapes):
        graph.append(f"color=c={colour}:s={w}x{h}:r=24:d=15[c{n}]")
        graph.append(f"[s{n}][c{n}]overlay=x='{x}':y={y}:enable='gte(t,4)'[s{n + 1}]")
    graph.append(f"[s{len(shapes)}]" + ",".join(filters) + "[out]")
    cmd = ["ffmpeg", "-y", "-loglevel", "error", "-filter_complex", ";".join(graph), "-map", "[out]",
           "-t", "15", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "45", "-row-mt", "1",
           "-deadline", "good", "-pix_fmt", "yuv420p", "-an", str(path)]
    subprocess.run(cmd, check=True)


PAGES = [
    ("en", LATIN, LATIN_BOLD, "Guidelines for learners",
     ["Learn in the language you work in: every course shows the languages it is offered in.",
      "Your progress is saved as you go, on any device. Continue where you stopped.",
      "A course is complete when every required item is done and its assessment is passed. "
      "The pass mark and the attempts allowed are shown before you start.",
      "Your certificate is signed: anyone can verify it, even offline.",
      "Serve the citizen first: courtesy, timeliness and transparency in every file you handle."]),
    ("hi", NOTO / "NotoSansDevanagari-Regular.ttf", NOTO / "NotoSansDevanagari-Bold.ttf",
     "शिक्षार्थियों के लिए दिशानिर्देश",
     ["उस भाषा में सीखें जिसमें आप काम करते हैं: हर पाठ्यक्रम बताता है कि वह किन भाषाओं में उपलब्ध है।",
      "आपकी प्रगति साथ-साथ सहेजी जाती है। जहाँ रुके थे, वहीं से आगे बढ़ें।",
      "पाठ्यक्रम तब पूरा होता है जब हर आवश्यक सामग्री पूरी हो और मूल्यांकन उत्तीर्ण हो। "
      "उत्तीर्ण अंक और प्रयासों की संख्या शुरू करने से पहले दिखाई जाती है।",
      "आपका प्रमाणपत्र हस्ताक्षरित है: कोई भी उसे जाँच सकता है।",
      "नागरिक सर्वोपरि: हर फ़ाइल में शिष्टता, समयबद्धता और पारदर्शिता।"]),
    ("gu", NOTO / "NotoSansGujarati-Regular.ttf", NOTO / "NotoSansGujarati-Bold.ttf",
     "શીખનારાઓ માટે માર્ગદર્શિકા",
     ["તમે જે ભાષામાં કામ કરો છો તે ભાષામાં શીખો: દરેક અભ્યાસક્રમ બતાવે છે કે તે કઈ ભાષાઓમાં ઉપલબ્ધ છે.",
      "તમારી પ્રગતિ સાથે-સાથે સચવાય છે. જ્યાં અટક્યા હતા ત્યાંથી આગળ વધો.",
      "દરેક જરૂરી સામગ્રી પૂરી થાય અને મૂલ્યાંકનમાં પાસ થાઓ ત્યારે અભ્યાસક્રમ પૂર્ણ થાય છે. "
      "પાસ થવાના ગુણ અને પ્રયાસોની સંખ્યા શરૂ કરતાં પહેલાં દેખાય છે.",
      "તમારું પ્રમાણપત્ર સહી કરેલું છે: કોઈ પણ તેની ચકાસણી કરી શકે છે.",
      "નાગરિક પ્રથમ: દરેક ફાઇલમાં વિનય, સમયસરતા અને પારદર્શિતા."]),
]


def pdf(path: Path) -> None:
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.set_auto_page_break(auto=False)     # one page per language; the texts are short
    doc.set_title("Saksham: guidelines for learners")
    doc.set_author("Saksham")
    doc.set_creation_date(__import__("datetime").datetime(2026, 12, 6, tzinfo=__import__("datetime").UTC))
    for lang, regular, bold, title, paras in PAGES:
        doc.add_font(f"{lang}", "", str(regular))
        doc.add_font(f"{lang}", "B", str(bold))
        doc.add_page()
        doc.set_text_shaping(True)
        doc.set_fill_color(38, 70, 83)
        doc.rect(0, 0, 210, 28, style="F")
        doc.set_text_color(255, 255, 255)
        doc.set_font(lang, "B", 20)
        doc.set_xy(15, 8)
        doc.cell(180, 12, title)
        doc.set_text_color(20, 20, 20)
        doc.set_xy(15, 40)
        doc.set_font(lang, "", 13)
        for n, para in enumerate(paras, start=1):
            doc.set_x(15)
            doc.multi_cell(180, 8, f"{n}. {para}")
            doc.ln(4)
        doc.set_font("en" if lang != "en" else lang, "", 9)
        doc.set_xy(15, 280)
        doc.cell(180, 6, "Saksham · demo material · AGPL-3.0-or-later")
    doc.output(str(path))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    video(OUT / "overview.webm")
    pdf(OUT / "guidelines.pdf")
    for f in sorted(OUT.iterdir()):
        print(f"{f.name}: {f.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
