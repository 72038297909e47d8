"""Small Dutch text helpers for the customer: sentences, persona keyword matching, the no-repeat key.

Lemmas come from the signal detector's cached `lemma` (simplemma, loaded once), so both read words alike.
"""

import re
from functools import lru_cache

from ..signals._text import lemma

_WORD = re.compile(r"[a-zà-ÿ0-9]+(?:[-'][a-zà-ÿ0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_NORMAL = re.compile(r"[^a-zà-ÿ0-9 ]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lemmas(text: str) -> set[str]:
    """Word forms and their lemmas, lower case (both, so a keyword may be given either way)."""
    out: set[str] = set()
    for w in words(text):
        out.add(w)
        out.add(lemma(w))
        if "-" in w:  # "4g-router", "e-bike": the parts count too
            for part in w.split("-"):
                out.add(part)
                out.add(lemma(part))
    return out


@lru_cache(maxsize=4096)
def keyword_forms(keyword: str) -> tuple[str, ...]:
    """A persona keyword as lemma(s); a keyword with a space is a phrase matched as text."""
    k = keyword.lower().strip().lstrip("*")
    if " " in k:
        return (k,)
    return tuple({k, lemma(k)})


def matches(keyword: str, text_lemmas: set[str], text_lower: str) -> bool:
    """Does a persona keyword occur in a text? A word matches its lemma ("gebeld" -> "bellen"); "*word"
    also matches Dutch compounds ending in it ("*rekening" -> "energierekening"); a phrase matches text."""
    forms = keyword_forms(keyword)
    if " " in forms[0]:
        return forms[0] in text_lower
    if any(f in text_lemmas for f in forms):
        return True
    return keyword.startswith("*") and any(t.endswith(f) for f in forms for t in text_lemmas)


def any_match(keywords: list[str], text_lemmas: set[str], text_lower: str) -> list[str]:
    return [k for k in keywords if matches(k, text_lemmas, text_lower)]


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text.strip())) if s]


def sentence_spans(text: str) -> list[tuple[int, int, str]]:
    """Sentences with their (start, end) offsets in text, so signal spans can be mapped onto them."""
    out: list[tuple[int, int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start:m.start()].strip():
            out.append((start, m.start(), text[start:m.start()]))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text), text[start:]))
    return out


def normal(sentence: str) -> str:
    """A sentence reduced for the no-repeat check: lower case, letters and digits, single spaces."""
    return " ".join(_NORMAL.sub(" ", sentence.lower()).split())
