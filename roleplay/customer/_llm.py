"""The LLM customer: a language model plays the persona, the deterministic state decides what happens.

Every reply comes from a system prompt in two parts, rendered for each call: the persona
(`prompts/customer_system.j2`, first; the same all conversation, so prompt caches reuse it) and, after the
conversation, the current state (`prompts/customer_state.j2`): the mood, what was told, and what the last
trainee turn calls for (`TurnPlan`, read from the state the way the scripted customer reads it). Hidden facts
reach the model only when the state tells them. The trainee's words go into user messages only.

The state decides which facts are told, when the customer makes a request or raises an objection, and when
the conversation ends; the model only phrases it and marks the end with END_TOKEN, which is stripped (and
ignored when the state has not ended). Model faults raise `roleplay.errors.ModelError` unchanged: the
session keeps the turns and can switch backend.
"""

import json
import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .. import llm
from ..errors import InputError
from ..models import Alternative, EndCondition, Fact, NPSAnswer, Objection, Persona, Request, Role, Turn
from ..prompts import render
from ..signals import S
from ._nps import NPS_QUESTION, nps_answer, nps_band, nps_range
from ._state import PersonaState

if TYPE_CHECKING:
    from ..session import Session

END_TOKEN = "###EINDE###"
DEFAULT_TEMPERATURE = 0.8
DEFAULT_MAX_TOKENS = 120
NPS_TEMPERATURE = 0.3  # a parseable JSON answer matters more than variety here
NPS_MAX_TOKENS = 120
MAX_SENTENCES = 3
MAX_CHARS = 300  # spoken turns are short; a small model that loops without full stops is cut here
# The agent picks up: some providers want the first message after the system prompt to be a user turn.
PICKUP = "(De medewerker neemt de telefoon op.)"
RESUMED = "(Het gesprek is al even bezig.)"
# Local models (llama.cpp) run in a small context window (N_CTX tokens) and Dutch costs SmolLM2 about 2.4
# characters a token: the conversation is cut to what fits next to the prompts and the reply. Other models
# get the whole conversation.
LOCAL_CHARS_PER_TOKEN = 2.4
LOCAL_MARGIN_TOKENS = 150
_OUTCOME_NL = {"resolved": "opgelost", "gave_up": "je gaf het op", "hung_up": "je hebt opgehangen",
               "rejected": "je hebt het aanbod afgewezen", "agreed": "je hebt een afspraak gemaakt"}


# --- what this turn calls for ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Reaction:
    """A persona mood trigger that fired on the last trainee turn."""

    id: str
    why: str
    delta: int


@dataclass(frozen=True)
class Again:
    fact: Fact
    line: str


@dataclass
class TurnPlan:
    """What the customer must do in this reply, from the state; the template turns it into directions.
    `commits` are the state notes (request made, objection raised, ...) applied only once a reply is in, so a
    failed model call leaves the state as it was."""

    ending: EndCondition | None = None
    end_line: str = ""
    injection: bool = False
    who_is_calling: bool = False
    what_about: bool = False
    reactions: list[Reaction] = field(default_factory=list)
    summary: str | None = None
    spell_name: str | None = None
    name_again: bool = False
    tell: list[Fact] = field(default_factory=list)
    again: list[Again] = field(default_factory=list)
    evade: list[Fact] = field(default_factory=list)
    unknown: bool = False
    story: bool = False
    wants: bool = False
    accepted: list[Alternative] = field(default_factory=list)
    rejected: list[Alternative] = field(default_factory=list)
    bad_news: bool = False
    insist: Request | None = None
    accept: Request | None = None
    objection_after_ack: Objection | None = None
    objection_after_miss: Objection | None = None
    nothing_else: bool = False
    ask: Request | None = None
    objection: Objection | None = None
    no_progress: bool = False
    commits: list[Callable[[], None]] = field(default_factory=list)

    def commit(self) -> None:
        for note in self.commits:
            note()
        self.commits.clear()


