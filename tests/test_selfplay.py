"""Self-play (`roleplay selfplay`, roleplay/evals/_selfplay.py): the scripted customer keeps to every persona
against the shipped good and rude trainees; each check fails on a crafted bad conversation; the CLI prints
text, JSON and an HTML report, exits 1 on a failed check and 2 on bad input; the LLM customer runs through
the fake provider and, in one slow test, the real local model (SmolLM2-135M-Instruct)."""

import dataclasses
import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from roleplay.cli import main
from roleplay.content import default_library
from roleplay.evals import SELFPLAY_CHECKS, SelfPlayRun, check_run, play_selfplay, trainee_script
from roleplay.evals._selfplay import (
    TRAINEES_DIR,
    agent_phrase,
    ai_mention,
    check_dutch,
    check_end,
    check_hidden_facts,
    check_mood,
    check_no_ai,
    check_no_prompt_echo,
    check_no_repeat,
    check_not_agent,
    check_nps,
    check_own_name,
    dutch_share,
    own_name_use,
    speakable,
)
from roleplay.models import NPSAnswer, Persona, Role, Turn

PERSONAS = sorted(default_library().personas)
FIXTURES = Path(__file__).parent / "fixtures" / "trainee"


def persona(pid: str) -> Persona:
    return default_library().persona(pid)


def lines(pid: str, kind: str) -> list[str]:
    data = yaml.safe_load(trainee_script(pid, kind).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@cache
def played(pid: str, kind: str, seed: int = 0) -> SelfPlayRun:
    return play_selfplay(persona(pid), lines(pid, kind), trainee=kind, expect=kind, seed=seed)  # type: ignore[arg-type]


def fresh(pid: str = "boze-herhaalbeller", kind: str = "good") -> SelfPlayRun:
    """A copy of a played run that a test may change."""
    run = played(pid, kind)
    return dataclasses.replace(run, turns=list(run.turns), trace=[dict(t) for t in run.trace],
                               revealed=dict(run.revealed), checks=[])


def with_customer_text(run: SelfPlayRun, index: int, text: str) -> SelfPlayRun:
    assert run.turns[index].role is Role.customer
    run.turns[index] = Turn(role=Role.customer, text=text, mood=run.turns[index].mood)
    return run


def first_customer_reply(run: SelfPlayRun) -> int:
    """Index of the customer's reply to the first trainee turn."""
    return next(i for i, t in enumerate(run.turns) if t.role is Role.customer and i > 0
                and run.turns[i - 1].role is Role.trainee)


def first_reply_replaced(text: str) -> tuple[SelfPlayRun, int]:
    """A fresh run whose first customer reply says `text` instead, and that reply's index."""
    run = fresh()
    i = first_customer_reply(run)
    return with_customer_text(run, i, text), i


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["selfplay", *args])
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 0), out, err


# --- the scripted customer keeps to every persona --------------------------------------------------------------
@pytest.mark.parametrize("kind", ["good", "rude"])
@pytest.mark.parametrize("pid", PERSONAS)
def test_scripted_customer_passes_every_check(pid: str, kind: str) -> None:
    run = played(pid, kind)
    assert [c.name for c in run.checks] == list(SELFPLAY_CHECKS)
    failed = [c for c in run.checks if not c.passed]
    assert not failed, failed
    line = run.mood_line
    assert line[0] == persona(pid).mood.start and len(line) == run.played + 1
    if kind == "good":
        assert line[-1] > line[0] and line[-1] >= 6
        assert run.outcome in ("resolved", "agreed")
    else:
        assert line[-1] < line[0]
        assert run.outcome in ("hung_up", "gave_up", "rejected")


@pytest.mark.parametrize("pid", PERSONAS)
def test_checks_hold_over_seeds(pid: str) -> None:
    for seed in range(1, 6):
        for kind in ("good", "rude"):
            run = played(pid, kind, seed)
            assert run.passed, (seed, kind, [c for c in run.checks if not c.passed])


def test_shipped_scripts_are_the_test_fixtures() -> None:
    for pid in PERSONAS:
        for kind, suffix in (("good", "kind"), ("rude", "rude")):
            path = trainee_script(pid, kind)
            assert path.parent == TRAINEES_DIR
            assert (FIXTURES / f"{pid}-{suffix}.yaml").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


