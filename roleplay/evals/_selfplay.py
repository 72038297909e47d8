"""Self-play: a scripted trainee plays a persona, and checks decide whether the customer kept to its persona.

The checks read a finished `SelfPlayRun` (turns, the state's mood trace, what the state let the customer tell
after each reply, the end and the NPS), so a crafted conversation can be checked as well as a played one:

- mood_direction: a good trainee leaves the customer calmer than at the start and at least GOOD_MOOD; a rude
  trainee leaves the customer lower than at the start;
- no_repeated_sentence: the customer never says a sentence twice (short ones and the persona's tics aside);
- not_agent_like: the customer never talks like the service employee ("ik zal dat voor u regelen");
- no_ai_mention: the customer never says it is an AI or a model, or talks about instructions or a role-play;
- no_prompt_echo: the customer never recites its instructions (the customer prompt templates) or the persona's
  description of itself (what a model is told, not what the customer says);
- not_trainee_name: the customer never introduces itself with the trainee's name;
- dutch: every customer sentence of some length is Dutch (a crude share of common Dutch words);
- hidden_facts: a hidden fact is told only once the state let the customer tell it (its question was asked
  at the right mood), never earlier;
- end_condition: the conversation ends through one of the persona's end conditions, or the trainee stops at
  the end of the script;
- nps_band: the NPS score lies in the band the persona gives for the final mood, with the matching category.

The shipped good and rude trainee scripts are in `trainees/` next to this module (`trainee_script`).
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..customer._text import any_match, lemmas, normal, sentences, words
from ..errors import InputError
from ..models import Fact, NPSAnswer, Persona, Role, Turn, nps_category
from ..signals._text import STOPWORDS, lemma

if TYPE_CHECKING:
    from ..customer import CustomerBackend
    from ..session import Session

Expect = Literal["good", "rude"]
TRAINEE_KINDS: dict[str, str] = {"good": "kind", "rude": "rude"}  # --trainee name -> script file suffix
TRAINEES_DIR = Path(__file__).resolve().parent / "trainees"

GOOD_MOOD = 6          # a good trainee leaves the customer at least this calm (0..10)
REPEAT_MIN_WORDS = 3   # "Ja." or "Dag." twice is no repeat; a sentence of three words or more is
DUTCH_MIN_WORDS = 6    # shorter sentences ("Prima, helder.") are too short to tell the language
DUTCH_MIN_SHARE = 0.12  # Dutch sentences of 6+ words have at least this share of common Dutch words
ECHO_WORDS = 5         # a customer turn sharing this many words in a row with its instructions recites them
FACT_MIN_WORDS = 3     # a turn that shares this many of a hidden fact's own content words tells it
FACT_MATCH = 0.6       # ... or two, when they are this share of the fact's own words


@dataclass(frozen=True)
class SelfPlayCheck:
    name: str
    passed: bool
    details: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "details": self.details}


@dataclass
class SelfPlayRun:
    """One self-play conversation, as the checks read it."""

    persona: Persona
    trainee: str                         # "good", "rude" or the trainee file
    expect: Expect | None                # which way the mood should move (None: not checked)
    lines: list[str]                     # the trainee script
    turns: list[Turn]
    trace: list[dict[str, Any]]          # PersonaState.mood_trace(): one entry per trainee turn
    revealed: dict[int, list[str]]       # customer turn index -> fact ids the state had released by then
    flags: set[str]                      # every signal and state event seen
    outcome: str | None
    end_condition: str | None
    ended_by: str | None
    nps: NPSAnswer | None
    customer: str = "scripted"
    model: str | None = None
    seed: int = 0
    warnings: list[str] = field(default_factory=list)
    transcript: dict[str, Any] = field(default_factory=dict)
    checks: list[SelfPlayCheck] = field(default_factory=list)

    @property
    def start_mood(self) -> int:
        return int(self.trace[0]["mood_before"]) if self.trace else self.persona.mood.start

    @property
    def final_mood(self) -> int:
        return int(self.trace[-1]["mood"]) if self.trace else self.persona.mood.start

    @property
    def mood_line(self) -> list[int]:
        """The mood at the start and after every trainee turn."""
        return [self.start_mood, *(int(t["mood"]) for t in self.trace)]

    @property
    def played(self) -> int:
        return sum(1 for t in self.turns if t.role is Role.trainee)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"persona": self.persona.id, "trainee": self.trainee, "customer": self.customer,
                "model": self.model, "seed": self.seed, "passed": self.passed,
                "checks": [c.to_dict() for c in self.checks], "mood_trace": self.mood_line,
                "nps": self.nps.model_dump(mode="json") if self.nps else None,
                "outcome": self.outcome, "end_condition": self.end_condition, "ended_by": self.ended_by,
                "warnings": self.warnings, "transcript": self.transcript}


# --- trainee scripts -----------------------------------------------------------------------------------
def trainee_script(persona_id: str, kind: str) -> Path:
    """The shipped good or rude trainee script of a persona."""
    if kind not in TRAINEE_KINDS:
        raise InputError(f"unknown trainee '{kind}' (choose from: {', '.join(TRAINEE_KINDS)} or a file)",
                         field="--trainee")
    path = TRAINEES_DIR / f"{persona_id}-{TRAINEE_KINDS[kind]}.yaml"
    if not path.is_file():
        raise InputError(f"no shipped {kind} trainee script for persona '{persona_id}': give --trainee FILE",
                         field="--trainee")
    return path


# --- playing ---------------------------------------------------------------------------------------------
def play_selfplay(persona: Persona, lines: Sequence[str], backend: "CustomerBackend | None" = None, *,
                  trainee: str = "good", expect: Expect | None = None, seed: int = 0) -> SelfPlayRun:
    """Play the trainee lines against the customer (scripted by default) and check the result. No fallback
    backend: a failing model raises ModelError, as self-play tests that model."""
    from ..session import Session

    session = Session(persona, backend, seed=seed)
    revealed: dict[int, list[str]] = {}
    for text in lines:
        if session.ended:
            break
        session.send(text)
        revealed[len(session.turns) - 1] = list(session.state.revealed)
    session.end()
    session.nps()
    run = run_of(session, lines, trainee=trainee, expect=expect, revealed=revealed)
    run.checks = check_run(run)
    return run


def run_of(session: "Session", lines: Sequence[str], *, trainee: str, expect: Expect | None,
           revealed: dict[int, list[str]]) -> SelfPlayRun:
    st = session.state
    return SelfPlayRun(
        persona=session.persona, trainee=trainee, expect=expect, lines=list(lines), turns=list(session.turns),
        trace=session.mood_trace(), revealed=revealed, flags=set(st.flags), outcome=st.outcome,
        end_condition=st.end_condition, ended_by=st.ended_by, nps=session.nps(),
        customer=session.backend.name, model=session.backend.model, seed=session.seed,
        warnings=list(session.warnings),
        transcript=session.to_transcript().model_dump(mode="json", exclude_none=True))


# --- helpers ---------------------------------------------------------------------------------------------
def _customer_turns(run: SelfPlayRun) -> list[tuple[int, str]]:
    return [(i, t.text) for i, t in enumerate(run.turns) if t.role is Role.customer]


def _trainee_before(run: SelfPlayRun, index: int) -> str:
    before = (t.text for t in reversed(run.turns[:index]) if t.role is Role.trainee)
    return next(before, "")


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= limit else text[:limit - 1].rstrip() + "…"}"'


def _fail(name: str, problems: list[str], ok: str) -> SelfPlayCheck:
    if not problems:
        return SelfPlayCheck(name, True, ok)
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return SelfPlayCheck(name, False, "; ".join(problems[:3]) + more)


# --- the checks ---------------------------------------------------------------------------------------------
def check_mood(run: SelfPlayRun) -> SelfPlayCheck:
    start, end = run.start_mood, run.final_mood
    if run.expect == "good":
        ok = end > start and end >= GOOD_MOOD
        return SelfPlayCheck("mood_direction", ok,
                             f"good trainee: mood {start} -> {end} (needs > {start} and >= {GOOD_MOOD})")
    if run.expect == "rude":
        return SelfPlayCheck("mood_direction", end < start,
                             f"rude trainee: mood {start} -> {end} (needs < {start})")
    return SelfPlayCheck("mood_direction", True,
                         f"mood {start} -> {end} (direction not checked for a trainee file)")


def check_no_repeat(run: SelfPlayRun) -> SelfPlayCheck:
    tics = {normal(t) for t in run.persona.character.speech.tics}
    seen: Counter[str] = Counter()
    first: dict[str, int] = {}
    problems: list[str] = []
    for i, text in _customer_turns(run):
        for s in sentences(text):
            key = normal(s)
            if len(key.split()) < REPEAT_MIN_WORDS or key in tics:
                continue
            seen[key] += 1
            if seen[key] == 2:
                where = f"turn {i} says twice" if first[key] == i else f"turn {i} repeats turn {first[key]}"
                problems.append(f"{where}: {_quote(s)}")
            first.setdefault(key, i)
    return _fail("no_repeated_sentence", problems, "no customer sentence said twice")


# The service employee's voice: offering help, solutions or apologies on behalf of the company.
_AGENT = re.compile("|".join((
    r"\bik\s+(?:zal|ga|kan)\s+(?:dat|dit|het)\s+(?:\w+\s+){0,2}voor\s+u\s+(?:regelen|oplossen|opzoeken|nakijken|"
    r"uitzoeken|oppakken|in\s+orde\s+maken)",
    r"\bik\s+regel\s+(?:dat|dit|het)\s+(?:\w+\s+){0,2}voor\s+u\b",
    r"\b(?:kan|mag)\s+ik\s+(?:u|je)\s+(?:nog\s+|verder\s+|ergens\s+|nog\s+ergens\s+|met\s+iets\s+)*"
    r"(?:mee\s+)?(?:helpen|van\s+dienst\s+zijn)",
    r"\bwaarmee\s+kan\s+ik\s+(?:u|je)\s+(?:\w+\s+)?(?:helpen|van\s+dienst\s+zijn)",
    r"\bwat\s+kan\s+ik\s+(?:\w+\s+)?voor\s+(?:u|je)\s+doen",
    r"\b(?:kan|mag)\s+ik\s+(?:nog\s+|verder\s+)*iets\s+(?:anders\s+)?voor\s+(?:u|je)\s+doen",
    r"\bis\s+er\s+(?:nog\s+|verder\s+)*iets\s+(?:anders\s+)?(?:waarmee|wat)\s+ik\s+(?:u|je|voor\s+u)",
    r"\b(?:bedankt|dank\s+u(?:\s+wel)?|dank\s+je(?:\s+wel)?)\s+voor\s+(?:uw|je|het)\s+(?:geduld|begrip|wachten)",
    r"\bonze\s+(?:oprechte\s+)?excuses\b",
    r"\b(?:wij|we)\s+bieden\s+(?:u\s+)?(?:onze\s+)?excuses\b",
    r"\bexcuses\s+voor\s+het\s+ongemak\b",
    r"\bik\s+(?:plan|zet)\s+(?:\w+\s+){0,2}(?:een|de)\s+monteur\s+(?:\w+\s+){0,3}in\b",
    r"\bik\s+(?:stuur|laat)\s+(?:\w+\s+){0,3}(?:een|de)\s+monteur\b",
    r"\bik\s+(?:maak|zet)\s+(?:\w+\s+){0,3}(?:een\s+)?(?:ticket|melding|storingsmelding)\s+(?:\w+\s+){0,3}"
    r"(?:aan|in|klaar)\b",
    r"\bik\s+zoek\s+(?:\w+\s+){0,2}uw\s+gegevens\b",
    r"\bmag\s+ik\s+(?:\w+\s+)?uw\s+(?:klantnummer|ordernummer|postcode|geboortedatum|gegevens)",
    r"\bik\s+(?:pak|neem)\s+(?:dit|dat|het)\s+(?:\w+\s+){0,2}voor\s+u\s+op\b",
    r"\bnamens\s+(?:ons|onze|het\s+bedrijf)\b",
    r"\bwelkom\s+bij\b",
)), re.IGNORECASE)
# "ik ... voor u <doing the company's work>": "Ik zoek het even voor u op."
_FOR_YOU = re.compile(r"\bik\b[^.!?]{0,50}\bvoor\s+u\b[^.!?]{0,40}", re.IGNORECASE)
_COMPANY_WORK = {"regelen", "opzoeken", "nakijken", "uitzoeken", "oppakken", "reserveren", "inplannen",
                 "vastleggen", "aanpassen", "versturen", "aanvragen", "aanmaken", "terugbellen", "oplossen",
                 "inboeken", "doorzetten", "opzoek", "zoek", "kijk", "regel", "pak", "plan", "reserveer"}


# Only for a customer who called: thanking the other side for the call is the employee's line.
_THANKS_FOR_CALLING = re.compile(
    r"\b(?:bedankt|dank\s+u(?:\s+wel)?|dank\s+je(?:\s+wel)?)\s+voor\s+(?:uw|je|het)\s+(?:telefoontje|belletje)\b",
    re.IGNORECASE)


def agent_phrase(text: str, company: str = "", *, inbound: bool = True) -> str | None:
    """The part of a customer line that sounds like the service employee, or None. `inbound`: the customer
    made the call (the persona opens), so thanking for the call is the employee's part too."""
    m = _AGENT.search(text) or (_THANKS_FOR_CALLING.search(text) if inbound else None)
    if m:
        return m.group(0)
    if company:
        own = re.search(rf"\b(?:wij|we)\s+(?:van|bij)\s+{re.escape(company)}\b|\bu\s+spreekt\s+met\s+"
                        rf"{re.escape(company)}\b", text, re.IGNORECASE)
        if own:
            return own.group(0)
    for m in _FOR_YOU.finditer(text):
        if set(words(m.group(0))) & _COMPANY_WORK:
            return m.group(0).strip()
    return None