def plan_turn(state: PersonaState, seed: str) -> TurnPlan:
    """Read the last trainee turn from the state, as the scripted customer does (`_scripted._compose`)."""
    p, ev, plan = state.persona, state.last, TurnPlan()
    rng = random.Random(seed)
    if state.ended and state.end_condition:
        plan.ending = next(c for c in p.end_conditions if c.id == state.end_condition)
        plan.end_line = rng.choice(plan.ending.lines)
        return plan
    if state.trainee_turns == 0:
        return plan
    if ev.has(S.injection):  # stays in character: puzzled, nothing else this turn
        plan.injection = True
        return plan
    if p.opens == "trainee" and state.trainee_turns == 1:
        plan.who_is_calling = not ev.has(S.introduction)
        plan.what_about = not plan.who_is_calling and not ev.has(S.call_reason, S.call_goal)
    why = {t.signal: t.why for t in p.mood.triggers}
    if state.trace:
        plan.reactions = [Reaction(r.id, why[r.id], r.delta) for r in state.trace[-1].reasons
                          if r.source == "trigger" and r.id in why]
    plan.summary = ev.summary
    _plan_name(state, plan)
    plan.tell = [state.fact(fid) for fid in ev.facts_told]
    for fid in ev.facts_again:
        f = state.fact(fid)
        plan.again.append(Again(f, rng.choice(f.again) if f.again else f.text))
    if not ev.facts_told:
        plan.evade = [state.fact(fid) for fid in ev.facts_evaded]
    if not (ev.facts_told or ev.facts_again or ev.facts_evaded):
        if ev.has(S.question_needs, S.choice_offer):
            plan.wants = True
        elif ev.story_question or (ev.has(S.listening_signal) and not ev.question):
            plan.story = True
        elif ev.has("unknown_question"):
            plan.unknown = True
    alts = {a.id: a for a in p.situation.alternatives}
    plan.accepted = [alts[i] for i in ev.accepted]
    plan.rejected = [alts[i] for i in ev.alternatives if i not in ev.accepted]
    plan.bad_news = ev.has("bad_news_told") and not ev.alternatives
    _plan_refusal(state, plan)
    _plan_objection_answer(state, plan)
    plan.nothing_else = ev.has(S.anything_else)
    plan.no_progress = ev.has("no_progress")
    busy = (plan.tell or plan.again or plan.insist or plan.accept or plan.accepted or plan.rejected
            or plan.objection_after_ack or plan.objection_after_miss or plan.who_is_calling
            or plan.what_about)
    if not busy and not _plan_objection(state, plan):
        _plan_request(state, plan)
    return plan


def _plan_name(state: PersonaState, plan: TurnPlan) -> None:
    p, ev = state.persona, state.last
    if not p.character.mumbles_name or state.name_spelled:
        return
    if ev.has(S.name_spell_request):
        lines = p.script.get("spell_name") or ["-".join(p.character.name.split()[-1].upper())]
        plan.spell_name = lines[0]
        plan.commits.append(state.note_name_spelled)
    elif ev.has(S.name_wrong_ask):
        plan.name_again = True


def _plan_refusal(state: PersonaState, plan: TurnPlan) -> None:
    ev = state.last
    rid = ev.held or ev.refused
    if rid is None:
        return
    req = next(r for r in state.persona.situation.requests if r.id == rid)
    if ev.refused and state.insisted.get(rid, 0) < req.insist_times:
        plan.insist = req
        plan.commits.append(partial(state.note_insist, rid))
    else:
        plan.accept = req


def _plan_objection_answer(state: PersonaState, plan: TurnPlan) -> None:
    ev = state.last
    if not (ev.objection and ev.objection_result):
        return
    obj = next(o for o in state.persona.objections if o.id == ev.objection)
    if ev.objection_result in ("handled", "answered"):
        plan.objection_after_ack = obj
        if obj.reveals and obj.reveals not in state.revealed and obj.reveals not in ev.facts_told:
            plan.tell.append(state.fact(obj.reveals))
            plan.commits.append(partial(state.note_fact, obj.reveals))
    elif ev.objection_result == "missed":
        plan.objection_after_miss = obj


def _plan_objection(state: PersonaState, plan: TurnPlan) -> bool:
    """The prospect's next contact objection, at the moments the scripted customer raises one."""
    p = state.persona
    if not p.objections or state.open_objection is not None or state.mood >= 7 or state.last.accepted:
        return False
    if state.objections and state.trainee_turns - state.last_objection_turn < 2:
        return False
    left = [o for o in p.objections if o.id not in state.objections]
    if not left:
        return False
    plan.objection = left[0]
    plan.commits.append(partial(state.note_objection, left[0].id))
    return True


