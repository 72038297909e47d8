"""Transcript edits for the invariance and sensitivity checks. All deterministic: same input, same output.

Invariance edits must not change any verdict of a good judge: renamed people and companies, reformatted
whitespace, a filler turn pair. The sensitivity edit (removing the trainee turns that hold the evidence
for a `met`) must turn it into `not_met`.
"""

import re
from collections.abc import Iterable
from itertools import pairwise

from ..content import Library
from ..models import Persona, Role, Transcript, Turn
from ..signals import S

# Common Dutch first names: found as names even at the start of a sentence, and the pool new first
# names are drawn from.
DUTCH_FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Anouk", "Bas", "Bram", "Daan", "Dirk", "Eva", "Emma", "Fleur", "Femke", "Gerrit", "Hanna",
    "Henk", "Ingrid", "Iris", "Jan", "Jasper", "Jeroen", "Joost", "Karin", "Kees", "Koen", "Lars", "Lieke",
    "Linda", "Lisa", "Lotte", "Luuk", "Maaike", "Marieke", "Mark", "Martijn", "Mila", "Niels", "Noor",
    "Pieter", "Priya", "Ruud", "Sanne", "Sem", "Sophie", "Stefan", "Tess", "Thijs", "Tim", "Vera", "Wim",
    "Willem", "Yara", "Zoë", "Ahmed", "Fatima", "Mohammed", "Annelies", "Els", "Frank", "Greet", "Hans",
    "Marco", "Monique", "Nicole", "Paul", "Petra", "Rob", "Sandra", "Sven", "Ilse", "Jeanine", "Ricardo",
    "Sarah", "Youssef", "Ingeborg", "Samira", "Esther", "Kevin", "Dennis", "Tom", "Rick", "Joris", "Robin",
    "Mohamed", "Marloes", "Bart", "Niek", "Roos", "Julia", "Sophie", "Gijs", "Wouter", "Manon", "Nadia",
)
# Surnames, companies, places: replaced by these (they read as either).
OTHER_NAMES: tuple[str, ...] = (
    "Brinkman", "Dekker", "Hoekstra", "Kramer", "Molenaar", "Postma", "Scholten", "Terpstra", "Veenstra",
    "Wolters", "Zwart", "Bosman", "Kuipers", "Lammers", "Nijhuis", "Oosterhof", "Ruiter", "Schipper",
    "Timmer", "Verbeek",
)
# Written with a capital inside a sentence, yet not a name (tussenvoegsels like "De Wit" stay as they are).
_NOT_NAMES = frozenset((
    "U", "Uw", "Ik", "Oké", "Ok", "Meneer", "Mevrouw", "Mevr", "Dhr", "Heer", "Dag", "Hallo", "Hoi",
    "Goedemorgen", "Goedemiddag", "Goedenavond", "Ja", "Nee", "Hm", "Hmm", "Hm-hm", "Eh", "Nou", "Sorry",
    "Dank", "Bedankt", "Excuses", "Prima", "Fijn", "Top",
    "De", "Den", "Der", "Het", "Van", "Ter", "Ten", "Te", "Op", "In", "En", "Of",
))

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_OPENERS = "\"'“‘„(["
_SENTENCE_ENDS = ".!?…:"


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start]
    stripped = before.rstrip().rstrip(_OPENERS).rstrip()
    return not stripped or stripped[-1] in _SENTENCE_ENDS or "\n" in before[len(stripped):]