def check_not_agent(run: SelfPlayRun) -> SelfPlayCheck:
    company, inbound = run.persona.situation.company, run.persona.opens == "customer"
    problems = [f"turn {i}: {_quote(phrase)}" for i, text in _customer_turns(run)
                if (phrase := agent_phrase(text, company, inbound=inbound))]
    return _fail("not_agent_like", problems, "no customer line speaks as the service employee")


# Self-identification as a model, or talk about the set-up: out of character wherever it comes.
_AI_SELF = re.compile(
    r"\b(?:ik\s+ben\s+(?:maar\s+|slechts\s+|gewoon\s+)?(?:een\s+)?(?:ai|a\.i\.|taalmodel|chatbot|bot|"
    r"(?:virtuele\s+|digitale\s+|ai[- ])?assistent|computerprogramma|kunstmatige\s+intelligentie)\b|"
    r"als\s+(?:een\s+)?(?:ai|taalmodel|chatbot|(?:virtuele\s+|ai[- ])?assistent)\b|"
    r"as\s+an?\s+(?:ai|language\s+model|assistant)\b|i\s+am\s+an?\s+(?:ai|assistant|language)|"
    r"i'm\s+an?\s+(?:ai|assistant)|mijn\s+instructies|systeeminstructies|my\s+instructions|system\s*prompt|"
    r"(?:dit|het)\s+is\s+(?:maar\s+)?een\s+(?:rollenspel|simulatie)|in\s+(?:dit|het)\s+rollenspel)",
    re.IGNORECASE)
