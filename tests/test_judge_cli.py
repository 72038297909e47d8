"""`roleplay judge` follows ../shared/formats.md: one JSON object, exit 0 / 2 / 1, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "roleplay", "judge", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_json_output_contract() -> None:
    r = run(str(FIX / "transcripts" / "weigering-aandringen.yaml"), "--format", "json")
    assert r.returncode == 0, r.stderr
    card = json.loads(r.stdout)  # exactly one JSON object
    assert card["judge"] == "rules" and card["model"] is None
    assert card["checklists"] == ["nee-zeggen", "slecht-nieuws"]
    for key in ("id", "verdict", "evidence", "reason", "tip", "source"):
        assert all(key in item for item in card["items"])
    assert {i["verdict"] for i in card["items"]} <= {"met", "not_met", "not_applicable", "unscored"}
    turns = [
        t["text"]
        for t in __import__("yaml").safe_load((FIX / "transcripts" / "weigering-aandringen.yaml").read_text())["turns"]
    ]
    for item in card["items"]:
        for ev in item["evidence"]:
            assert ev["quote"] in turns[ev["turn"]]
    counted = [i for i in card["items"] if i["verdict"] in ("met", "not_met")]
    assert card["score"] == round(100 * sum(i["verdict"] == "met" for i in counted) / len(counted), 1)


def test_checklist_flag_overrides_persona(tmp_path: Path) -> None:
    r = run(str(FIX / "transcripts" / "injection.yaml"), "--checklist", "naam-spellen", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["checklists"] == ["naam-spellen"]


def test_json_transcript_and_text_format(tmp_path: Path) -> None:
    src = __import__("yaml").safe_load((FIX / "transcripts" / "naam-onduidelijk.yaml").read_text())
    f = tmp_path / "t.json"
    f.write_text(json.dumps(src), encoding="utf-8")
    r = run(str(f))
    assert r.returncode == 0, r.stderr
    assert "naam-spellen" in r.stdout and "voldaan" in r.stdout and "Tip:" in r.stdout


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("transcript_unknown_role.yaml", "turns.1.role"),
        ("transcript_empty_turns.yaml", "turns: List should have at least 1 item"),
        ("transcript_unknown_persona.yaml", "unknown persona 'vrolijke-klant'"),
        ("transcript_unknown_checklist.yaml", "unknown checklist 'geen-idee'"),
        ("transcript_bad_yaml.yaml", "invalid YAML"),
        ("transcript_bad_json.json", "invalid JSON"),
    ],
)
def test_bad_transcripts_exit_2_with_one_line(name: str, words: str) -> None:
    path = FIX / "bad" / name
    r = run(str(path), "--format", "json")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert str(path) in line and words in line


def test_unreadable_and_missing_files() -> None:
    r = run("bestaat/niet.yaml")
    assert r.returncode == 2 and "bestaat/niet.yaml" in r.stderr and "not found" in r.stderr
    r = run(str(FIX / "transcripts" / "injection.yaml"), "--checklist", "onbekend")
    assert r.returncode == 2 and "unknown checklist 'onbekend'" in r.stderr


def test_model_failure_is_exit_1_not_a_traceback(tmp_path: Path) -> None:
    transcript = str(FIX / "transcripts" / "naam-duidelijk.yaml")
    r = run(transcript, "--judge", "llm", "--model", "openai/gpt-4o-mini", "--format", "json",
            env={"ROLEPLAY_ALLOW_MODEL_REQUESTS": "0"})
    # a forbidden model makes every item unscored (exit 0, never silently met or not met)
    assert "Traceback" not in r.stderr
    card = json.loads(r.stdout)
    assert {i["verdict"] for i in card["items"]} == {"unscored"}


def test_llm_judge_end_to_end_on_fake(tmp_path: Path) -> None:
    transcript = str(FIX / "transcripts" / "naam-duidelijk.yaml")
    r = run(transcript, "--judge", "llm", "--model", "fake/judge", "--format", "json")
    assert r.returncode == 0, r.stderr
    card = json.loads(r.stdout)
    assert card["judge"] == "llm" and card["model"] == "fake/judge"