def _is_candidate(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and not word.isupper() and word not in _NOT_NAMES


def find_names(transcript: Transcript, persona: Persona | None = None) -> list[str]:
    """Names of people, companies and places in a transcript, in order of first occurrence.

    A name is a capitalised word that is written with a capital somewhere other than the start of a
    sentence, or a known Dutch first name, or a word of the persona's own name or company.
    """
    known = {n.lower() for n in DUTCH_FIRST_NAMES}
    if persona is not None:
        for w in _WORD.findall(f"{persona.character.name} {persona.situation.company}"):
            if _is_candidate(w):
                known.add(w.lower())
    first: dict[str, int] = {}
    names: set[str] = set()
    pos = 0
    for turn in transcript.turns:
        for m in _WORD.finditer(turn.text):
            w = m.group()
            if not _is_candidate(w):
                continue
            first.setdefault(w, pos + m.start())
            if w.lower() in known or not _sentence_initial(turn.text, m.start()):
                names.add(w)
        pos += len(turn.text) + 1
    return sorted(names, key=lambda w: first[w])


def rename_map(transcript: Transcript, persona: Persona | None = None) -> dict[str, str]:
    """name -> replacement: first names by other first names, all other names by other surnames.

    Replacements never occur in the transcript already (case-insensitive), so the map is one-to-one.
    """
    used = {m.group().lower() for t in transcript.turns for m in _WORD.finditer(t.text)}
    firsts = [n for n in DUTCH_FIRST_NAMES if n.lower() not in used]
    others = [n for n in OTHER_NAMES if n.lower() not in used]
    first_set = {n.lower() for n in DUTCH_FIRST_NAMES}
    mapping: dict[str, str] = {}
    for name in find_names(transcript, persona):
        pool = firsts if name.lower() in first_set else others
        if not pool:  # a transcript with more names than the pools: keep the rest, still deterministic
            continue
        mapping[name] = pool.pop(0)
    return mapping


def rename(transcript: Transcript, persona: Persona | None = None) -> Transcript:
    """Replace every name consistently (same name, same replacement, in every turn).

    A name that is also an ordinary word of the transcript (it occurs in lower case too, as in the
    company "Zakelijke Telefonie") is replaced only where it is not at the start of a sentence.
    """
    mapping = rename_map(transcript, persona)
    if not mapping:
        return transcript
    lower = {m.group() for t in transcript.turns for m in _WORD.finditer(t.text) if m.group()[0].islower()}
    ordinary = {n for n in mapping if n.lower() in lower}
    alternatives = "|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def swap(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            name = m.group()
            if name in ordinary and _sentence_initial(text, m.start()):
                return name
            return mapping[name]

        return pattern.sub(one, text)

    turns = [t.model_copy(update={"text": swap(t.text)}) for t in transcript.turns]
    return transcript.model_copy(update={"turns": turns})


def _reformat(text: str) -> str:
    # a line break after the first sentence, every other space doubled, trailing spaces
    text = re.sub(r"([.!?]) (?=\S)", "\\1\n", text, count=1)
    parts = text.split(" ")
    out = parts[0]
    for n, part in enumerate(parts[1:]):
        out += ("  " if n % 2 == 0 else " ") + part
    return out + "  "


def reformat_whitespace(transcript: Transcript) -> Transcript:
    """Extra spaces, a line break inside each turn and trailing spaces; the words stay the same."""
    turns = [t.model_copy(update={"text": _reformat(t.text)}) for t in transcript.turns]
    return transcript.model_copy(update={"turns": turns})


FILLER: tuple[tuple[Role, str], ...] = ((Role.customer, "Ja."), (Role.trainee, "Hm-hm."))
"""The filler pair. The trainee's "Hm-hm." is itself a listening signal: items about listening signals
are exempt from the filler check (see FILLER_EXEMPT)."""

FILLER_EXEMPT: frozenset[str] = frozenset({"actief-luisteren.aanmoedigen"})

# After a trainee turn with one of these, the customer's "Ja." would mean something: a confirmation
# (summary, reflection), an answer (closed question) or an agreement (proposal, solution).
_YES_INVITING = frozenset({
    S.question_closed, S.check_question, S.proposal, S.choice_offer, S.anything_else, S.summary, S.paraphrase,
    S.reflection, S.reflection_question, S.solution, S.commitment, S.refusal, S.bad_news, S.blunt_no,
    S.alternative, S.call_goal, S.agreement_summary, S.name_spell_request, S.name_wrong_ask, S.question_why,
})


def _filler_tier(transcript: Transcript, i: int) -> int | None:
    """0: a neutral statement; 1: an open question (the customer's real answer still follows);
    None: a "Ja." after this trainee turn would confirm, answer or agree to something."""
    from ..signals import trainee_signals  # simplemma loads on first use

    previous = [(str(t.role), t.text) for t in transcript.turns[:i]]
    ids = {s.id for s in trainee_signals(transcript.turns[i].text, previous)}
    if ids & _YES_INVITING:
        return None
    return 1 if "?" in transcript.turns[i].text else 0


def filler_position(transcript: Transcript) -> int | None:
    """Where the filler pair goes: right after a trainee turn that is not the trainee's first or last
    (openings and closings stay put), followed by a customer turn (roles keep alternating), after which a
    "Ja." confirms, answers or agrees to nothing (see `_filler_tier`): neutral statements first, then
    open questions, each nearest the middle. None if there is no such place.
    """
    turns = transcript.turns
    trainee = [i for i, t in enumerate(turns) if t.role is Role.trainee]
    candidates = []
    for i in trainee[1:-1]:
        if i + 1 < len(turns) and turns[i + 1].role is Role.customer:
            tier = _filler_tier(transcript, i)
            if tier is not None:
                candidates.append((tier, abs(i + 1 - len(turns) / 2), i + 1))
    return min(candidates)[2] if candidates else None


def insert_filler(transcript: Transcript) -> tuple[Transcript, int | None]:
    """The transcript with the filler pair inserted at `filler_position`, and that position.

    Turn indices from the position on shift by two: compare verdicts, not evidence.
    """
    pos = filler_position(transcript)
    if pos is None:
        return transcript, None
    pair = [Turn(role=role, text=text) for role, text in FILLER]
    turns = [*transcript.turns[:pos], *pair, *transcript.turns[pos:]]
    return transcript.model_copy(update={"turns": turns}), pos


def _same_role_neighbours(turns: list[Turn]) -> int:
    return sum(a.role is b.role for a, b in pairwise(turns))


def remove_turns(transcript: Transcript, turns: Iterable[int]) -> tuple[Transcript, list[int]]:
    """Remove the given trainee turns (other indices are ignored), each with the customer turn right
    after it when that keeps the roles alternating (no more same-role neighbours than before). Returns
    the new transcript and the indices (in the original) that were removed, ascending.
    """
    original = list(transcript.turns)
    removed: set[int] = set()
    for t in sorted(set(turns)):
        if not 0 <= t < len(original) or original[t].role is not Role.trainee:
            continue  # evidence that points elsewhere is a grounding failure, reported there
        removed.add(t)
        nxt = t + 1
        if nxt < len(original) and original[nxt].role is Role.customer and nxt not in removed:
            without = [x for i, x in enumerate(original) if i not in removed]
            with_next = [x for i, x in enumerate(original) if i not in removed | {nxt}]
            if with_next and _same_role_neighbours(with_next) <= _same_role_neighbours(without):
                removed.add(nxt)
    kept = [x for i, x in enumerate(original) if i not in removed]
    if not kept:
        return transcript, []
    return transcript.model_copy(update={"turns": kept}), sorted(removed)


def reversed_library(library: Library) -> Library:
    """The same library with the items of every checklist in reverse order (for the reorder check)."""
    checklists = {cid: cl.model_copy(update={"items": list(reversed(cl.items))})
                  for cid, cl in library.checklists.items()}
    return Library(checklists=checklists, personas=dict(library.personas), files=dict(library.files))
