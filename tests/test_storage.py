"""The app's storage: turns saved as they happen, resume after a restart, per-user isolation, progress/NPS."""

from datetime import datetime
from pathlib import Path

import pytest

from roleplay.app import Store, Trainer, Viewer, resolve_settings
from roleplay.app._storage import NotFound, StoredSession, compute_progress
from roleplay.errors import InputError
from roleplay.models import NPSAnswer, Role, Turn, nps_category

ANNA = Viewer("anna")
BOB = Viewer("bob")
JUF = Viewer("juf", "instructor")
PERSONA = "boze-herhaalbeller"
TURNS = [
    "Goedemiddag, u spreekt met Sanne. Wat vervelend dat u opnieuw moet bellen. Vertelt u eens wat er is gebeurd?",
    "Als ik het goed begrijp valt uw internet elke avond weg en bent u niet teruggebeld, klopt dat?",
    "Ik begrijp dat u boos bent. Er is een storing in de wijkkast; morgen laat ik gratis een 4G-router bezorgen.",
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'app.sqlite'}")


def trainer(store: Store) -> Trainer:
    return Trainer(store, resolve_settings(model=None))


def play(tr: Trainer, viewer: Viewer, turns: list[str] = TURNS) -> int:
    live = tr.start(viewer, PERSONA)
    for text in turns:
        if live.session.ended:
            break
        "".join(tr.send(viewer, live.id, text))
    return live.id


def test_every_turn_is_stored_as_it_happens(store: Store) -> None:
    tr = trainer(store)
    live = tr.start(ANNA, PERSONA)
    assert store.turn_count(ANNA, live.id) == 1  # the customer's opening
    chunks = tr.send(ANNA, live.id, TURNS[0])
    next(chunks)  # the reply has started: the trainee turn is already stored
    assert store.turn_count(ANNA, live.id) == 2
    list(chunks)
    stored = store.get(ANNA, live.id)
    assert [t.role for t in stored.turns] == [Role.customer, Role.trainee, Role.customer]
    assert [t.text for t in stored.turns] == [t.text for t in live.session.turns]
    assert all(t.mood is not None for t in stored.turns)


def test_resume_after_restart_rebuilds_the_same_state(store: Store) -> None:
    tr = trainer(store)
    sid = play(tr, ANNA, TURNS[:2])
    before = tr.live(ANNA, sid).session
    fresh = trainer(Store(store.url))  # a new process on the same database
    live = fresh.open_session(ANNA)
    assert live is not None and live.id == sid
    assert live.session.state.to_dict() == before.state.to_dict()
    assert [t.text for t in live.session.turns] == [t.text for t in before.turns]
    # the conversation goes on exactly as it would have without the restart
    from roleplay.content import default_library
    from roleplay.session import Session

    same = Session(default_library().persona(PERSONA), seed=store.get(ANNA, sid).seed)
    for text in TURNS[:2]:
        same.send(text)
    assert "".join(fresh.send(ANNA, sid, TURNS[2])) == same.send(TURNS[2])
    assert store.turn_count(ANNA, sid) == len(same.turns)


def test_finish_stores_outcome_nps_and_scorecard(store: Store) -> None:
    tr = trainer(store)
    sid = play(tr, ANNA)
    result = tr.finish(ANNA, sid)
    assert tr.finish(ANNA, sid) == result  # idempotent
    s = store.get(ANNA, sid)
    assert s.ended is not None and s.ended_by in ("trainee", "customer", "max_turns")
    assert s.nps is not None and s.nps.model_dump() == result["nps"]
    assert s.scorecard is not None and s.scorecard["checklists"] and s.score == s.scorecard["score"]
    assert store.open_session(ANNA) is None
    with pytest.raises(Exception, match="afgesloten"):
        list(tr.send(ANNA, sid, "Nog iets?"))


def test_starting_a_new_session_abandons_the_open_one(store: Store) -> None:
    tr = trainer(store)
    first = play(tr, ANNA, TURNS[:1])
    second = tr.start(ANNA, PERSONA).id
    assert store.get(ANNA, first).ended_by == "abandoned"
    open_now = store.open_session(ANNA)
    assert open_now is not None and open_now.id == second
    assert store.progress(ANNA).answers == 0  # abandoned sessions do not count