def _plan_request(state: PersonaState, plan: TurnPlan) -> None:
    if state.stage not in ("explore", "solve"):
        return
    for req in state.persona.situation.requests:
        if req.id not in state.requests_made and state.trainee_turns >= req.after_turn:
            plan.ask = req
            plan.commits.append(partial(state.note_request, req.id))
            return


# --- prompts and messages ------------------------------------------------------------------------------
def persona_prompt(persona: Persona) -> str:
    """System prompt part 1 (`prompts/customer_system.j2`): the persona. The same all conversation long,
    so it leads the messages and a provider's prompt cache (or llama.cpp's) can reuse it."""
    facts = persona.situation.facts
    requests: list[Any] = list(persona.situation.requests) or [
        {"id": f"cannot-{n}", "text": text} for n, text in enumerate(persona.situation.cannot)]
    alternatives = [{"text": a.text, "note": _alternative_note(a)} for a in persona.situation.alternatives]
    return render("customer_system.j2", persona=persona,
                  known=[f for f in facts if not f.hidden], hidden=[f for f in facts if f.hidden],
                  alternatives=alternatives, requests=requests,
                  better=[t for t in persona.mood.triggers if t.delta > 0],
                  worse=[t for t in persona.mood.triggers if t.delta < 0])


def state_prompt(state: PersonaState, plan: TurnPlan) -> str:
    """System prompt part 2 (`prompts/customer_state.j2`): the current state and what this reply must do.
    It follows the conversation, so the model reads it last; it holds no trainee text."""
    p = state.persona
    now = {f.id for f in plan.tell}
    alternatives = {a.id: a for a in p.situation.alternatives}
    requests = {r.id: r for r in p.situation.requests}
    return render("customer_state.j2", persona=p, state=state, plan=plan, end_token=END_TOKEN,
                  mood=state.mood, band=p.mood.band(state.mood),
                  told=[state.fact(fid) for fid in state.revealed if fid not in now],
                  offered=[alternatives[i] for i in state.offered if i in alternatives],
                  asked=[requests[i] for i in state.requests_made if i in requests])


def system_prompt(state: PersonaState, plan: TurnPlan) -> str:
    """Both parts as one text (what the model is told besides the conversation), for tests and debugging."""
    return persona_prompt(state.persona) + "\n" + state_prompt(state, plan)


def _alternative_note(a: Alternative) -> str:
    if not a.acceptable:
        return "daar heb je niets aan"
    if a.mood_at_least is not None:
        return "daar kun je mee leven, maar pas als je wat gekalmeerd bent"
    return "daar kun je mee leven"


def conversation(session: "Session", max_chars: int | None = None) -> list[dict[str, str]]:
    """The turns as chat messages from the customer's side: customer = assistant, trainee = user. With
    `max_chars`, only the most recent turns that fit (always the last one): the facts told so far are in
    the state prompt, so a small context window loses little."""
    turns = list(session.turns)
    if max_chars is not None:
        kept: list[Turn] = []
        size = 0
        for t in reversed(turns):
            size += len(t.text)
            if kept and size > max_chars:
                break
            kept.append(t)
        turns = kept[::-1]
    messages: list[dict[str, str]] = []
    for t in turns:
        role = "assistant" if t.role is Role.customer else "user"
        if messages and messages[-1]["role"] == role:  # never two in a row (some providers refuse it)
            messages[-1]["content"] += "\n" + t.text
        else:
            messages.append({"role": role, "content": t.text})
    if messages and messages[0]["role"] == "assistant":
        note = PICKUP if len(turns) == len(session.turns) else RESUMED
        messages.insert(0, {"role": "user", "content": note})
    return messages


# --- cleaning what the model wrote --------------------------------------------------------------------------
_END = re.compile(r"#+\s*EINDE\s*#*|\bEINDE\b")
_CUT = re.compile(r"#|\bEINDE\b")  # the end token, or the start of one: nothing after it is kept
_SENTENCE_END = re.compile(r"[.!?…]+[\"”'’)]?(?=\s+[\"“'‘(]?[A-ZÀ-Ý0-9'])")
_BOUNDARY = re.compile(r"\n|[.!?…][\"”'’)]?\s+")
_OWN_LABELS = ("klant", "customer", "client", "assistant", "assistent", "beller", "antwoord")
_OTHER_LABELS = ("medewerker", "servicemedewerker", "klantenservice", "agent", "trainee", "user", "gebruiker",
                 "operator", "support", "helpdesk")
