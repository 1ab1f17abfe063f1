"""Every text the code marks for translation is in the Hindi and Gujarati catalogues, translated and not fuzzy: the
extraction (Django's makemessages, GNU gettext) runs over a copy of the package, and nothing it finds may be left
untranslated. A text marked in a way the extraction cannot see (gettext imported under an alias it does not know,
such as ``_l``) would never reach the catalogues, so no module may import it so."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "saksham"
LANGUAGES = ("hi", "gu")

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
                                reason="GNU gettext is not installed (apt-get install gettext)")


def _entries(text: str) -> list[str]:
    return [line[len('msgid "'):-1] for line in text.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


def test_every_marked_text_is_translated(tmp_path, monkeypatch):
    copy = tmp_path / "saksham"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("migrations", "__pycache__", "*.mo", "vendor",
                                                                 "static", "demo", "profiles"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=list(LANGUAGES), domain="django", verbosity=0, no_obsolete=True)
    problems = []
    for lang in LANGUAGES:
        po = copy / "locale" / lang / "LC_MESSAGES" / "django.po"
        for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            out = subprocess.run(["msgattrib", flag, "--no-obsolete", str(po)], capture_output=True, text=True,
                                 check=True).stdout
            problems += [f"{lang}: {what}: {m}" for m in _entries(out)]
    assert not problems, "\n".join(problems[:40])


def test_no_module_hides_its_texts_from_the_extraction():
    alias = re.compile(r"import .*\b(n|p|np)?gettext(_lazy|_noop)? as (?!_\b)(\w+)")
    found = [f"{path.relative_to(PACKAGE)}: {line.strip()}" for path in PACKAGE.rglob("*.py")
             for line in path.read_text(encoding="utf-8").splitlines() if alias.search(line)]
    assert not found, found
