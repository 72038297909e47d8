"""One rule per checklist item: a verdict from the signals and the turn structure, with its evidence.

Rules follow the catalogue: `not_applicable` only when the situation never arose; behaviour the trainee
simply did not show is `not_met`; an item about avoiding something is `not_met` at its first occurrence.
Reasons are Dutch, addressed to the trainee.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Role, Verdict
from ..signals import C, S, Signal
from ..signals._detect import offers_instead
from ..signals._text import Sentence, analyze, content_lemmas
from ._view import Hit, View

MET, NOT_MET, NA = Verdict.met, Verdict.not_met, Verdict.not_applicable


@dataclass
class Decision:
    verdict: Verdict
    reason: str
    hits: list[Hit] = field(default_factory=list)


Rule = Callable[[View], Decision]
RULES: dict[str, Rule] = {}


def rule(item_id: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[item_id] = fn
        return fn

    return register


def _met(hits: list[Hit], reason: str) -> Decision:
    return Decision(MET, reason, hits[:2])


def _show(view: View, ids: tuple[str, ...], met: str, not_met: str) -> Decision:
    hits = view.trainee_hits(*ids)
    return _met(hits, met) if hits else Decision(NOT_MET, not_met)


def _avoid(view: View, ids: tuple[str, ...], met: str, not_met: str) -> Decision:
    hits = view.trainee_hits(*ids)
    return Decision(NOT_MET, not_met, hits[:2]) if hits else Decision(MET, met)


def _trainee_spoke(view: View) -> bool:
    return bool(view.trainee_turns())


# ---------------------------------------------------------------------------------------------------
# shared moments
# ---------------------------------------------------------------------------------------------------

_NEWS_WORDS = frozenset("niet geen pas later helaas nog langer eerst kwijt verloren volgende".split())
# sentences that are not what a customer reacts to as news: greetings, empathy, listening, the goodbye
_NOT_NEWS = frozenset(
    {
        S.greeting,
        S.introduction,
        S.thanks,
        S.positive_statement,
        S.apology,
        S.acknowledge_feeling,
        S.validate_feeling,
        S.sympathy,
        S.listening_signal,
        S.closing_greeting,
        S.dismissive,
        S.action_now,
        S.injection,
    }
)


def _echoed_in_disbelief(view: View, reaction: int, said: int) -> bool:
    """The customer repeats the trainee's words as a short question ("Donderdag? Dónderdag?")."""
    first = analyze(view.text(reaction)).sentences
    if not first or not first[0].is_question or len(first[0].tokens) > 4:
        return False
    return bool(content_lemmas(first[0].tokens) & analyze(view.text(said)).content_lemmas())


def _bad_news(view: View) -> Hit | None:
    """The main bad news: the first trainee turn that brings it in words ("kan niet eerder dan donderdag"),
    or that states an outcome the customer then reacts to badly ("Volgende week?!")."""
    for i in view.trainee_turns():
        said = view.in_turn(i, S.bad_news)
        if said:
            return Hit(i, said[0])
        reaction = view.next_of(i, Role.customer)
        while reaction is not None and view.words(reaction) <= 2 and not view.has(reaction, C.upset):
            reaction = view.next_of(reaction, Role.customer)  # "Ja." / "Hm." is not yet the reaction
        if (
            reaction is None
            or not (view.has(reaction, C.upset) or _echoed_in_disbelief(view, reaction, i))
            or any(view.words(j) > 3 for j in view.trainee_turns() if i < j < reaction)
        ):
            continue
        statements = [
            s
            for s in analyze(view.text(i)).sentences
            if not s.is_question and not any(x.start == s.start and x.id in _NOT_NEWS for x in view.signals[i])
        ]
        news = [
            s
            for s in statements
            if {t.text for t in s.tokens} & _NEWS_WORDS
            or any(x.id == S.time_frame and x.start == s.start for x in view.signals[i])
        ]
        chosen = news[-1] if news else None
        if chosen is None:
            # the customer throws the trainee's words back ("Vijfhonderd euro?!"): that statement was the news
            upset = [x for x in view.signals[reaction] if x.id == C.upset]
            echoed = set().union(*(analyze(x.text).content_lemmas() for x in upset)) if upset else set()
            echoes = [s for s in statements if content_lemmas(s.tokens) & echoed]
            chosen = echoes[0] if echoes else None
        if chosen is not None:
            return Hit(i, Signal(S.bad_news, chosen.start, chosen.end, chosen.text, "reactie van de klant"))
    return None


def _refusals(view: View) -> list[Hit]:
    return view.trainee_hits(S.refusal, S.blunt_no)


def _objection_turns(view: View) -> list[int]:
    return [h.turn for h in view.customer_hits(C.objection)]


def _name_unclear(view: View) -> bool:
    """Mumbled or broken off by the customer, or the trainee says they did not catch it (R14)."""
    return bool(view.customer_hits(C.name_unclear) or view.trainee_hits(S.name_reason))


def _own_words(view: View, hits: list[Hit]) -> list[Hit]:
    """Drop hits in sentences that parrot the customer: repeating is not giving back in own words (R10)."""
    parroted = {(h.turn, h.signal.start) for h in view.trainee_hits(S.parroting)}
    return [h for h in hits if (h.turn, h.signal.start) not in parroted]


def _understanding(view: View) -> list[Hit]:
    """Moments the trainee checked understanding by giving back what they understood (not data questions)."""
    checks = _own_words(view, view.trainee_hits(S.summary, S.paraphrase, S.reflection, S.reflection_question))
    checks += [h for h in view.trainee_hits(S.check_question) if "bedoel" in h.signal.cue.lower()]
    return sorted(checks, key=lambda h: (h.turn, h.signal.start))


def _summary_with_check(view: View) -> list[Hit]:
    out = []
    for i, sigs in view.iter_trainee():
        summaries = [s for s in sigs if s.id == S.summary]
        if summaries and any(s.id == S.check_question and s.start >= summaries[0].start for s in sigs):
            out.append(Hit(i, summaries[0]))
    return out


# ---------------------------------------------------------------------------------------------------
# actief-luisteren
# ---------------------------------------------------------------------------------------------------


@rule("actief-luisteren.aanmoedigen")
def _aanmoedigen(view: View) -> Decision:
    return _show(
        view,
        (S.listening_signal,),
        "Je gaf korte luistersignalen waarmee je de klant uitnodigde verder te vertellen.",
        "Je gaf geen korte luistersignalen (zoals 'hm-hm' of 'vertelt u verder') die de klant "
        "aanmoedigen door te praten.",
    )