# Self-identification as a model, talk about the instructions or a copy of them: a character break,
# never shown (the sentence is dropped, or cut where it was already partly streamed).
_OUT_OF_CHARACTER = re.compile(
    r"\b(?:ik\s+ben\s+(?:maar\s+|slechts\s+)?(?:een\s+)?(?:ai\b|a\.i\.|computerprogramma|taalmodel|chatbot|"
    r"(?:virtuele\s+|digitale\s+)?assistent|robot|kunstmatige)|als\s+(?:een\s+)?(?:ai|taalmodel|chatbot|"
    r"(?:virtuele\s+)?assistent)\b|(?:groot\s+)?taalmodel|language\s+model|kunstmatige\s+intelligentie|"
    r"as\s+an\s+ai|i\s+am\s+an?\s+(?:ai|assistant|language)|i'm\s+an?\s+(?:ai|assistant)|"
    r"mijn\s+instructies|my\s+instructions|system\s*prompt|(?:dit|het)\s+is\s+(?:maar\s+)?een\s+"
    r"rollenspel|"
    # phrases of the prompts themselves, which small models copy ("Je stemming: 4 van 10, opgelucht.")
    r"je\s+stemming\b|\b\d+\s+van\s+10\b|al\s+verteld:|je\s+hebt\s+al\s+gevraagd|heeft\s+al\s+aangeboden|"
    r"je\s+merkt\s+dat\s+de\s+medewerker|pas\s+vertellen\s+als|antwoord\s+nu\s+als|bijvoorbeeld:|"
    r"in\s+de\s+trant\s+van:|zet\s+direct\s+achter)", re.IGNORECASE)


# Sentence starts of such breaks: while streaming, a sentence that begins like one is held back until it
# is clear, so a dropped sentence was never half shown.
_BREAK_STARTS = tuple(tuple(p.split()) for p in (
    "ik ben een ai", "ik ben een taalmodel", "ik ben een chatbot", "ik ben een assistent", "ik ben een robot",
    "ik ben een computerprogramma", "ik ben maar een", "ik ben slechts een", "als ai", "als taalmodel",
    "als een ai", "as an ai", "i am an ai", "i am an assistant", "i am a language", "je stemming",
    "al verteld", "je hebt al gevraagd", "de medewerker heeft al aangeboden", "je merkt dat de medewerker",
    "pas vertellen als", "antwoord nu als", "in de trant van", "zet direct achter"))


def _may_become_break(fragment: str) -> bool:
    words = tuple(re.findall(r"\w+", fragment.lower()))
    return bool(words) and any(len(words) < len(p) and p[:len(words)] == words for p in _BREAK_STARTS)


_OPEN = r"[\s*\"'“„\[(]*"  # quotes, brackets and markdown before a label
# a label word, at most two more words ("Klant Henk"), an optional "(Henk)", then the colon
_LABEL = _OPEN + r"(?P<word>{words})\b(?:[ \t]+[^\s:.!?,]+){{0,2}}?[ \t]*(?:\([^)\n]{{0,30}}\))?[\s*\])]*:"
_LABEL_START = _OPEN + r"(?:{words})\b[^:\n.!?,]{{0,30}}$"


@dataclass(frozen=True)
class Labels:
    """Speaker labels a small model writes ("Klant:", "Medewerker:", "Henk Verbeek:")."""

    own: tuple[str, ...]
    other: tuple[str, ...]
    label: re.Pattern[str]
    start: re.Pattern[str]

    @classmethod
    def for_persona(cls, persona: Persona) -> "Labels":
        name = persona.character.name.split()
        other = {*_OTHER_LABELS, *(w.lower() for w in persona.situation.company.split() if len(w) > 2)}
        own = {*_OWN_LABELS, *(w.lower() for w in name if len(w) > 2), "meneer", "mevrouw"} - other
        words = "|".join(re.escape(w) for w in sorted(own | other, key=len, reverse=True))
        return cls(tuple(sorted(own)), tuple(sorted(other)), re.compile(_LABEL.format(words=words), re.I),
                   re.compile(_LABEL_START.format(words=words), re.I))

    def match_at(self, text: str, pos: int) -> re.Match[str] | None:
        return self.label.match(text, pos)

    def could_start(self, fragment: str) -> bool:
        """Whether a fragment at a turn or sentence start may still become a label (hold it back)."""
        return self.start.match(fragment) is not None


