"""Signal detection: cue patterns (`_lexicon.py`) plus what the customer said before.

A signal's span is the whole sentence that shows it, so it can be quoted verbatim as evidence. Detectors
that depend on the dialogue (summaries, reflections, parroting, answers to objections, refusals) look at
the customer's earlier turns: a summary repeats the customer's content, an objection is acknowledged
only if the prospect raised one.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ._lexicon import CUSTOMER, HELPERS, P
from ._patterns import Lexicon
from ._text import Analysis, Sentence, analyze, content_lemmas
from ._vocabulary import C, S

History = Sequence[tuple[str, str]]  # (role, text) of the turns before this one


@dataclass(frozen=True, slots=True)
class Signal:
    id: str  # an S or C value
    start: int  # text[start:end] is the sentence that shows the signal (verbatim evidence)
    end: int
    text: str
    cue: str = ""  # the words that triggered it


_DENIED_DISCOUNT = re.compile(
    r"\b(?:geen|niet)\b.{0,20}\b(?:korting|prijsvoordeel|afslag|actie)"
    r"|\b(?:korting|prijsvoordeel|afslag)\w*\b.{0,25}\b(?:niet|geen|nooit)\b",
    re.S,  # a line break inside a turn is just a space
)
# only the subject of the call given back: "het gaat om ...", "u belt over een declaratie"
_TOPIC_ONLY = re.compile(
    r" gaat (?:om|over) "
    r"| (?:(?:u|je) (?:belt|belde)|(?:belt|belde) (?:u|je)) (?:dus )?(?:over|voor|vanwege|in verband met) "
)
_CLAUSE_END = re.compile(r"[,;:]|\s(?=maar\b)|\s(?=en\b)")


def _offered_discount(sent: Sentence) -> str | None:
    """The words of a discount or freebie the trainee offers, skipping one denied in its own clause
    ("korting kan ik u niet geven, maar ...": the refusal is no offer, an offer after it still counts)."""
    for _ in range(4):  # a sentence holds few clauses
        span = _span(sent, "discount")
        if span is None:
            return None
        toks = sent.tokens
        lo, hi = toks[span[0]].start - sent.start, toks[span[1] - 1].end - sent.start
        begin = max((m.end() for m in _CLAUSE_END.finditer(sent.text, 0, lo)), default=0)
        after = _CLAUSE_END.search(sent.text, hi)
        end = after.start() if after else len(sent.text)
        if not _DENIED_DISCOUNT.search(sent.text[begin:end].lower()):
            return sent.text[lo:hi]
        rest = [t for t in toks if t.start - sent.start >= end]
        if not rest:
            return None
        sent = Sentence(rest[0].start, sent.end, sent.text[rest[0].start - sent.start:], tuple(rest))
    return None


def _spans(sent: Sentence, name: str) -> dict[str, tuple[int, int]]:
    lex = _CUSTOMER_LEX if name.startswith("c:") else _LEX
    spans = sent.memo.get(lex.memo)
    return spans if spans is not None else lex.match(sent)  # type: ignore[return-value]


def _cue(sent: Sentence, name: str) -> str | None:
    """The matched words of cue table `name` in the sentence, or None."""
    span = _spans(sent, name).get(name)
    if span is None:
        return None
    toks = sent.tokens
    return sent.text[toks[span[0]].start - sent.start : toks[span[1] - 1].end - sent.start]


def _has(sent: Sentence, name: str) -> bool:
    return name in _spans(sent, name)


def _span(sent: Sentence, name: str) -> tuple[int, int] | None:
    return _spans(sent, name).get(name)


_YOU = frozenset({"u", "je", "jij", "jou", "uw", "jouw", "jullie", "uzelf"})
_NEG = frozenset({"niet", "geen", "nooit", "hoeft", "hoef", "hoeven", "hoefde", "niks", "niets"})
_ADMIN = frozenset(
    """nummer klantnummer ordernummer bestelnummer postcode huisnummer geboortedatum adres
e-mail e-mailadres emailadres mailadres telefoonnummer iban rekeningnummer factuurnummer dossiernummer
contractnummer polisnummer referentie referentienummer kenmerk naam achternaam voorletters""".split()
)
_PREPS = frozenset("voor aan met bij van naar over op in tegen zonder door om dan als".split())
_OFFER_START = (
    ("zal", "ik"),
    ("zullen", "we"),
    ("zullen", "wij"),
    ("mag", "ik"),
    ("wilt", "u", "dat"),
    ("wilt", "u", "weten"),
    ("wil", "je", "weten"),
    ("wil", "je", "dat"),
    ("kan", "ik", "u"),
    ("kan", "ik", "je"),
    ("kunnen", "we"),
    ("zal", "ik"),
)

_COMPANY = frozenset("wij we ons onze bedrijf winkel collega collega's merk organisatie team".split())
_PRAISE = frozenset(
    """prachtig prachtige beste best geweldig geweldige fantastisch fantastische uniek unieke topper top
kwaliteit voorop marktleider specialist specialisten toonaangevend breed breedste ruim enorm super uitstekend
uitstekende ideaal perfect perfecte heerlijk populair populairst meest betrouwbaar betrouwbare goedkoopst goedkoopste
scherpst scherpste voordeligst voordeligste assortiment ervaring ervaren deskundig deskundige vakkundig vakkundige
snelst snelste gegarandeerd tevreden trots""".split()
)
_BUYING = frozenset(
    """bekijken vergelijken proberen uitproberen rondkijken overwegen oriënteren lijst lijstje oog optie opties