# Words about the set-up; an echo of the trainee's own word ("Een chatbot? Ik bel gewoon.") is allowed.
# "AI" only in capitals: "ai" is also a Dutch cry of pain. A customer may speak of a manual's "instructies".
_AI_WORDS = re.compile(
    r"\b(?:taalmodel(?:len)?|language\s+model|chatbot|chatgpt|gpt(?:-\d)?|openai|llm|"
    r"kunstmatige\s+intelligentie|virtuele\s+assistent|ai-assistent|prompt|rollenspel|"
    r"simulatie|gesimuleerd|gesimuleerde|persona|smollm\w*)\b|\bA\.?I\b\.?", re.IGNORECASE)
_AI_CAPS = re.compile(r"\bA\.?I\b")


def ai_mention(text: str, trainee_text: str = "") -> str | None:
    """The part of a customer line where it steps out of the role (AI, model, instructions), or None."""
    m = _AI_SELF.search(text)
    if m:
        return m.group(0)

    def found(t: str) -> list[str]:
        return [w.group(0).lower().rstrip(".") for w in _AI_WORDS.finditer(t)
                if not w.group(0).lower().startswith("a") or _AI_CAPS.match(w.group(0))]

    echoed = set(found(trainee_text))
    return next((w for w in found(text) if w not in echoed), None)


