"""The scripted customer: the offline default. Deterministic for a seed, no model, well under 2 ms a reply.

It answers from the persona file: facts when asked (hidden ones only after the right question), reactions
to what the trainee did this turn (read from the state, which the session updated first), the persona's
requests and objections at the right moment, and the end lines of the end condition that fired. It never
says a sentence twice in one conversation: enough variants in the persona's `script`, then a variant with
one of the persona's `openers` in front, and otherwise it leaves that part out.
"""

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import ContentError
from ..models import INTENT_BANDS, REQUIRED_INTENTS, NPSAnswer, Persona
from ..signals import S
from ._nps import nps_answer
from ._state import PersonaState, TurnEvents
from ._text import lemmas, normal, sentences

if TYPE_CHECKING:
    from ..session import Session

# Hard reactions, most important first; a reply starts with at most one of them.
REACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((S.insult, S.judgement), "judgement"),
    ((S.dismissive,), "dismissive"),
    ((S.joke,), "joke"),
    ((S.blunt_no,), "blunt_no"),
    ((S.ownership_refusal,), "ownership_refusal"),
    ((S.question_why,), "question_why"),
    ((S.parroting,), "parroting"),
    ((S.discount,), "discount"),
    ((S.deadline, S.extra_arguments), "pressure"),
)
EMPATHY = (S.acknowledge_feeling, S.validate_feeling, S.reflection)
ACTION = (S.commitment, S.action_now, S.time_frame, S.check_back, S.guided_handover)
AI_WORDS = {"ai", "a.i", "robot", "computer", "chatbot", "bot", "taalmodel", "programma", "kunstmatig", "gpt",
            "chatgpt", "model", "machine"}
LAST_RESORT = ("Hm.", "Tja.", "Nou.", "Ja ja.", "Oké.", "Zo.")
MAX_PARTS = 3
MAX_SENTENCES_BEFORE_AGENDA = 3  # the customer adds a move of their own only to a short reply
ORDERED = {"story"}


def missing_intents(persona: Persona) -> list[str]:
    """Required script intents this persona lacks (the persona model refuses a partial script already)."""
    required = list(REQUIRED_INTENTS)
    if persona.character.mumbles_name:
        required += ["spell_name", "name_again"]
    if persona.opens == "trainee":
        required += ["who_is_calling", "what_about"]
    return [name for name in required if name not in persona.script
            and not all(f"{name}_{b}" in persona.script for b in INTENT_BANDS)]


def check_script(persona: Persona, file: str | None = None) -> None:
    """The scripted customer needs a script with every required intent."""
    if not persona.script:
        raise ContentError(f"persona '{persona.id}' has no 'script': the scripted customer cannot play it",
                           file=file, field="script")
    missing = missing_intents(persona)
    if missing:
        raise ContentError(f"persona '{persona.id}' script lacks intents: {', '.join(missing)}",
                           file=file, field="script")


def _lower_first(line: str, proper: set[str]) -> str:
    """'Dat weet ik niet.' -> 'dat weet ik niet.' after an opener; names keep their capital."""
    first, _, rest = line.partition(" ")
    if first[:1].isupper() and first[1:].islower() and first.strip(",.!?") not in proper:
        first = first[0].lower() + first[1:]
    return f"{first} {rest}" if rest else first


