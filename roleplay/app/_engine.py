"""The app's conversation engine, without any UI: start, send (streamed), retry, switch to the scripted
customer, end (NPS + scorecard), reflection, read back. Both the Gradio events and the API endpoints call it.

Every turn is stored as it happens: the trainee turn before the customer model is called, the customer turn
when it is complete. Live sessions are cached in memory; a session missing from the cache (a server restart)
is rebuilt from the stored turns with `Session.restore`. Every call names the `Viewer`; writes need the
session's owner, reads go through the store's access rules.
"""

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..content import Library, default_library
from ..customer import CustomerBackend, ScriptedCustomer, make_customer
from ..errors import ModelError, RoleplayError
from ..judge import Judge
from ..models import NPSAnswer, Persona, Scorecard, Transcript
from ..session import Session
from . import _texts as T
from ._storage import NotFound, Store, StoredSession, Viewer

CustomerFactory = Callable[[str, str | None], CustomerBackend]


@dataclass
class Settings:
    """How the app plays and scores: chosen once at start-up by `roleplay ui`."""

    customer: str = "scripted"        # scripted | llm
    model: str | None = None          # litellm model string of the LLM customer
    judge: str = "rules"              # rules | llm
    judge_model: str | None = None
    local: bool = True                # no users configured: one local user
    notice: str = ""                  # Dutch Markdown shown on top of the app


class Busy(RoleplayError):
    """Another request of the same session is still running (two tabs, a double click)."""


class _Saving:
    """Wraps a customer backend so the pending trainee turn is stored before the model is asked."""

    def __init__(self, inner: CustomerBackend, before: Callable[[], None]) -> None:
        self.inner = inner
        self.before = before
        self.last_messages: list[dict[str, Any]] | None = None  # the prompt of the last model call
        self.name: str = inner.name
        self.model: str | None = inner.model

    def _capture(self, session: Session) -> None:
        """Keep the messages the model is about to get, for the instructor view. The LLM customer plans a
        reply deterministically (no state change before its reply is in), so preparing twice is exact."""
        prepare = getattr(self.inner, "_prepare", None)
        messages = getattr(self.inner, "messages", None)
        try:
            if callable(prepare):
                self.last_messages = list(prepare(session)[1])
            elif callable(messages):
                self.last_messages = list(messages(session))
        except Exception:  # a debugging aid must never break the conversation
            self.last_messages = None

    def opening(self, session: Session) -> str | None:
        return self.inner.opening(session)

    def reply(self, session: Session, trainee_text: str) -> str:
        self.before()
        self._capture(session)
        return self.inner.reply(session, trainee_text)

    def stream(self, session: Session, trainee_text: str) -> Iterator[str]:
        self.before()
        self._capture(session)
        return self.inner.stream(session, trainee_text)

    def nps(self, session: Session) -> NPSAnswer:
        return self.inner.nps(session)

    def __getattr__(self, name: str) -> Any:  # system_prompt(), messages(), ... of an LLM customer
        return getattr(self.inner, name)