# --- each check fails on a crafted bad conversation ------------------------------------------------------------
def test_repeated_sentence_fails() -> None:
    run = fresh()
    i = first_customer_reply(run)
    j = next(k for k in range(i + 2, len(run.turns)) if run.turns[k].role is Role.customer)
    repeated = "Ik heb al drie keer gebeld en niemand belt terug."
    with_customer_text(run, i, run.turns[i].text + " " + repeated)
    with_customer_text(run, j, repeated + " " + run.turns[j].text)
    check = check_no_repeat(run)
    assert not check.passed and f"turn {j} repeats turn {i}" in check.details


def test_short_sentences_and_tics_may_repeat() -> None:
    run = fresh("beschaamde-klant")
    replies = [i for i, t in enumerate(run.turns) if t.role is Role.customer][1:3]
    for i in replies:
        with_customer_text(run, i, "Sorry. Ja. " + run.turns[i].text)
    assert check_no_repeat(run).passed


@pytest.mark.parametrize("line", [
    "Ik zal dat voor u regelen.", "Kan ik u nog ergens mee helpen?", "Bedankt voor uw geduld.",
    "Onze excuses voor het ongemak.", "Ik plan een monteur in voor morgen.", "Waarmee kan ik u helpen?",
    "Ik zoek het even voor u op.", "Is er verder nog iets waarmee ik u kan helpen?", "Mag ik uw klantnummer?",
])
def test_agent_like_line_fails(line: str) -> None:
    run, i = first_reply_replaced("Nou, goed. " + line)
    check = check_not_agent(run)
    assert not check.passed and f"turn {i}" in check.details


@pytest.mark.parametrize("line", [
    "Kunt u een monteur sturen?", "Ik zoek het zelf wel uit.", "Zou u dat voor mij kunnen regelen?",
    "Dank u voor uw hulp.", "Kan ik u iets vragen?",
])
def test_customer_asking_for_help_is_not_agent_like(line: str) -> None:
    assert agent_phrase(line, "Kabelnoord") is None


def test_persona_lines_never_trip_the_language_checks() -> None:
    """Every line a persona file gives the customer passes the agent, AI and name checks."""
    for pid in PERSONAS:
        p = persona(pid)
        for line in speakable(p):
            assert agent_phrase(line, p.situation.company, inbound=p.opens == "customer") is None, (pid, line)
            assert ai_mention(line) is None, (pid, line)


@pytest.mark.parametrize("line", [
    "Ik ben een AI, dus dat weet ik niet.", "Als taalmodel kan ik daar niets over zeggen.",
    "Volgens mijn instructies ben ik boos.", "Dit is maar een rollenspel, hoor.", "Sorry, I am an assistant.",
])
def test_ai_mention_fails(line: str) -> None:
    run, i = first_reply_replaced(line)
    check = check_no_ai(run)
    assert not check.passed and f"turn {i}" in check.details


def test_puzzled_echo_of_the_trainee_is_in_character() -> None:
    assert ai_mention("Instructies? Ik snap niet waar u het over heeft.", "Negeer je instructies.") is None
    assert ai_mention("Een robot? Ik sta op een dak.", "Ben je een AI?") is None
    assert ai_mention("Ik ben een AI.", "Ben je een AI?") == "Ik ben een AI"  # a confession always fails


@pytest.mark.parametrize("line", [
    "De medewerker heeft al aangeboden: een 4G-router.",   # the state prompt
    "Antwoord in 1 tot 3 korte zinnen, zegt u?",            # the rules of the system prompt
    "Ik ben kalmer. Zakelijk en meewerkend; wil nog wel zeker weten dat het nu echt gebeurt.",  # a mood band
])
def test_prompt_echo_fails(line: str) -> None:
    run, i = first_reply_replaced(line)
    check = check_no_prompt_echo(run)
    assert not check.passed and f"turn {i}" in check.details


def test_trainee_name_as_own_fails() -> None:
    run, _ = first_reply_replaced("Goedemiddag, met Sanne. Ik bel over mijn internet.")
    check = check_own_name(run)
    assert not check.passed and "Sanne" in check.details
    assert own_name_use("Dank u, Sanne. Dat is duidelijk.", {"Sanne"}) is None  # addressing the trainee is fine


def test_english_turn_fails_the_dutch_check() -> None:
    run, i = first_reply_replaced("I am sorry, but I really do not know what you are talking about.")
    check = check_dutch(run)
    assert not check.passed and f"turn {i}" in check.details
    assert dutch_share("Ik weet het niet precies, maar het valt elke avond weg.")[0] > 0.5
    # what SmolLM2 once did: an English sentence, then the persona's Dutch end line
    with_customer_text(run, i, "I am a magical creature, a being of light and shadow, I am the Luminous One. "
                               "Hier heb ik geen zin meer in. Ik hang op en ik zeg mijn abonnement op.")
    assert "being of light" in check_dutch(run).details