@dataclass(frozen=True)
class Cleaned:
    text: str
    complete: bool    # nothing after this point will be kept: stop reading the model
    end_token: bool   # the model marked the end of the conversation


def clean_reply(raw: str, labels: Labels, *, final: bool = True, truncated: bool = False,
                emitted: int = 0) -> Cleaned:
    """The customer's words in what the model wrote: no speaker label, nothing after the end token or after
    a label of the next turn, no character break, at most MAX_SENTENCES sentences, spoken-style spacing.

    While streaming (`final=False`) the result is the part that can no longer change: the word being
    written and a possible label are held back, so each result extends the previous one. `emitted` is how
    much of the text was already shown; cuts never go behind it (a dropped sentence that was partly shown
    gets an ellipsis instead).
    """
    end_token = _END.search(raw) is not None
    complete = False
    cut = _CUT.search(raw)
    if cut:
        after = raw[cut.start():]
        complete = bool(_END.match(after)) or len(after) > 20
        raw = raw[:cut.start()]
    if not final:
        # hold back the word being written and a fragment that may still turn into a speaker label
        safe = max(raw.rfind(" "), raw.rfind("\n"), raw.rfind("\t"))
        raw = raw[:safe] if safe >= 0 else ""
        start = max([0, *(m.end() for m in _BOUNDARY.finditer(raw))])
        if labels.could_start(raw[start:]) or _may_become_break(raw[start:]):
            raw = raw[:start]
    body = raw
    lead = labels.match_at(body, 0)
    if lead:
        if lead.group("word").lower() in labels.other:
            return Cleaned("", True, end_token)  # the model speaks for the agent
        body = body[lead.end():]
    for m in _BOUNDARY.finditer(body):
        if labels.match_at(body, m.end()):
            body, complete = body[:m.start() + 1], True
            break
    text = " ".join(body.replace("*", " ").split()).lstrip("\"'“„‘ ")
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if len(ends) >= MAX_SENTENCES:
        text, complete = text[:ends[MAX_SENTENCES - 1]], True
    if len(text) > MAX_CHARS:
        room = text[:MAX_CHARS + 1]
        text, complete = room[:max(room.rfind(" "), emitted)].rstrip(" ,;:-") + " …", True
    ooc = _OUT_OF_CHARACTER.search(text)
    if ooc:
        start = max([0, *(e for e in ends if e <= ooc.start())])
        text, complete = text[:max(start, emitted)].rstrip(), True
        if len(text) > start:
            text = text.rstrip(" ,;:-") + " …"
    if final:
        text = text.rstrip("\"”'’ ")
        if truncated and text and text[-1] not in ".!?…":
            last = max([0, *(e for e in ends if e <= len(text))])
            text = text[:last] if last >= max(emitted, 1) else text.rstrip(" ,;:-") + " …"
    return Cleaned(text.strip(), complete, end_token)


def usable(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2


_GOODBYE = re.compile(r"\b(?:dag|doei|tot ziens|goedendag|goedenavond|goedemiddag|fijne dag|ik hang op|"
                      r"ophangen|ik ga ophangen)\b", re.IGNORECASE)


def _needs_end_line(plan: TurnPlan, cleaned: Cleaned) -> bool:
    """The state ended the conversation but the model neither marked the end nor said goodbye: the
    persona's end line follows, so the ending is never lost."""
    return plan.ending is not None and not cleaned.end_token and not _GOODBYE.search(cleaned.text)


# --- NPS ----------------------------------------------------------------------------------------------------
class NPSReply(BaseModel):
    """What the model must return for the NPS question (also sent as the structured-output schema)."""

    model_config = ConfigDict(extra="ignore")
    score: int
    reason: str


def parse_nps(text: str) -> NPSReply | None:
    """The JSON object in the model's answer (code fences and chatter tolerated), or None."""
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip(), flags=re.MULTILINE)
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(cleaned[start:end + 1])
        if isinstance(data, dict) and isinstance(data.get("score"), float):
            data["score"] = round(data["score"])
        return NPSReply.model_validate(data)
    except (ValueError, ValidationError):
        return None