keuze gebruiken gebruik nodig belangrijk budget eis eisen wens wensen beslissen beslissing offerte aanbieder
aanbieders alternatief situatie doel zoeken test testen ervaring verwachten verwachting plan plannen waarvoor
wanneer gezien bekeken vergeleken geprobeerd gereden gezocht gekeken rondgekeken prioriteit criteria zwaarst
doorslag""".split()
)
_NAME_CUES = frozenset({"met", "naam", "heet", "ben", "spreekt"})
_MUMBLE = frozenset({"...", "…", "eh", "ehm", "uh", "uhm", "hm", "mompelt", "*mompelt*", "onverstaanbaar"})
_REASSURE = (
    "hoor",
    "geen probleem",
    "natuurlijk niet",
    "helemaal niet",
    "hoeft niet",
    "geeft niet",
    "zeker niet",
    "dat klopt",
    "dat is niet erg",
    "u stoort niet",
    "absoluut niet",
    "geen zorgen",
)
_SWAP_CUSTOMER = {
    "ik": "u",
    "mij": "u",
    "me": "u",
    "mijn": "uw",
    "m'n": "uw",
    "heb": "heeft",
    "ben": "bent",
    "wil": "wilt",
    "kan": "kunt",
    "zal": "zult",
    "mezelf": "uzelf",
    "we": "u",
    "wij": "u",
    "ons": "uw",
    "onze": "uw",
}
_SWAP_TRAINEE = {"je": "u", "jij": "u", "jou": "u", "jouw": "uw", "hebt": "heeft", "kan": "kunt", "wil": "wilt"}


def _norm(sent: Sentence, swap: dict[str, str]) -> str:
    return " ".join(swap.get(t.text, t.text) for t in sent.tokens if t.text[0].isalnum())


_PERSON = {"ik": "u", "mij": "u", "me": "u", "u": "u", "zich": "u", "je": "u", "jij": "u", "jou": "u",
           "mezelf": "u", "uzelf": "u", "zichzelf": "u", "jezelf": "u", "mijn": "uw", "m'n": "uw", "uw": "uw",
           "jouw": "uw"}
_TAG_WORDS = frozenset({"klopt", "dat", "toch", "hè", "he", "of", "niet", "juist", "zo", "goed"})


def _lemma_norm(sent: Sentence) -> list[str]:
    """Lemmas with every person made the customer ('u'/'uw'), minus a trailing check tag ("klopt dat?")."""
    out = [_PERSON.get(t.text, t.lemma) for t in sent.tokens if t.text[0].isalnum()]
    if sent.is_question:
        while out and out[-1] in _TAG_WORDS:
            out.pop()
    return out


def _has_you(sent: Sentence) -> bool:
    return any(t.text in _YOU for t in sent.tokens)


def _negated(sent: Sentence) -> bool:
    return any(t.text in _NEG for t in sent.tokens)


@dataclass
class _Context:
    customer_turns: list[Analysis]
    trainee_turns: list[Analysis]
    customer_lemmas: set[str]
    trainee_lemmas: set[str]
    last_customer: Analysis | None
    n_trainee_before: int


def _context(previous: History | None) -> _Context:
    cust = [analyze(t) for r, t in previous or () if r == "customer"]
    own = [analyze(t) for r, t in previous or () if r == "trainee"]
    return _Context(
        customer_turns=cust,
        trainee_turns=own,
        customer_lemmas=set().union(*(a.content_lemmas() for a in cust)) if cust else set(),
        trainee_lemmas=set().union(*(a.content_lemmas() for a in own)) if own else set(),
        last_customer=cust[-1] if cust else None,
        n_trainee_before=len(own),
    )


_MONTHS = frozenset(
    """januari februari maart april mei juni juli augustus september oktober november december
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag""".split()
)


def _overlap(sent: Sentence, ctx: _Context) -> set[str]:
    """Content words of the sentence that the customer used before: what they said, not data (numbers,
    names, dates), which repeating does not give back."""
    data = {t.lemma for t in sent.tokens if t.name or t.text[:1].isdigit() or t.text in _MONTHS}
    return (content_lemmas(sent.tokens) - data) & ctx.customer_lemmas


def _customer_has(ctx: _Context, name: str, last: int = 1) -> bool:
    return any(_has(s, "c:" + name) for a in ctx.customer_turns[-last:] for s in a.sentences)


def _customer_requested(ctx: _Context) -> bool:
    """The customer asked for something in the last two turns (a question, a demand, insisting)."""
    for a in ctx.customer_turns[-2:]:
        for s in a.sentences:
            if s.is_question or _has(s, "c:insist") or _has(s, "c:ask"):
                return True
            words = {t.text for t in s.tokens}
            if {"wil", "eis", "verwacht", "wilde", "graag"} & words and ("ik" in words or "we" in words):
                return True
    return False


def _customer_norm(cs: Sentence) -> tuple[str, set[str]]:
    """A customer sentence in the trainee's person ('ik heb' -> 'u heeft'), memoised on the sentence."""
    found = cs.memo.get("norm")
    if found is None:
        norm = _norm(cs, _SWAP_CUSTOMER)
        found = cs.memo["norm"] = (norm, set(norm.split()))
    return found  # type: ignore[return-value]


def parroted(sent: Sentence, ctx: _Context) -> bool:
    """True when the sentence repeats one of the customer's last sentences nearly word for word."""
    mine = _strip_tags(_norm(_strip_intro(sent), _SWAP_TRAINEE))
    if len(mine.split()) < 4 or _has(sent, "introduction"):  # both saying "u spreekt met ..." is not parroting
        return False
    words = set(mine.split())
    for a in ctx.customer_turns[-4:]:
        for cs in a.sentences:
            theirs, their_words = _customer_norm(cs)
            if len(words & their_words) < 3:  # cheap check first: a repeat shares most of its words
                continue
            if len(theirs.split()) < 4 or _has(cs, "c:introduction"):
                continue
            if fuzz.ratio(mine, theirs) >= 85 or (
                fuzz.token_set_ratio(mine, theirs) >= 92 and 0.75 <= len(mine) / max(1, len(theirs)) <= 1.5
            ):
                return True
            if len(theirs) >= 25 and fuzz.partial_ratio(theirs, mine) >= 92 and len(mine) <= 1.6 * len(theirs):
                return True
            # the same words in another order and conjugation: "ik voel me er dom over" -> "(ik begrijp dat) u
            # zich er dom over voelt"
            mine_l, theirs_l = _lemma_norm(_strip_intro(sent)), _lemma_norm(cs)
            if (
                len(theirs_l) >= 5
                and 0.75 <= len(mine_l) / len(theirs_l) <= 1.35
                and fuzz.token_set_ratio(" ".join(mine_l), " ".join(theirs_l)) >= 95
            ):
                return True
            for clause in _CLAUSE.split(theirs):  # one clause of a longer sentence, words reordered
                if (
                    len(clause.split()) >= 5
                    and fuzz.token_set_ratio(mine, clause) >= 92
                    and (0.7 <= len(mine) / len(clause) <= 1.4)
                ):
                    return True
    return False