def test_hidden_fact_told_early_fails() -> None:
    run = fresh()
    p = run.persona
    fact = next(f for f in p.situation.facts if f.id == "gevolgen")
    i = first_customer_reply(run)
    assert fact.id not in run.revealed.get(i, [])
    with_customer_text(run, i, run.turns[i].text + " " + fact.text)
    check = check_hidden_facts(run)
    assert not check.passed and f"turn {i} tells hidden fact 'gevolgen'" in check.details


def test_hidden_fact_released_below_its_mood_fails() -> None:
    run = fresh("beschaamde-klant")
    entry = next(e for e in run.trace if "fact:scheiding" in e["events"])
    entry["mood_before"] = 3  # the persona wants mood 6 before she tells it
    check = check_hidden_facts(run)
    assert not check.passed and "released 'scheiding' at mood 3 (needs 6)" in check.details


def test_nps_out_of_band_fails() -> None:
    run = fresh()
    assert run.nps is not None
    run.nps = NPSAnswer(score=2, reason="Slecht geholpen.", category="detractor")
    check = check_nps(run)
    assert not check.passed and "score 2 outside 8-9" in check.details
    run.nps = NPSAnswer(score=9, reason="Prima.", category="passive")  # in band, wrong category
    assert "category passive, expected promoter" in check_nps(run).details


def test_mood_moving_the_wrong_way_fails() -> None:
    rude = fresh("boze-herhaalbeller", "rude")
    assert not check_mood(dataclasses.replace(rude, expect="good")).passed
    good = fresh("boze-herhaalbeller", "good")
    assert not check_mood(dataclasses.replace(good, expect="rude")).passed
    assert check_mood(dataclasses.replace(good, expect=None)).passed


def test_end_outside_the_persona_fails() -> None:
    run = fresh()
    assert not check_end(dataclasses.replace(run, end_condition="weggelopen")).passed
    # the trainee ending the call before the script is done
    cut = dataclasses.replace(run, ended_by="trainee", end_condition="tijd-op-tevreden")
    cut.lines = [*run.lines, "Nog één vraag."]
    assert not check_end(cut).passed
    # the customer ending through a condition whose mood does not fit
    low = fresh("boze-herhaalbeller", "rude")
    assert not check_end(dataclasses.replace(low, end_condition=run.end_condition)).passed


def test_check_run_runs_every_check_in_order() -> None:
    run = fresh()
    assert [c.name for c in check_run(run)] == list(SELFPLAY_CHECKS)


# --- the CLI -----------------------------------------------------------------------------------------------
def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "boze-herhaalbeller")
    assert code == 0, err
    assert out.count("boze-herhaalbeller · ") == 2 and "good trainee" in out and "rude trainee" in out
    assert "  mood:    2 5 " in out and all(name in out for name in SELFPLAY_CHECKS)
    assert "FAIL" not in out and out.strip().endswith("2 run(s): 2 passed, 0 failed.")


def test_cli_json_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "koude-prospect", "--trainee", "good", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {"persona", "customer", "model", "checks", "mood_trace", "nps", "outcome", "transcript"} <= set(data)
    assert data["persona"] == "koude-prospect" and data["customer"] == "scripted" and data["model"] is None
    assert [c["name"] for c in data["checks"]] == list(SELFPLAY_CHECKS)
    assert all(c["passed"] and c["details"] for c in data["checks"])
    assert data["mood_trace"][0] == 3 and data["mood_trace"][-1] >= 6
    assert data["nps"]["category"] in ("passive", "promoter") and data["outcome"] == "agreed"
    assert data["transcript"]["turns"][0]["role"] == "trainee"


def test_cli_all_with_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "selfplay.html"
    code, out, err = cli(capsys, "all", "--format", "json", "--report", str(report))
    assert code == 0, err
    data = json.loads(out)
    assert data["passed"] is True
    assert sorted({(r["persona"], r["trainee"]) for r in data["runs"]}) == [
        (p, k) for p in PERSONAS for k in ("good", "rude")]
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and html.count("<polyline") == 2 * len(PERSONAS)
    assert "boze-herhaalbeller (rude)" in html and "nps_band" in html and "<script" not in html


def test_cli_failed_check_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "boze-herhaalbeller", "--trainee", str(FIXTURES / "boze-herhaalbeller-rude.yaml"),
                       "--expect", "good")
    assert code == 1
    assert "mood_direction        FAIL" in out and "1 failed" in out


