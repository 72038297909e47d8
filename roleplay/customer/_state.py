"""The customer's state in one conversation: mood, stage, what was told, what was refused.

Deterministic: the same trainee turns (and signals) always give the same state. The persona file drives
it (mood triggers, facts, requests, objections, end conditions); a few generic rules below cover what
every customer does (an upset customer who gets nowhere gets angrier; mood moves at most a few points
per turn). Both the scripted and the LLM customer read it; the UI and the tests read `trace`.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from ..models import EndCondition, Fact, Objection, Persona, Request
from ..signals import S, Signal
from ..signals._text import lemma
from ._text import any_match, lemmas, sentence_spans, words

Stage = Literal["opening", "story", "explore", "solve", "close", "ended"]
STAGES: tuple[Stage, ...] = ("opening", "story", "explore", "solve", "close", "ended")

MAX_UP = 3    # calming takes time: at most +3 per trainee turn
REQUEST_PATIENCE = 3  # trainee turns a customer waits for an answer to a request before asking the next
MAX_DOWN = 4  # anger flares faster than it cools

# Generic rules: event -> (delta, max_times, only when mood <= this). A persona trigger on the same
# event replaces the rule.
DEFAULT_RULES: dict[str, tuple[int, int, int]] = {
    "no_progress": (-1, 3, 4),       # an upset customer who gets nowhere gets angrier
    "repeated_question": (-1, 2, 10),  # asked again for what they already told
    "injection": (-1, 2, 10),        # odd remark about AI or instructions: puzzled and a little annoyed
}

QUESTION_SIGNALS = {S.question_open, S.question_closed, S.question_clarify, S.question_needs, S.question_why,
                    S.doubt_question, S.buying_stage_question, S.check_question, S.reflection_question,
                    S.anything_else, S.name_spell_request, S.name_wrong_ask, S.proposal, S.choice_offer}
# Sentences that offer something are not questions for facts ("Zullen we afspreken op uw kantoor?")
OFFERING = {S.proposal, S.solution, S.choice_offer, S.alternative, S.commitment}
REFLECTING = {S.summary, S.reflection, S.reflection_question}
PROGRESS = {S.question_open, S.question_closed, S.question_clarify, S.question_needs, S.summary,
            S.check_question, S.reflection, S.reflection_question, S.acknowledge_feeling, S.validate_feeling,
            S.apology, S.action_now, S.time_frame, S.commitment, S.check_back, S.solution, S.choice_offer,
            S.alternative, S.bad_news, S.objection_ack, S.call_reason, S.call_goal, S.doubt_question,
            S.buying_stage_question, S.name_spell_request, S.agreement_summary, S.anything_else,
            S.guided_handover, S.listening_signal, S.introduction}
SOLVING = {S.solution, S.alternative, S.choice_offer, S.commitment, S.action_now, S.bad_news, S.discount,
           S.call_goal, S.refusal, S.time_frame, S.check_back}
CLOSING = {S.anything_else, S.closing_greeting, S.agreement_summary}
# Verbs that make a statement a request for information ("Noemt u even uw klantnummer.")
ASKING_LEMMAS = {"noemen", "geven", "doorgeven", "vertellen", "zeggen", "spellen", "beschrijven", "uitleggen",
                 "opnoemen"}


def _polite_request(sentence: str) -> bool:
    """"Noemt u even uw klantnummer." / "Geef me je postcode maar.": a request for information."""
    w = words(sentence)
    return bool(w) and lemma(w[0]) in ASKING_LEMMAS | {"kunnen", "willen"} and bool({"u", "je", "jij"} & set(w[1:3]))


# Open questions about the story itself ("Wat is er precies gebeurd?", "Kunt u meer vertellen?")
STORY_LEMMAS = {"gebeuren", "vertellen", "verhaal", "bedoelen", "precies", "probleem", "situatie", "uitleggen",
                "merken", "ervaring", "hand", "aangaan", "klacht", "begin"}


@dataclass(frozen=True)
class Reason:
    """One cause of a mood change: a persona trigger or a generic rule."""

    source: Literal["trigger", "rule"]
    id: str
    delta: int

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "id": self.id, "delta": self.delta}


@dataclass
class TraceEntry:
    """What one trainee turn did to the customer."""

    turn: int              # index of the trainee turn in the conversation (0-based, both roles counted)
    trainee_turn: int      # 1-based count of trainee turns
    mood_before: int
    mood: int
    delta: int
    reasons: list[Reason]
    signals: list[str]     # trainee signals of the turn
    events: list[str]      # state events of the turn
    stage: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "trainee_turn": self.trainee_turn, "mood_before": self.mood_before,
                "mood": self.mood, "delta": self.delta, "reasons": [r.to_dict() for r in self.reasons],
                "signals": self.signals, "events": self.events, "stage": self.stage}


@dataclass
class TurnEvents:
    """What the state made of the last trainee turn; the scripted customer answers from it."""

    text: str = ""
    signals: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    question: bool = False
    story_question: bool = False
    facts_told: list[str] = field(default_factory=list)    # fact ids told now for the first time
    facts_again: list[str] = field(default_factory=list)   # asked again
    facts_evaded: list[str] = field(default_factory=list)  # hidden, not ready to tell
    alternatives: list[str] = field(default_factory=list)  # alternative ids offered now
    accepted: list[str] = field(default_factory=list)      # of those, the ones the customer takes
    refused: str | None = None                             # request id refused now
    held: str | None = None                                # request id refused again after insisting
    objection: str | None = None                           # objection id the trainee responded to
    objection_result: Literal["handled", "acknowledged", "answered", "missed"] | None = None
    summary: Literal["confirmed", "corrected"] | None = None

    def has(self, *ids: str) -> bool:
        return any(i in self.signals or i in self.events for i in ids)


@dataclass
class PersonaState:
    persona: Persona
    mood: int = 0
    stage: Stage = "opening"
    revealed: list[str] = field(default_factory=list)          # fact ids told
    objections: list[str] = field(default_factory=list)        # objection ids raised, in order
    objections_handled: list[str] = field(default_factory=list)
    open_objection: str | None = None
    last_objection_turn: int = 0
    requests_made: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)           # alternative ids offered and accepted
    request_turns: dict[str, int] = field(default_factory=dict)  # request id -> trainee turn it was asked
    refused: list[str] = field(default_factory=list)           # request ids the trainee refused
    insisted: dict[str, int] = field(default_factory=dict)
    awaiting_hold: str | None = None                           # insisted; waiting for the trainee's answer
    name_spelled: bool = False
    flags: set[str] = field(default_factory=set)               # every signal and event seen so far
    trigger_counts: dict[str, int] = field(default_factory=dict)
    trainee_turns: int = 0
    stall: int = 0
    ended: bool = False
    outcome: str | None = None
    end_condition: str | None = None
    ended_by: Literal["customer", "trainee", "max_turns"] | None = None
    trace: list[TraceEntry] = field(default_factory=list)
    last: TurnEvents = field(default_factory=TurnEvents)

    @classmethod
    def start(cls, persona: Persona) -> "PersonaState":
        return cls(persona=persona, mood=persona.mood.start)

    # --- reading -------------------------------------------------------------------------------
    @property
    def band(self) -> str:
        """The persona's label for the current mood ('woedend', 'opgelucht', ...)."""
        return self.persona.mood.band(self.mood).label

    @property
    def level(self) -> Literal["low", "mid", "high"]:
        """Coarse mood band the scripted customer picks lines by: low 0-3, mid 4-6, high 7-10."""
        return "low" if self.mood <= 3 else "mid" if self.mood <= 6 else "high"

    def fact(self, fact_id: str) -> Fact:
        return next(f for f in self.persona.situation.facts if f.id == fact_id)

    def mood_trace(self) -> list[dict[str, Any]]:
        return [t.to_dict() for t in self.trace]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for the UI and debugging."""
        return {"persona": self.persona.id, "mood": self.mood, "band": self.band, "stage": self.stage,
                "revealed": self.revealed, "objections": self.objections,
                "objections_handled": self.objections_handled, "requests_made": self.requests_made,
                "refused": self.refused, "name_spelled": self.name_spelled, "flags": sorted(self.flags),
                "trainee_turns": self.trainee_turns, "ended": self.ended, "outcome": self.outcome,
                "end_condition": self.end_condition, "ended_by": self.ended_by, "trace": self.mood_trace()}

    # --- the customer's own agenda (both the scripted and the LLM customer ask these) -------------------
    def due_objection(self) -> Objection | None:
        """The next contact objection a prospect raises now, if any: one at a time, at most every other
        turn, not once the prospect is open (mood 7+) or something was agreed."""
        p = self.persona
        if not p.objections or self.open_objection is not None or self.mood >= 7:
            return None
        if "alternative_accepted" in self.flags:
            return None
        if self.objections and self.trainee_turns - self.last_objection_turn < 2:
            return None
        return next((o for o in p.objections if o.id not in self.objections), None)

    def due_request(self) -> Request | None:
        """The request the customer brings up now, if any: one at a time (the last one answered or left
        unanswered for REQUEST_PATIENCE turns), from its `after_turn`, once its `requires` occurred."""
        if self.stage not in ("explore", "solve") or self.awaiting_hold:
            return None
        if any(r not in self.refused and self.trainee_turns - self.request_turns.get(r, 0) < REQUEST_PATIENCE
               for r in self.requests_made):
            return None
        for req in self.persona.situation.requests:
            if req.id in self.requests_made or self.trainee_turns < req.after_turn:
                continue
            if all(x in self.flags for x in req.requires):
                return req
        return None

    # --- what the customer did (told by the customer backend) -----------------------------------------
    def note_fact(self, fact_id: str) -> None:
        if fact_id not in self.revealed:
            self.revealed.append(fact_id)

    def note_request(self, request_id: str) -> None:
        if request_id not in self.requests_made:
            self.requests_made.append(request_id)
            self.request_turns[request_id] = self.trainee_turns

    def note_insist(self, request_id: str) -> None:
        self.insisted[request_id] = self.insisted.get(request_id, 0) + 1
        self.awaiting_hold = request_id

    def note_objection(self, objection_id: str) -> None:
        if objection_id not in self.objections:
            self.objections.append(objection_id)
        self.open_objection = objection_id
        self.last_objection_turn = self.trainee_turns

    def note_name_spelled(self) -> None:
        self.name_spelled = True
        self.flags.add("name_spelled")

    # --- a trainee turn ---------------------------------------------------------------------------
    def observe_trainee(self, text: str, signals: list[Signal], turn_index: int) -> TurnEvents:
        """Update the state from one trainee turn; returns what the turn meant to the customer."""
        if self.ended:
            raise RuntimeError("the conversation has ended")
        self.trainee_turns += 1
        ev = self._events(text, signals)
        mood_before = self.mood
        reasons = self._mood_reasons(ev)
        delta = sum(r.delta for r in reasons)
        clamped = max(-MAX_DOWN, min(MAX_UP, delta))
        if clamped != delta:
            reasons.append(Reason("rule", "max_change", clamped - delta))
        self.mood = max(0, min(10, self.mood + clamped))
        self.flags |= ev.signals | ev.events
        self._advance_stage(ev)
        self.last = ev
        cond = self._end_condition(ev)
        if cond is not None:
            self._finish(cond, "customer")
        elif self.trainee_turns >= self.persona.max_turns:
            self._finish(self.fallback(), "max_turns")
        self.trace.append(TraceEntry(turn_index, self.trainee_turns, mood_before, self.mood,
                                     self.mood - mood_before, reasons, sorted(ev.signals), sorted(ev.events),
                                     self.stage))
        return ev

    def end(self, by: Literal["customer", "trainee", "max_turns"] = "trainee") -> EndCondition:
        """Stop the conversation now (the trainee hangs up): the fallback condition gives the outcome."""
        if self.ended:
            return self._condition(self.end_condition)
        cond = self.fallback()
        self._finish(cond, by)
        return cond

    def fallback(self) -> EndCondition:
        conds = self.persona.end_conditions
        fits = [c for c in conds if c.fallback and c.fits(self.mood)]
        if fits:
            return fits[0]
        # no fallback covers this mood: the nearest fitting condition of any kind, else the last one
        return next((c for c in conds if c.fits(self.mood)), conds[-1])

    def _condition(self, cond_id: str | None) -> EndCondition:
        return next(c for c in self.persona.end_conditions if c.id == cond_id)

    def _finish(self, cond: EndCondition, by: Literal["customer", "trainee", "max_turns"]) -> None:
        self.ended = True
        self.outcome = cond.outcome
        self.end_condition = cond.id
        self.ended_by = by
        self.stage = "ended"

    # --- internals --------------------------------------------------------------------------------
    def _events(self, text: str, signals: list[Signal]) -> TurnEvents:
        sit = self.persona.situation
        sig = {s.id for s in signals}
        if S.closing_greeting in sig and not any(
                s.id == S.closing_greeting and not text[s.end:].strip() for s in signals):
            sig.discard(S.closing_greeting)  # a goodbye ends the turn ("voor de dagen zonder ..." is none)
        ev = TurnEvents(text=text, signals=sig)
        low = text.lower()
        all_lemmas = lemmas(text)
        spans = sentence_spans(text) or [(0, len(text), text)]
        ev.question = "?" in text or bool(sig & QUESTION_SIGNALS)
        if ev.question:
            ev.events.add("question")
        # Per sentence: one that sums up or reflects asks nothing and offers nothing ("Dus morgen komt de
        # router, klopt dat?"); one that names an alternative and offers it is an offer, not a question
        # for a fact ("Zullen we een afspraak maken op uw kantoor?" does not ask about the office).
        open_alts = [a for a in sit.alternatives if a.keywords and a.id not in self.offered]
        free: list[str] = []
        offers: list[str] = []
        echo = False
        for a, b, t in spans:
            here = {s.id for s in signals if a < s.end and s.start < b}
            if here & (REFLECTING | {S.check_question, S.agreement_summary}):
                echo = True
                continue
            offering = bool(here & OFFERING)
            names_alt = any(any_match(x.keywords, lemmas(t), t.lower()) for x in open_alts)
            if names_alt and (offering or "?" not in t):
                offers.append(t)
            elif not (offering and here & (OFFERING - {S.proposal})):  # "Mag ik uw nummer?" still asks
                free.append(t)
        asking = [t for t in free if "?" in t or _polite_request(t)]
        if "?" not in text and sig & QUESTION_SIGNALS:
            asking = free  # a question without a question mark ("Vertelt u eens wat er is gebeurd")

        self._facts(ev, asking, sig)
        closing = bool(sig & (CLOSING | {S.name_spell_request, S.name_wrong_ask}))
        ev.story_question = ev.question and not closing and not (ev.facts_told or ev.facts_again) and (
            S.question_clarify in sig or bool(all_lemmas & STORY_LEMMAS))
        answered = (ev.facts_told or ev.facts_again or ev.facts_evaded or ev.story_question or closing
                    or sig & (QUESTION_SIGNALS - {S.question_open, S.question_closed, S.question_why}))
        if ev.question and not answered and not echo:
            ev.events.add("unknown_question")

        # summaries and reflections: confirmed when they name the heart of the matter
        self._objection(ev, sig)
        summing = [s for s in signals if s.id in REFLECTING | {S.agreement_summary}]
        if summing and S.parroting not in sig and ev.objection is None:
            # the heart of the matter: the persona's core words and what the customer has told so far
            core = list(sit.summary_keywords) + [k for fid in self.revealed for k in self.fact(fid).keywords]
            if S.agreement_summary in sig:  # agreements are about the alternatives on the table
                core += [k for a in sit.alternatives if a.id in self.offered for k in a.keywords]
            said = " ".join(text[s.start:s.end] for s in summing)
            ev.summary = "confirmed" if any_match(core, lemmas(said), said.lower()) else "corrected"
            ev.events.add(f"summary_{ev.summary}")

        self._offers(ev, offers, sig)
        self._requests(ev, sig, all_lemmas, low)

        if sig & PROGRESS or ev.question or ev.events & {"fact_revealed", "alternative_offered"}:
            self.stall = 0
        else:
            self.stall += 1
            if self.stall >= 2:
                ev.events.add("no_progress")
        if S.injection in sig:
            ev.events.add("injection")
        return ev

    def _facts(self, ev: TurnEvents, asking: list[str], sig: set[str]) -> None:
        """Which facts the trainee asks for: the best-matching ones (at most two), hidden or not."""
        scored: list[tuple[int, Fact]] = []
        asked = [(t.lower(), lemmas(t)) for t in asking]
        for f in self.persona.situation.facts:
            hits = sum(len(any_match(f.keywords, lem, t)) for t, lem in asked)
            hits += 2 * len(sig & set(f.signals))
            if hits:
                scored.append((hits, f))
        if not scored:
            return
        best = max(h for h, _ in scored)
        chosen = [f for h, f in scored if h == best][:2]
        for f in chosen:
            if f.id in self.revealed:
                ev.facts_again.append(f.id)
            elif self._may_tell(f, sig):
                ev.facts_told.append(f.id)
            else:
                ev.facts_evaded.append(f.id)
        if ev.facts_told:
            ev.facts_again.clear()  # answering the new question is enough
        for fid in ev.facts_told:
            ev.events |= {"fact_revealed", f"fact:{fid}"}
            if self.fact(fid).hidden:
                ev.events.add("hidden_fact_revealed")
        if ev.facts_again:
            ev.events.add("repeated_question")

    def _offers(self, ev: TurnEvents, texts: list[str], sig: set[str]) -> None:
        """Alternatives offered (again, if the customer turned them down before)."""
        offer_lemmas: set[str] = set().union(*(lemmas(t) for t in texts)) if texts else set()
        offer_low = " ".join(texts).lower()
        for a in self.persona.situation.alternatives:
            if a.id in self.offered or not a.keywords or not any_match(a.keywords, offer_lemmas, offer_low):
                continue
            ev.alternatives.append(a.id)
            ev.events |= {"alternative_offered", f"alternative:{a.id}"}
            if a.acceptable and (a.mood_at_least is None or self.mood >= a.mood_at_least):
                self.offered.append(a.id)  # taken; a turned-down offer may come again later
                ev.accepted.append(a.id)
                ev.events |= {"alternative_accepted", f"accepted:{a.id}"}
        if S.bad_news in sig:
            ev.events.add("bad_news_told")
            if ev.alternatives or S.alternative in sig:
                ev.events.add("bad_news_with_alternative")

    def _requests(self, ev: TurnEvents, sig: set[str], all_lemmas: set[str], low: str) -> None:
        """A refusal answers the customer's open request (the one it names, else the latest), or one the
        trainee saw coming ("een monteur vandaag is niet mogelijk" before the customer asked it): that
        one then counts as asked and refused."""
        refusing = bool(sig & {S.refusal, S.blunt_no})
        reqs = self.persona.situation.requests
        named = [r.id for r in reqs if r.keywords and any_match(r.keywords, all_lemmas, low)]
        if refusing and self.awaiting_hold is not None and (not named or self.awaiting_hold in named):
            ev.held = self.awaiting_hold
            ev.events.add("held_position")
        elif refusing or S.bad_news in sig:
            pending = [r for r in self.requests_made if r not in self.refused]
            hit = [r for r in pending if r in named]
            if hit or (pending and not named):
                ev.refused = (hit or pending)[-1]
            elif refusing:
                ev.refused = next((r for r in named if r not in self.requests_made), None)
                if ev.refused:
                    self.note_request(ev.refused)
            if ev.refused:
                ev.events |= {"request_refused", f"request:{ev.refused}"}
                self.refused.append(ev.refused)
        self.awaiting_hold = None

    def _objection(self, ev: TurnEvents, sig: set[str]) -> None:
        """How the trainee answered the prospect's open contact objection."""
        if self.open_objection is None:
            return
        oid = self.open_objection
        acked = S.objection_ack in sig
        bends = ev.question and S.question_why not in sig
        attacked = bool(sig & {S.question_why, S.insult, S.judgement})
        if acked and bends and not attacked:
            ev.objection_result = "handled"
            ev.events |= {"objection_handled", f"objection:{oid}", "objection_acknowledged"}
            self.objections_handled.append(oid)
        elif attacked or not (acked or bends):
            ev.objection_result = "missed"
            ev.events.add("objection_missed")
        elif acked:
            ev.objection_result = "acknowledged"
            ev.events.add("objection_acknowledged")
        else:
            ev.objection_result = "answered"
        ev.objection = oid
        if ev.objection_result != "acknowledged":
            self.open_objection = None

    def _may_tell(self, f: Fact, signals: set[str]) -> bool:
        """Hidden facts need the right question plus, per persona, earlier trust (signals may be in the
        same turn: "Ik kan me voorstellen dat dit lastig is. Hoe komt dat?")."""
        if not f.hidden:
            return True
        if f.mood_at_least is not None and self.mood < f.mood_at_least:
            return False
        return all(r in self.flags or r in signals for r in f.requires)

    def _mood_reasons(self, ev: TurnEvents) -> list[Reason]:
        seen = ev.signals | ev.events
        reasons: list[Reason] = []
        triggered = {t.signal for t in self.persona.mood.triggers}
        for t in self.persona.mood.triggers:
            if t.signal in seen and self.trigger_counts.get(t.signal, 0) < t.max_times:
                self.trigger_counts[t.signal] = self.trigger_counts.get(t.signal, 0) + 1
                reasons.append(Reason("trigger", t.signal, t.delta))
        for event, (delta, max_times, mood_max) in DEFAULT_RULES.items():
            if event in triggered or event not in seen or self.mood > mood_max:
                continue
            key = f"rule:{event}"
            if self.trigger_counts.get(key, 0) < max_times:
                self.trigger_counts[key] = self.trigger_counts.get(key, 0) + 1
                reasons.append(Reason("rule", event, delta))
        return reasons

    def _advance_stage(self, ev: TurnEvents) -> None:
        target: Stage = "story"
        if ev.signals & CLOSING:
            target = "close"
        elif ev.signals & SOLVING or ev.alternatives or ev.refused:
            target = "solve"
        elif ev.facts_told or ev.summary or self.trainee_turns >= 3:
            target = "explore"
        if STAGES.index(target) > STAGES.index(self.stage):
            self.stage = target

    def _end_condition(self, ev: TurnEvents) -> EndCondition | None:
        now = ev.signals | ev.events
        for c in self.persona.end_conditions:
            if c.fallback or not c.fits(self.mood) or self.trainee_turns < c.min_trainee_turns:
                continue
            if c.on_signal and not now & set(c.on_signal):
                continue
            if all(r in self.flags for r in c.requires):
                return c
        return None
