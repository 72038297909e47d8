"""One role-play conversation: persona, customer state, turns and a swappable customer backend.

Used by `roleplay play`, self-play and the web app. Each trainee turn goes:
detect signals (with the conversation so far) -> update the customer state -> get the customer's reply
-> check the end. The session owns all memory, so the backend can be switched at any turn; when a model
fails the trainee turn is kept and a fallback backend (or a later `respond()`) answers it.
"""

from collections.abc import Iterator
from typing import Any, Literal

from .customer import CustomerBackend, PersonaState, ScriptedCustomer
from .customer._text import normal, sentences
from .errors import ModelError, RoleplayError
from .models import NPSAnswer, Persona, Role, Transcript, Turn
from .signals import trainee_signals

_OUTCOME_NL = {"resolved": "opgelost", "gave_up": "klant gaf het op", "hung_up": "klant hing op",
               "rejected": "afgewezen", "agreed": "afspraak gemaakt"}


class ConversationEnded(RoleplayError):
    """A trainee turn sent after the conversation ended."""


class Session:
    def __init__(self, persona: Persona, backend: CustomerBackend | None = None, *, seed: int = 0,
                 fallback: CustomerBackend | None = None) -> None:
        self.persona = persona
        self.backend: CustomerBackend = backend or ScriptedCustomer()
        self.fallback = fallback
        self.seed = seed
        self.state = PersonaState.start(persona)
        self.turns: list[Turn] = []
        self.said: set[str] = set()  # normalised customer sentences so far (no-repeat check)
        self.warnings: list[str] = []
        self.backends_used: list[str] = [self.backend.name]
        self.pending = False         # a trainee turn waits for the customer's reply
        self._nps: NPSAnswer | None = None
        opening = self._call(lambda b: b.opening(self))
        if opening:
            self._add(Role.customer, opening)

    @classmethod
    def restore(cls, persona: Persona, turns: list[Turn], backend: CustomerBackend | None = None, *,
                seed: int = 0, fallback: CustomerBackend | None = None,
                ended_by: Literal["customer", "trainee", "max_turns"] | None = None,
                nps: NPSAnswer | None = None) -> "Session":
        """Rebuild a stored session (the web app after a restart) without calling a model. The trainee
        turns go through the state again; for each stored customer reply the scripted customer re-derives
        what the customer noted (facts, objections, requests), which is exact for scripted sessions. A
        trailing trainee turn stays pending: call `respond()` for its reply."""
        notes = ScriptedCustomer()
        session = cls(persona, notes, seed=seed, fallback=fallback)  # scripted: no model call at start
        session.turns, session.said = [], set()  # the stored turns replace the scripted opening
        for turn in turns:
            if turn.role is Role.trainee:
                session._trainee(turn.text)
            elif session.pending:
                notes.reply(session, session.turns[-1].text)  # only for what it notes on the state
                session._customer(turn.text)
            else:
                session._add(Role.customer, turn.text)  # the opening line
        if backend is not None:
            session.backend, session.backends_used = backend, [backend.name]
        if ended_by is not None:
            session.end(ended_by)
        session._nps = nps
        return session

    # --- reading ---------------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def mood(self) -> int:
        return self.state.mood

    @property
    def outcome(self) -> str | None:
        return self.state.outcome

    def previous(self) -> list[tuple[str, str]]:
        return [(t.role.value, t.text) for t in self.turns]

    def mood_trace(self) -> list[dict[str, Any]]:
        return self.state.mood_trace()

    # --- playing -----------------------------------------------------------------------------------
    def use(self, backend: CustomerBackend) -> None:
        """Switch the customer backend; the conversation so far stays."""
        self.backend = backend
        if backend.name not in self.backends_used:
            self.backends_used.append(backend.name)

    def send(self, trainee_text: str) -> str:
        """A trainee turn; returns the customer's reply (the end line when the customer ends)."""
        self._trainee(trainee_text)
        return self.respond()

    def send_stream(self, trainee_text: str) -> Iterator[str]:
        """Like `send`, the reply in chunks. If the model fails mid-stream the trainee turn is kept:
        switch backend with `use()` and call `respond()`."""
        self._trainee(trainee_text)
        chunks: list[str] = []
        for chunk in self.backend.stream(self, trainee_text):
            chunks.append(chunk)
            yield chunk
        self._customer("".join(chunks))

    def respond(self) -> str:
        """The customer's reply to the pending trainee turn (again, after a backend failed)."""
        if not self.pending:
            raise RoleplayError("no trainee turn waits for a reply")
        text = self.turns[-1].text
        return self._customer(self._call(lambda b: b.reply(self, text)))

    def end(self, by: Literal["customer", "trainee", "max_turns"] = "trainee") -> None:
        """Stop the conversation (the trainee hangs up or types /stop)."""
        if not self.state.ended:
            self.state.end(by)

    def nps(self) -> NPSAnswer:
        """The customer's NPS answer; ends the conversation first if needed."""
        self.end()
        if self._nps is None:
            self._nps = self._call(lambda b: b.nps(self))
        return self._nps

    def to_transcript(self) -> Transcript:
        return Transcript(persona=self.persona.id, turns=list(self.turns), nps=self._nps, notes=self.notes())

    def notes(self) -> str:
        st = self.state
        who = " en ".join(self.backends_used)
        if self.backend.model:
            who += f" ({self.backend.model})"
        end = ""
        if st.ended:
            by = {"customer": "door de klant", "trainee": "door de trainee",
                  "max_turns": "na het maximum aantal beurten"}.get(st.ended_by or "", "")
            end = f"; einde {by}: {_OUTCOME_NL.get(st.outcome or '', st.outcome)} ({st.end_condition})"
        return (f"Gespeeld met de klant '{who}', seed {self.seed}; {st.trainee_turns} beurten van de trainee"
                f"{end}; eindstemming {st.mood}/10.")

    # --- internals -------------------------------------------------------------------------------------
    def _call(self, fn: Any) -> Any:
        try:
            return fn(self.backend)
        except ModelError as exc:
            if self.fallback is None or self.backend is self.fallback:
                raise
            self.warnings.append(f"De klant '{self.backend.name}' viel uit ({exc}); "
                                 f"verder met '{self.fallback.name}'.")
            self.use(self.fallback)
            return fn(self.backend)

    def _trainee(self, text: str) -> None:
        if self.state.ended:
            raise ConversationEnded("the conversation has ended")
        if self.pending:
            raise RoleplayError("the customer has not answered the previous turn yet (call respond())")
        if not text.strip():
            raise RoleplayError("empty trainee turn")
        signals = trainee_signals(text, self.previous())
        self.state.observe_trainee(text, signals, len(self.turns))
        self._add(Role.trainee, text)
        self.pending = True

    def _customer(self, text: str) -> str:
        text = text.strip() or "…"
        for fid in self.state.last.facts_told:  # LLM customers are told to tell them; scripted noted them
            self.state.note_fact(fid)
        self.pending = False
        self._add(Role.customer, text)
        return text

    def _add(self, role: Role, text: str) -> None:
        self.turns.append(Turn(role=role, text=text, mood=self.state.mood))
        if role is Role.customer:
            self.said |= {normal(s) for s in sentences(text)}