def check_no_ai(run: SelfPlayRun) -> SelfPlayCheck:
    problems = [f"turn {i}: {_quote(hit)} in {_quote(text, 50)}" for i, text in _customer_turns(run)
                if (hit := ai_mention(text, _trainee_before(run, i)))]
    return _fail("no_ai_mention", problems, "no customer line mentions an AI, a model or instructions")


_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)


def _ngrams(text: str, n: int = ECHO_WORDS) -> list[tuple[str, ...]]:
    ws = normal(text).split()
    return [tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)]


def speakable(persona: Persona) -> list[str]:
    """Every line the persona file gives the customer to say."""
    sit = persona.situation
    return [*persona.opening_lines, *(x for lines in persona.script.values() for x in lines),
            *(t for f in sit.facts for t in (f.text, *f.again)),
            *(x for a in sit.alternatives for x in a.reply),
            *(x for r in sit.requests for x in (*r.ask, *r.insist, *r.accept)),
            *(x for o in persona.objections for x in (*o.lines, *o.after_ack, *o.after_miss)),
            *(x for e in persona.end_conditions for x in e.lines),
            *(x for b in persona.nps for x in b.reasons)]


def prompt_phrases(persona: Persona, also_said: Sequence[str] = ()) -> set[tuple[str, ...]]:
    """Runs of ECHO_WORDS words (two of them content words) from what a model customer is told about playing
    the part, never to be said: the fixed text of the customer prompt templates and the persona's stage
    directions (tone, traits, mood bands, why triggers work, when facts are told and calls end). The story
    itself (background, situation) is left out: the customer tells it. Runs that also occur in the persona's
    own lines or in `also_said` (the trainee's turns) do not count."""
    from .. import paths

    texts: list[str] = []
    for template in sorted(paths.data_dir("prompts").glob("customer_*.j2")):
        texts += _JINJA.split(template.read_text(encoding="utf-8"))
    c, sit = persona.character, persona.situation
    texts += [c.speech.tone, c.speech.sentence_length, *c.traits, c.trait_frequency,
              *(b.behaviour for b in persona.mood.bands), *(t.why for t in persona.mood.triggers),
              *(f.reveal_when or "" for f in sit.facts), *(e.when for e in persona.end_conditions)]
    said = {g for t in (*speakable(persona), *also_said) for g in _ngrams(t)}
    return {g for t in texts for g in _ngrams(t) if sum(w not in STOPWORDS for w in g) >= 2} - said


