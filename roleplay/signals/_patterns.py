"""A tiny phrase-pattern language over tokens, matched on surface form or lemma.

    "ik kan me ..2 voorstel*"   tokens in order; `a|b` alternatives; `x*` a prefix; `x?` optional;
                                `=x` the surface form only (not a lemma: `=dag` is not `dagen`);
                                `a_b` two tokens in a row; `#` any number; `..N` up to N other tokens
                                in between (`..` alone is 3; default gap is 0).

Patterns are indexed by the words their first element can match, so a sentence only tries the patterns
whose first word it contains (the rule judge must score hundreds of transcripts a second).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ._text import Sentence, Token


def _tok_ok(tok: Token, word: str) -> bool:
    if word.startswith("=") and len(word) > 1:
        return tok.text == word[1:]
    if word == "#":
        return tok.text[:1].isdigit()
    if word.endswith("*"):
        stem = word[:-1]
        return tok.text.startswith(stem) or tok.lemma.startswith(stem)
    return tok.text == word or tok.lemma == word


@dataclass(frozen=True, slots=True)
class _Elem:
    exact: frozenset[str]
    other: tuple[tuple[str, ...], ...]  # prefixes, numbers and multi-token alternatives
    optional: bool
    gap: int  # other tokens allowed before this element

    def consume(self, toks: tuple[Token, ...], i: int) -> int:
        """Number of tokens this element matches at position i (0: no match)."""
        tok = toks[i]
        if tok.text in self.exact or tok.lemma in self.exact:
            return 1
        for seq in self.other:
            if i + len(seq) <= len(toks) and all(_tok_ok(toks[i + k], w) for k, w in enumerate(seq)):
                return len(seq)
        return 0


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    elems: tuple[_Elem, ...]


def compile_pattern(src: str) -> Pattern:
    elems: list[_Elem] = []
    gap = 0
    for part in src.split():
        if part.startswith("..") and (part == ".." or part[2:].isdigit()):
            gap = int(part[2:] or 3)
            continue
        optional = part.endswith("?") and len(part) > 1
        part = part[:-1] if optional else part
        alts = part.split("|")
        exact = frozenset(a for a in alts if "_" not in a and not a.endswith("*") and a != "#" and not a.startswith("="))
        other = tuple(tuple(a.split("_")) for a in alts if a not in exact)
        elems.append(_Elem(exact, other, optional, gap))
        gap = 0
    if not elems or elems[0].optional:
        raise ValueError(f"pattern needs a required first element: {src!r}")
    return Pattern(src, tuple(elems))


def _match_from(elems: tuple[_Elem, ...], toks: tuple[Token, ...], i: int, k: int) -> int | None:
    """Match elems[k:] with element k starting within its gap after token i; return the end index."""
    if k == len(elems):
        return i
    el = elems[k]
    for j in range(i, min(len(toks), i + el.gap + 1)):
        n = el.consume(toks, j)
        if n:
            end = _match_from(elems, toks, j + n, k + 1)
            if end is not None:
                return end
    if el.optional:
        return _match_from(elems, toks, i, k + 1)
    return None


class PatternSet:
    """Patterns for one signal, indexed by what their first element can match."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.patterns = [compile_pattern(s) for s in sources]
        self._by_word: dict[str, list[Pattern]] = defaultdict(list)
        self._rest: list[Pattern] = []  # first element is a prefix, number or multi-token alternative
        for p in self.patterns:
            for w in p.elems[0].exact:
                self._by_word[w].append(p)
            if p.elems[0].other:
                self._rest.append(p)

    def find(self, sent: Sentence, start: int = 0) -> tuple[int, int] | None:
        """Token span (first, end) of the first match at or after token `start`, or None."""
        toks = sent.tokens
        for i in range(start, len(toks)):
            tok = toks[i]
            cands = self._by_word.get(tok.text, [])
            if tok.lemma != tok.text:
                cands = cands + self._by_word.get(tok.lemma, [])
            for p in (*cands, *self._rest):
                n = p.elems[0].consume(toks, i)
                if n:
                    end = _match_from(p.elems, toks, i + n, 1)
                    if end is not None:
                        return i, end
        return None

    def search(self, sent: Sentence) -> bool:
        return self.find(sent) is not None