def _cut_ins(view: View) -> list[Hit]:
    """Trainee turns that take over from a customer who was still talking (their turn breaks off with a
    dash, R2) with something of their own (a fix, a data question, a remark) rather than letting them go on."""
    out = []
    for i in view.trainee_turns():
        prev = view.prev_of(i, Role.customer)
        if prev is None or prev != i - 1 or not view.text(prev).rstrip().endswith(("—", "–", " -")):
            continue
        # letting them go on or asking about their story is fine; "Heeft u hem al waterpas gezet?" is a fix
        if view.has(i, S.listening_signal, S.question_open, S.question_clarify) or view.words(i) < 6:
            continue
        first = analyze(view.text(i)).sentences[0]
        out.append(Hit(i, Signal(S.solution, first.start, first.end, first.text, "onderbreekt de klant")))
    return out


@rule("actief-luisteren.laten-uitpraten")
def _laten_uitpraten(view: View) -> Decision:
    told = view.story_told_at()
    early = [
        h
        for h in view.hits(
            S.solution,
            S.own_story,
            S.judgement,
            S.pitch,
            S.dismissive,
            turns=[i for i in view.trainee_turns() if i < told],
        )
    ]
    interrupted = [
        h
        for h in view.customer_hits(C.insist)
        if "uitpraten" in h.signal.text.lower() or "laat me" in h.signal.text.lower()
    ]
    early += [h for h in _cut_ins(view) if h.turn < told and all(e.turn != h.turn for e in early)]
    early.sort(key=lambda h: h.turn)
    if early:
        return Decision(
            NOT_MET,
            "Je kwam met een oplossing, eigen verhaal of oordeel voordat de klant "
            "het hele verhaal had kunnen vertellen.",
            early[:1],
        )
    if interrupted or any("uitpraten" in view.text(i).lower() for i in view.customer_turns()):
        return Decision(NOT_MET, "De klant moest vragen of hij mocht uitpraten.")
    return Decision(
        MET,
        "Je liet de klant eerst het verhaal vertellen voordat je met een oplossing kwam.",
        view.trainee_hits(S.listening_signal, S.question_clarify, S.question_open)[:1],
    )


@rule("actief-luisteren.doorvragen")
def _doorvragen(view: View) -> Decision:
    told = view.story_told_at()
    hits = [h for h in view.trainee_hits(S.question_clarify) if h.turn >= told]
    if hits:
        return _met(hits, "Je stelde een vraag om het verhaal van de klant te verduidelijken.")
    return Decision(NOT_MET, "Je stelde geen vraag die het verhaal van de klant verder verduidelijkte.")


@rule("actief-luisteren.samenvatten")
def _samenvatten(view: View) -> Decision:
    hits = _summary_with_check(view)
    if hits:
        return _met(hits, "Je vatte het verhaal van de klant in eigen woorden samen en checkte of het klopte.")
    only = view.trainee_hits(S.summary)
    if only:
        return Decision(NOT_MET, "Je vatte samen, maar vroeg niet of je het goed begrepen had.", only[:1])
    return Decision(NOT_MET, "Je vatte de boodschap van de klant niet in eigen woorden samen met een check.")


# ---------------------------------------------------------------------------------------------------
# empathisch-luisteren
# ---------------------------------------------------------------------------------------------------


@rule("empathisch-luisteren.gevoel-erkennen")
def _gevoel_erkennen(view: View) -> Decision:
    hits = _own_words(view, view.trainee_hits(S.acknowledge_feeling, S.validate_feeling, S.reflection))  # R13
    if hits:
        return _met(hits, "Je benoemde het gevoel van de klant en erkende het.")
    dismiss = view.trainee_hits(S.dismissive)
    if dismiss:
        return Decision(NOT_MET, "Je noemde het gevoel van de klant alleen om het weg te wuiven.", dismiss[:1])
    return Decision(NOT_MET, "Je benoemde of erkende het gevoel van de klant nergens.")


@rule("empathisch-luisteren.empathische-vraag")
def _empathische_vraag(view: View) -> Decision:
    open_ = {(h.turn, h.signal.start) for h in view.trainee_hits(S.question_open)}
    closing = {(h.turn, h.signal.start) for h in view.trainee_hits(S.anything_else)}  # "Wat kan ik nog meer doen?"
    hits = [
        h
        for h in view.trainee_hits(S.question_clarify)
        if (h.turn, h.signal.start) in open_ and (h.turn, h.signal.start) not in closing
    ]
    hits += view.trainee_hits(S.question_needs)
    if hits:
        return _met(
            hits,
            "Je stelde een open vraag die de klant uitnodigde meer te vertellen over het probleem "
            "of wat hij nodig heeft.",
        )
    return Decision(
        NOT_MET,
        "Je stelde geen open vraag die de klant uitnodigde meer te vertellen over het probleem of zijn behoeften.",
    )


@rule("empathisch-luisteren.herformuleren")
def _herformuleren(view: View) -> Decision:
    hits = _own_words(view, view.trainee_hits(S.summary, S.paraphrase, S.reflection, S.reflection_question))
    if hits:
        return _met(hits, "Je gaf de boodschap van de klant in je eigen woorden terug.")
    parrot = view.trainee_hits(S.parroting)
    if parrot:
        return Decision(
            NOT_MET,
            "Je herhaalde de woorden van de klant letterlijk in plaats van ze in eigen woorden terug te geven.",
            parrot[:1],
        )
    return Decision(NOT_MET, "Je gaf de boodschap van de klant niet in eigen woorden terug.")


@rule("empathisch-luisteren.actie-toezeggen")
def _actie_toezeggen(view: View) -> Decision:
    return _show(
        view,
        (S.commitment,),
        "Je zegde concrete actie toe om het probleem aan te pakken.",
        "Je zegde geen concrete actie toe op het probleem van de klant.",
    )


# ---------------------------------------------------------------------------------------------------
# oprechte-aandacht
# ---------------------------------------------------------------------------------------------------


@rule("oprechte-aandacht.klant-centraal")
def _klant_centraal(view: View) -> Decision:
    off = view.trainee_hits(S.pitch) + [h for h in view.trainee_hits(S.own_story) if _anecdote(view, h)]
    if off:
        return Decision(NOT_MET, "Je maakte het gesprek (ook) over je eigen verhaal of het bedrijf.", off[:1])
    return _met(
        view.trainee_hits(S.question_clarify, S.summary, S.paraphrase, S.reflection),
        "Je hield het gesprek bij het verhaal van de klant.",
    )


def _anecdote(view: View, hit: Hit) -> bool:
    """An own story of more than one sentence (one short bit of self-disclosure is fine)."""

    sents = analyze(view.text(hit.turn)).sentences
    later = [s for s in sents if s.start > hit.signal.start][:2]
    return any(
        {"ik", "mijn", "me", "mij", "we", "ons"} & {t.text for t in s.tokens} and not s.is_question for s in later
    )