_CLAUSE = re.compile(r" (?:en|maar|want|omdat|dus) ")
_LEAD = ("dus ", "oké ", "ok ", "ja ", "ah ", "o ", "zo ", "en ", "nou ")
_TAGS = (
    " klopt dat",
    " toch",
    " is dat zo",
    " heb ik dat goed",
    " of niet",
    " klopt het",
    " zie ik dat goed",
    " juist",
)


def _strip_tags(s: str) -> str:
    """'dus u heeft X, klopt dat' compares as 'u heeft X': connectives and check tags add nothing."""
    changed = True
    while changed:
        changed = False
        for lead in _LEAD:
            if s.startswith(lead):
                s, changed = s[len(lead) :], True
        for tag in _TAGS:
            if s.endswith(tag):
                s, changed = s[: -len(tag)], True
    return s


def _strip_intro(sent: Sentence) -> Sentence:
    span = _span(sent, "intro_phrase")
    if span is None:
        return sent
    rest = sent.tokens[span[1] :]
    if not rest:
        return sent
    return Sentence(rest[0].start, sent.end, sent.text[rest[0].start - sent.start :], rest)


def _you_subject(sent: Sentence, formal: bool = False) -> bool:
    """'u/je' as the subject: not right after a preposition ('voor u wil ik ...'). A trainee who says 'u' to
    the customer uses 'je' for people in general ('dan wil je er jarenlang plezier van hebben')."""
    you = ("u",) if formal else ("u", "je", "jij")
    toks = sent.tokens
    return any(t.text in you and (i == 0 or toks[i - 1].text not in _PREPS) for i, t in enumerate(toks))


def _reflects(sent: Sentence, formal: bool = False) -> bool:
    """Names the customer's feeling, wish, intention or value (an educated guess about them)."""
    words = [t.text for t in sent.tokens if t.text[0].isalnum()]
    if sent.is_question and "toch" in words[:-1]:  # "u wilt toch ook niet ...?" pushes; a final "toch?" checks
        return False
    if sent.is_question and any(
        words[i : i + 2] in (["wilt", "u"], ["kunt", "u"], ["zou", "u"], ["mag", "ik"]) for i in range(len(words))
    ):
        return False  # a request ("wilt u hem spellen?"), not a guess at a feeling
    if (
        "geen zorgen" in sent.low
        or {"hoeft", "hoef", "hoeven"} & set(words)
        or _ANNOUNCES_NEWS.search(sent.low)
        or _has(sent, "judgement")  # "die handleiding had u een hoop gedoe bespaard" reproaches
    ):
        return False  # "Maakt u zich geen zorgen": the feeling denied, not named (R13)
    if not _you_subject(sent, formal):
        return bool(_has(sent, "feel_you") and any(t.text in ("dat", "het") for t in sent.tokens[:2]))
    return bool(
        _has(sent, "feel_you")
        or (_has(sent, "wish") and not _hypothetical_wish(sent))
        or (not sent.is_question and sent.tokens[0].text not in ("wilt", "wil") and _inverted_wish(sent))
    )


_DAY_WORDS = frozenset("een de die deze elke iedere hele halve vrije volgende zelfde andere welke lange".split())


def _greets(sent: Sentence, table: str) -> bool:
    """A bare "dag" greets only at the start or end of a sentence, not in "een vrije dag" or "die dag dan"."""
    span = _span(sent, table)
    if span is None or span[1] - span[0] != 1 or sent.tokens[span[0]].text != "dag":
        return True
    words = [i for i, t in enumerate(sent.tokens) if t.text[0].isalnum()]
    at = span[0]
    if at == words[0]:
        return True
    return at == words[-1] and sent.tokens[at - 1].text not in _DAY_WORDS


_BEFORE_TE = frozenset({"precies", "exact", "goed", "nu", "zo", "echt", "wel"})


def _hard_to_do(sent: Sentence) -> bool:
    """'Dat is lastig (precies) te zeggen': the difficulty of doing something, not sympathy for the customer."""
    span = _span(sent, "sympathy")
    if span is None:
        return False
    after = [t.text for t in sent.tokens[span[1] : span[1] + 2]] + ["", ""]
    return after[0] == "te" or (after[0] in _BEFORE_TE and after[1] == "te")


_ANNOUNCES_NEWS = re.compile(r"\biets (?:vervelends|naars|slechts|minder leuks|minder goeds)\b")
_HEDGES = frozenset("misschien wellicht hopelijk eventueel waarschijnlijk".split())
_PAST = frozenset("stond stonden kwam kwamen was waren ging gingen deed deden zei zeiden lag lagen".split())
_OTHER_SUBJECT = frozenset({"ik", "we", "wij", "hij", "zij", "ze", "men", "iemand", "niemand", "collega"})


def _inverted_wish(sent: Sentence) -> bool:
    """'Daarom wilt u ...' names the customer's wish; in 'ik wil u geen valse hoop geven' the 'u' is the object."""
    span = _span(sent, "wish_inverted")
    return span is not None and not (span[0] > 0 and sent.tokens[span[0] - 1].text in _OTHER_SUBJECT)


_IF_WHETHER = frozenset({"of", "als", "wanneer", "zodra", "indien", "mocht", "tenzij"})


def _hypothetical_wish(sent: Sentence) -> bool:
    """'... kiest u zelf of u een box wilt': a wish in an if/whether clause is an option, not a guess at what
    the customer wants."""
    span = _span(sent, "wish")
    return span is not None and span[0] > 0 and sent.tokens[span[0] - 1].text in _IF_WHETHER


