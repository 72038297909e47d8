"""Sessions, turns and users in a database through SQLAlchemy 2.x (SQLite by default, any URL works).

Access rules live here, in the queries: a trainee reads and writes only their own sessions, an instructor
reads everyone's (and writes only their own). Every read and write names the `Viewer` it is for, so an event
handler that forgets a check cannot leak another trainee's session.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from ..errors import InputError, RoleplayError
from ..models import NPSAnswer, Role, Turn

Rolename = Literal["trainee", "instructor"]


class NotFound(RoleplayError):
    """A session that does not exist or that this viewer may not see (the two look the same on purpose)."""


@dataclass(frozen=True)
class Viewer:
    """Who asks: the logged-in user name and role."""

    name: str
    role: Rolename = "trainee"

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


class _Base(DeclarativeBase):
    pass


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, in UTC (SQLite keeps no zone)


class UserRow(_Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="trainee")
    created: Mapped[datetime] = mapped_column(DateTime, default=_now)


class SessionRow(_Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    persona: Mapped[str] = mapped_column(String(100))
    customer: Mapped[str] = mapped_column(String(40))            # customer backend: scripted, llm
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    judge: Mapped[str | None] = mapped_column(String(40), nullable=True)
    judge_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[datetime] = mapped_column(DateTime, default=_now)
    ended: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(20), nullable=True)  # trainee, customer, max_turns, abandoned
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    nps: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reflection: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class TurnRow(_Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "index"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    mood: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime, default=_now)


@dataclass
class StoredSession:
    """One session as stored: its row's fields and, when asked for, its turns."""

    id: int
    user: str
    persona: str
    customer: str
    model: str | None
    judge: str | None
    judge_model: str | None
    seed: int
    started: datetime
    ended: datetime | None
    ended_by: str | None
    outcome: str | None
    nps: NPSAnswer | None
    score: float | None
    scorecard: dict[str, Any] | None
    reflection: dict[str, Any] | None
    turns: list[Turn] = field(default_factory=list)
    turn_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.ended is None


@dataclass
class Progress:
    """A trainee's (or everyone's) results over time: subscores per checklist and the NPS."""

    points: dict[str, list[tuple[datetime, int, float]]]  # checklist -> (ended, session id, subscore)
    scores: list[tuple[datetime, int, float]]             # overall score per session
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        """% promoters - % detractors, or None without answers."""
        if not self.answers:
            return None
        return round(100.0 * (self.promoters - self.detractors) / self.answers, 1)


def default_db_url() -> str:
    """ROLEPLAY_DB, else a SQLite file in the user's data folder (XDG), else ./roleplay.sqlite."""
    env = os.environ.get("ROLEPLAY_DB", "").strip()
    if env:
        return env
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "roleplay"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{base / 'roleplay.sqlite'}"
    except OSError:
        return "sqlite:///roleplay.sqlite"


def _engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @sa_event.listens_for(engine, "connect")
            def _pragmas(conn: Any, _record: Any) -> None:  # WAL: readers do not wait for the writer
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _Base.metadata.create_all(engine)
        return engine
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(f"not a database URL SQLAlchemy can use ({exc})", file=url, field="--db") from None
    except ImportError as exc:
        raise InputError(f"the database driver is not installed ({exc.name})", file=url, field="--db") from None
    except OperationalError as exc:
        raise InputError(f"cannot open the database ({exc.orig})", file=url, field="--db") from None
    except SQLAlchemyError as exc:
        raise InputError(f"cannot use the database ({exc.__class__.__name__})", file=url, field="--db") from None


def _nps(data: dict[str, Any] | None) -> NPSAnswer | None:
    return NPSAnswer.model_validate(data) if data else None


