"""The app's engine on a model customer (the stand-in over the `fake` provider): streaming, a model failure
mid-conversation keeps everything, retry and the switch to the scripted customer, the instructor view,
exports and the reflection after a rejected cold call."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from roleplay.app import Store, Trainer, Viewer, resolve_settings
from roleplay.app._report import render
from roleplay.app._stand_in import stand_in_factory
from roleplay.content import default_library
from roleplay.errors import ModelError, RoleplayError
from roleplay.llm import fake_llm
from roleplay.models import Role, Transcript

ANNA = Viewer("anna")
JUF = Viewer("juf", "instructor")


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEPLAY_RETRY_ATTEMPTS", "1")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'app.sqlite'}")


def llm_trainer(store: Store) -> Trainer:
    settings = resolve_settings(model="fake/klant", judge="rules", customer_factory=stand_in_factory)
    assert settings.customer == "llm"
    return Trainer(store, settings, customer_factory=stand_in_factory)


@pytest.fixture
def replies() -> Iterator[None]:
    with fake_llm(replies=[f"Antwoord {i} van de klant." for i in range(50)]):
        yield


def test_settings_and_notice() -> None:
    offline = resolve_settings(model=None)
    assert (offline.customer, offline.judge, offline.model) == ("scripted", "rules", None)
    assert "ROLEPLAY_MODEL" in offline.notice and "--model" in offline.notice and "gescripte klant" in offline.notice
    online = resolve_settings(model="fake/klant", customer_factory=stand_in_factory)
    assert (online.customer, online.judge, online.judge_model) == ("llm", "llm", "fake/klant")
    # a configured model without an LLM customer available: scripted, and the notice says so
    def missing(kind: str, model: str | None) -> object:
        raise RoleplayError("no LLM customer")

    fallback = resolve_settings(model="fake/klant", judge="rules", customer_factory=missing)  # type: ignore[arg-type]
    assert fallback.customer == "scripted" and "gescripte klant" in fallback.notice


def test_streamed_reply_from_the_model(store: Store, replies: None) -> None:
    tr = llm_trainer(store)
    live = tr.start(ANNA, "boze-herhaalbeller")
    assert live.session.turns[0].text == "Antwoord 0 van de klant."
    chunks = list(tr.send(ANNA, live.id, "Goedemiddag, waarmee kan ik u helpen?"))
    assert len(chunks) > 1 and "".join(chunks) == "Antwoord 1 van de klant."
    assert store.turn_count(ANNA, live.id) == 3


def test_model_failure_mid_conversation_keeps_everything(store: Store) -> None:
    tr = llm_trainer(store)
    with fake_llm(replies=["Hallo, met Verbeek.", "Het internet valt weg.", "Dank u."], faults=[None, None, "timeout"]):
        live = tr.start(ANNA, "boze-herhaalbeller")
        "".join(tr.send(ANNA, live.id, "Goedemiddag, vertelt u eens?"))
        with pytest.raises(ModelError):
            "".join(tr.send(ANNA, live.id, "Wat vervelend. Sinds wanneer speelt dit?"))
        assert live.error and "time-out" in live.error
        stored = store.get(ANNA, live.id).turns
        assert stored[-1].role is Role.trainee and stored[-1].text == "Wat vervelend. Sinds wanneer speelt dit?"
        assert live.session.pending
        with pytest.raises(RoleplayError):  # a new turn must wait for the reply
            "".join(tr.send(ANNA, live.id, "Hallo?"))
        assert tr.retry(ANNA, live.id) == "Dank u."
    assert live.error is None and not live.session.pending
    assert [t.role for t in store.get(ANNA, live.id).turns] == [Role.customer, Role.trainee, Role.customer,
                                                                  Role.trainee, Role.customer]


def test_midstream_failure_then_the_scripted_customer(store: Store) -> None:
    tr = llm_trainer(store)
    with fake_llm(replies=["Hallo, met Verbeek.", "Het internet valt elke avond weg, al anderhalve week."],
                  faults=[None, "midstream"]):
        live = tr.start(ANNA, "boze-herhaalbeller")
        with pytest.raises(ModelError) as info:
            "".join(tr.send(ANNA, live.id, "Goedemiddag, vertelt u eens wat er is gebeurd?"))
    assert info.value.partial and live.partial == info.value.partial
    reply = tr.use_scripted(ANNA, live.id)
    assert reply and not live.session.pending and live.session.backend.name == "scripted"
    assert store.get(ANNA, live.id).customer == "llm,scripted"
    # a restart goes on with the scripted customer
    fresh = Trainer(Store(store.url), tr.settings, customer_factory=stand_in_factory)
    again = fresh.open_session(ANNA)
    assert again is not None and again.session.backend.name == "scripted"
    assert "".join(fresh.send(ANNA, live.id, "Als ik het goed begrijp valt het internet elke avond weg?"))


def test_restart_with_a_pending_turn_offers_the_reply(store: Store) -> None:
    tr = llm_trainer(store)
    with fake_llm(replies=["Hallo, met Verbeek."], faults=[None, "unavailable"]):
        live = tr.start(ANNA, "boze-herhaalbeller")
        with pytest.raises(ModelError):
            "".join(tr.send(ANNA, live.id, "Goedemiddag, vertelt u eens?"))
    fresh = Trainer(Store(store.url), tr.settings, customer_factory=stand_in_factory)
    again = fresh.open_session(ANNA)
    assert again is not None and again.session.pending
    with fake_llm(replies=["Nou, het internet valt weg."]):
        assert fresh.retry(ANNA, live.id) == "Nou, het internet valt weg."


def test_instructor_view_shows_prompt_or_says_scripted(store: Store, replies: None) -> None:
    tr = llm_trainer(store)
    live = tr.start(JUF, "boze-herhaalbeller")
    "".join(tr.send(JUF, live.id, "Goedemiddag, wat vervelend. Vertelt u eens wat er is gebeurd?"))
    info = tr.inspect(JUF, live.id)
    assert "Je speelt" in info["prompts"]["system_prompt"]
    assert len(info["trace"]) == 1 and info["start_mood"] == live.persona.mood.start
    tr.use_scripted(JUF, live.id)
    assert tr.inspect(JUF, live.id)["prompts"] is None


def test_judge_failure_falls_back_to_rules(store: Store) -> None:
    settings = resolve_settings(model="fake/klant", judge="llm", customer_factory=stand_in_factory)
    tr = Trainer(store, settings, customer_factory=stand_in_factory)
    with fake_llm(replies=["Hallo.", "Ja."], faults=[None, None] + ["auth"] * 20):
        live = tr.start(ANNA, "boze-herhaalbeller")
        "".join(tr.send(ANNA, live.id, "Goedemiddag, vertelt u eens?"))
        result = tr.finish(ANNA, live.id)
    card = result["scorecard"]
    assert card["judge"] == "rules" or any(i["verdict"] == "unscored" for i in card["items"])


PROSPECT_TURNS = [
    "Ha, jij weer.",
    "Waarom heeft u geen tijd? Dat is onzin.",
    "Waarom niet? U moet gewoon luisteren.",
    "Waarom wilt u niet besparen?",
    "Nou, dan niet.",
]


def test_rejected_cold_call_asks_for_reflection(store: Store) -> None:
    tr = Trainer(store, resolve_settings(model=None))
    live = tr.start(ANNA, "koude-prospect")
    assert live.session.turns == []  # the trainee opens
    for text in PROSPECT_TURNS:
        if live.session.ended:
            break
        "".join(tr.send(ANNA, live.id, text))
    tr.finish(ANNA, live.id)
    if live.session.outcome not in ("rejected", "hung_up", "gave_up"):
        pytest.skip(f"this persona version ended with {live.session.outcome!r}")
    assert tr.needs_reflection(live)
    with pytest.raises(RoleplayError):
        tr.reflect(ANNA, live.id, {})
    saved = tr.reflect(ANNA, live.id, {"tot_jezelf_komen": "Even ademhalen.", "sterke_punten": "Ik bleef rustig."})
    assert store.get(ANNA, live.id).reflection == saved
    md = render("markdown", live.session.to_transcript(), live.persona, default_library(),
                tr.scorecard(ANNA, live.id), {"id": live.id}, saved)
    assert "Ik bleef rustig." in md


def test_exports(store: Store) -> None:
    tr = Trainer(store, resolve_settings(model=None))
    live = tr.start(ANNA, "boze-herhaalbeller")
    "".join(tr.send(ANNA, live.id, "Goedemiddag, u spreekt met Sanne. Als ik het goed begrijp, klopt dat?"))
    tr.finish(ANNA, live.id)
    lib = default_library()
    card = tr.scorecard(ANNA, live.id)
    t = live.session.to_transcript()
    data = yaml.safe_load(render("yaml", t, live.persona, lib, card, {}))
    again = Transcript.model_validate(data)
    assert again.persona == "boze-herhaalbeller" and again.nps is not None
    assert all(turn.mood is not None for turn in again.turns)
    html = render("html", t, live.persona, lib, card, {"id": live.id})
    assert html.startswith("<!DOCTYPE html>") and "Totaalscore" in html
    quoted = [e for it in card.items for e in it.evidence] if card else []
    if quoted:
        assert "<mark>" in html
    with pytest.raises(ValueError):
        render("pdf", t, live.persona, lib, card, {})


def test_the_real_llm_customer_plugs_in(store: Store) -> None:
    """With roleplay.customer.LLMCustomer available, the app uses it on the configured model."""
    from roleplay import customer

    if getattr(customer, "LLMCustomer", None) is None:
        pytest.skip("roleplay.customer.LLMCustomer is not there yet")
    settings = resolve_settings(model="fake/klant", judge="rules")
    assert settings.customer == "llm"
    tr = Trainer(store, settings)
    with fake_llm(replies=["Nou, het internet valt elke avond weg, al anderhalve week."] * 5):
        live = tr.start(JUF, "boze-herhaalbeller")
        reply = "".join(tr.send(JUF, live.id, "Goedemiddag, wat vervelend. Vertelt u eens wat er is gebeurd?"))
    assert reply and live.session.backend.name == "llm"
    prompts = tr.inspect(JUF, live.id)["prompts"]
    assert prompts and prompts["system_prompt"].strip()
    assert store.turn_count(JUF, live.id) == 3