@dataclass
class Live:
    """A session in memory: the conversation and what the UI needs to show about it."""

    id: int
    owner: Viewer
    session: Session
    saved: int = 0                       # turns stored so far
    closed: bool = False                 # ended in the database (finished or abandoned)
    error: str | None = None             # the last model failure, in Dutch
    partial: str = ""                    # the part of a reply that arrived before the failure
    result: dict[str, Any] | None = None  # {"nps": ..., "scorecard": ...} once finished
    reflection: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def persona(self) -> Persona:
        return self.session.persona


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Trainer:
    def __init__(self, store: Store, settings: Settings | None = None, *, library: Library | None = None,
                 customer_factory: CustomerFactory | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.library = library or default_library()
        self._make_customer: CustomerFactory = customer_factory or _default_customer
        self._live: dict[int, Live] = {}
        self._lock = threading.Lock()
        self._judges: dict[str, Judge] = {}

    # --- helpers ------------------------------------------------------------------------------------
    def personas(self) -> list[Persona]:
        return list(self.library.personas.values())

    def _backend(self, live: Live, kind: str) -> CustomerBackend:
        inner = ScriptedCustomer() if kind == "scripted" else self._make_customer(kind, self.settings.model)
        return _Saving(inner, lambda: self._flush(live))

    def _flush(self, live: Live) -> None:
        new = live.session.turns[live.saved:]
        if new:
            self.store.add_turns(live.owner, live.id, live.saved, list(new))
            live.saved += len(new)

    def _mine(self, viewer: Viewer, session_id: int) -> Live:
        """The live session for a write: only its owner may change it."""
        live = self.live(viewer, session_id)
        if live.owner.name != viewer.name:
            raise NotFound(f"session {session_id} not found")
        return live

    @staticmethod
    def _acquire(live: Live) -> None:
        if not live.lock.acquire(timeout=60):
            raise Busy(T.BUSY)

    # --- starting and loading -------------------------------------------------------------------------
    def start(self, viewer: Viewer, persona_id: str) -> Live:
        persona = self.library.persona(persona_id)
        st = self.settings
        seed = secrets.randbelow(2**31)  # stored: a restore replays the scripted customer with it
        sid = self.store.create_session(viewer, persona.id, customer=st.customer, model=st.model,
                                        judge=st.judge, judge_model=st.judge_model, seed=seed)
        self.store.abandon_open(viewer, keep=sid)
        with self._lock:
            for old in [x for x in self._live.values() if x.owner.name == viewer.name and x.id != sid]:
                old.closed = True
        live = Live(sid, viewer, Session.__new__(Session))
        fallback = self._backend(live, "scripted")
        primary = self._backend(live, st.customer)
        try:
            session = Session(persona, primary, seed=seed, fallback=fallback)  # a failing opening falls back
        except ModelError as exc:  # the fallback failed too (cannot happen with the scripted one)
            raise RoleplayError(str(exc)) from exc
        session.fallback = None  # later failures go to the trainee, who chooses: retry or scripted
        self.store.update_session(viewer, sid, customer=",".join(session.backends_used))
        live.session = session
        self._flush(live)
        with self._lock:
            self._live[sid] = live
        return live

    def live(self, viewer: Viewer, session_id: int) -> Live:
        """A session this viewer may see, from memory or rebuilt from the database."""
        with self._lock:
            cached = self._live.get(session_id)
        if cached is not None:
            if cached.owner.name == viewer.name or viewer.is_instructor:
                return cached
            raise NotFound(f"session {session_id} not found")
        stored = self.store.get(viewer, session_id)  # raises NotFound for other trainees' sessions
        live = self._restore(stored)
        with self._lock:
            return self._live.setdefault(session_id, live)

    def _restore(self, s: StoredSession) -> Live:
        persona = self.library.persona(s.persona)
        # writes are checked by the owner's name only, so the owner's role does not matter here
        live = Live(s.id, Viewer(s.user), Session.__new__(Session), saved=len(s.turns),
                    closed=s.ended is not None, reflection=s.reflection)
        kind = (s.customer or "scripted").split(",")[-1]
        try:
            backend = self._backend(live, kind)
        except RoleplayError:  # the LLM customer is not configured any more: go on scripted
            backend = self._backend(live, "scripted")
        ended_by = s.ended_by if s.ended_by in ("customer", "trainee", "max_turns") else None
        live.session = Session.restore(persona, s.turns, backend, seed=s.seed, nps=s.nps,
                                       ended_by=ended_by)  # type: ignore[arg-type]
        if s.scorecard is not None:
            live.result = {"nps": s.nps.model_dump(mode="json") if s.nps else None, "scorecard": s.scorecard}
        return live

    def open_session(self, viewer: Viewer) -> Live | None:
        """The viewer's own unfinished session (after a refresh or a restart), if any."""
        stored = self.store.open_session(viewer)
        return None if stored is None else self.live(viewer, stored.id)

    # --- playing ----------------------------------------------------------------------------------------
    def send(self, viewer: Viewer, session_id: int, text: str) -> Iterator[str]:
        """Stream the customer's reply to a trainee turn. Both turns are stored; on a model failure the
        trainee turn is kept (pending), `live.error` says what happened, and ModelError is raised."""
        live = self._mine(viewer, session_id)
        self._check_open(live)
        text = text.strip()
        if not text:
            raise RoleplayError(T.EMPTY_TURN)
        self._acquire(live)
        try:
            if live.session.pending:
                raise RoleplayError(T.PENDING)
            live.error, live.partial = None, ""
            try:
                for chunk in live.session.send_stream(text):
                    live.partial += chunk
                    yield chunk
            except ModelError as exc:
                live.error = str(exc)
                live.partial = exc.partial or live.partial
                raise
            finally:
                self._flush(live)
            live.partial = ""
        finally:
            live.lock.release()

    def retry(self, viewer: Viewer, session_id: int) -> str:
        """Ask the same customer again for the reply to the pending trainee turn."""
        live = self._mine(viewer, session_id)
        self._check_open(live)
        self._acquire(live)
        try:
            if not live.session.pending:
                raise RoleplayError(T.NOTHING_PENDING)
            try:
                reply = live.session.respond()
            except ModelError as exc:
                live.error = str(exc)
                raise
            finally:
                self._flush(live)
            live.error, live.partial = None, ""
            return reply
        finally:
            live.lock.release()

    def use_scripted(self, viewer: Viewer, session_id: int) -> str | None:
        """Go on with the scripted customer; it answers the pending trainee turn, if any."""
        live = self._mine(viewer, session_id)
        self._check_open(live)
        self._acquire(live)
        try:
            live.session.use(self._backend(live, "scripted"))
            self.store.update_session(viewer, session_id, customer=",".join(live.session.backends_used))
            live.error, live.partial = None, ""
            if not live.session.pending:
                return None
            reply = live.session.respond()
            self._flush(live)
            return reply
        finally:
            live.lock.release()

    def _check_open(self, live: Live) -> None:
        if live.closed or live.result is not None:
            raise RoleplayError(T.CLOSED)
        if live.session.ended and not live.session.pending:
            raise RoleplayError(T.ENDED)

    # --- ending -----------------------------------------------------------------------------------------
    def finish(self, viewer: Viewer, session_id: int) -> dict[str, Any]:
        """End the conversation (if the customer did not): the customer's NPS answer and the scorecard.
        Idempotent: a finished session returns its stored result."""
        live = self._mine(viewer, session_id)
        if live.result is not None:
            return live.result
        if live.closed:
            raise RoleplayError(T.CLOSED)
        self._acquire(live)
        try:
            if live.result is not None:
                return live.result
            s = live.session
            warnings: list[str] = []
            s.end("trainee")
            try:
                nps = s.nps()
            except ModelError as exc:
                warnings.append(T.NPS_FALLBACK.format(error=exc))
                s.use(self._backend(live, "scripted"))
                nps = s.nps()
            card = self._score(s.to_transcript(), s.persona, warnings)
            result = {"nps": nps.model_dump(mode="json"), "scorecard": card.model_dump(mode="json")}
            self._flush(live)
            self.store.finish(viewer, session_id, ended_by=s.state.ended_by or "trainee", outcome=s.outcome,
                              nps=nps, scorecard=result["scorecard"])
            live.result, live.error = result, None
            return result
        finally:
            live.lock.release()

    def _score(self, transcript: Transcript, persona: Persona, warnings: list[str]) -> Scorecard:
        from ..judge import make_judge

        st = self.settings
        kind = st.judge
        if kind not in self._judges:
            self._judges[kind] = make_judge(kind, model=st.judge_model, library=self.library)
        try:
            card = self._judges[kind].score(transcript, persona.checklists)
        except ModelError as exc:
            if kind == "rules":
                raise
            warnings.append(T.JUDGE_FALLBACK.format(error=exc))
            self._judges.setdefault("rules", make_judge("rules", library=self.library))
            card = self._judges["rules"].score(transcript, persona.checklists)
        if warnings:
            card = card.model_copy(update={"warnings": [*card.warnings, *warnings]})
        return card

    def needs_reflection(self, live: Live) -> bool:
        """After a cold call that ended in rejection: the exercise on dealing with rejection."""
        return live.persona.opens == "trainee" and live.session.outcome in T.REJECTED_OUTCOMES

    def reflect(self, viewer: Viewer, session_id: int, answers: dict[str, str]) -> dict[str, Any]:
        live = self._mine(viewer, session_id)
        clean = {k: str(answers.get(k, "")).strip() for k, _, _ in T.REFLECTION_QUESTIONS}
        if not any(clean.values()):
            raise RoleplayError(T.REFLECTION_EMPTY)
        data = {**clean, "saved": _now_iso()}
        self.store.update_session(viewer, session_id, reflection=data)
        live.reflection = data
        return data

    # --- reading ----------------------------------------------------------------------------------------
    def transcript(self, viewer: Viewer, session_id: int) -> Transcript:
        return self.live(viewer, session_id).session.to_transcript()

    def scorecard(self, viewer: Viewer, session_id: int) -> Scorecard | None:
        live = self.live(viewer, session_id)
        return Scorecard.model_validate(live.result["scorecard"]) if live.result else None

    def inspect(self, viewer: Viewer, session_id: int) -> dict[str, Any]:
        """The instructor's view of a session: mood trace, the customer's state and the prompts."""
        if not viewer.is_instructor:
            raise NotFound(f"session {session_id} not found")
        live = self.live(viewer, session_id)
        s = live.session
        backend = getattr(s.backend, "inner", s.backend)
        return {"session": live.id, "user": live.owner.name, "persona": s.persona.id,
                "customer": s.backend.name, "model": s.backend.model, "backends_used": s.backends_used,
                "start_mood": s.persona.mood.start, "mood": s.mood, "trace": s.mood_trace(),
                "state": s.state.to_dict(), "last_turn": _events(s), "prompts": _prompts(backend, s),
                "warnings": list(s.warnings)}


def _default_customer(kind: str, model: str | None) -> CustomerBackend:
    return make_customer(kind, model=model)


def _events(s: Session) -> dict[str, Any]:
    ev = s.state.last
    return {"signals": sorted(ev.signals), "events": sorted(ev.events), "facts_told": ev.facts_told,
            "facts_again": ev.facts_again, "facts_evaded": ev.facts_evaded, "alternatives": ev.alternatives,
            "accepted": ev.accepted, "refused": ev.refused, "objection": ev.objection,
            "objection_result": ev.objection_result, "summary": ev.summary}


def _prompts(backend: Any, s: Session) -> dict[str, str] | None:
    """The prompt of the LLM customer's last call (system prompts and the conversation as sent); None for
    the scripted customer."""
    if backend.name == "scripted":
        return None
    messages = getattr(s.backend, "last_messages", None)
    if not messages:
        return {}
    system = "\n\n".join(str(m.get("content")) for m in messages if m.get("role") == "system")
    sent = "\n\n".join(f"[{m.get('role')}] {m.get('content')}" for m in messages)
    return {"system_prompt": system, "messages": sent}