def _offer_question(words: list[str]) -> bool:
    return any(tuple(words[: len(o)]) == o for o in _OFFER_START) or (
        len(words) > 2
        and words[0] in ("of", "en", "dan")
        and any(tuple(words[1 : 1 + len(o)]) == o for o in _OFFER_START)
    )


def _pitch(sent: Sentence) -> bool:
    """The company or product talked up: a company subject with praise ('bij ons staat kwaliteit voorop')."""
    words = {t.text for t in sent.tokens}
    by_us = bool(words & _COMPANY) or any(
        t.text == "bij" and i + 1 < len(sent.tokens) and sent.tokens[i + 1].cap for i, t in enumerate(sent.tokens)
    )
    return by_us and bool(words & _PRAISE) and not sent.is_question


def _question_like(sent: Sentence) -> bool:
    if _has(sent, "invite_more") and len(sent.tokens) <= 6:  # "Vertelt u verder." invites, it does not ask
        return False
    if sent.is_question:
        return True
    first = sent.tokens[0].text
    return first in {"vertel", "vertelt", "beschrijf", "beschrijft", "leg", "legt"} and _has_you(sent)


@lru_cache(maxsize=8192)
def _trainee_cached(text: str, previous: tuple[tuple[str, str], ...]) -> tuple[Signal, ...]:
    return tuple(_trainee(text, previous))


def trainee_signals(text: str, previous: History | None = None) -> list[Signal]:
    """Signals in a trainee turn. `previous` is the conversation so far as (role, text) pairs."""
    return list(_trainee_cached(text, tuple(previous or ())))


