"""A tiny phrase-pattern language over tokens, matched on surface form or lemma.

    "ik kan me ..2 voorstel*"   tokens in order; `a|b` alternatives; `x*` a prefix; `x?` optional;
                                `=x` the surface form only (not a lemma: `=dag` is not `dagen`);
                                `a_b` two tokens in a row; `#` any number; `..N` up to N other tokens
                                in between (`..` alone is 3; default gap is 0).

Speed matters (the rule judge scores hundreds of transcripts a second): every token is turned once into a
set of "atoms" (its surface form, its lemma, the prefixes of either that some pattern uses, '#' for numbers),
every pattern element into the atoms it accepts, so matching is set intersection, and a sentence only tries
the patterns whose first element shares an atom with one of its tokens.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ._text import Sentence, Token

_STEMS: set[str] = set()  # every prefix any compiled pattern uses
_MAX_STEM = 0


_ATOMS: dict[tuple[str, str, bool], frozenset[str]] = {}


def token_atoms(tok: Token) -> frozenset[str]:
    """The atoms of a token: surface, lemma, '=surface', '#' for a number, and every pattern prefix it has.

    Computed once per distinct word. All lexicons are built at import, before the first match, so the set of
    prefixes (_STEMS) is complete when this runs.
    """
    key = (tok.text, tok.lemma, tok.name)
    found = _ATOMS.get(key)
    if found is None:
        text, lemma = tok.text, tok.lemma
        out = {text, lemma, "=" + text}
        if text[:1].isdigit():
            out.add("#")
        if not tok.name:  # a name inside a sentence ("Zorgzaam") never matches a lexicon prefix ("zorg*")
            for w in {text, lemma}:
                for k in range(1, min(len(w), _MAX_STEM) + 1):
                    if w[:k] in _STEMS:
                        out.add("*" + w[:k])
        found = _ATOMS[key] = frozenset(out)
    return found


def sentence_atoms(sent: Sentence) -> tuple[frozenset[str], ...]:
    found = sent.memo.get("atoms")
    if found is None:
        found = sent.memo["atoms"] = tuple(token_atoms(t) for t in sent.tokens)
    return found  # type: ignore[return-value]


def _atom(word: str) -> str:
    if word.endswith("*") and len(word) > 1:
        return "*" + word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class _Elem:
    atoms: frozenset[str]  # single-token alternatives
    multi: tuple[tuple[str, ...], ...]  # multi-token alternatives, as atoms per token
    optional: bool
    gap: int  # other tokens allowed before this element

    def consume(self, atoms: tuple[frozenset[str], ...], i: int) -> int:
        """Number of tokens this element matches at position i (0: no match)."""
        if not self.atoms.isdisjoint(atoms[i]):
            return 1
        for seq in self.multi:
            n = len(seq)
            if i + n <= len(atoms):
                k = 0
                while k < n and seq[k] in atoms[i + k]:
                    k += 1
                if k == n:
                    return n
        return 0


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    elems: tuple[_Elem, ...]
    required: tuple[frozenset[str], ...] = ()  # atoms of each required single-token element


def compile_pattern(src: str) -> Pattern:
    global _MAX_STEM
    elems: list[_Elem] = []
    gap = 0
    for part in src.split():
        if part.startswith("..") and (part == ".." or part[2:].isdigit()):
            gap = int(part[2:] or 3)
            continue
        optional = part.endswith("?") and len(part) > 1
        part = part[:-1] if optional else part
        single, multi = [], []
        for alt in part.split("|"):
            words = [_atom(w) for w in alt.split("_")] if "_" in alt else [_atom(alt)]
            for w in words:
                if w.startswith("*"):
                    _STEMS.add(w[1:])
                    _MAX_STEM = max(_MAX_STEM, len(w) - 1)
            (multi.append(tuple(words)) if len(words) > 1 else single.append(words[0]))
        elems.append(_Elem(frozenset(single), tuple(multi), optional, gap))
        gap = 0
    if not elems or elems[0].optional:
        raise ValueError(f"pattern needs a required first element: {src!r}")
    required = tuple(e.atoms for e in elems if not e.optional and not e.multi)
    return Pattern(src, tuple(elems), required)


def _match_from(elems: tuple[_Elem, ...], atoms: tuple[frozenset[str], ...], i: int, k: int) -> int | None:
    """Match elems[k:] with element k starting within its gap after token i; return the end index."""
    if k == len(elems):
        return i
    el = elems[k]
    for j in range(i, min(len(atoms), i + el.gap + 1)):
        n = el.consume(atoms, j)
        if n:
            end = _match_from(elems, atoms, j + n, k + 1)
            if end is not None:
                return end
    if el.optional:
        return _match_from(elems, atoms, i, k + 1)
    return None


_COMMON = frozenset(
    "u je jij ik we wij dat het de een en of maar dan als wat die dit is ben bent zijn heb heeft hebben "
    "kan kunt kunnen wil wilt zal zou niet geen nog al er van voor met in op aan te".split()
)


def _anchor(p: Pattern) -> _Elem | None:
    """The most telling required element: the pattern cannot match unless one of its words is in the sentence."""
    required = [e for e in p.elems if not e.optional and not e.multi]
    if not required:
        return None
    return min(required, key=lambda e: (not e.atoms.isdisjoint(_COMMON), len(e.atoms)))


class Lexicon:
    """Named pattern tables matched together on a sentence; results are memoised on the sentence.

    `match(sent)` gives, per table name, the token span of the earliest match. Each pattern is indexed by its
    most telling required element, so a sentence only tries patterns whose rare words it contains.
    """

    def __init__(self, tables: dict[str, list[str]], memo: str = "lexicon") -> None:
        self.names = list(tables)
        self.memo = memo
        self._index: dict[str, list[tuple[str, Pattern]]] = defaultdict(list)
        self._always: list[tuple[str, Pattern]] = []  # patterns with only multi-token or optional parts
        for name, sources in tables.items():
            for src in sources:
                p = compile_pattern(src)
                anchor = _anchor(p)
                if anchor is None:
                    self._always.append((name, p))
                    continue
                for a in anchor.atoms:
                    self._index[a].append((name, p))
        self._keys = frozenset(self._index)

    def match(self, sent: Sentence) -> dict[str, tuple[int, int]]:
        found = sent.memo.get(self.memo)
        if found is not None:
            return found  # type: ignore[return-value]
        atoms = sentence_atoms(sent)
        present = frozenset().union(*atoms)
        seen: set[int] = set()
        viable: list[tuple[str, Pattern]] = []
        for a in present & self._keys:
            for entry in self._index[a]:
                p = entry[1]
                if id(p) in seen:
                    continue
                seen.add(id(p))
                for need in p.required:  # every required word must be somewhere in the sentence
                    if need.isdisjoint(present):
                        break
                else:
                    viable.append(entry)
        viable += self._always
        spans: dict[str, tuple[int, int]] = {}
        if not viable:
            sent.memo[self.memo] = spans
            return spans
        positions: dict[str, list[int]] = defaultdict(list)
        for i, here in enumerate(atoms):
            for a in here:
                positions[a].append(i)
        for name, p in viable:
            best = spans.get(name)
            stop = best[0] if best else len(atoms)
            first = p.elems[0]
            starts = {i for a in first.atoms & present for i in positions[a]}
            starts.update(i for seq in first.multi for i in positions.get(seq[0], ()))
            for i in sorted(starts):
                if i >= stop:
                    break
                n = first.consume(atoms, i)
                if n:
                    end = _match_from(p.elems, atoms, i + n, 1)
                    if end is not None:
                        spans[name] = (i, end)
                        break
        sent.memo[self.memo] = spans
        return spans


class PatternSet:
    """Patterns for one signal, indexed by the atoms their first element accepts."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.patterns = [compile_pattern(s) for s in sources]
        self._index: dict[str, list[Pattern]] = defaultdict(list)
        for p in self.patterns:
            first = p.elems[0]
            for a in first.atoms:
                self._index[a].append(p)
            for seq in first.multi:
                self._index[seq[0]].append(p)
        self._keys = frozenset(self._index)

    def find(self, sent: Sentence) -> tuple[int, int] | None:
        """Token span (first, end) of the first match in the sentence, or None."""
        atoms = sentence_atoms(sent)
        for i, here in enumerate(atoms):
            if self._keys.isdisjoint(here):
                continue
            seen: set[int] = set()
            for a in here & self._keys:
                for p in self._index[a]:
                    if id(p) in seen:
                        continue
                    seen.add(id(p))
                    n = p.elems[0].consume(atoms, i)
                    if n:
                        end = _match_from(p.elems, atoms, i + n, 1)
                        if end is not None:
                            return i, end
        return None

    def search(self, sent: Sentence) -> bool:
        return self.find(sent) is not None
