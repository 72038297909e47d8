"""`roleplay play` with a trainee file: the transcript format of ../shared/formats.md plus mood and NPS;
bad trainee files give exit 2 and one line naming the file."""

import json
from pathlib import Path

import pytest
import yaml

from roleplay.cli import main
from roleplay.models import Transcript

TRAINEE = Path(__file__).parent / "fixtures" / "trainee"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["play", *args])
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 0), out, err


def check_transcript(data: dict, persona_id: str, first: str) -> Transcript:  # type: ignore[type-arg]
    t = Transcript.model_validate(data)
    assert t.persona == persona_id
    assert t.turns[0].role.value == first
    assert all(turn.mood is not None and 0 <= turn.mood <= 10 for turn in t.turns)
    assert [turn.role.value for turn in t.turns[:2]] != [first, first]
    assert t.nps is not None and 0 <= t.nps.score <= 10 and t.nps.reason
    assert set(data["nps"]) == {"score", "reason", "category"}
    return t


def test_text_format_is_a_yaml_transcript(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "boze-herhaalbeller", "--trainee", str(TRAINEE / "boze-herhaalbeller-kind.yaml"),
                         "--seed", "0")
    assert code == 0, err
    t = check_transcript(yaml.safe_load(out), "boze-herhaalbeller", "customer")
    assert t.nps is not None and t.nps.category in ("passive", "promoter")
    trainee_turns = [x.text for x in t.turns if x.role.value == "trainee"]
    assert trainee_turns == yaml.safe_load((TRAINEE / "boze-herhaalbeller-kind.yaml").read_text())[:len(trainee_turns)]


def test_json_format_and_the_trainee_opens(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "koude-prospect", "--trainee", str(TRAINEE / "koude-prospect-kind.yaml"),
                         "--format", "json")
    assert code == 0, err
    check_transcript(json.loads(out), "koude-prospect", "trainee")


def test_same_seed_same_transcript(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("besluiteloze-koper", "--trainee", str(TRAINEE / "besluiteloze-koper-kind.yaml"), "--seed", "5")
    assert run(capsys, *args)[1] == run(capsys, *args)[1]


def test_customer_ending_early_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "boze-herhaalbeller", "--trainee", str(TRAINEE / "boze-herhaalbeller-rude.yaml"))
    assert code == 0
    assert "not played" in err
    data = yaml.safe_load(out)
    assert data["nps"]["category"] == "detractor" and "klant" in data["notes"]


def test_txt_trainee_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "trainee.txt"
    f.write_text("# een korte oefening\nGoedemiddag, u spreekt met Mark van Belmobiel.\n\n"
                 "Ik heb uw naam niet goed verstaan. Hoe spel ik die?\n", encoding="utf-8")
    code, out, err = run(capsys, "beschaamde-klant", "--trainee", str(f))
    assert code == 0, err
    t = check_transcript(yaml.safe_load(out), "beschaamde-klant", "customer")
    assert [x.text for x in t.turns if x.role.value == "trainee"] == [
        "Goedemiddag, u spreekt met Mark van Belmobiel.", "Ik heb uw naam niet goed verstaan. Hoe spel ik die?"]


BAD = {
    "mapping.yaml": ("turns:\n  - role: trainee\n    text: Hallo\n", "expected a YAML list"),
    "number.yaml": ("- Goedemiddag\n- 42\n", ":2:"),
    "empty-item.yaml": ("- Goedemiddag\n- '  '\n", "message 2 is empty"),
    "empty.yaml": ("", "expected a YAML list"),
    "broken.yaml": ("- 'Goedemiddag\n- Hallo\n", "invalid YAML"),
    "blank.txt": ("\n# alleen commentaar\n\n", "no trainee messages"),
    "trainee.csv": ("Goedemiddag\n", ".yaml, .yml or .txt"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_trainee_file(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, expected = BAD[name]
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "boze-herhaalbeller", "--trainee", str(f))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(f) in err and expected in err


def test_missing_trainee_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "nope.yaml"
    code, _, err = run(capsys, "boze-herhaalbeller", "--trainee", str(f))
    assert code == 2 and str(f) in err and len(err.strip().splitlines()) == 1


def test_unknown_persona(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "onbekend", "--trainee", str(TRAINEE / "boze-herhaalbeller-kind.yaml"))
    assert code == 2 and "unknown persona 'onbekend'" in err and len(err.strip().splitlines()) == 1


def test_llm_customer_not_available_yet(capsys: pytest.CaptureFixture[str]) -> None:
    import roleplay.customer

    if hasattr(roleplay.customer, "LLMCustomer"):
        pytest.skip("the LLM customer exists (see test_llm_customer_with_a_fake_model)")
    code, _, err = run(capsys, "boze-herhaalbeller", "--customer", "llm",
                       "--trainee", str(TRAINEE / "boze-herhaalbeller-kind.yaml"))
    assert code == 2 and "not available yet" in err and len(err.strip().splitlines()) == 1


def test_llm_customer_with_a_fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import roleplay.customer

    if not hasattr(roleplay.customer, "LLMCustomer"):
        pytest.skip("no LLM customer yet")
    replies = tmp_path / "replies.yaml"
    replies.write_text('- "Met Verbeek. Ik heb al drie keer gebeld."\n- "Klantnummer 2087 4416."\n',
                       encoding="utf-8")
    monkeypatch.setenv("ROLEPLAY_FAKE_REPLIES", str(replies))
    trainee = tmp_path / "t.txt"
    trainee.write_text("Goedemiddag, u spreekt met Sanne van Kabelnoord.\nWat is uw klantnummer?\n", encoding="utf-8")
    code, out, err = run(capsys, "boze-herhaalbeller", "--customer", "llm", "--model", "fake/klant",
                         "--trainee", str(trainee), "--format", "json")
    assert code == 0, err
    t = check_transcript(json.loads(out), "boze-herhaalbeller", "customer")
    assert len(t.turns) == 5 and "llm" in (t.notes or "")


def test_model_needs_llm_customer(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "boze-herhaalbeller", "--model", "fake/echo",
                       "--trainee", str(TRAINEE / "boze-herhaalbeller-kind.yaml"))
    assert code == 2 and "--model" in err


def test_interactive_chat_until_eof(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Goedemiddag, u spreekt met Sanne. Wat is uw klantnummer?\n/stop\n"))
    code, out, err = run(capsys, "boze-herhaalbeller", "--seed", "1")
    assert code == 0, err
    assert "2087 4416" in out and "aanbevelen" in out