class Store:
    """The app's database. Thread-safe: every call uses its own short database session."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_db_url()
        self.engine = _engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._user_ids: dict[str, int] = {}

    @contextmanager
    def _db(self) -> Iterator[Session]:
        with self._sessions.begin() as db:
            yield db

    def close(self) -> None:
        self.engine.dispose()

    # --- users ----------------------------------------------------------------------------------------
    def user_id(self, viewer: Viewer) -> int:
        """The user's row id; the row is made on first use (the role is stored for information only)."""
        cached = self._user_ids.get(viewer.name)
        if cached is not None:
            return cached
        try:
            with self._db() as db:
                row = db.scalar(select(UserRow).where(UserRow.name == viewer.name))
                if row is None:
                    row = UserRow(name=viewer.name, role=viewer.role)
                    db.add(row)
                    db.flush()
                uid = row.id
        except IntegrityError:  # another request made the same user just now
            with self._db() as db:
                uid = db.scalars(select(UserRow.id).where(UserRow.name == viewer.name)).one()
        self._user_ids[viewer.name] = uid
        return uid

    def users(self, viewer: Viewer) -> list[str]:
        """User names this viewer may see results of (an instructor: all; a trainee: themself)."""
        if not viewer.is_instructor:
            return [viewer.name]
        with self._db() as db:
            return list(db.scalars(select(UserRow.name).order_by(UserRow.name)))

    # --- writing (owner only) -------------------------------------------------------------------------------
    def create_session(self, viewer: Viewer, persona: str, *, customer: str, model: str | None = None,
                       judge: str | None = None, judge_model: str | None = None, seed: int = 0) -> int:
        uid = self.user_id(viewer)
        with self._db() as db:
            row = SessionRow(user_id=uid, persona=persona, customer=customer, model=model, judge=judge,
                             judge_model=judge_model, seed=seed)
            db.add(row)
            db.flush()
            return row.id

    @staticmethod
    def _own(db: Session, uid: int, session_id: int) -> SessionRow:
        row = db.scalar(select(SessionRow).where(SessionRow.id == session_id, SessionRow.user_id == uid))
        if row is None:
            raise NotFound(f"session {session_id} not found")
        return row

    def add_turns(self, viewer: Viewer, session_id: int, first_index: int, turns: list[Turn]) -> None:
        """Store turns first_index, first_index+1, ... of the owner's session (one transaction)."""
        if not turns:
            return
        uid = self.user_id(viewer)
        try:
            with self._db() as db:
                self._own(db, uid, session_id)
                for n, t in enumerate(turns):
                    db.add(TurnRow(session_id=session_id, index=first_index + n, role=t.role.value, text=t.text,
                                   mood=t.mood))
        except IntegrityError:  # another server process wrote this session meanwhile
            raise RoleplayError("Dit gesprek is ergens anders verder gevoerd. Laad de pagina opnieuw.") from None

    def update_session(self, viewer: Viewer, session_id: int, **fields: Any) -> None:
        """Set fields of the owner's session row: customer, model, ended, ended_by, outcome, nps, score,
        scorecard, reflection."""
        allowed = {"customer", "model", "ended", "ended_by", "outcome", "nps", "score", "scorecard", "reflection"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        uid = self.user_id(viewer)
        with self._db() as db:
            row = self._own(db, uid, session_id)
            for k, v in fields.items():
                setattr(row, k, v.model_dump(mode="json") if isinstance(v, NPSAnswer) else v)

    def finish(self, viewer: Viewer, session_id: int, *, ended_by: str, outcome: str | None,
               nps: NPSAnswer | None = None, scorecard: dict[str, Any] | None = None) -> None:
        self.update_session(viewer, session_id, ended=_now(), ended_by=ended_by, outcome=outcome, nps=nps,
                            scorecard=scorecard, score=(scorecard or {}).get("score"))

    def abandon_open(self, viewer: Viewer, keep: int | None = None) -> list[int]:
        """Mark the viewer's other open sessions as abandoned (they stay readable in the history)."""
        uid = self.user_id(viewer)
        with self._db() as db:
            rows = list(db.scalars(select(SessionRow).where(SessionRow.user_id == uid, SessionRow.ended.is_(None))))
            done = []
            for row in rows:
                if row.id != keep:
                    row.ended, row.ended_by = _now(), "abandoned"
                    done.append(row.id)
            return done

    # --- reading ------------------------------------------------------------------------------------------
    def _visible(self, viewer: Viewer) -> Any:
        query = select(SessionRow, UserRow.name).join(UserRow, SessionRow.user_id == UserRow.id)
        if not viewer.is_instructor:
            query = query.where(UserRow.name == viewer.name)
        return query

    @staticmethod
    def _stored(row: SessionRow, user: str) -> StoredSession:
        return StoredSession(id=row.id, user=user, persona=row.persona, customer=row.customer, model=row.model,
                             judge=row.judge, judge_model=row.judge_model, seed=row.seed, started=row.started,
                             ended=row.ended, ended_by=row.ended_by, outcome=row.outcome, nps=_nps(row.nps),
                             score=row.score, scorecard=row.scorecard, reflection=row.reflection)

    def get(self, viewer: Viewer, session_id: int, *, turns: bool = True) -> StoredSession:
        """One session this viewer may see, with its turns; NotFound otherwise."""
        with self._db() as db:
            found = db.execute(self._visible(viewer).where(SessionRow.id == session_id)).first()
            if found is None:
                raise NotFound(f"session {session_id} not found")
            out = self._stored(found[0], found[1])
            if turns:
                rows = db.scalars(select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.index))
                out.turns = [Turn(role=Role(r.role), text=r.text, mood=r.mood) for r in rows]
                out.turn_count = len(out.turns)
            return out

    def open_session(self, viewer: Viewer) -> StoredSession | None:
        """The viewer's own most recent session that has not ended, with its turns."""
        uid = self.user_id(viewer)
        with self._db() as db:
            sid = db.scalar(select(SessionRow.id).where(SessionRow.user_id == uid, SessionRow.ended.is_(None))
                            .order_by(SessionRow.id.desc()).limit(1))
        return None if sid is None else self.get(viewer, sid)

    def sessions(self, viewer: Viewer, user: str | None = None, limit: int = 500) -> list[StoredSession]:
        """Sessions this viewer may see, newest first (an instructor may filter by user)."""
        from sqlalchemy import func

        query = self._visible(viewer)
        if user:
            query = query.where(UserRow.name == user)
        counts = (select(TurnRow.session_id, func.count().label("n")).group_by(TurnRow.session_id).subquery())
        query = query.add_columns(counts.c.n).outerjoin(counts, counts.c.session_id == SessionRow.id)
        with self._db() as db:
            rows = db.execute(query.order_by(SessionRow.id.desc()).limit(limit)).all()
        out = []
        for row, name, n in rows:
            s = self._stored(row, name)
            s.turn_count = n or 0
            out.append(s)
        return out

    def turn_count(self, viewer: Viewer, session_id: int | None = None) -> int:
        """Stored turns of one visible session, or of all visible sessions."""
        from sqlalchemy import func

        query = select(func.count(TurnRow.id)).join(SessionRow, TurnRow.session_id == SessionRow.id)
        query = query.join(UserRow, SessionRow.user_id == UserRow.id)
        if not viewer.is_instructor:
            query = query.where(UserRow.name == viewer.name)
        if session_id is not None:
            query = query.where(SessionRow.id == session_id)
        with self._db() as db:
            return int(db.scalar(query) or 0)

    def progress(self, viewer: Viewer, user: str | None = None) -> Progress:
        """Subscores per checklist over time and the NPS, over the ended, scored sessions visible."""
        done = sorted((s for s in self.sessions(viewer, user, limit=100000) if s.ended and s.ended_by != "abandoned"),
                      key=lambda s: (s.ended or s.started, s.id))
        return compute_progress(done)


def compute_progress(sessions: list[StoredSession]) -> Progress:
    prog = Progress(points={}, scores=[])
    for s in sessions:
        when = s.ended or s.started
        card = s.scorecard or {}
        for cid, sub in (card.get("subscores") or {}).items():
            if sub is not None:
                prog.points.setdefault(cid, []).append((when, s.id, float(sub)))
        if card.get("score") is not None:
            prog.scores.append((when, s.id, float(card["score"])))
        if s.nps is not None:
            if s.nps.category == "promoter":
                prog.promoters += 1
            elif s.nps.category == "passive":
                prog.passives += 1
            else:
                prog.detractors += 1
    return prog