def test_a_trainee_sees_only_their_own_sessions(store: Store) -> None:
    tr = trainer(store)
    a, b = play(tr, ANNA, TURNS[:1]), play(tr, BOB, TURNS[:1])
    assert [s.id for s in store.sessions(ANNA)] == [a]
    assert [s.id for s in store.sessions(BOB)] == [b]
    with pytest.raises(NotFound):
        store.get(ANNA, b)
    with pytest.raises(NotFound):
        store.add_turns(ANNA, b, 5, [Turn(role=Role.trainee, text="ingebroken")])
    with pytest.raises(NotFound):
        store.update_session(ANNA, b, reflection={"x": "y"})
    assert store.turn_count(ANNA) == store.turn_count(ANNA, a)
    # through the engine as well, also from a fresh process where nothing is cached
    for engine in (tr, trainer(Store(store.url))):
        with pytest.raises(NotFound):
            engine.live(ANNA, b)
        with pytest.raises(NotFound):
            list(engine.send(ANNA, b, "Hallo?"))
        with pytest.raises(NotFound):
            engine.finish(ANNA, b)
        with pytest.raises(NotFound):
            engine.inspect(ANNA, a)  # the instructor view is for instructors only
    assert store.users(ANNA) == ["anna"]


def test_an_instructor_reads_everyone_but_writes_only_their_own(store: Store) -> None:
    tr = trainer(store)
    a, b = play(tr, ANNA, TURNS[:1]), play(tr, BOB, TURNS[:1])
    assert {s.id for s in store.sessions(JUF)} == {a, b}
    assert {s.user for s in store.sessions(JUF, user="bob")} == {"bob"}
    assert store.get(JUF, a).turns
    assert tr.inspect(JUF, b)["user"] == "bob"
    with pytest.raises(NotFound):
        list(tr.send(JUF, a, "Ik neem het over."))
    with pytest.raises(NotFound):
        store.add_turns(JUF, a, 9, [Turn(role=Role.trainee, text="x")])
    assert set(store.users(JUF)) >= {"anna", "bob"}


def _session(sid: int, day: int, score: float | None, subs: dict[str, float | None], nps: int | None) -> StoredSession:
    when = datetime(2026, 11, day, 12)
    answer = NPSAnswer(score=nps, reason="r", category=nps_category(nps)) if nps is not None else None
    card = {"score": score, "subscores": subs}
    return StoredSession(id=sid, user="anna", persona=PERSONA, customer="scripted", model=None, judge="rules",
                         judge_model=None, seed=sid, started=when, ended=when, ended_by="trainee",
                         outcome="resolved", nps=answer, score=score, scorecard=card, reflection=None)


def test_progress_per_checklist_and_nps() -> None:
    prog = compute_progress([
        _session(1, 1, 50.0, {"actief-luisteren": 50.0, "slecht-nieuws": None}, 3),
        _session(2, 2, 75.0, {"actief-luisteren": 75.0, "slecht-nieuws": 100.0}, 9),
        _session(3, 3, 80.0, {"actief-luisteren": 100.0}, 10),
        _session(4, 4, None, {}, 7),
    ])
    assert [v for _, _, v in prog.points["actief-luisteren"]] == [50.0, 75.0, 100.0]
    assert [sid for _, sid, _ in prog.points["slecht-nieuws"]] == [2]  # no score: no point
    assert [v for _, _, v in prog.scores] == [50.0, 75.0, 80.0]
    assert (prog.promoters, prog.passives, prog.detractors) == (2, 1, 1)
    assert prog.nps == 25.0  # 50% promoters - 25% detractors
    assert compute_progress([]).nps is None


def test_progress_from_the_store(store: Store) -> None:
    tr = trainer(store)
    for _ in range(2):
        tr.finish(ANNA, play(tr, ANNA))
    tr.finish(BOB, play(tr, BOB))
    mine = store.progress(ANNA)
    assert mine.answers == 2 and len(mine.scores) == 2
    assert store.progress(JUF).answers == 3
    assert store.progress(JUF, "bob").answers == 1


@pytest.mark.parametrize("url", ["nonsense", "nosuchdialect://x/y", "sqlite:////nonexistent-dir/deeper/x.sqlite"])
def test_a_bad_database_url_is_an_input_error(url: str) -> None:
    with pytest.raises(InputError) as info:
        Store(url)
    assert info.value.exit_code == 2 and url in str(info.value) and "\n" not in str(info.value)