def prompt_echo(text: str, phrases: Set[tuple[str, ...]]) -> str | None:
    """The first run of words in a customer line that recites the customer's instructions, or None."""
    return next((" ".join(g) for g in _ngrams(text) if g in phrases), None)


def check_no_prompt_echo(run: SelfPlayRun) -> SelfPlayCheck:
    trainee = [t.text for t in run.turns if t.role is Role.trainee]
    phrases = prompt_phrases(run.persona, trainee)
    problems = [f"turn {i}: {_quote(hit)}" for i, text in _customer_turns(run)
                if (hit := prompt_echo(text, phrases))]
    return _fail("no_prompt_echo", problems,
                 "no customer line recites its instructions or persona description")


_NAME = r"[A-ZÀ-Ý][a-zà-ÿ'-]+"
_INTRO = re.compile(rf"\b(?:u\s+spreekt\s+met|spreekt\s+u\s+met|je\s+spreekt\s+met|mijn\s+naam\s+is|ik\s+ben|"
                    rf"ik\s+heet|met)\s+(?P<name>{_NAME})")


def trainee_names(run: SelfPlayRun) -> set[str]:
    """First names the trainee introduces themselves with ("u spreekt met Sanne van Kabelnoord")."""
    p = run.persona
    not_names = {w.lower() for w in f"{p.character.name} {p.situation.company}".split()} | {
        "meneer", "mevrouw", "de", "het", "een", "u", "uw"}
    names: set[str] = set()
    for t in run.turns:
        if t.role is Role.trainee:
            names |= {m["name"] for m in _INTRO.finditer(t.text) if m["name"].lower() not in not_names}
    return names


