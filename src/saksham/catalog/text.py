"""Script-neutral search terms.

Every word of a title, in any script, becomes two terms:

* its *loose form*: Indic scripts are transliterated to Latin (ITRANS, via indic-transliteration), then
  Latin spelling variants are folded (``w``->``v``, ``chh``/``ch``->``c``, aspirates lose their ``h``,
  doubled letters collapse, long vowels shorten, ``v`` folds into ``b``, a final schwa is dropped):
  "स्वच्छ" and "swachh" are both ``sbac``, "भारत" and "bharath" both ``barat``;
* its *phonetic key*: the loose form without its inner vowels, prefixed with ``0`` so it never collides
  with a loose form: "राजभाषा" (``rajabas``) and "rajbhasha" (``rajbas``) share the key ``0rjbs``.

A query is turned into the same terms, so a Latin query finds Devanagari, Gujarati, Bengali... titles and
the other way round; a misspelled word is matched against the vocabulary one edit away (search.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indic_transliteration import sanscript

# Unicode blocks of the Indic scripts the transliterator reads.
_BLOCKS = [
    (0x0900, 0x097F, sanscript.DEVANAGARI),
    (0x0980, 0x09FF, sanscript.BENGALI),
    (0x0A00, 0x0A7F, sanscript.GURMUKHI),
    (0x0A80, 0x0AFF, sanscript.GUJARATI),
    (0x0B00, 0x0B7F, sanscript.ORIYA),
    (0x0B80, 0x0BFF, sanscript.TAMIL),
    (0x0C00, 0x0C7F, sanscript.TELUGU),
    (0x0C80, 0x0CFF, sanscript.KANNADA),
    (0x0D00, 0x0D7F, sanscript.MALAYALAM),
]
# A word: letters, combining marks (Indic vowel signs, viramas) and digits. Joiners stay inside words.
_WORD = re.compile(r"[\w\u0900-\u0DFF\u200c\u200d]+")
_ITRANS_FIX = [("RRi", "ri"), ("R^i", "ri"), ("LLi", "li"), ("~N", "n"), ("~n", "n"), (".n", "n"), ("M", "n"),
               ("N", "n"), ("Sh", "sh"), ("GY", "gy"), ("x", "ksh"), (".h", ""), (".a", ""), ("H", "h"),
               ("^", ""), (".", "")]
_LATIN_FIX = [("chh", "C"), ("ch", "C"), ("sh", "s"), ("ph", "f"), ("kh", "k"), ("gh", "g"), ("th", "t"),
              ("dh", "d"), ("bh", "b"), ("jh", "j"), ("ck", "k"), ("q", "k"), ("x", "ks"), ("z", "j"),
              ("w", "v"), ("ee", "i"), ("ii", "i"), ("oo", "u"), ("uu", "u"), ("aa", "a"), ("y", "i")]
_SOFT_C = re.compile(r"c(?=[eiy])")
_INNER_H = re.compile(r"(?<=[^aeiou])h")
_DOUBLE = re.compile(r"(.)\1+")
_INNER_VOWELS = re.compile(r"(?<=.)[aeiou]")
MAX_WORD = 40


def words(text: str) -> list[str]:
    return [w.replace("\u200c", "").replace("\u200d", "") for w in _WORD.findall(text or "")]


def _scheme(word: str) -> str | None:
    for ch in word:
        cp = ord(ch)
        for low, high, scheme in _BLOCKS:
            if low <= cp <= high:
                return scheme
    return None


@lru_cache(maxsize=65536)
def loose(word: str) -> str:
    """The loose Latin form of one word (any script); "" when nothing of it is searchable."""
    word = word[:MAX_WORD]
    scheme = _scheme(word)
    if scheme:
        word = sanscript.transliterate(word, scheme, sanscript.ITRANS)
        for a, b in _ITRANS_FIX:
            word = word.replace(a, b)
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(ch for ch in word if ch.isascii() and ch.isalnum())
    if not word or word.isdigit():
        return word
    word = _SOFT_C.sub("s", word)
    for a, b in _LATIN_FIX:
        word = word.replace(a, b)
    # Bengali and Assamese write one letter for b and v: fold v (and w) into b everywhere.
    word = word.replace("c", "k").replace("C", "c").replace("v", "b")
    word = _INNER_H.sub("", word)
    word = _DOUBLE.sub(r"\1", word)
    if len(word) > 3 and word.endswith("a") and word[-2] not in "aeiou":
        word = word[:-1]
    return word


def key(loose_form: str) -> str:
    """The phonetic key of a loose form (its consonant skeleton), or "" for short words."""
    if len(loose_form) < 3 or loose_form.isdigit():
        return ""
    skeleton = _DOUBLE.sub(r"\1", _INNER_VOWELS.sub("", loose_form))
    return "0" + skeleton if len(skeleton) >= 2 else ""


def terms(text: str) -> list[str]:
    """Every search term of a text, in order, duplicates kept (they weigh in the ranking)."""
    out: list[str] = []
    for w in words(text):
        lf = loose(w)
        if not lf:
            continue
        out.append(lf)
        k = key(lf)
        if k:
            out.append(k)
    return out


def variants(term: str) -> set[str]:
    """The term and every form of it with one letter deleted (symmetric-delete spelling correction)."""
    return {term} | {term[:i] + term[i + 1:] for i in range(len(term))}