class _Reply:
    """Builds one reply: picks lines that were not said before in this conversation."""

    def __init__(self, persona: Persona, state: PersonaState, said: set[str], rng: random.Random) -> None:
        self.p = persona
        self.st = state
        self.said = said
        self.rng = rng
        self.parts: list[str] = []
        self.used: set[str] = set()
        self.proper = set(persona.character.name.split()) | set(persona.situation.company.split())

    def fresh(self, line: str) -> bool:
        keys = [normal(s) for s in sentences(line)]
        return bool(keys) and len(set(keys)) == len(keys) and not any(k in self.said or k in self.used for k in keys)

    def lines(self, intent: str) -> list[str]:
        script = self.p.script
        return script.get(f"{intent}_{self.st.level}") or script.get(intent) or []

    def pick(self, options: list[str], ordered: bool = False) -> str | None:
        if not options:
            return None
        order = list(options)
        if not ordered:
            self.rng.shuffle(order)
        for line in order:
            if self.fresh(line):
                return line
        openers = list(self.p.script.get("openers", []))
        self.rng.shuffle(openers)
        for opener in openers:
            for line in order:
                combined = f"{opener} {_lower_first(line, self.proper)}"
                if self.fresh(combined):
                    return combined
        return None

    def add(self, line: str | None) -> bool:
        if not line or len(self.parts) >= MAX_PARTS:
            return False
        self.parts.append(line)
        self.used |= {normal(s) for s in sentences(line)}
        return True

    def say(self, intent: str) -> bool:
        # the story is told in the order of the persona file; everything else varies by seed
        return self.add(self.pick(self.lines(intent), ordered=intent in ORDERED))

    def sentence_count(self) -> int:
        return sum(len(sentences(x)) for x in self.parts)

    def text(self) -> str:
        if not self.parts:  # everything in the banks said already: a short sound, never a repeat
            for intent in (f"filler_{self.st.level}", "filler", "unknown"):
                if self.say(intent):
                    break
            else:
                self.add(next((x for x in LAST_RESORT if self.fresh(x)), "…"))
        return " ".join(self.parts)