def _trainee(text: str, previous: History) -> list[Signal]:
    a = analyze(text)
    ctx = _context(previous)
    out: list[Signal] = []
    sents = [s for s in a.sentences if not _cue(s, "injection")]  # lines to the judge earn and lose nothing
    for s in a.sentences:
        if _cue(s, "injection"):
            out.append(Signal(S.injection, s.start, s.end, s.text, _cue(s, "injection") or ""))
    objection_before = _customer_has(ctx, "objection") or _customer_has(ctx, "reject")
    requested = _customer_requested(ctx)
    cust_words = sum(len(x.tokens) for x in ctx.customer_turns)
    checks = [_cue(s, "check_question") for s in sents]
    formal = any(t.text in ("u", "uw") for a_ in (*ctx.trainee_turns, a) for t in a_.tokens)

    def add(sid: str, sent: Sentence, cue: str | None = "") -> None:
        out.append(Signal(sid, sent.start, sent.end, sent.text, cue or ""))

    def cue_add(sid: str, sent: Sentence, name: str | None = None) -> bool:
        c = _cue(sent, name or sid)
        if c is not None:
            add(sid, sent, c)
            return True
        return False

    anchor: int | None = None  # first sentence with a refusal or bad news
    for k, sent in enumerate(sents):
        words = [t.text for t in sent.tokens]
        question = _question_like(sent)
        _opening(sent, k, add, cue_add)
        if cue_add(S.thanks, sent):
            pass
        positive = _span(sent, "positive_statement")
        # "Wat goed dat u het niet heeft laten zitten": the negation sits in the clause after the praise
        if positive is not None and (not _negated(sent) or "fijn" in words or positive[0] <= 1):
            cue_add(S.positive_statement, sent)
        if k >= len(sents) - 2 and _greets(sent, "closing_greeting"):
            cue_add(S.closing_greeting, sent)
        cue_add(S.anything_else, sent)
        if _cue(sent, "invite_more"):
            cue_add(S.listening_signal, sent, "invite_more")
        overlap = _overlap(sent, ctx)
        # --- questions
        is_why = question and _cue(sent, "why_question") is not None
        if question:
            if is_why:
                cue_add(S.question_why, sent, "why_question")
            starts_open = any(t.text in _QUESTION_WORDS for t in sent.tokens[:3])
            elaborate = _cue(sent, "elaborate_request")
            needs = _cue(sent, "needs_question") if cust_words >= 8 else None
            # identification questions (klantnummer, postcode) unless they ask about the story itself
            admin = (
                any(t.text in _ADMIN or t.lemma in _ADMIN or t.text.endswith(("nummer", "code")) for t in sent.tokens)
                and len(overlap - _ADMIN) == 0
            )
            check = checks[k]
            summary_like = bool(
                check
                and (_cue(sent, "summary_marker") or words[0] in ("dus", "oftewel", "kortom") or len(overlap) >= 2)
            )
            offer = _offer_question(words) or _has(sent, "generic_help") or _cue(sent, "anything_else")
            if offer and not needs:
                add(S.proposal, sent, " ".join(words[:2]))
            else:
                add(S.question_open if starts_open or elaborate else S.question_closed, sent)
            if needs:
                add(S.question_needs, sent, needs)
            clarify: str | None = None
            doubt = _cue(sent, "doubt_question")
            choice = _cue(sent, "choice_offer")
            if (
                cust_words >= 12
                and not is_why
                and not offer
                and not choice
                and not summary_like
                and not doubt
                and not (check and len(words) <= 6)
            ):
                if elaborate and not (admin and not overlap):
                    clarify = elaborate
                elif (
                    not admin
                    and not needs
                    and overlap
                    and len(words) >= 3  # "Huurauto?" echoes, it does not ask
                    and not {"zeker", "echt", "toch"} & set(words[-3:])
                ):  # "Weet u het zeker?" pushes
                    clarify = ", ".join(sorted(overlap))
                elif not admin and starts_open and (_has_you(sent) or sent.tokens[0].text in ("wat", "hoe")):
                    clarify = sent.tokens[0].text
            if clarify:
                add(S.question_clarify, sent, clarify)
            if check:
                add(S.check_question, sent, check)
            cue_add(S.doubt_question, sent)
            buying = None if choice else _cue(sent, "buying_stage_question")
            if buying is None and not offer and not choice and not is_why and _has_you(sent):
                buying = next((t.text for t in sent.tokens if t.lemma in _BUYING or t.text in _BUYING), None)
            if buying or (needs and not offer and not choice):
                add(S.buying_stage_question, sent, buying or needs)
            cue_add(S.name_spell_request, sent)
            cue_add(S.name_wrong_ask, sent)
        else:
            if "waarom" in words and not {"daarom", "ik", "bel"} >= {"ik", "bel"}:
                add(S.question_why, sent, "waarom")
            if sent.tokens[0].text in {"vertel", "vertelt", "zeg"}:
                cue_add(S.doubt_question, sent)
            if "spellen" in words or "spelt" in words:
                cue_add(S.name_spell_request, sent)
        # --- giving back: summary, paraphrase, reflection, parroting
        parrot = bool(ctx.customer_turns) and parroted(sent, ctx)
        if parrot:
            add(S.parroting, sent)
        # given back as a question: a check tag ("..., klopt dat?") or statement word order with a question mark
        declarative = question and words[0] in {"u", "je", "jij", "dus", "en", "uw", "het", "dat", "die", "de", "zo"}
        asked = declarative or any(checks[k : k + 2])
        marker = _cue(sent, "summary_marker") or (words[0] if words[0] in ("dus", "oftewel", "kortom") else None)
        # framed as the customer's view ("als ik u goed begrijp, ...", "dus volgens u ..."): given back even in
        # entirely own words, which share no word with what the customer said
        framed = bool(_cue(sent, "summary_marker") or (words[0] == "dus" and "volgens" in words[1:3])) and (
            _has_you(sent) and len(words) >= 8 and not _undone(sent)
        )
        gives_back = (
            not parrot
            and ctx.customer_turns
            and (
                (marker and overlap)
                or framed
                or (asked and len(overlap) >= 2 and _has_you(sent) and len(words) >= 6)
            )
        )
        reflects = (
            _reflects(sent, formal)
            and not _cue(sent, "dismissive")
            and not parrot
            and words[0] not in _CONDITIONAL
            and not _cue(sent, "ownership_refusal")
        )
        topic_only = bool(_TOPIC_ONLY.search(f" {sent.low} "))
        asks_meaning = question and "bedoel" in sent.low  # "bedoelt u dat ...?" checks one point
        # several points given back is a summary, also when one of them is a feeling or wish ("..., en u wilt
        # nu vooral ..., klopt dat?"); one feeling with a tag ("U baalt ervan, toch?") is a reflection asked
        # a summary gives back several points (R10); one restated fact or number, even with "klopt dat?", is not
        points = _clauses(sent)
        full_summary = (
            gives_back
            and not topic_only
            and not asks_meaning
            and points >= 2
            and (len(overlap) >= 3 or (len(overlap) >= 2 and len(words) >= 14))
            and not (reflects and asked and points < 3)
        )
        if full_summary:
            add(S.summary, sent, marker or ", ".join(sorted(overlap)))
        elif gives_back and not reflects and not topic_only and (len(overlap) >= 2 or framed):
            add(S.paraphrase, sent, marker or ", ".join(sorted(overlap)))
        if reflects and (_has_you(sent) or question) and words[0] not in _CONDITIONAL and not _undone(sent):
            add(S.reflection, sent)
        attempt = (gives_back or parrot) and asked and not topic_only
        if not full_summary and ((reflects and (question or asked)) or attempt):
            # a parroted line with "klopt dat?" is still an attempt to give back, asked as a question (R11)
            add(S.reflection_question, sent, checks[k] or "?")
        if _cue(sent, "intro_phrase") and (overlap or reflects):
            cue_add(S.intro_phrase, sent)
        # --- empathy
        apology = _cue(sent, "apology")
        refusal = (
            None
            if question or _cue(sent, "unsure")
            else (_cue(sent, "refusal") or (_cue(sent, "refusal_weak") if requested else None))
        )
        if apology and not (question and len(words) <= 8) and not refusal and not _has(sent, "apology_other"):
            add(S.apology, sent, apology)
        dismissive = _cue(sent, "dismissive")
        if dismissive:
            add(S.dismissive, sent, dismissive)
        denies = any(t.text in {"hoeft", "hoef", "hoeven"} for t in sent.tokens) or "geen zorgen" in sent.low
        undone = _undone(sent)
        announces = bool(_ANNOUNCES_NEWS.search(sent.low))  # "ik moet u iets vervelends vertellen" is no empathy
        if not dismissive and not denies and not question and not undone and not announces:
            cue_add(S.acknowledge_feeling, sent)
            if not _hard_to_do(sent):
                cue_add(S.sympathy, sent)
            if not {"vraag", "punt", "opmerking", "keuze", "idee"} & set(words):  # "een terechte vraag"
                cue_add(S.validate_feeling, sent)
        if _pitch(sent) and not _cue(sent, "pitch"):
            add(S.pitch, sent, "bij ons ...")
        for sid in (S.judgement, S.own_story, S.pitch, S.joke, S.insult):
            c = _cue(sent, sid)
            if c and not (sid in (S.insult, S.judgement) and (_negated_before(sent, c) or _has(sent, "reassuring"))):
                if sid == S.judgement and {"graag", "liever"} & set(c.lower().split()):
                    continue  # "u had het graag zelf gedaan" names a wish, it does not reproach
                add(sid, sent, c)
        # --- action
        # giving back what the customer wants ("u wilt dat het nu stopt") is not doing something now
        gives_back_wish = full_summary or reflects or (gives_back and len(overlap) >= 2)
        hedged = bool(_HEDGES & set(words))  # "misschien dat het vandaag nog kan" promises no time
        for sid in (S.action_now, S.time_frame, S.vague_time, S.ownership_refusal, S.guided_handover, S.choice_offer):
            if sid == S.time_frame and hedged:
                if _cue(sent, "time_frame"):
                    add(S.vague_time, sent, _cue(sent, "time_frame"))
            elif not (sid == S.action_now and gives_back_wish):
                cue_add(sid, sent)
        # "Ik kan ze vrijdag klaarzetten. Of u mailt mij eerst dat lijstje.": a second option offered
        if words[0] == "of" and k > 0 and any(
            x.id in (S.solution, S.commitment, S.proposal, S.alternative) and x.start == sents[k - 1].start for x in out
        ):
            add(S.choice_offer, sent, "of")
        commit = _cue(sent, "commitment") if not question else None
        # "u hoort zo spoedig mogelijk van ons": a vague promise in the company's name commits nobody
        if commit and "ik" not in words and _has(sent, "vague_time") and not _has(sent, "time_frame"):
            commit = None
        if commit:
            add(S.commitment, sent, commit)
        if _cue(sent, "unsure"):
            add(S.check_back, sent, _cue(sent, "unsure"))
        advice = words[0] in {"neem", "kies", "koop", "probeer"} and "u" not in words[1:2]
        solution = _cue(sent, "solution")
        if solution and solution.lower().startswith("een ") and (_PAST & set(words) or _negated(sent)):
            solution = None  # "er stond een monteur bij u", "een vergoeding geven wij niet": nothing offered
        if not question and (solution or commit or advice):
            add(S.solution, sent, solution or commit or words[0])
        elif question and _cue(sent, "fix_question"):
            add(S.solution, sent, _cue(sent, "fix_question"))
        refuses_ownership = _cue(sent, "ownership_refusal")
        if not refuses_ownership and (
            _has(sent, "ik_help") or (words[0] == "ik" and not question and (commit or _cue(sent, "solution")))
        ):
            add(S.personal_language, sent, "ik")
        elif not question and (_has(sent, "we_help") or _faceless_passive(words)):
            add(S.we_language, sent, _WE_HELP_CUE)
        if not question and _doing_now(sent):
            add(S.action_now, sent, "ik ... nu")
        # --- saying no and bad news
        blunt = (
            words
            and words[0] in {"nee", "neen", "nope"}
            and (refusal or requested or (k + 1 < len(sents) and _cue(sents[k + 1], "refusal")))
        )
        if blunt and (refusal or not any(r in sent.low for r in _REASSURE)):
            add(S.blunt_no, sent, sent.tokens[0].text)
            refusal = refusal or sent.tokens[0].text
        elif requested and (_cue(sent, "curt_refusal") or "het antwoord is nee" in sent.low):
            add(S.blunt_no, sent, _cue(sent, "curt_refusal") or "nee")
            refusal = refusal or "nee"
        if refusal:
            add(S.refusal, sent, refusal)
            anchor = k if anchor is None else anchor
        cue_add(S.regret_phrase, sent)
        # bad news about the matter; a refusal of the customer's own request is news too (R5), but a 'no' to an
        # extra demand (compensation, a new device, a manager) is only a refusal
        news = None if question else (_cue(sent, "bad_news") or refusal)
        if news and not (refusal and _EXTRA_DEMAND & {t.lemma for t in sent.tokens}):
            add(S.bad_news, sent, news)
            anchor = k if anchor is None else anchor
        # neither looking the cause up ("ik kijk nu wat er gebeurd is") nor giving back ("... en wilt u weten
        # hoe het zit") explains anything
        not_a_cause = _cue(sent, "action_now") or full_summary or (gives_back and len(overlap) >= 2)
        if not question and _cue(sent, "explanation") and not _cue(sent, "call_reason") and not not_a_cause:
            cue_add(S.explanation, sent)
        if anchor is not None and _is_alternative(sent, k, anchor):
            add(S.alternative, sent, "wel")
        # --- sales
        discount = _offered_discount(sent)
        if discount:
            add(S.discount, sent, discount)
        cue_add(S.deadline, sent)
        # --- outbound
        if ctx.n_trainee_before <= 2:
            cue_add(S.call_reason, sent)
            cue_add(S.call_goal, sent)
        cue_add(S.agreement_summary, sent)
        if objection_before and k <= 1:
            span = _span(sent, "objection_ack")
            # "dat snap ik, maar het duurt maar twee minuten": taken back by "maar" (R21), unless what follows
            # asks the prospect something or offers another moment
            after = set(re.findall(r"\w+", sent.low.split(" maar ", 1)[1])) if " maar " in sent.low else set()
            pushed = bool(after) and (bool(_PUSH_ON & after) or not (sent.is_question or _LATER & after))
            if span is not None and span[0] <= 2 and not pushed:
                add(S.objection_ack, sent, _cue(sent, "objection_ack"))
        cue_add(S.name_reason, sent)
    if requested and not any(x.id in (S.refusal, S.blunt_no) for x in out):
        _implied_refusal(sents, out, add)
    asked = bool(ctx.last_customer and ctx.last_customer.sentences and ctx.last_customer.sentences[-1].is_question)
    _listening(a, out, asked)
    _arguments(a, out)
    out.sort(key=lambda x: x.start)  # stable: signals of one sentence keep their order
    return out