def _shares_words(text: str, other: str, n: int) -> bool:
    """Whether two texts share a run of `n` words (case and punctuation ignored)."""
    def runs(t: str) -> set[tuple[str, ...]]:
        w = re.findall(r"\w+", t.lower())
        return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}

    return bool(runs(text) & runs(other))


# --- the backend -----------------------------------------------------------------------------------------
class LLMCustomer:
    """Customer backend on a language model (any litellm model, `local`, or `fake/...` in tests).
    Keeps no conversation memory of its own: the session holds turns and state, so it can switch to the
    scripted customer at any turn."""

    name = "llm"

    def __init__(self, model: str | None = None, *, temperature: float | None = None,
                 max_tokens: int | None = None, timeout: float | None = None,
                 history_chars: int | None = None, retry: "llm.RetryPolicy | None" = None) -> None:
        chosen = (model or llm.default_model("customer") or "").strip()
        if not chosen:
            raise InputError("the LLM customer needs a model: give --model or set ROLEPLAY_MODEL "
                             "(for example 'local' for the packaged SmolLM2)", field="--model")
        self.model: str | None = chosen
        self._model = chosen
        if temperature is None:
            env_set = bool(os.environ.get("ROLEPLAY_TEMPERATURE", "").strip())
            temperature = llm.default_temperature() if env_set else DEFAULT_TEMPERATURE
        self.temperature = temperature
        self.max_tokens = max_tokens or llm.default_max_tokens() or DEFAULT_MAX_TOKENS
        self.timeout = timeout
        self.history_chars = history_chars
        self.retry = retry
        self._local = llm.resolve_model(chosen)[1] == "local"

    # --- the protocol --------------------------------------------------------------------------------
    def opening(self, session: "Session") -> str | None:
        """The persona's opening line, no model call (same seed rule as the scripted customer, so both
        backends open alike and the conversation starts at once)."""
        p = session.persona
        if p.opens != "customer" or not p.opening_lines:
            return None
        rng = random.Random(f"{session.seed}:{p.id}:opening:{session.state.trainee_turns}")
        return rng.choice(p.opening_lines)

    def reply(self, session: "Session", trainee_text: str) -> str:
        plan, messages = self._prepare(session)
        result = llm.complete(messages, **self._params(session))
        cleaned = clean_reply(result.text, Labels.for_persona(session.persona),
                              truncated=result.finish_reason == "length")
        if not usable(cleaned.text):
            return self._fallback(session, plan, trainee_text)
        text = cleaned.text
        if _needs_end_line(plan, cleaned):
            text = f"{text} {plan.end_line}"
        plan.commit()
        return text

    def stream(self, session: "Session", trainee_text: str) -> Iterator[str]:
        """The reply chunk by chunk as the model writes it, cleaned on the fly (see `clean_reply`)."""
        plan, messages = self._prepare(session)
        labels = Labels.for_persona(session.persona)
        chunks = llm.stream(messages, **self._params(session))
        raw, shown = "", ""
        cleaned = Cleaned("", False, False)
        try:
            for piece in chunks:
                raw += piece
                cleaned = clean_reply(raw, labels, final=False, emitted=len(shown))
                if cleaned.text.startswith(shown) and len(cleaned.text) > len(shown):
                    yield cleaned.text[len(shown):]
                    shown = cleaned.text
                if cleaned.complete:
                    break  # the rest would be dropped: stop the model
        finally:
            chunks.close()
        truncated = chunks.completion is not None and chunks.completion.finish_reason == "length"
        cleaned = clean_reply(raw, labels, truncated=truncated, emitted=len(shown))
        if cleaned.text.startswith(shown) and len(cleaned.text) > len(shown):
            yield cleaned.text[len(shown):]
            shown = cleaned.text
        if not usable(shown):
            yield (" " if shown else "") + self._fallback(session, plan, trainee_text)
            return
        if _needs_end_line(plan, Cleaned(shown, True, cleaned.end_token)):
            yield f" {plan.end_line}"
        plan.commit()

    def nps(self, session: "Session") -> NPSAnswer:
        """The NPS answer in character, as JSON from the model; the score is clamped into the range the
        final state allows, and an answer that cannot be parsed gives the scripted NPS."""
        state = session.state
        lo, hi = nps_range(state)
        band = nps_band(state.persona, state.mood)
        cond = next((c for c in state.persona.end_conditions if c.id == state.end_condition), None)
        ending = f"{_OUTCOME_NL.get(state.outcome or '', 'het gesprek is gestopt')}" + (
            f" ({cond.when})" if cond else "")
        system = render("customer_nps.j2", persona=state.persona, ending=ending, mood=state.mood,
                        band=state.persona.mood.band(state.mood), score_min=lo, score_max=hi,
                        reasons=band.reasons)
        history = self._history_budget(system, NPS_QUESTION)
        messages = [{"role": "system", "content": system}, *conversation(session, history),
                    {"role": "user", "content": NPS_QUESTION}]
        params = {**self._params(session), "temperature": NPS_TEMPERATURE, "max_tokens": NPS_MAX_TOKENS}
        result = llm.complete(messages, response_format=NPSReply, **params)
        parsed = parse_nps(result.text)
        if parsed is None:
            return nps_answer(state, session.seed)
        reason = clean_reply(parsed.reason, Labels.for_persona(state.persona)).text
        first = _SENTENCE_END.search(reason)
        reason = reason[:first.end()] if first else reason  # one sentence, as NPSAnswer asks
        # A reason written for a very different score, a broken one or the question copied back gives way
        # to the persona's own.
        fits = (usable(reason) and abs(parsed.score - max(lo, min(hi, parsed.score))) <= 2
                and not _shares_words(reason, NPS_QUESTION, 4))
        return nps_answer(state, session.seed, score=parsed.score, reason=reason if fits else None)

    # --- for debugging views (the app's instructor view) ---------------------------------------------
    def messages(self, session: "Session") -> list[dict[str, str]]:
        """The messages the model gets for the pending trainee turn. No side effects: the state is noted
        only once a reply is in, so calling this before `reply`/`stream` shows exactly what is sent."""
        return self._prepare(session)[1]

    def system_prompt(self, session: "Session") -> str:
        """Both system messages of the next call (persona first, then the state after the conversation)."""
        return "\n".join(m["content"] for m in self.messages(session) if m["role"] == "system")

    # --- internals ---------------------------------------------------------------------------------------
    def _prepare(self, session: "Session") -> tuple[TurnPlan, list[dict[str, str]]]:
        seed = f"{session.seed}:{session.persona.id}:llm:{session.state.trainee_turns}"
        plan = plan_turn(session.state, seed)
        persona, state = persona_prompt(session.persona), state_prompt(session.state, plan)
        return plan, [{"role": "system", "content": persona},
                      *conversation(session, self._history_budget(persona, state)),
                      {"role": "system", "content": state}]

    def _history_budget(self, *prompts: str) -> int | None:
        if self.history_chars is not None or not self._local:
            return self.history_chars
        from ..llm._local import N_CTX

        room = (N_CTX - self.max_tokens - LOCAL_MARGIN_TOKENS) * LOCAL_CHARS_PER_TOKEN
        return max(0, int(room) - sum(len(p) for p in prompts))

    def _params(self, session: "Session") -> dict[str, Any]:
        """Sampling and call settings; the seed follows the session's, so a replay with the same seed and
        a model that honours seeds gives the same conversation."""
        return {"model": self._model, "temperature": self.temperature, "max_tokens": self.max_tokens,
                "timeout": self.timeout, "seed": session.seed * 1000 + len(session.turns), "retry": self.retry}

    def _fallback(self, session: "Session", plan: TurnPlan, trainee_text: str) -> str:
        """A persona line when the model gave nothing usable: the end line, else the scripted customer's
        reply to this turn (it notes in the state what it says), else the facts due now."""
        if plan.ending:
            return plan.end_line
        if session.persona.script:
            from ._scripted import ScriptedCustomer

            return ScriptedCustomer().reply(session, trainee_text)
        plan.commit()
        return " ".join(f.text for f in plan.tell) or "Hm."
