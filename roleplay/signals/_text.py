"""Tokens, sentences and lemmas of a Dutch turn, with character spans back into the original text."""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*|[?!.]+|[:;][-']?[()DP]|\S", re.UNICODE)
_SENT_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s|$)|\n\s*\n|(?<=\w)\s+[–—-]\s+(?=\w)")

# Function words: never content, never evidence of overlap with what the customer said.
STOPWORDS = frozenset(
    """
de het een en of maar want dus dan als dat die dit deze wat wie waar wanneer hoe welk welke waarom omdat
ik me mij mijn u uw je jij jou jouw we wij ons onze hij zij ze haar hem hun hen zich zelf men
is ben bent zijn was waren wordt worden werd heb hebt heeft hebben had hadden zal zult zullen zou zouden
kan kunt kunnen kon konden moet moeten moest wil wilt willen wou mag mogen doe doet doen deed
niet geen wel nog al ook toch even maar eens er hier daar nu zo heel erg echt gewoon eigenlijk misschien
in op aan met van voor na naar bij uit om tot over onder door tegen zonder sinds
te ja nee oké ok hm hmm eh nou hoor zeg
""".split()
)

_LEMMA_FIX = {  # simplemma misses we rely on (verb forms it maps to nouns)
    "voorstellen": "voorstellen",
    "regel": "regelen",
    "regelen": "regelen",
    "zorg": "zorgen",
    "zorgen": "zorgen",
    "wachten": "wachten",
    "spellen": "spellen",
    "spel": "spellen",
    "speld": "spellen",
    "spelt": "spellen",
    "gespeld": "spellen",
    "zou": "zullen",
    "zouden": "zullen",
}


_LEMMAS: dict[str, str] = dict(_LEMMA_FIX)


def lemma(word: str) -> str:
    """Dutch lemma of a lower-case word (simplemma, memoised: a word is looked up once per process)."""
    found = _LEMMAS.get(word)
    if found is None:
        if not word[:1].isalpha():
            found = word
        else:
            from simplemma import lemmatize  # loads the Dutch dictionary on first use (~0.5 s)

            found = str(lemmatize(word, lang="nl")).lower().replace("_", "")
        if len(_LEMMAS) < 500_000:
            _LEMMAS[word] = found
    return found


class Token(NamedTuple):  # a tuple, not a dataclass: a long turn makes hundreds of these
    text: str  # lower case surface form
    lemma: str
    start: int
    end: int
    cap: bool  # written with a capital (names, companies)
    name: bool = False  # capitalised inside a sentence: a name, so it never matches a lexicon prefix


@dataclass(eq=False)
class Sentence:
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]
    # per-sentence memo of pattern results; analyze() caches sentences, so each is matched once per pattern set
    memo: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def low(self) -> str:
        """Lower case with whitespace collapsed (a line break inside a turn is just a space)."""
        return " ".join(self.text.lower().split())

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(" \"'”’)").endswith("?")

    def words(self) -> list[str]:
        return [t.text for t in self.tokens if t.text[0].isalnum()]


@dataclass(eq=False)
class Analysis:
    text: str
    sentences: tuple[Sentence, ...]
    _lemmas: frozenset[str] | None = field(default=None, repr=False)

    @property
    def tokens(self) -> list[Token]:
        return [t for s in self.sentences for t in s.tokens]

    def content_lemmas(self) -> frozenset[str]:
        if self._lemmas is None:
            self._lemmas = frozenset(content_lemmas(self.tokens))
        return self._lemmas


def content_lemmas(tokens: "list[Token] | tuple[Token, ...]") -> set[str]:
    return {
        t.lemma
        for t in tokens
        if len(t.text) > 2 and t.text[0].isalnum() and t.text not in STOPWORDS and t.lemma not in STOPWORDS
    }


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


_NAME_BREAK = frozenset({":", ";", '"', "(", "'"})


@lru_cache(maxsize=8192)
def analyze(text: str) -> Analysis:
    sentences = []
    all_tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    k = 0
    for s, e in _split(text):
        # trim whitespace so a sentence's text is a clean verbatim quote
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        while k < len(all_tokens) and all_tokens[k][0] < s:
            k += 1
        toks: list[Token] = []
        prev = ""
        while k < len(all_tokens) and all_tokens[k][1] <= e:
            a, b, raw = all_tokens[k]
            low = raw.lower()
            cap = raw[0].isupper()
            toks.append(Token(low, lemma(low), a, b, cap, bool(toks) and cap and prev not in _NAME_BREAK))
            prev = raw
            k += 1
        if toks:
            sentences.append(Sentence(s, e, text[s:e], tuple(toks)))
    return Analysis(text, tuple(sentences))