_PUSH_ON = frozenset(
    """wij we ons onze juist toch kost kosten bespaart besparen bespaar voordeel voordeliger goedkoper minuutje
minuutjes gratis korting aanbieding scherp scherpe prijs prijzen rendement oplevert levert waarom""".split()
)
_LATER = frozenset("later terug terugbellen moment keer wanneer mail mailen sturen stuur volgende".split())
_EXTRA_DEMAND = frozenset(
    """vergoeding vergoeden compensatie compenseren schadevergoeding korting gratis manager
leidinggevende teamleider uitzondering tegemoetkoming coulance kachel nieuw nieuwe extra toekennen""".split()
)
_CONDITIONAL = frozenset({"als", "wanneer", "mocht", "indien", "zodra", "mits"})
_QUESTION_WORDS = frozenset(P["question_word"][0].split("|"))


_NOW = frozenset({"nu", "meteen", "direct", "momenteel", "zojuist", "terwijl", "onmiddellijk", "gelijk"})
_NOT_DOING = frozenset(
    {
        "ga",
        "zal",
        "kan",
        "wil",
        "moet",
        "zou",
        "mag",
        "weet",
        "denk",
        "begrijp",
        "snap",
        "hoor",
        "vind",
        "hoop",
        "kon",
        "wou",
        "had",
        "bedoel",
        "zie",
    }
)


_PARTICLES = ("terug", "op", "door", "over", "uit", "in", "aan", "toe", "na", "mee", "af", "bij", "rond")