@rule("oprechte-aandacht.eerst-begrijpen")
def _eerst_begrijpen(view: View) -> Decision:
    sol = view.first_solution_turn()
    checks = _understanding(view)
    if sol is None:
        if checks:
            return _met(checks, "Je ging na of je de klant goed begreep.")
        return Decision(NOT_MET, "Je ging niet na of je de klant goed begreep.")
    before = [h for h in checks if h.turn < sol.turn or (h.turn == sol.turn and h.signal.start < sol.signal.start)]
    if before:
        return _met(before, "Je ging eerst na of je de klant goed begreep voordat je een oplossing bood.")
    return Decision(NOT_MET, "Je kwam met een oplossing voordat je had nagegaan of je de klant goed begreep.", [sol])


@rule("oprechte-aandacht.geen-gevatheid")
def _geen_gevatheid(view: View) -> Decision:
    return _avoid(
        view, (S.joke,), "Je maakte geen grapjes of gevatte opmerkingen.", "Je maakte een grap of gevatte opmerking."
    )


@rule("oprechte-aandacht.samen-oplossen")
def _samen_oplossen(view: View) -> Decision:
    hits = view.trainee_hits(S.choice_offer) + [
        h
        for h in view.trainee_hits(S.question_needs)
        if any(w in h.signal.text.lower() for w in ("helpen", "oplossing", "voorkeur", "liefst", "prettigst", "beste"))
    ]
    if hits:
        return _met(hits, "Je zocht samen met de klant naar een oplossing: je vroeg wat zou helpen of bood een keuze.")
    return _show(
        view, (), "", "Je bepaalde de oplossing zelf: je vroeg niet wat de klant zou helpen en bood geen keuze."
    )


# ---------------------------------------------------------------------------------------------------
# reflectief-luisteren
# ---------------------------------------------------------------------------------------------------


@rule("reflectief-luisteren.reflectie")
def _reflectie(view: View) -> Decision:
    # a feeling, wish or value named (S.reflection, also when asked); a fact given back as a question is not
    hits = _own_words(view, view.trainee_hits(S.reflection))
    if hits:
        return _met(hits, "Je benoemde wat er onder de woorden zat: het gevoel, de wens of de bedoeling van de klant.")
    return Decision(NOT_MET, "Je benoemde niet wat er onder de woorden van de klant zat (gevoel, wens of bedoeling).")


@rule("reflectief-luisteren.als-statement")
def _als_statement(view: View) -> Decision:
    asked = view.trainee_hits(S.reflection_question)
    stated = view.trainee_hits(S.reflection)
    if asked:
        return Decision(NOT_MET, "Je bracht een reflectie als vraag in plaats van als stellige uitspraak.", asked[:1])
    if stated:
        return _met(stated, "Je bracht je reflectie als stellige uitspraak, niet als vraag.")
    if view.trainee_hits(S.summary, S.paraphrase):
        return _met(
            view.trainee_hits(S.summary, S.paraphrase),
            "Je gaf de klant terug wat je hoorde zonder er een vraag van te maken.",
        )
    return Decision(NA, "Je gaf geen reflectie of parafrase.")


@rule("reflectief-luisteren.kernachtig")
def _kernachtig(view: View) -> Decision:
    paraphrases = view.trainee_hits(
        S.reflection, S.reflection_question, S.summary, S.paraphrase, S.intro_phrase, S.parroting
    )
    if not paraphrases:
        return Decision(NA, "Je gaf geen reflectie of parafrase.")
    intro = view.trainee_hits(S.intro_phrase)
    if intro:
        return Decision(
            NOT_MET, "Je leidde je reflectie in met een zinnetje als 'ik begrijp dat' of 'ik hoor u zeggen'.", intro[:1]
        )
    return _met(paraphrases, "Je reflecteerde kort en krachtig, zonder inleidend zinnetje.")


@rule("reflectief-luisteren.niet-napraten")
def _niet_napraten(view: View) -> Decision:
    return _avoid(
        view,
        (S.parroting,),
        "Je praatte de klant niet na, maar gebruikte eigen woorden.",
        "Je herhaalde de zin van de klant vrijwel letterlijk.",
    )


@rule("reflectief-luisteren.neutraal")
def _neutraal(view: View) -> Decision:
    return _avoid(
        view,
        (S.judgement, S.dismissive, S.insult),
        "Je gaf geen eigen mening of oordeel over de klant of wat die deed.",
        "Je gaf je eigen oordeel over de klant of over wat die deed.",
    )


@rule("reflectief-luisteren.doorvragen-na-bevestiging")
def _doorvragen_na_bevestiging(view: View) -> Decision:
    confirmed = []
    for c in view.confirmations():
        before = view.prev_of(c, Role.trainee)
        if before is not None and view.has(
            before, S.reflection, S.summary, S.paraphrase, S.reflection_question, S.parroting
        ):
            confirmed.append(c)
    if not confirmed:
        return Decision(NA, "De klant bevestigde nergens een reflectie of samenvatting.")
    for c in confirmed:
        nxt = view.next_of(c, Role.trainee)
        if nxt is not None:
            checks = {x.start for x in view.in_turn(nxt, S.check_question)}
            qs = [
                q
                for q in view.in_turn(nxt, S.question_open, S.question_closed, S.question_needs)
                if q.start not in checks
            ]
            if qs:
                return Decision(
                    MET, "Nadat de klant je reflectie bevestigde, stelde je een nieuwe vraag.", [Hit(nxt, qs[0])]
                )
    nxt = view.next_of(confirmed[0], Role.trainee)
    return Decision(
        NOT_MET,
        "Toen de klant bevestigde dat je het goed had, stelde je geen nieuwe vraag.",
        [Hit(nxt, view.signals[nxt][0])] if nxt is not None and view.signals[nxt] else [],
    )


# ---------------------------------------------------------------------------------------------------
# empathie-tonen
# ---------------------------------------------------------------------------------------------------


@rule("empathie-tonen.persoonlijke-taal")
def _persoonlijke_taal(view: View) -> Decision:
    ik = view.trainee_hits(S.personal_language)
    wij = view.trainee_hits(S.we_language)
    if ik and len(ik) >= len(wij):
        return _met(ik, "Je sprak als 'ik' tegen de klant, niet als een anoniem 'wij'.")
    return Decision(NOT_MET, "Je sprak vooral als 'wij' (het bedrijf) in plaats van als 'ik'.", wij[:1])