def own_name_use(text: str, names: set[str]) -> str | None:
    """Where a customer line introduces the customer with one of the trainee's names, or None."""
    for name in names:
        n = re.escape(name)
        m = re.search(rf"\b(?:u\s+spreekt\s+met|spreekt\s+u\s+met|je\s+spreekt\s+met|mijn\s+naam\s+is|"
                      rf"ik\s+ben|ik\s+heet|hier\s+is|dit\s+is)\s+{n}\b|(?:^|[.!?]\s+|,\s*)(?:(?:ja|hallo|"
                      rf"goedemiddag|goedemorgen|goedenavond|eh|nou),?\s+)*met\s+{n}\b|^{n}\s*(?:hier\b|:)",
                      text, re.IGNORECASE)
        if m:
            return m.group(0).strip(" ,.")
    return None


def check_own_name(run: SelfPlayRun) -> SelfPlayCheck:
    names = trainee_names(run)
    if not names:
        return SelfPlayCheck("not_trainee_name", True, "the trainee gave no name")
    problems = [f"turn {i}: {_quote(hit)}" for i, text in _customer_turns(run)
                if (hit := own_name_use(text, names))]
    return _fail("not_trainee_name", problems,
                 f"the customer never calls itself {' or '.join(sorted(names))}")


# Common Dutch words next to the signal detector's function words (telegraphic customer lines lean on them).
_DUTCH = STOPWORDS | frozenset((
    "iets", "niets", "niks", "alles", "alle", "elk", "elke", "veel", "meer", "minder", "weer", "keer",
    "zoals", "toen", "nooit", "altijd", "soms", "daarom", "dus", "tussen", "over", "sorry", "dank",
    "bedankt", "graag", "goed", "klopt", "precies", "natuurlijk", "hè", "tja", "ach", "zeker", "beetje",
))
_ENGLISH = frozenset((
    "the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "been", "am", "i", "you", "he",
    "she", "it", "they", "my", "your", "his", "her", "our", "their", "this", "that", "these", "those", "to",
    "of", "on", "for", "with", "at", "by", "from", "not", "no", "yes", "do", "does", "did", "have", "has",
    "had", "will", "would", "can", "could", "should", "what", "how", "why", "when", "where", "who", "which",
    "there", "here", "him", "them", "us", "just", "very", "please", "thank", "thanks",
))