def _participle(w: str) -> bool:
    stem = next((w[len(p) :] for p in _PARTICLES if w.startswith(p + "ge")), w)
    return stem.startswith("ge") and len(stem) > 5 and stem.endswith(("d", "t", "en"))


def _faceless_passive(words: list[str]) -> bool:
    """'De machine wordt morgen teruggestuurd', 'er wordt contact opgenomen': help without a person."""
    return any(w in ("wordt", "worden") for w in words) and any(_participle(w) for w in words) and "ik" not in words


def _doing_now(sent: Sentence) -> bool:
    """'Ik stop de actie nu', 'ik plaats de bestelling nu': the trainee acts during the call (present tense)."""
    toks = [t.text for t in sent.tokens]
    if not _NOW & set(toks) or {"niet", "geen", "niets", "niks"} & set(toks):
        return False
    return any(
        w == "ik" and i + 1 < len(toks) and toks[i + 1][0].isalpha() and toks[i + 1] not in _NOT_DOING
        for i, w in enumerate(toks)
    ) or any(
        toks[i] in ("zet", "stuur", "plaats", "stop", "boek", "pas", "open", "hef", "verwerk", "plan", "regel", "zoek")
        and i + 1 < len(toks)
        and toks[i + 1] == "ik"
        for i in range(len(toks))
    )


_WE_HELP_CUE = "wij/we"


def _clauses(sent: Sentence) -> int:
    toks = list(sent.tokens)
    if sent.is_question:  # ", klopt dat?" closes the sentence; it adds no point
        last_comma = max((i for i, t in enumerate(toks) if t.text == ","), default=-1)
        if last_comma >= 0 and len(toks) - last_comma <= 5:
            toks = toks[:last_comma]
    return 1 + sum(1 for t in toks if t.text in (",", "en", "maar", "omdat", "want", "terwijl", ";"))


_WHAT_I_CAN = re.compile(r"^(?:maar |en )?(?:wat ik (?:wel|u wel)|wel kan ik|wat wel kan|wat ik u wel)\b")


def _implied_refusal(sents: Sequence[Sentence], out: list[Signal], add: Callable[..., None]) -> None:
    """After a request, "Een monteur vandaag zou voor niets komen. Wat ik wel kan doen, is ...": the contrast
    says the request is refused, in the statement before it."""
    for k, sent in enumerate(sents):
        if k and _WHAT_I_CAN.match(sent.low):
            before = [s for s in sents[:k] if not s.is_question]
            if before:
                add(S.refusal, before[-1], "impliciet")
                if not any(x.id == S.alternative and x.start == sent.start for x in out):
                    add(S.alternative, sent, "wel")
            return


def _undone(sent: Sentence) -> bool:
    """An acknowledgement taken back in the same breath: '..., maar ik kan er ook niks aan doen',
    '..., maar ik was er zelf niet bij' (a defence), '..., maar dat is nu eenmaal zo'."""
    low = sent.low
    if " maar " not in low:
        return False
    tail = low.split(" maar ", 1)[1].replace(",", " ").split()
    defence = ("ik" in tail[:3] and bool({"niet", "niks", "niets", "geen"} & set(tail))) or (
        # "..., maar wij zijn afhankelijk van de fabrikant": the company's defence
        bool({"wij", "we"} & set(tail[:2])) and bool({"afhankelijk", "gebonden", "beleid", "regels"} & set(tail))
    )
    return defence or any(
        x in " ".join(tail)
        for x in (
            "niks aan doen",
            "niets aan doen",
            "niet mijn schuld",
            "niet aan mij",
            "niet mijn probleem",
            "nu eenmaal",
            "nou eenmaal",
            "regels zijn regels",
        )
    )


def _opening(sent: Sentence, k: int, add: "Callable[..., None]", cue_add: "Callable[..., bool]") -> None:
    first = sent.tokens[0].text
    if k == 0 and first in {
        "goedemorgen",
        "goedemiddag",
        "goedenavond",
        "goeiemorgen",
        "goeiemiddag",
        "hallo",
        "goedendag",
        "dag",
        "hoi",
        "welkom",
    }:
        add(S.greeting, sent, first)
    elif k <= 1 and first != "dag" and _greets(sent, "greeting"):
        cue_add(S.greeting, sent, "greeting")
    if k <= 2 and _cue(sent, "introduction") and any(t.cap for t in sent.tokens[1:] if t.text not in {"u", "ik"}):
        cue_add(S.introduction, sent, "introduction")
        toks = sent.tokens
        if any(
            t.text in {"van", "namens", "bij", "vanuit"} and j + 1 < len(toks) and toks[j + 1].cap
            for j, t in enumerate(toks)
        ):
            add(S.company_named, sent, "van ...")


def _negated_before(sent: Sentence, cue: str) -> bool:
    idx = sent.text.find(cue)
    before = sent.text[:idx].lower().split()[-3:] if idx > 0 else []
    return any(w.strip(",.") in _NEG for w in before)


# "wel" with one of these says what is possible ("dat kan wel", "wat ik wel doe"); the nouns name a stand-in
_CAN_WELL = frozenset(
    "kan kunnen kunt mag is heb hebben bieden leveren komen regelen sturen plek mogelijk kom doe doen zet plan "
    "geef zorg".split()
)
_INSTEAD = frozenset(
    "alternatief alternatieven leenapparaat vervangend vervangende tijdelijk tijdelijke noodoplossing plaats "
    "betalingsregeling termijnen gespreid voorschot".split()
)


def _names_an_offer(words: set[str]) -> bool:
    return ("wel" in words and bool(words & _CAN_WELL)) or bool(words & _INSTEAD)


def offers_instead(sent: Sentence) -> bool:
    """'Wat ik wel kan doen, is ...', 'Ja, dat kan wel', a loan device: an offer of what is possible."""
    return _names_an_offer({t.text.strip(":;") for t in sent.tokens})