@rule("empathie-tonen.positieve-opening")
def _positieve_opening(view: View) -> Decision:
    """R18: the first reply to what the customer said opens with thanks or something positive, before any
    question, solution, explanation or refusal (a greeting and the trainee's name may come first)."""
    turns = [i for i in view.trainee_turns() if view.prev_of(i, Role.customer) is not None] or view.trainee_turns()
    if not turns:
        return Decision(NOT_MET, "Je kwam niet aan het woord.")
    first = turns[0]
    skip = {
        S.greeting,
        S.introduction,
        S.company_named,
        S.listening_signal,
        S.personal_language,
        S.name_reason,
        S.name_spell_request,
        S.name_wrong_ask,
    }
    for i in turns:
        sigs = view.signals[i]
        about_name = any(s.id in (S.name_reason, S.name_spell_request, S.name_wrong_ask) for s in sigs)
        only_opening = all(s.id in skip or (about_name and s.id in (S.question_closed, S.question_open)) for s in sigs)
        if view.has(i, S.thanks, S.positive_statement) or not (only_opening and (about_name or view.words(i) <= 12)):
            first = i
            break
    blocking = {
        S.question_open,
        S.question_closed,
        S.proposal,
        S.solution,
        S.commitment,
        S.explanation,
        S.refusal,
        S.bad_news,
    }
    for s in sorted(view.signals[first], key=lambda x: x.start):
        reflex = s.id == S.thanks and not {"voor", "dat", "fijn", "goed", "prettig"} & set(s.text.lower().split())
        if s.id in (S.thanks, S.positive_statement) and not reflex:
            return Decision(
                MET, "Je opende je eerste inhoudelijke reactie positief of met een bedankje.", [Hit(first, s)]
            )
        if s.id in blocking:
            break
    return Decision(NOT_MET, "Je eerste inhoudelijke reactie begon niet met een bedankje of iets positiefs.")


def _nth_sentence_end(view: View, turn: int, n: int) -> int:

    sents = analyze(view.text(turn)).sentences
    return sents[min(n, len(sents)) - 1].end if sents else 0


