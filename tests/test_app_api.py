"""The app served in this process on a free port, driven through gradio_client and its api_name'd endpoints:
a whole conversation on the offline defaults, per-user isolation with logins, a model failure over the API."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from roleplay.app import Store, Users, build_app, hash_password, launch, resolve_settings
from roleplay.app._auth import User
from roleplay.app._stand_in import stand_in_factory
from roleplay.llm import fake_llm

pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*")
PASSWORDS = {"anna": "appel-1", "bob": "peer-2", "juf": "kers-3"}
OPENING = "Goedemiddag, u spreekt met Sanne van Kabelnoord. Wat vervelend dat u opnieuw moet bellen."
TURNS = [
    "Vertelt u eens wat er precies is gebeurd?",
    "Als ik het goed begrijp valt uw internet elke avond weg en bent u niet teruggebeld, klopt dat?",
    "Ik begrijp dat u boos bent. Er is een storing in de wijkkast; morgen laat ik gratis een 4G-router bezorgen.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(tmp: Path, users: Users | None = None, **kwargs: Any) -> Iterator[str]:
    demo = build_app(Store(f"sqlite:///{tmp / 'app.sqlite'}"), users=users, **kwargs)
    port = free_port()
    launch(demo, port=port, users=users, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def local_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="module")
def users_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    users = Users([User("anna", "trainee", hash_password(PASSWORDS["anna"])),
                   User("bob", "trainee", hash_password(PASSWORDS["bob"])),
                   User("juf", "instructor", hash_password(PASSWORDS["juf"]))])
    settings = resolve_settings(model="fake/klant", judge="rules", local=False, customer_factory=stand_in_factory)
    yield from serve(tmp_path_factory.mktemp("users"), users, settings=settings, customer_factory=stand_in_factory)


def client(url: str, user: str | None = None) -> Any:
    from gradio_client import Client

    return Client(url, auth=(user, PASSWORDS[user]) if user else None, verbose=False)


def test_a_whole_conversation_over_the_api(local_url: str) -> None:
    c = client(local_url)
    personas = {p["id"]: p for p in c.predict(api_name="/personas")}
    assert personas["boze-herhaalbeller"]["opens"] == "customer"
    s = c.predict("boze-herhaalbeller", api_name="/start")
    sid = s["session"]
    assert s["turns"][0]["role"] == "customer"  # the customer speaks first
    for text in [OPENING, *TURNS]:
        r = c.predict(sid, text, api_name="/send")
        assert r["reply"] and r["turns"][-1] == {"role": "customer", "text": r["reply"], "mood": r["mood"]}
        if r["ended"]:
            break
    assert c.predict(api_name="/open_session")["session"] == sid  # what a refresh resumes
    result = c.predict(sid, api_name="/end")
    card = result["scorecard"]
    assert set(card["checklists"]) == set(personas["boze-herhaalbeller"]["checklists"])
    assert card["items"] and all(i["verdict"] in ("met", "not_met", "not_applicable", "unscored")
                                 for i in card["items"])
    assert 0 <= result["nps"]["score"] <= 10 and result["nps"]["reason"]
    assert c.predict(api_name="/open_session") == {}
    history = c.predict(api_name="/sessions")
    assert history[0]["session"] == sid and history[0]["score"] == card["score"]
    assert history[0]["nps"] == result["nps"]["score"]
    assert "turns:" in c.predict(sid, "yaml", api_name="/export")
    assert "Totaalscore" in c.predict(sid, "html", api_name="/export")
    progress = c.predict("", api_name="/progress")
    assert progress["nps"] in (-100.0, 0.0, 100.0)
    info = c.predict(sid, api_name="/inspect")  # the single local user is also the instructor
    assert info["prompts"] is None and len(info["trace"]) >= 1


def test_the_cold_prospect_waits_for_the_trainee(local_url: str) -> None:
    c = client(local_url)
    s = c.predict("koude-prospect", api_name="/start")
    assert s["turns"] == [] and s["opens"] == "trainee"
    r = c.predict(s["session"], "Goedemiddag, u spreekt met Sanne van Groenstroom.", api_name="/send")
    assert r["reply"]


def test_login_is_required(users_url: str) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises ValueError or an HTTP error
        Client(users_url, verbose=False)
    with pytest.raises(Exception):  # noqa: B017
        Client(users_url, auth=("anna", "fout"), verbose=False)


def test_trainee_a_cannot_read_trainee_b(users_url: str) -> None:
    anna, bob, juf = client(users_url, "anna"), client(users_url, "bob"), client(users_url, "juf")
    a = anna.predict("boze-herhaalbeller", api_name="/start")["session"]
    anna.predict(a, OPENING, api_name="/send")
    b = bob.predict("besluiteloze-koper", api_name="/start")["session"]
    bob.predict(b, "Goedemiddag, waarmee kan ik u helpen?", api_name="/send")

    assert {s["session"] for s in anna.predict(api_name="/sessions")} == {a}
    assert {s["session"] for s in bob.predict(api_name="/sessions")} == {b}
    for name, args in (("/session", (b,)), ("/send", (b, "Ik lees mee.")), ("/end", (b,)),
                       ("/export", (b, "yaml")), ("/retry", (b,)), ("/use_scripted", (b,)),
                       ("/reflect", (b, "x", "y", "z")), ("/inspect", (b,)), ("/inspect", (a,))):
        with pytest.raises(Exception, match=r"geen toegang|niet gevonden|bestaat niet"):
            anna.predict(*args, api_name=name)
    assert anna.predict("bob", api_name="/progress")["promoters"] == 0  # a user filter is ignored for trainees
    # bob's session is untouched and the instructor sees both, read-only
    assert len(bob.predict(b, api_name="/session")["turns"]) == 3
    assert {s["session"] for s in juf.predict(api_name="/sessions")} >= {a, b}
    assert juf.predict(b, api_name="/session")["user"] == "bob"
    assert juf.predict(a, api_name="/inspect")["prompts"]["system_prompt"]
    with pytest.raises(Exception, match=r"geen toegang|bestaat niet"):
        juf.predict(a, "Ik neem het over.", api_name="/send")


def test_model_failure_over_the_api(users_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEPLAY_RETRY_ATTEMPTS", "1")
    anna = client(users_url, "anna")
    with fake_llm(replies=["Hallo, met Verbeek.", "Het valt elke avond weg."], faults=[None, "timeout"]):
        sid = anna.predict("boze-herhaalbeller", api_name="/start")["session"]
        failed = anna.predict(sid, OPENING, api_name="/send")
        assert failed["reply"] is None and "time-out" in failed["error"] and failed["pending"]
        assert failed["turns"][-1] == {"role": "trainee", "text": OPENING, "mood": failed["turns"][-1]["mood"]}
        again = anna.predict(sid, api_name="/retry")
    assert again["reply"] == "Het valt elke avond weg." and not again["pending"]
    with fake_llm(replies=["x"], faults=["connection"]):
        anna.predict(sid, TURNS[0], api_name="/send")
        scripted = anna.predict(sid, api_name="/use_scripted")
    assert scripted["reply"] and scripted["customer"] == "scripted" and not scripted["pending"]
