"""Tokens, sentences and lemmas of a Dutch turn, with character spans back into the original text."""

import re
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*|[?!.]+|[:;][-']?[()DP]|\S", re.UNICODE)
_SENT_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s|$)|\n+|(?<=\w)\s+[–—-]\s+(?=\w)")

# Function words: never content, never evidence of overlap with what the customer said.
STOPWORDS = frozenset("""
de het een en of maar want dus dan als dat die dit deze wat wie waar wanneer hoe welk welke waarom omdat
ik me mij mijn u uw je jij jou jouw we wij ons onze hij zij ze haar hem hun hen zich zelf men
is ben bent zijn was waren wordt worden werd heb hebt heeft hebben had hadden zal zult zullen zou zouden
kan kunt kunnen kon konden moet moeten moest wil wilt willen wou mag mogen doe doet doen deed
niet geen wel nog al ook toch even maar eens er hier daar nu zo heel erg echt gewoon eigenlijk misschien
in op aan met van voor na naar bij uit om tot over onder door tegen zonder sinds
te ja nee oké ok hm hmm eh nou hoor zeg
""".split())

_LEMMA_FIX = {  # simplemma misses we rely on (verb forms it maps to nouns)
    "voorstellen": "voorstellen", "regel": "regelen", "regelen": "regelen", "zorg": "zorgen",
    "zorgen": "zorgen", "wachten": "wachten", "spellen": "spellen", "spel": "spellen", "speld": "spellen",
    "spelt": "spellen", "gespeld": "spellen", "zou": "zullen", "zouden": "zullen",
}


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    if word in _LEMMA_FIX:
        return _LEMMA_FIX[word]
    if not word[:1].isalpha():
        return word
    from simplemma import lemmatize  # loads the Dutch dictionary on first use (~0.5 s)

    return str(lemmatize(word, lang="nl")).lower().replace("_", "")


@dataclass(frozen=True, slots=True)
class Token:
    text: str   # lower case surface form
    lemma: str
    start: int
    end: int
    cap: bool   # written with a capital (names, companies)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(" \"'”’)").endswith("?")

    def words(self) -> list[str]:
        return [t.text for t in self.tokens if t.text[0].isalnum()]


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def tokens(self) -> list[Token]:
        return [t for s in self.sentences for t in s.tokens]

    def content_lemmas(self) -> set[str]:
        return content_lemmas(self.tokens)


def content_lemmas(tokens: "list[Token] | tuple[Token, ...]") -> set[str]:
    return {t.lemma for t in tokens if len(t.text) > 2 and t.text[0].isalnum() and t.text not in STOPWORDS
            and t.lemma not in STOPWORDS}


def _split(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        end = m.end() if text[m.start()] in ".!?" else m.start()
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


@lru_cache(maxsize=8192)
def analyze(text: str) -> Analysis:
    sentences = []
    for s, e in _split(text):
        # trim whitespace so a sentence's text is a clean verbatim quote
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        toks = tuple(
            Token(m.group().lower(), lemma(m.group().lower()), s + m.start(), s + m.end(), m.group()[0].isupper())
            for m in _TOKEN.finditer(text[s:e])
        )
        if toks:
            sentences.append(Sentence(s, e, text[s:e], toks))
    return Analysis(text, tuple(sentences))