def dutch_share(text: str) -> tuple[float, float, int]:
    """(share of common Dutch words, share of English function words, word count) of a text. Single letters
    (a spelled name) and numbers do not count; words of both languages ("is", "of") count for neither."""
    ws = [w for w in words(text) if len(w) > 1 and not w.isdigit()]
    if not ws:
        return 0.0, 0.0, 0
    nl = sum(1 for w in ws if w in _DUTCH and w not in _ENGLISH)
    en = sum(1 for w in ws if w in _ENGLISH and w not in _DUTCH)
    return nl / len(ws), en / len(ws), len(ws)


def check_dutch(run: SelfPlayRun) -> SelfPlayCheck:
    """Sentence by sentence, so an English sentence next to a Dutch one (a persona's end line) still fails."""
    problems: list[str] = []
    checked = 0
    for i, text in _customer_turns(run):
        for s in sentences(text):
            nl, en, n = dutch_share(s)
            if n < DUTCH_MIN_WORDS:
                continue
            checked += 1
            if nl < DUTCH_MIN_SHARE or en > nl:
                problems.append(f"turn {i}: {nl:.0%} Dutch, {en:.0%} English function words in "
                                f"{_quote(s, 50)}")
    return _fail("dutch", problems, f"{checked} customer sentences of {DUTCH_MIN_WORDS}+ words read as Dutch")


def _content(text: str) -> set[str]:
    """Content lemmas of a text (and numbers): no function words, nothing shorter than four letters."""
    return {lemma(w) for w in words(text) if w not in STOPWORDS and (len(w) > 3 or w.isdigit())} - STOPWORDS


def public_words(persona: Persona) -> set[str]:
    """Content lemmas the customer may use from the start: every line the persona file gives the customer
    except the hidden facts themselves."""
    hidden = {t for f in persona.situation.facts if f.hidden for t in (f.text, *f.again)}
    return set().union(*(_content(t) for t in speakable(persona) if t not in hidden))


def tells_fact(fact: Fact, text: str, public: Set[str] = frozenset()) -> bool:
    """Does a customer line tell this fact? It must share content words with the fact that the customer has no
    other reason to use (`public` ones do not count): three, or two and most of them, or two and one of the
    fact's keywords."""
    own = {w for t in (fact.text, *fact.again) for w in _content(t)} - public
    hits = own & _content(text)
    if len(hits) >= FACT_MIN_WORDS or (len(hits) >= 2 and len(hits) >= FACT_MATCH * len(own)):
        return True
    keys = [k for k in any_match(fact.keywords, lemmas(text), text.lower())
            if lemma(k.lstrip("*")) not in public]
    return len(hits) >= 2 and bool(keys)


def check_hidden_facts(run: SelfPlayRun) -> SelfPlayCheck:
    p = run.persona
    hidden = [f for f in p.situation.facts if f.hidden]
    if not hidden:
        return SelfPlayCheck("hidden_facts", True, "the persona has no hidden facts")
    public = public_words(p)
    problems: list[str] = []
    told: set[str] = set()
    for i, text in _customer_turns(run):
        released = set(run.revealed.get(i, []))
        for f in hidden:
            if f.id in told or not tells_fact(f, text, public):
                continue
            told.add(f.id)
            if f.id not in released:
                problems.append(f"turn {i} tells hidden fact '{f.id}' before it was asked for"
                                + (f" at mood {f.mood_at_least}+" if f.mood_at_least is not None else ""))
    # The state itself: a hidden fact released at a lower mood than the persona allows.
    needs = {f"fact:{f.id}": f.mood_at_least for f in hidden if f.mood_at_least is not None}
    for entry in run.trace:
        for ev in entry["events"]:
            if ev in needs and entry["mood_before"] < needs[ev]:
                problems.append(f"trainee turn {entry['trainee_turn']} released '{ev[5:]}' at mood "
                                f"{entry['mood_before']} (needs {needs[ev]})")
    released = {fid for ids in run.revealed.values() for fid in ids} & {f.id for f in hidden}
    ok = (f"{len(told)} of {len(hidden)} hidden facts told ({len(released)} released by the state), "
          "none before its question")
    return _fail("hidden_facts", problems, ok)