class ScriptedCustomer:
    """Customer backend without a model. Stateless: all memory lives in the session and its state, so
    the session can switch to it at any turn (the app falls back to it when a model fails)."""

    name = "scripted"
    model: str | None = None

    def _rng(self, session: "Session", what: str) -> random.Random:
        return random.Random(f"{session.seed}:{session.persona.id}:{what}:{session.state.trainee_turns}")

    def opening(self, session: "Session") -> str | None:
        p = session.persona
        if p.opens != "customer":
            return None
        check_script(p)
        return self._rng(session, "opening").choice(p.opening_lines)

    def reply(self, session: "Session", trainee_text: str) -> str:
        check_script(session.persona)
        r = _Reply(session.persona, session.state, session.said, self._rng(session, "reply"))
        self._compose(r, session.state.last)
        return r.text()

    def stream(self, session: "Session", trainee_text: str) -> Iterator[str]:
        text = self.reply(session, trainee_text)
        words = text.split(" ")
        for i, w in enumerate(words):
            yield w if i == len(words) - 1 else w + " "

    def nps(self, session: "Session") -> NPSAnswer:
        return nps_answer(session.state, session.seed)

    # --- what to say ---------------------------------------------------------------------------------
    def _compose(self, r: _Reply, ev: TurnEvents) -> None:
        st, p = r.st, r.p
        if p.opens == "trainee" and st.trainee_turns == 1 and not ev.has(S.injection) and not st.ended:
            # picking up the phone: who is this, and what is it about?
            if not ev.has(S.introduction):
                r.say("who_is_calling")
                return
            if not ev.has(S.call_reason, S.call_goal):
                r.say("what_about")
                return
        if st.ended and st.end_condition:
            cond = next(c for c in p.end_conditions if c.id == st.end_condition)
            if ev.has(S.injection):
                self._injection(r, ev)
            r.add(r.pick(cond.lines))
            return
        if ev.has(S.injection):  # stays in character: puzzled, nothing else this turn
            self._injection(r, ev)
            return
        self._react(r, ev)
        self._content(r, ev)
        if len(r.parts) < MAX_PARTS and r.sentence_count() <= MAX_SENTENCES_BEFORE_AGENDA:
            self._agenda(r, ev)

    def _injection(self, r: _Reply, ev: TurnEvents) -> None:
        if lemmas(ev.text) & AI_WORDS and r.say("injection_ai"):
            return
        r.say("injection")

    def _react(self, r: _Reply, ev: TurnEvents) -> None:
        st, p = r.st, r.p
        for ids, intent in REACTIONS:
            if not ev.has(*ids):
                continue
            if intent == "question_why" and ev.objection_result == "missed":
                return  # the objection's own 'after_miss' line answers it
            r.say(intent)
            return
        if ev.objection_result in ("handled", "answered"):
            return  # the objection's own 'after_ack' line is the reaction
        if ev.has(S.name_wrong_ask) and p.character.mumbles_name and not st.name_spelled:
            r.say("name_again")
        elif ev.has(S.vague_time) and not ev.has(S.time_frame):
            r.say("vague_time")
        elif ev.has(*EMPATHY) and ev.summary is None:
            r.say("acknowledge")
        elif ev.has(S.apology):
            r.say("apology")

    def _content(self, r: _Reply, ev: TurnEvents) -> None:
        st, p = r.st, r.p
        sit = p.situation
        spell = ev.has(S.name_spell_request) and p.character.mumbles_name and not st.name_spelled
        if spell and r.say("spell_name"):
            st.note_name_spelled()
        if ev.summary == "confirmed" and ev.has(S.agreement_summary):
            r.say("agreement")
        elif ev.summary:
            r.say("confirm" if ev.summary == "confirmed" else "correct")
        if ev.objection and ev.objection_result:
            obj = next(o for o in p.objections if o.id == ev.objection)
            if ev.objection_result in ("handled", "answered"):
                # the answer to the trainee's follow-up question first, then the prospect opens up a bit
                self._facts(r, ev)
                r.add(r.pick(obj.after_ack))
                if obj.reveals and obj.reveals not in st.revealed and r.add(r.pick([st.fact(obj.reveals).text])):
                    st.note_fact(obj.reveals)
                return
            if ev.objection_result == "missed":
                r.add(r.pick(obj.after_miss))
        insisting = False
        rid = ev.held or ev.refused
        if rid is not None:
            req = next(q for q in sit.requests if q.id == rid)
            if ev.refused and st.insisted.get(rid, 0) < req.insist_times:
                insisting = r.add(r.pick(req.insist))
                if insisting:
                    st.note_insist(rid)
            else:
                r.add(r.pick(req.accept))
        if ev.alternatives and insisting:
            pass  # first the request; the alternative on the table gets its answer when they give in
        elif ev.alternatives:
            if ev.accepted:
                alt = next(a for a in sit.alternatives if a.id == ev.accepted[0])
                if not r.add(r.pick(alt.reply)):
                    r.say("alternative")
            else:
                r.say("alternative_rejected")
        elif ev.has("bad_news_told"):
            r.say("bad_news")
        self._facts(r, ev)
        asked_fact = ev.facts_told or ev.facts_again or ev.facts_evaded
        if not asked_fact:
            if ev.has(S.question_needs, S.choice_offer):
                r.say("want")
            elif ev.story_question or (ev.has(S.listening_signal) and not ev.question):
                if not r.say("story"):
                    r.say("filler")
            elif ev.has("unknown_question") and not r.parts:  # not after "Waarom?!" or an objection
                r.say("unknown")
        if r.parts:
            return
        if ev.has(*ACTION):
            r.say("commitment")
        elif ev.has(S.anything_else):
            r.say("nothing_else")
        elif ev.has(S.thanks, S.positive_statement) and st.trainee_turns > 1:
            r.say("thanks")

    def _facts(self, r: _Reply, ev: TurnEvents) -> None:
        st = r.st
        for fid in ev.facts_told:
            if fid not in st.revealed and r.add(r.pick([st.fact(fid).text])):
                st.note_fact(fid)
        for fid in ev.facts_again:
            if not r.add(r.pick(st.fact(fid).again)):
                r.say("repeat_question")
        if ev.facts_evaded and not ev.facts_told:
            r.say("evade")

    def _agenda(self, r: _Reply, ev: TurnEvents) -> None:
        """The customer's own next move when the trainee's turn did not fill the reply."""
        st = r.st
        if self._objection(r, ev):
            return
        if self._request(r, ev):
            return
        if not r.parts:
            if st.stage in ("opening", "story") and not ev.question and r.say("story"):
                return
            r.say("filler")

    def _objection(self, r: _Reply, ev: TurnEvents) -> bool:
        obj = r.st.due_objection()
        if obj is not None and r.add(r.pick(obj.lines)):
            r.st.note_objection(obj.id)
            return True
        return False

    def _request(self, r: _Reply, ev: TurnEvents) -> bool:
        req = r.st.due_request()
        if req is not None and r.add(r.pick(req.ask)):
            r.st.note_request(req.id)
            return True
        return False