@rule("empathie-tonen.excuses")
def _excuses(view: View) -> Decision:
    apologies = view.trainee_hits(S.apology)
    if not apologies:
        return Decision(NOT_MET, "Je bood geen persoonlijke excuses aan voor het ongemak.")
    sol = view.first_solution_turn()
    turns = view.trainee_turns()
    early_limit = sol if sol is not None else None
    first = apologies[0]
    if early_limit is None:
        half = turns[: max(2, (len(turns) + 1) // 2)]
        if first.turn in half:
            return _met([first], "Je bood al vroeg in het gesprek excuses aan.")
    elif first.turn < early_limit.turn or (
        first.turn == early_limit.turn and first.signal.start <= early_limit.signal.start
    ):
        return _met([first], "Je bood excuses aan voordat je aan de oplossing begon.")
    return Decision(NOT_MET, "Je excuses kwamen pas laat, nadat je al met de oplossing bezig was.", [first])


@rule("empathie-tonen.gevoel-valideren")
def _gevoel_valideren(view: View) -> Decision:
    hits = _own_words(view, view.trainee_hits(S.validate_feeling))  # a parroted "ik begrijp dat ..." is empty (R13)
    if hits:
        return _met(hits, "Je liet merken dat het gevoel van de klant begrijpelijk en terecht is.")
    return Decision(NOT_MET, "Je liet niet merken dat je het gevoel van de klant begrijpt of terecht vindt.")


@rule("empathie-tonen.samenvatten-en-checken")
def _samenvatten_checken(view: View) -> Decision:
    hits = _summary_with_check(view)
    if hits:
        return _met(hits, "Je vatte het probleem samen en vroeg of je het goed had.")
    return Decision(NOT_MET, "Je vatte het probleem niet samen met de vraag of je het goed begrepen had.")


@rule("empathie-tonen.eigenaarschap")
def _eigenaarschap(view: View) -> Decision:
    refusals = view.trainee_hits(S.ownership_refusal)
    guided = view.trainee_hits(S.guided_handover)
    unguided = [h for h in refusals if not any(g.turn in (h.turn, h.turn + 1, h.turn + 2) for g in guided)]
    if unguided:
        return Decision(NOT_MET, "Je schoof het probleem door zonder de klant er doorheen te helpen.", unguided[:1])
    owned = view.trainee_hits(S.commitment, S.guided_handover)
    if owned:
        return _met(owned, "Je nam het probleem op je en hielp de klant zelf verder.")
    return Decision(NOT_MET, "Je nam het probleem niet op je: je zegde niets toe en deed niets zichtbaar.")


@rule("empathie-tonen.actie-nu")
def _actie_nu(view: View) -> Decision:
    return _show(
        view,
        (S.action_now,),
        "Je vertelde wat je op dat moment voor de klant deed.",
        "Je vertelde niet wat je op dat moment voor de klant aan het doen was.",
    )


_NOT_BEFORE = re.compile(r"\bv[oó]{2}r\b[^.]{0,60}\b(?:niet|geen)\b|\bniet\b[^.]{0,20}\bv[oó]{2}r\b")


@rule("empathie-tonen.tijdsbestek")
def _tijdsbestek(view: View) -> Decision:
    hits = [
        h
        for h in view.trainee_hits(S.time_frame)
        if view.has(h.turn, S.commitment, S.solution, S.alternative, S.check_back, S.bad_news, S.action_now)
        and not _NOT_BEFORE.search(h.signal.text.lower())  # "vóór zaterdag lukt het niet" is no time frame
    ]
    if hits:
        return _met(hits, "Je gaf een duidelijk en concreet tijdsbestek.")
    vague = view.trainee_hits(S.vague_time)
    if vague:
        return Decision(NOT_MET, "Je noemde alleen een vaag tijdstip (zoals 'zo snel mogelijk').", vague[:1])
    return Decision(NOT_MET, "Je gaf geen concreet tijdsbestek voor wat er gaat gebeuren.")


@rule("empathie-tonen.nog-iets")
def _nog_iets(view: View) -> Decision:
    return _show(
        view,
        (S.anything_else,),
        "Je vroeg of je de klant nog ergens anders mee kon helpen.",
        "Je vroeg niet of je de klant nog ergens anders mee kon helpen.",
    )


def _closing_turns(view: View) -> list[int]:
    turns = view.trainee_turns()
    return turns[-2:] if turns else []


@rule("empathie-tonen.bedanken")
def _bedanken(view: View) -> Decision:
    hits = view.hits(S.thanks, turns=_closing_turns(view))
    if hits:
        return _met(hits, "Je sloot het gesprek af met een bedankje.")
    return Decision(NOT_MET, "Je bedankte de klant niet aan het einde van het gesprek.")


# ---------------------------------------------------------------------------------------------------
# nee-zeggen
# ---------------------------------------------------------------------------------------------------


@rule("nee-zeggen.navragen-bij-twijfel")
def _navragen(view: View) -> Decision:
    unsure = view.trainee_hits(S.check_back)
    if not unsure:
        return Decision(NA, "Je hoefde niets na te vragen: je twijfelde nergens of iets mocht.")
    for h in unsure:
        for j in (h.turn,):
            if view.has(j, S.time_frame):
                tf = view.in_turn(j, S.time_frame)[0]
                return Decision(
                    MET,
                    "Je zei dat je het zou navragen en noemde wanneer je erop terugkomt.",
                    [h, Hit(j, tf)] if tf.start != h.signal.start else [h],
                )
    return Decision(NOT_MET, "Je twijfelde, maar noemde geen concreet moment waarop je erop terugkomt.", unsure[:1])


def _sentence(view: View, hit: Hit) -> Sentence:
    return next(s for s in analyze(view.text(hit.turn)).sentences if s.start == hit.signal.start)


def _refusal_turns(view: View) -> list[int]:
    return sorted({h.turn for h in _refusals(view)})


@rule("nee-zeggen.geen-bot-nee")
def _geen_bot_nee(view: View) -> Decision:
    blunt = view.trainee_hits(S.blunt_no)
    if blunt:
        return Decision(NOT_MET, "Je weigerde met een bot 'nee'.", blunt[:1])
    turns = _refusal_turns(view)
    if not turns:
        return Decision(NA, "Je hoefde niets te weigeren.")
    return Decision(
        MET,
        "Je weigerde duidelijk, zonder het botte woord 'nee'.",
        [Hit(turns[0], view.in_turn(turns[0], S.refusal)[0])],
    )


@rule("nee-zeggen.alternatief")
def _alternatief(view: View) -> Decision:
    turns = _refusal_turns(view)
    if not turns:
        return Decision(NA, "Je hoefde niets te weigeren.")
    for t in turns:
        nxt = view.next_of(t, Role.trainee)
        window = [t] + ([nxt] if nxt is not None and nxt - t <= 2 else [])
        alt = view.hits(S.alternative, S.guided_handover, turns=window)
        if alt:
            return _met(alt, "Bij je weigering vertelde je wat wel kan.")
    return Decision(
        NOT_MET,
        "Je weigerde zonder te zeggen wat wel mogelijk is.",
        [Hit(turns[0], view.in_turn(turns[0], S.refusal, S.blunt_no)[0])],
    )


_REASON_WORDS = frozenset(
    "volgens voorwaarden garantie regels beleid contract polis daarom omdat want aangezien vanwege".split()
)
_DEMAND = frozenset("wil wilde eis eisen verwacht toch genoegen accepteer accepteren echt".split())


def _gives_reason(text: str) -> bool:
    """A reason word, also as the head of a compound ("leveringsvoorwaarden", "fabrieksgarantie")."""
    low = " ".join(text.lower().split())  # reformatted whitespace must not change the verdict
    words = re.findall(r"\w+", low)
    if re.search(r"\b(?:alleen|pas|enkel) (?:als|bij|wanneer)\b|\b(?:dan|anders) (?:bent|staat|zit|heeft|loopt) u\b",
                 low):
        return True  # the rule ("... geven we alleen als ...") or the consequence ("dan bent u weer ... kwijt")
    return any(w in _REASON_WORDS or (len(w) > 8 and w.endswith(("voorwaarden", "garantie", "regels", "beleid")))
               for w in words)


def _insists(view: View, c: int, refused: set[str]) -> bool:
    """After a refusal the customer asks again for the same thing or pushes for it (R8), rather than accepting,
    moving on or asking for something else: the push must be about what was refused."""
    reply = view.next_of(c, Role.trainee)
    refused_again = reply is not None and view.has(reply, S.refusal, S.blunt_no)
    about_it = bool(analyze(view.text(c)).content_lemmas() & refused) or refused_again
    if view.has(c, C.insist) and (about_it or len(view.text(c).split()) <= 8):
        return True
    if view.has(c, C.accept) and not view.has(c, C.upset):
        return False
    words = {w.strip(".,!?").lower() for w in view.text(c).split()}
    return about_it and bool(words & _DEMAND) and (view.has(c, C.upset) or "?" in view.text(c) or "ik" in words)


def _refused_lemmas(view: View, first_refusal: int) -> set[str]:
    """What was refused: the refusal sentences and the request in the customer turn before them."""
    out: set[str] = set()
    for h in _refusals(view):
        out |= analyze(h.signal.text).content_lemmas()
    before = view.prev_of(first_refusal, Role.customer)
    if before is not None:  # the request the refusal answers: the customer's sentences that share its words
        asked = [s for s in analyze(view.text(before)).sentences if set(content_lemmas(s.tokens)) & out]
        for sent in asked:
            out |= set(content_lemmas(sent.tokens))
    return out


@rule("nee-zeggen.voet-bij-stuk")
def _voet_bij_stuk(view: View) -> Decision:
    first_refusal = next(iter(_refusal_turns(view)), None)
    if first_refusal is None:
        return Decision(NA, "Je hoefde niets te weigeren.")
    refused = _refused_lemmas(view, first_refusal)
    pushes = [c for c in view.customer_turns() if c > first_refusal and _insists(view, c, refused)]
    if not pushes:
        return Decision(NA, "De klant drong niet aan na je weigering.")
    for c in pushes:
        nxt = view.next_of(c, Role.trainee)
        if nxt is None:
            continue
        caved = any(
            w in view.text(nxt).lower()
            for w in (
                "uitzondering",
                "vooruit",
                "voor deze keer",
                "voor een keer",
                "dan doe ik het toch",
                "oké dan",
                "ok dan",
                "goed dan",
                "dan maak ik",
                "toch wel",
            )
        )
        if caved or (view.has(nxt, S.discount) and not view.has(nxt, S.refusal)):
            return Decision(
                NOT_MET, "Toen de klant aandrong, gaf je toe.", view.hits(S.commitment, S.solution, turns=[nxt])[:1]
            )
    reply = view.next_of(pushes[0], Role.trainee)
    held = view.hits(S.explanation, turns=[reply] if reply is not None else []) or [
        h
        for h in view.hits(S.refusal, turns=[reply] if reply is not None else [])
        if _gives_reason(h.signal.text)
    ]
    if held:
        return _met(held, "Toen de klant aandrong, bleef je bij je standpunt en herhaalde je de reden.")
    return Decision(NOT_MET, "Toen de klant aandrong, herhaalde je de reden van je weigering niet.")


def _right_before(view: View, hit: Hit, targets: set[tuple[int, int]]) -> bool:

    sents = analyze(view.text(hit.turn)).sentences
    idx = next((n for n, s in enumerate(sents) if s.start == hit.signal.start), None)
    return idx is not None and idx + 1 < len(sents) and (hit.turn, sents[idx + 1].start) in targets


@rule("nee-zeggen.zakelijk")
def _zakelijk(view: View) -> Decision:
    turns = _refusal_turns(view)
    if not turns:
        return Decision(NA, "Je hoefde niets te weigeren.")
    refusal_sents = {(h.turn, h.signal.start) for h in _refusals(view)}
    regret = [
        h
        for h in view.trainee_hits(S.regret_phrase)
        if (h.turn, h.signal.start) in refusal_sents or _right_before(view, h, refusal_sents)
    ]
    if regret:
        return Decision(
            NOT_MET, "Je weigerde met 'helaas' of 'het spijt me', in plaats van zakelijk te blijven.", regret[:1]
        )
    return Decision(
        MET,
        "Je weigerde zakelijk, zonder 'helaas' of 'het spijt me'.",
        [Hit(turns[0], view.in_turn(turns[0], S.refusal, S.blunt_no)[0])],
    )


# ---------------------------------------------------------------------------------------------------
# slecht-nieuws
# ---------------------------------------------------------------------------------------------------


@rule("slecht-nieuws.direct-brengen")
def _direct_brengen(view: View) -> Decision:
    news = _bad_news(view)
    if news is None:
        return Decision(NA, "Er was geen slecht nieuws te brengen.")

    sents = analyze(view.text(news.turn)).sentences
    before = [s for s in sents if s.end <= news.signal.start]
    explained_first = any(s.id == S.explanation and s.end <= news.signal.start for s in view.signals[news.turn])
    # "Kijk, het zit zo: [the whole cause], dus de reparatie kan pas op vrijdag": the news at the end of a
    # long sentence that explains first
    said = " ".join(news.signal.text.lower().split())
    at = said.find(" ".join(news.signal.cue.lower().split())) if news.signal.cue else -1
    buried = at > 150 and any(s.id == S.explanation and s.start == news.signal.start for s in view.signals[news.turn])
    if explained_first or buried or sum(len(s.tokens) for s in before) > 18:
        return Decision(NOT_MET, "Je bracht het slechte nieuws pas na een inleiding of uitleg, niet meteen.", [news])
    if _evaded_before(view, news.turn):
        return Decision(NOT_MET, "Je draaide eromheen: de klant moest meer dan eens naar de uitkomst vragen.", [news])
    return _met([news], "Je bracht het slechte nieuws meteen, met hooguit een korte inleiding.")


def _evaded_before(view: View, news_turn: int) -> bool:
    """The customer asked for the outcome, the trainee answered around it (no news, no question back, nothing
    being looked up), and the customer had to ask again before the news came."""
    asked_again = view.prev_of(news_turn, Role.customer)
    evasive = view.prev_of(asked_again, Role.trainee) if asked_again is not None else None
    asked = view.prev_of(evasive, Role.customer) if evasive is not None else None
    if asked is None or evasive is None or asked_again is None:
        return False
    if not ("?" in view.text(asked) and "?" in view.text(asked_again)):
        return False
    return view.words(evasive) > 12 and "?" not in view.text(evasive) and not view.has(
        evasive, S.action_now, S.check_back, S.bad_news, S.refusal, S.commitment
    )


@rule("slecht-nieuws.alternatief-direct")
def _alternatief_direct(view: View) -> Decision:
    news = _bad_news(view)
    if news is None:
        return Decision(NA, "Er was geen slecht nieuws te brengen.")
    same = [h for h in view.hits(S.alternative, turns=[news.turn])] + [
        # "Ik heb slecht nieuws: ... Ik stuur vandaag nog een nieuwe pan.": what can be done, in the same breath
        h
        for h in view.hits(S.solution, S.commitment, S.choice_offer, S.proposal, turns=[news.turn])
        if h.signal.start > news.signal.start
    ]
    if same:
        return _met(same, "Je bracht het alternatief in één adem met het slechte nieuws.")
    later = view.hits(S.alternative, turns=[i for i in view.trainee_turns() if i > news.turn]) + [
        h
        for h in view.hits(S.solution, S.commitment, turns=[i for i in view.trainee_turns() if i > news.turn])
        if offers_instead(_sentence(view, h))
    ]
    if later:
        return Decision(NOT_MET, "Je bracht het alternatief pas later, niet direct bij het slechte nieuws.", later[:1])
    return Decision(NA, "Er was bij dit slechte nieuws geen alternatief.")


_NOT_A_CAUSE = frozenset(
    {
        S.alternative,
        S.solution,
        S.commitment,
        S.time_frame,
        S.apology,
        S.acknowledge_feeling,
        S.validate_feeling,
        S.sympathy,
        S.thanks,
        S.positive_statement,
        S.choice_offer,
        S.anything_else,
        S.closing_greeting,
        S.action_now,
        S.check_back,
        S.injection,
        S.personal_language,
        S.question_open,
        S.question_closed,
        S.proposal,
    }
)


_ANNOUNCEMENT = re.compile(r"(?:geen goed|slecht|vervelend|naar) nieuws|iets (?:vervelends|naars|slechts)")


def _justifications(view: View, news: Hit) -> list[Signal]:
    """Statements right after the news in the same turn that only back it up ("De meter is in april
    opgenomen, dat is gewoon verbruikt"): the cause given before the customer could react."""
    out = []
    # "Ik heb geen goed nieuws. Het werkstuk is niet meer terug te halen.": the sentence after an
    # announcement is the news itself, not its cause
    said = " ".join(news.signal.text.lower().split())
    announced = bool(_ANNOUNCEMENT.search(said)) and len(said.split()) <= 10
    for s in analyze(view.text(news.turn)).sentences:
        if s.start <= news.signal.start or s.is_question:
            continue
        if announced:
            announced = False
            continue
        tags = {x.id for x in view.signals[news.turn] if x.start == s.start}
        if not tags & _NOT_A_CAUSE and len(s.tokens) >= 5 and not s.text.startswith(("[", "(")):
            out.append(Signal(S.explanation, s.start, s.end, s.text, "onderbouwing"))
    return out


@rule("slecht-nieuws.uitleg-later")
def _uitleg_later(view: View) -> Decision:
    news = _bad_news(view)
    if news is None:
        return Decision(NA, "Er was geen slecht nieuws te brengen.")
    same = view.in_turn(news.turn, S.explanation) + _justifications(view, news)
    earlier = view.hits(S.explanation, turns=[i for i in view.trainee_turns() if news.turn - 2 <= i < news.turn])
    if same or earlier:
        hit = Hit(news.turn, same[0]) if same else earlier[0]
        return Decision(NOT_MET, "Je legde de oorzaak uit voordat de klant op het nieuws had kunnen reageren.", [hit])
    later = view.hits(S.explanation, turns=[i for i in view.trainee_turns() if i > news.turn])
    if later:
        return _met(later, "Je bracht eerst het nieuws en legde de oorzaak pas uit nadat de klant had gereageerd.")
    return Decision(NOT_MET, "Je legde nergens uit hoe het slechte nieuws kwam.")


@rule("slecht-nieuws.reactie-opvangen")
def _reactie_opvangen(view: View) -> Decision:
    news = _bad_news(view)
    if news is None:
        return Decision(NA, "Er was geen slecht nieuws te brengen.")
    reaction = view.next_of(news.turn, Role.customer)
    reply = view.next_of(reaction, Role.trainee) if reaction is not None else None
    if reply is None:
        return Decision(NA, "De klant reageerde niet meer op het slechte nieuws.")
    hits = view.hits(S.acknowledge_feeling, S.validate_feeling, S.sympathy, S.apology, S.reflection, turns=[reply])
    if hits and not view.has(reply, S.dismissive):
        return _met(hits, "Je ving de reactie van de klant op het slechte nieuws op met begrip.")
    return Decision(
        NOT_MET,
        "Op de reactie van de klant op het slechte nieuws toonde je geen begrip.",
        view.hits(S.dismissive, turns=[reply])[:1],
    )


# ---------------------------------------------------------------------------------------------------
# contactbezwaren
# ---------------------------------------------------------------------------------------------------


def _objection_replies(view: View) -> list[int]:
    out = []
    for c in _objection_turns(view):
        nxt = view.next_of(c, Role.trainee)
        if nxt is not None and nxt not in out:
            out.append(nxt)
    return out


@rule("contactbezwaren.erkennen")
def _erkennen(view: View) -> Decision:
    replies = _objection_replies(view)
    if not replies:
        return Decision(NA, "De prospect maakte geen contactbezwaar.")
    # accepting the final no while saying goodbye is not acknowledging an objection (R21)
    hits = [h for h in view.hits(S.objection_ack, turns=replies) if not view.has(h.turn, S.closing_greeting)]
    if hits:
        return _met(hits, "Je erkende het bezwaar van de prospect eerst, voordat je verder ging.")
    return Decision(NOT_MET, "Je ging in tegen het bezwaar zonder het eerst te erkennen.")


@rule("contactbezwaren.ombuigen")
def _ombuigen(view: View) -> Decision:
    replies = _objection_replies(view)
    if not replies:
        return Decision(NA, "De prospect maakte geen contactbezwaar.")
    accusing = {(h.turn, h.signal.start) for h in view.trainee_hits(S.question_why, S.insult)}
    hits = [
        h
        for h in view.hits(S.question_open, S.question_closed, S.question_needs, S.proposal, turns=replies)
        if (h.turn, h.signal.start) not in accusing
        and " toch " not in f" {h.signal.text.lower()} "
        and len(h.signal.text.split()) > 3
    ]  # "Over drie maanden?" only echoes the objection
    if hits:
        return _met(hits, "Je boog het bezwaar om met een vraag die het gesprek gaande hield.")
    return Decision(NOT_MET, "Je stelde na het bezwaar geen vraag die het gesprek gaande hield.")


@rule("contactbezwaren.geen-waarom")
def _geen_waarom(view: View) -> Decision:
    if not _objection_turns(view) and not view.trainee_hits(S.question_why, S.insult):
        return Decision(NA, "De prospect maakte geen contactbezwaar.")
    return _avoid(
        view,
        (S.question_why, S.insult),
        "Je vroeg nergens 'waarom' en viel de prospect niet aan.",
        "Je vroeg 'waarom' of viel de prospect aan, waardoor hij zich moest verantwoorden.",
    )


@rule("contactbezwaren.respectvol-afronden")
def _respectvol_afronden(view: View) -> Decision:
    refusals = [h.turn for h in view.customer_hits(C.objection, C.reject)]
    if len(set(refusals)) < 2:
        return Decision(NA, "De prospect bleef niet weigeren.")
    last = view.trainee_turns()[-1] if view.trainee_turns() else None
    if last is None:
        return Decision(NOT_MET, "Je rondde het gesprek niet af.")
    accepted_later = [h.turn for h in view.customer_hits(C.accept) if h.turn > refusals[-1]]
    accepted_later += [a for a in _agreements(view) if a > refusals[-1]]
    if accepted_later:
        return Decision(NA, "De prospect ging uiteindelijk toch akkoord.")
    again = sorted(set(refusals))
    pushed = [
        h
        for h in view.hits(S.proposal, S.pitch, S.call_goal, S.question_why, turns=view.trainee_turns())
        if again[1] < h.turn < again[-1]
    ]
    if pushed:  # after a clear no, one more try ("mag ik u dan toch de brochure mailen?") and another no
        return Decision(NOT_MET, "Na een duidelijk nee bleef je aandringen.", pushed[:1])
    rude = view.hits(S.insult, S.question_why, S.deadline, S.pitch, S.judgement, turns=[last]) + [
        # "Dat kan ik me voorstellen. Maar bedenkt u wel dat u geld laat liggen.": one more push on the way out
        Hit(last, Signal(S.pitch, x.start, x.end, x.text, "maar"))
        for x in analyze(view.text(last)).sentences
        if x.low.startswith("maar ") and not x.is_question
    ]
    low = view.text(last).lower().strip()
    if not rude and (low.startswith("nou") or " dan niet" in low or low.endswith(" dan.")):
        return Decision(NOT_MET, "De prospect bleef weigeren en je rondde kortaf of sarcastisch af (“Nou, ... dan.”).")
    polite = view.hits(S.thanks, S.closing_greeting, S.objection_ack, turns=[last])
    if polite and not rude:
        return _met(polite, "De prospect bleef weigeren en je rondde het gesprek beleefd af.")
    return Decision(NOT_MET, "De prospect bleef weigeren, maar je rondde niet beleefd af.", rude[:1])


# ---------------------------------------------------------------------------------------------------
# uitgaand-gesprek
# ---------------------------------------------------------------------------------------------------


def _first_trainee(view: View) -> list[int]:
    t = view.trainee_turns()
    return t[:1]


@rule("uitgaand-gesprek.voorstellen")
def _voorstellen(view: View) -> Decision:
    first = _first_trainee(view)
    g = view.hits(S.greeting, turns=first)
    intro = view.hits(S.introduction, turns=first)
    company = view.hits(S.company_named, turns=first)
    if g and intro and company:
        return _met(intro, "Je opende met een groet, je naam en je bedrijf.")
    missing = [w for w, ok in (("een groet", g), ("je naam", intro), ("je bedrijf", company)) if not ok]
    return Decision(NOT_MET, "In je opening ontbrak " + " en ".join(missing) + ".", (g or intro)[:1])


@rule("uitgaand-gesprek.aanleiding")
def _aanleiding(view: View) -> Decision:
    return _show(view, (S.call_reason,), "Je vertelde waarom je belde.", "Je vertelde niet waarom je belde.")


@rule("uitgaand-gesprek.doel")
def _doel(view: View) -> Decision:
    return _show(
        view,
        (S.call_goal,),
        "Je zei expliciet wat je met het gesprek wilde bereiken.",
        "Je zei niet expliciet wat je met het gesprek wilde bereiken.",
    )


_CUSTOMER_ASKS = ("maar", "terug", "doet u dat", "doe maar")
_TAKES_IT_ON = ("graag", "doe ik", "dat is goed", "in orde", "prima", "zeker", "komt goed", "natuurlijk", "regel ik")


_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "morgen", " uur")


def _names_a_time(text: str) -> bool:
    low = text.lower()
    return any(d in low for d in _DAYS) and not any(w in low.split() for w in ("nee", "niet", "geen"))


def _agreements(view: View) -> list[int]:
    """R17: turns where something was agreed: the customer accepts what the trainee proposed, or the trainee
    takes on what the customer asked for ("Stuur het maar naar ..." / "Dat doe ik graag")."""
    out = []
    for c in view.customer_turns():
        before = view.prev_of(c, Role.trainee)
        if (
            view.has(c, C.accept, C.confirm)
            and before is not None
            and not view.has(c, C.objection, C.reject)
            and not analyze(view.text(c)).sentences[0].is_question  # "Ja, en?" is impatience, not a yes
            and view.has(
                before,
                S.proposal,
                S.call_goal,
                S.commitment,
                S.solution,
                S.choice_offer,
                S.agreement_summary,
                # a bare "Ja." after a mere mention of a time agrees to nothing
                *((S.time_frame,) if view.words(c) > 2 else ()),
            )
        ):
            out.append(c)
        if (
            before is not None
            and view.has(before, S.choice_offer, S.time_frame, S.proposal)
            and _names_a_time(view.text(c))
        ):
            out.append(c)  # "Woensdag om negen uur." picks one of the proposed moments
        after = view.next_of(c, Role.trainee)
        text = view.text(c).lower()
        answer = view.next_of(after, Role.customer) if after is not None else None
        if (
            after is not None
            and any(w in text for w in _CUSTOMER_ASKS)
            and (
                view.has(after, S.commitment, S.agreement_summary)
                or any(w in view.text(after).lower()[:60] for w in _TAKES_IT_ON)
            )
            # "Informatie sturen kan, maar ik kom liever langs" - "Nee." is no agreement
            and not (answer is not None and view.has(answer, C.reject, C.objection))
        ):
            out.append(after)
    return sorted(set(out))


@rule("uitgaand-gesprek.afspraken-samenvatten")
def _afspraken(view: View) -> Decision:
    agreed = _agreements(view)
    if not agreed:
        return Decision(NA, "Er werd niets afgesproken.")
    start = view.prev_of(agreed[0], Role.trainee) or agreed[0]
    closing = set(view.trainee_turns()[-2:])  # "at the end": the trainee's last two turns
    hits = [
        h
        for h in view.trainee_hits(S.agreement_summary, S.summary)
        if h.turn >= start and h.turn in closing and not h.signal.text.rstrip().endswith("?")
    ]
    if hits:
        return _met(hits[-1:], "Je vatte aan het einde samen wat er was afgesproken.")
    return Decision(NOT_MET, "Je vatte de gemaakte afspraken aan het einde niet samen.")


_CASUAL_BYE = frozenset({"doei", "doeg", "doehoei", "ciao", "tjoep", "houdoe", "mazzel", "toedels", "toedeloe"})


@rule("uitgaand-gesprek.afsluiting")
def _afsluiting(view: View) -> Decision:
    hits = view.hits(S.closing_greeting, turns=view.trainee_turns()[-1:])
    casual = [h for h in hits if _CASUAL_BYE & set(re.findall(r"\w+", h.signal.text.lower()))]
    if casual:
        return Decision(NOT_MET, "Je groette te amicaal af voor een zakelijk gesprek.", casual[:1])
    if hits:
        return _met(hits, "Je sloot af met een passende groet.")
    return Decision(NOT_MET, "Je sloot het gesprek niet af met een groet.")


# ---------------------------------------------------------------------------------------------------
# naam-spellen
# ---------------------------------------------------------------------------------------------------


@rule("naam-spellen.reden-noemen")
def _reden_noemen(view: View) -> Decision:
    if not _name_unclear(view):
        return Decision(NA, "De naam van de klant was duidelijk.")
    ask = view.trainee_hits(S.name_spell_request, S.name_wrong_ask)
    reason = view.trainee_hits(S.name_reason)
    if reason and (not ask or (reason[0].turn, reason[0].signal.start) <= (ask[0].turn, ask[0].signal.start)):
        return _met(reason, "Je zei eerst waarom je naar de naam vroeg.")
    if ask:
        return Decision(NOT_MET, "Je vroeg naar de naam zonder te zeggen waarom.", ask[:1])
    return Decision(NOT_MET, "De naam was onduidelijk, maar je vroeg er niet naar.")


@rule("naam-spellen.laten-spellen")
def _laten_spellen(view: View) -> Decision:
    if not _name_unclear(view):
        return Decision(NA, "De naam van de klant was duidelijk.")
    wrong = view.trainee_hits(S.name_wrong_ask)
    if wrong:
        return Decision(NOT_MET, "Je vroeg 'hoe was uw naam' in plaats van de klant te laten spellen.", wrong[:1])
    spell = view.trainee_hits(S.name_spell_request)
    if spell:
        return _met(spell, "Je vroeg de klant de naam te spellen.")
    return Decision(NOT_MET, "De naam was onduidelijk, maar je vroeg de klant niet die te spellen.")


# ---------------------------------------------------------------------------------------------------
# besluiteloze-klant
# ---------------------------------------------------------------------------------------------------


@rule("besluiteloze-klant.koopfase-verkennen")
def _koopfase(view: View) -> Decision:
    return _show(
        view,
        (S.buying_stage_question,),
        "Je ging na waar de klant staat in het koopproces.",
        "Je ging niet na waar de klant staat in het koopproces (behoefte, vergelijking, wat nog te beslissen).",
    )


@rule("besluiteloze-klant.twijfel-uitvragen")
def _twijfel(view: View) -> Decision:
    return _show(
        view,
        (S.doubt_question,),
        "Je vroeg rechtstreeks waar de klant nog aan twijfelt.",
        "Je vroeg niet rechtstreeks waar de klant nog aan twijfelt.",
    )


@rule("besluiteloze-klant.geen-korting")
def _geen_korting(view: View) -> Decision:
    return _avoid(
        view,
        (S.discount,),
        "Je bood geen korting aan om een beslissing te forceren.",
        "Je bood korting aan om de klant over de streep te trekken.",
    )


@rule("besluiteloze-klant.geen-druk")
def _geen_druk(view: View) -> Decision:
    return _avoid(
        view,
        (S.deadline, S.extra_arguments),
        "Je zette de klant niet onder druk.",
        "Je zette de klant onder druk met een deadline of een stapel extra argumenten of opties.",
    )