def check_end(run: SelfPlayRun) -> SelfPlayCheck:
    p = run.persona
    cond = next((c for c in p.end_conditions if c.id == run.end_condition), None)
    if cond is None:
        return SelfPlayCheck("end_condition", False,
                             f"ended through '{run.end_condition}', not a condition of the persona")
    where = f"'{cond.id}' ({cond.outcome}), ended by {run.ended_by}"
    if run.ended_by == "trainee":
        left = len(run.lines) - run.played
        ok = left == 0 and cond.fallback
        why = "" if ok else f"; {left} script line(s) left" if left else "; not a fallback condition"
        return SelfPlayCheck("end_condition", ok, f"{where} at the end of the script{why}")
    if run.ended_by == "max_turns":
        ok = cond.fallback and run.played >= p.max_turns
        return SelfPlayCheck("end_condition", ok, f"{where} after {run.played} of max {p.max_turns} turns")
    last = run.trace[-1] if run.trace else {"signals": [], "events": []}
    now = set(last["signals"]) | set(last["events"])
    problems: list[str] = []
    if cond.fallback:
        problems.append("a fallback condition cannot end the call during it")
    if not cond.fits(run.final_mood):
        problems.append(f"final mood {run.final_mood} out of its range")
    if run.played < cond.min_trainee_turns:
        problems.append(f"after {run.played} trainee turns (needs {cond.min_trainee_turns})")
    missing = [r for r in cond.requires if r not in run.flags]
    if missing:
        problems.append(f"requires {', '.join(missing)}")
    if cond.on_signal and not now & set(cond.on_signal):
        problems.append(f"the last trainee turn shows none of {', '.join(cond.on_signal)}")
    if not run.turns or run.turns[-1].role is not Role.customer:
        problems.append("the customer did not have the last word")
    elif run.customer == "scripted" and not any(normal(x) in normal(run.turns[-1].text) for x in cond.lines):
        problems.append("the last customer turn is none of the condition's lines")
    return SelfPlayCheck("end_condition", not problems,
                         where + (": " + "; ".join(problems) if problems else ""))


def check_nps(run: SelfPlayRun) -> SelfPlayCheck:
    from ..customer import nps_band

    if run.nps is None:
        return SelfPlayCheck("nps_band", False, "no NPS answer")
    band = nps_band(run.persona, run.final_mood)
    score, cat = run.nps.score, run.nps.category
    problems: list[str] = []
    if not band.score_min <= score <= band.score_max:
        problems.append(f"score {score} outside {band.score_min}-{band.score_max}")
    if cat != nps_category(score):
        problems.append(f"category {cat}, expected {nps_category(score)}")
    if not run.nps.reason.strip():
        problems.append("no reason")
    where = (f"score {score} ({cat}) for final mood {run.final_mood}: band {band.mood_min}-{band.mood_max} "
             f"allows {band.score_min}-{band.score_max}")
    return SelfPlayCheck("nps_band", not problems, where + (": " + "; ".join(problems) if problems else ""))


SELFPLAY_CHECKS: dict[str, Callable[[SelfPlayRun], SelfPlayCheck]] = {
    "mood_direction": check_mood,
    "no_repeated_sentence": check_no_repeat,
    "not_agent_like": check_not_agent,
    "no_ai_mention": check_no_ai,
    "no_prompt_echo": check_no_prompt_echo,
    "not_trainee_name": check_own_name,
    "dutch": check_dutch,
    "hidden_facts": check_hidden_facts,
    "end_condition": check_end,
    "nps_band": check_nps,
}


def check_run(run: SelfPlayRun) -> list[SelfPlayCheck]:
    """Every check on a finished run, in a fixed order."""
    return [fn(run) for fn in SELFPLAY_CHECKS.values()]