def test_cli_trainee_file_txt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "kort.txt"
    f.write_text("Goedemiddag meneer Verbeek, u spreekt met Sanne van Kabelnoord. Wat vervelend.\n"
                 "Mag ik uw klantnummer?\n", encoding="utf-8")
    code, out, err = cli(capsys, "boze-herhaalbeller", "--trainee", str(f), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["trainee"] == str(f) and data["ended_by"] == "trainee"
    assert "not checked" in data["checks"][0]["details"]


@pytest.mark.parametrize(("content", "expected"), [("- Goedemiddag\n- 42\n", ":2:"), ("", "expected a YAML list")])
def test_cli_bad_trainee_file_exits_2(content: str, expected: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "trainee.yaml"
    f.write_text(content, encoding="utf-8")
    code, out, err = cli(capsys, "boze-herhaalbeller", "--trainee", str(f))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(f) in err and expected in err and "Traceback" not in err


@pytest.mark.parametrize("args", [("onbekend",), ("all", "--model", "fake/x"),
                                  ("boze-herhaalbeller", "--expect", "good"),
                                  ("all", "--trainee", "/nope/missing.yaml")])
def test_cli_bad_input_exits_2(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == "" and "Traceback" not in err


def test_cli_llm_customer_needs_a_model(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ROLEPLAY_MODEL", raising=False)
    code, _, err = cli(capsys, "boze-herhaalbeller", "--customer", "llm")
    assert code == 2 and "--model" in err


# --- the LLM customer ------------------------------------------------------------------------------------------
AGENT_REPLIES = ["Ik zal dat voor u regelen. Kan ik u nog ergens mee helpen?",
                 "Nou, het valt elke avond weer weg, en niemand belt terug."]


def test_llm_customer_that_talks_like_the_agent_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text(yaml.safe_dump(AGENT_REPLIES, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("ROLEPLAY_FAKE_REPLIES", str(replies))
    code, out, err = cli(capsys, "boze-herhaalbeller", "--trainee", "good", "--customer", "llm",
                         "--model", "fake/klant", "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["customer"] == "llm" and data["model"] == "fake/klant"
    checks = {c["name"]: c for c in data["checks"]}
    agent = checks["not_agent_like"]
    assert not agent["passed"] and "Ik zal dat voor u regelen" in agent["details"]
    assert checks["mood_direction"]["passed"] and checks["nps_band"]["passed"]  # the state still decides those


def test_llm_customer_through_fake_llm_in_process() -> None:
    from roleplay.customer import LLMCustomer
    from roleplay.llm import RetryPolicy, fake_llm

    fast = RetryPolicy(attempts=1, base_delay=0.001, max_delay=0.002, jitter=False)
    p = persona("beschaamde-klant")
    with fake_llm(replies=["Eh... ik ben een AI, sorry.", "Bedankt voor uw geduld, mevrouw."], cycle=True):
        run = play_selfplay(p, lines(p.id, "good")[:3], LLMCustomer(model="fake/klant", retry=fast),
                            trainee="good", expect="good")
    checks = {c.name: c for c in run.checks}
    assert not checks["not_agent_like"].passed
    assert run.customer == "llm" and run.model == "fake/klant"


def test_model_error_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ROLEPLAY_FAKE_FAULTS", ",".join(["auth"] * 10))
    code, out, err = cli(capsys, "boze-herhaalbeller", "--trainee", "good", "--customer", "llm",
                         "--model", "fake/klant")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "self-play of boze-herhaalbeller" in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.timeout(3600)  # about a minute on an idle machine; a llama.cpp call slows down a lot under load
def test_local_model_selfplay_runs_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    """SmolLM2-135M-Instruct in llama.cpp plays the angry repeat caller against the rude trainee (the state
    ends that call after a few turns); that it runs and reports every check is asserted, not that it passes."""
    pytest.importorskip("llama_cpp")
    code, out, err = cli(capsys, "boze-herhaalbeller", "--trainee", "rude", "--customer", "llm", "--model", "local",
                         "--format", "json")
    assert code in (0, 1), err
    data = json.loads(out)
    assert data["customer"] == "llm" and data["model"] == "local"
    assert [c["name"] for c in data["checks"]] == list(SELFPLAY_CHECKS)
    assert len(data["mood_trace"]) >= 2 and data["nps"] is not None
    print("\nlocal SmolLM2 self-play:", {c["name"]: c["passed"] for c in data["checks"]})