def _is_alternative(sent: Sentence, k: int, anchor: int) -> bool:
    """What is possible instead: the positive half of "... niet, maar ... wel", or an offer after the news."""
    if k < anchor:
        return False
    low = sent.low
    tail = low.split(" maar ", 1)[1] if (k == anchor and " maar " in low) else (low if k > anchor else "")
    if not tail:
        return False
    tail_words = set(re.findall(r"\w+", tail))  # "wat ik wel doe: ..." (any punctuation)
    if _names_an_offer(tail_words):
        return True
    offer = _has(sent, "solution") or _has(sent, "choice_offer") or _has(sent, "commitment")
    return bool(offer and not tail_words & {"niet", "geen"})


def _listening(a: Analysis, out: list[Signal], answers_question: bool = False) -> None:
    """Short turns made of listening noises ("Hm-hm.", "Ja, ik luister.") invite the customer to go on; a bare
    "Ja." that answers the customer's question is an answer, not a listening signal."""
    toks = [t for t in a.tokens if t.text[0].isalnum()]
    if answers_question and len(toks) <= 2 and toks and toks[0].text in ("ja", "nee", "klopt", "precies", "jawel"):
        return
    listening = _LISTENING
    if any(s.id in (S.closing_greeting, S.thanks, S.anything_else) for s in out):  # "Oké. Fijne dag." closes
        return
    if toks and len(toks) <= 6 and sum(t.text in listening for t in toks) >= max(1, len(toks) // 2):
        if not any(s.id == S.listening_signal for s in out):
            s0 = a.sentences[0]
            out.append(Signal(S.listening_signal, s0.start, s0.end, s0.text, toks[0].text))
    elif toks and toks[0].text in {"hm-hm", "hmhm", "mm-hm", "mhm", "hm", "hmm", "uhu", "mm"}:
        s0 = a.sentences[0]
        out.append(Signal(S.listening_signal, s0.start, s0.end, s0.text, toks[0].text))


_ARG_MARKERS = (
    "bovendien",
    "daarnaast",
    "ook nog",
    "en verder",
    "niet te vergeten",
    "ook nog eens",
    "plus ",
    "extra ",
    "en ook",
    "daar komt bij",
    "verder ",
    "nog een voordeel",
    "voordeel",
    "voordelen",
)


def _arguments(a: Analysis, out: list[Signal]) -> None:
    """A turn that piles up selling points or options pushes an undecided customer: several pitches, a long
    list of features for one option ("..., ..., ..., en ..."), or arguments stacked with "bovendien"."""
    low = " ".join(a.text.lower().split())
    markers = sum(low.count(m) for m in _ARG_MARKERS)
    pitches = sum(1 for s in out if s.id in (S.pitch, S.deadline))
    advice = any(s.id in (S.solution, S.pitch) for s in out)
    # giving back what the customer said, or summing up what was agreed, is no list of selling points
    giving_back = {
        s.start
        for s in out
        if s.id in (S.summary, S.paraphrase, S.reflection, S.reflection_question, S.agreement_summary)
    }
    lists = [
        s
        for s in a.sentences
        if not s.is_question
        and s.start not in giving_back
        and sum(t.text == "," for t in s.tokens) + sum(t.text == "en" for t in s.tokens) >= 4
        and len(s.tokens) >= 18
    ]
    options = low.count(" of ") + low.count("ook nog")
    if (
        markers + pitches >= 3
        or (markers >= 2 and len(a.tokens) >= 45)
        or options >= 4
        or pitches >= 2
        or (lists and advice)
    ):
        s = lists[0] if lists else max(a.sentences, key=lambda x: len(x.tokens))
        out.append(Signal(S.extra_arguments, s.start, s.end, s.text, "meerdere argumenten"))


@lru_cache(maxsize=8192)
def _customer_cached(text: str, previous: tuple[tuple[str, str], ...]) -> tuple[Signal, ...]:
    return tuple(_customer(text, previous))


def customer_signals(text: str, previous: History | None = None) -> list[Signal]:
    """Signals in a customer turn."""
    return list(_customer_cached(text, tuple(previous or ())))


def _customer(text: str, previous: History) -> list[Signal]:
    a = analyze(text)
    out: list[Signal] = []
    for k, sent in enumerate(a.sentences):
        words = [t.text for t in sent.tokens if t.text[0].isalnum()]
        if k == 0 and words:
            c = _cue(sent, "c:confirm")
            first = words[0]
            if c and sent.low.find(c.lower()) <= 4 and "maar" not in words[:3] and first != "nee":
                out.append(Signal(C.confirm, sent.start, sent.end, sent.text, c))
            elif first == "nee" or _cue(sent, "c:correct"):
                out.append(Signal(C.correct, sent.start, sent.end, sent.text, first))
        for cid in (C.insist, C.objection, C.thanks, C.feeling, C.upset):
            c = _cue(sent, "c:" + cid)
            if c:
                out.append(Signal(cid, sent.start, sent.end, sent.text, c))
        for cid in (C.accept, C.reject):
            c = _cue(sent, "c:" + cid)
            if c and any(
                t.text == c.lower().split()[0] for t in sent.tokens[:2]
            ):  # an opening yes or no, not any "niet"
                out.append(Signal(cid, sent.start, sent.end, sent.text, c))
        if sent.is_question:
            out.append(Signal(C.question, sent.start, sent.end, sent.text, "?"))
        raw = {t.text for t in sent.tokens}
        if (raw & _MUMBLE and raw & _NAME_CUES) or "onverstaanbaar" in sent.low or "mompel" in sent.low:
            out.append(Signal(C.name_unclear, sent.start, sent.end, sent.text, "..."))
        if k >= len(a.sentences) - 2 and _cue(sent, "c:ends") and _greets(sent, "c:ends"):
            out.append(Signal(C.ends, sent.start, sent.end, sent.text, _cue(sent, "c:ends") or ""))
    return out


# All cue tables in one lexicon, compiled at import so the prefix index is complete before any matching.
_LEX = Lexicon({**P, **HELPERS}, memo="trainee")
_CUSTOMER_LEX = Lexicon({"c:" + k: v for k, v in CUSTOMER.items()}, memo="customer")
_LISTENING = frozenset(P["listening_signal"][0].split("|"))
