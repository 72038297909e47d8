"""ChecklistMetric, the transcript <-> ConversationalTestCase conversions and RoleplayModel, offline.

deepeval itself is only reached through roleplay.evals.deepeval_metric, which opts out of deepeval's
telemetry before importing it; deepeval names used here are imported inside the tests, after that.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from roleplay import paths
from roleplay.content import default_library, load_transcript
from roleplay.errors import InputError
from roleplay.evals.deepeval_metric import (
    ChecklistMetric,
    RoleplayModel,
    load_test_case,
    to_test_case,
    to_transcript,
)
from roleplay.llm import fake_llm
from roleplay.models import NPSAnswer, Role, Transcript, Turn

GOLDEN = paths.data_dir("golden")
GOOD = GOLDEN / "a01-wasmachine-voorbeeldig.yaml"
WEAK = GOLDEN / "a02-internetstoring-zwak.yaml"
OUTBOUND = GOLDEN / "b14-kantoorschoonmaak-afspraak.yaml"  # the trainee opens

NAME = Transcript(checklists=["naam-spellen"], turns=[
    Turn(role=Role.customer, text="Met ... eh ... Vrl... Verlinden, sorry. Ik bel over een aanmaning.", mood=3),
    Turn(role=Role.trainee, text="Ik heb uw naam niet goed verstaan. Hoe spel ik deze?", mood=3),
    Turn(role=Role.customer, text="V-E-R-L-I-N-D-E-N.", mood=4),
])


def test_telemetry_is_off_once_the_module_is_imported() -> None:
    import os

    import deepeval.telemetry

    assert os.environ["DEEPEVAL_TELEMETRY_OPT_OUT"] == "YES"
    assert deepeval.telemetry.telemetry_opt_out()  # type: ignore[no-untyped-call]


# --- conversions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [GOOD, OUTBOUND], ids=lambda p: p.stem)
@pytest.mark.parametrize("bot", ["trainee", "customer"])
def test_round_trip_keeps_the_transcript(path: Path, bot: Any) -> None:
    t = load_transcript(path, default_library()).transcript
    assert to_transcript(to_test_case(t, bot=bot)) == t


def test_trainee_is_the_assistant_and_the_customer_the_user() -> None:
    case = to_test_case(NAME)
    assert [(p.input, p.actual_output) for p in case.turns] == [
        (NAME.turns[0].text, NAME.turns[1].text), (NAME.turns[2].text, "")]
    assert case.turns[0].additional_metadata == {"mood": {"input": 3, "actual_output": 3}}
    flipped = to_test_case(NAME, bot="customer")
    assert [(p.input, p.actual_output) for p in flipped.turns] == [
        ("", NAME.turns[0].text), (NAME.turns[1].text, NAME.turns[2].text)]


def test_outbound_call_starts_with_an_empty_customer_side() -> None:
    case = load_test_case(OUTBOUND)
    first = load_transcript(OUTBOUND, default_library()).transcript.turns[0]
    assert first.role is Role.trainee
    assert (case.turns[0].input, case.turns[0].actual_output) == ("", first.text)


def test_metadata_carries_what_deepeval_has_no_field_for() -> None:
    t = NAME.model_copy(update={"nps": NPSAnswer(score=8, reason="Prima.", category="passive"), "notes": "x"})
    back = to_transcript(to_test_case(t))
    assert back.nps == t.nps and back.notes == "x" and back.checklists == ["naam-spellen"]
    case = load_test_case(GOOD)
    meta = case.additional_metadata or {}
    assert meta["persona"] == "boze-herhaalbeller" and meta["file"] == GOOD.name and case.name == GOOD.stem
    assert meta["checklists"] == default_library().personas["boze-herhaalbeller"].checklists
    assert set(meta["labels"]) == {it.id for it in default_library().items(meta["checklists"])}


def test_a_deepeval_user_can_build_the_case_by_hand() -> None:
    from deepeval.test_case.conversational_test_case import ConversationalTestCase
    from deepeval.test_case.llm_test_case import LLMTestCase

    case = ConversationalTestCase(turns=[LLMTestCase(input=NAME.turns[0].text, actual_output=NAME.turns[1].text)])
    t = to_transcript(case)
    assert [x.role for x in t.turns] == [Role.customer, Role.trainee] and t.persona is None


def test_bad_files_and_empty_cases_fail_clearly(tmp_path: Path) -> None:
    from deepeval.test_case.conversational_test_case import ConversationalTestCase
    from deepeval.test_case.llm_test_case import LLMTestCase

    bad = tmp_path / "t.yaml"
    bad.write_text("persona: niemand\nturns:\n  - role: trainee\n    text: Hallo\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.yaml:1: persona: unknown persona 'niemand'"):
        load_test_case(bad)
    with pytest.raises(ValueError, match="no turn with text"):
        to_transcript(ConversationalTestCase(turns=[LLMTestCase(input=" ", actual_output="")]))


# --- ChecklistMetric ------------------------------------------------------------------------------------

def test_measure_sets_score_success_reason_and_a_full_breakdown() -> None:
    metric = ChecklistMetric()  # the checklists come from the test case (its persona)
    case = load_test_case(WEAK)
    score = metric.measure(case, _show_indicator=False)
    card = metric.scorecard
    assert card is not None and card.judge == "rules" and card.score is not None
    assert score == metric.score == pytest.approx(card.score / 100)
    assert score is not None and metric.success is (score >= 0.5) and metric.is_successful() is metric.success
    assert set(metric.score_breakdown) == {it.id for it in card.items}
    for it in card.items:
        entry = metric.score_breakdown[it.id]
        assert entry["verdict"] == it.verdict.value and entry["reason"] == it.reason and entry["tip"] == it.tip
        assert entry["evidence"] == [e.model_dump() for e in it.evidence]
    assert metric.reason is not None and metric.reason.startswith(f"Score {card.score:.0f} van 100")
    assert "Niet voldaan:" in metric.reason and "Per checklist:" in metric.reason
    json.dumps(metric.score_breakdown)  # deepeval stores it as JSON


def test_checklist_ids_narrow_what_is_scored() -> None:
    metric = ChecklistMetric("actief-luisteren")
    metric.measure(load_test_case(GOOD), _show_indicator=False)
    assert {i.split(".")[0] for i in metric.score_breakdown} == {"actief-luisteren"}
    assert metric.__name__ == "Checklist (actief-luisteren)"
    assert ChecklistMetric(["actief-luisteren", "slecht-nieuws"]).checklists == ["actief-luisteren", "slecht-nieuws"]


def test_a_measure_gives_the_same_result() -> None:
    case = load_test_case(GOOD)
    sync, asyn = ChecklistMetric(threshold=0.9), ChecklistMetric(threshold=0.9)
    sync.measure(case, _show_indicator=False)
    assert asyncio.run(asyn.a_measure(case, _show_indicator=False)) == sync.score
    assert (asyn.success, asyn.reason, asyn.score_breakdown) == (sync.success, sync.reason, sync.score_breakdown)


def test_threshold_and_strict_mode() -> None:
    case = load_test_case(WEAK)
    low = ChecklistMetric(threshold=0.0)
    low.measure(case, _show_indicator=False)
    assert low.is_successful()
    strict = ChecklistMetric(strict_mode=True)
    strict.measure(case, _show_indicator=False)
    assert strict.threshold == 1.0 and strict.score == 0.0 and not strict.is_successful()


def test_deepeval_can_copy_the_metric() -> None:
    from deepeval.metrics.utils import copy_metrics

    original = ChecklistMetric(["actief-luisteren"], threshold=0.7, include_reason=False)
    (copy,) = copy_metrics([original])
    assert isinstance(copy, ChecklistMetric) and copy is not original
    assert (copy.checklists, copy.threshold, copy.judge, copy.include_reason) == (["actief-luisteren"], 0.7, "rules",
                                                                                 False)
    copy.measure(load_test_case(GOOD), _show_indicator=False)
    assert copy.reason is None and copy.score is not None


def test_assert_test_passes_and_fails_on_the_threshold() -> None:
    from deepeval import assert_test
    from deepeval.metrics.base_metric import BaseConversationalMetric

    case = load_test_case(WEAK)
    passing: list[BaseConversationalMetric] = [ChecklistMetric(threshold=0.0)]
    assert_test(case, passing)
    failing: list[BaseConversationalMetric] = [ChecklistMetric(threshold=0.9)]
    with pytest.raises(AssertionError, match=r"Checklist .*score: 0\.\d+, threshold: 0\.9"):
        assert_test(case, failing)


def test_no_checklists_anywhere_is_a_missing_parameter() -> None:
    from deepeval.errors import MissingTestCaseParamsError

    bare = Transcript(turns=NAME.turns)
    metric = ChecklistMetric()
    with pytest.raises(MissingTestCaseParamsError):
        metric.measure(to_test_case(bare), _show_indicator=False)
    assert metric.error and not metric.is_successful()


def test_nothing_to_score_is_an_error_not_a_pass() -> None:
    clear = Transcript(checklists=["naam-spellen"], turns=[
        Turn(role=Role.customer, text="Goedemiddag, met Jansen."), Turn(role=Role.trainee, text="Dag meneer Jansen.")])
    metric = ChecklistMetric()
    assert metric.measure(to_test_case(clear), _show_indicator=False) is None
    assert all(v["verdict"] == "not_applicable" for v in metric.score_breakdown.values())
    assert metric.error and not metric.is_successful()


def test_bad_arguments_fail_at_construction() -> None:
    with pytest.raises(InputError, match="unknown checklist 'bestaat-niet'"):
        ChecklistMetric("bestaat-niet")
    with pytest.raises(InputError, match="threshold"):
        ChecklistMetric(threshold=50)
    with pytest.raises(ValueError, match="unknown judge"):
        ChecklistMetric(judge="magie")


def test_llm_judge_behind_the_metric_on_the_fake_provider() -> None:
    reply = {"items": [
        {"id": "naam-spellen.reden-noemen", "reasoning": "Je noemde de reden.", "verdict": "met",
         "evidence": [{"turn": 1, "quote": "Ik heb uw naam niet goed verstaan."}]},
        {"id": "naam-spellen.laten-spellen", "reasoning": "Je liet spellen.", "verdict": "met",
         "evidence": [{"turn": 1, "quote": "Hoe spel ik deze?"}]},
    ]}
    with fake_llm([reply], name="judge") as fake:
        metric = ChecklistMetric("naam-spellen", judge="llm", model="fake/judge")
        assert metric.measure(to_test_case(NAME), _show_indicator=False) == 1.0
    assert len(fake.calls) == 1 and metric.evaluation_model == "roleplay llm (fake/judge)"
    assert metric.score_breakdown["naam-spellen.laten-spellen"]["evidence"] == [{"turn": 1,
                                                                                 "quote": "Hoe spel ik deze?"}]


# --- RoleplayModel --------------------------------------------------------------------------------------

class _Steps(BaseModel):
    steps: list[str]


def test_roleplay_model_parses_into_deepevals_schema_and_counts() -> None:
    with fake_llm(['Hier: ```json\n{"steps": ["a", "b"]}\n```', "vrije tekst"], name="peer") as fake:
        model = RoleplayModel("fake/peer")
        assert model.generate("geef stappen", schema=_Steps) == _Steps(steps=["a", "b"])
        assert asyncio.run(model.a_generate("zeg iets")) == "vrije tekst"
    assert model.calls == 2 and model.get_model_name() == "fake/peer"
    assert model.prompt_tokens == fake.prompt_tokens and model.completion_tokens == fake.completion_tokens
    assert fake.calls[0].params["response_format"]["type"] == "json_schema"  # structured output, no logprobs
    assert "logprobs" not in fake.calls[0].params and "top_logprobs" not in fake.calls[0].params
    assert not hasattr(model, "generate_raw_response")  # deepeval's G-Eval then takes its plain path


def test_roleplay_model_says_which_reply_was_not_json() -> None:
    with fake_llm(["geen json"], name="peer"), pytest.raises(ValueError, match="fake/peer did not answer"):
        RoleplayModel("fake/peer").generate("x", schema=_Steps)


def test_roleplay_model_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLEPLAY_JUDGE_MODEL", raising=False)
    monkeypatch.delenv("ROLEPLAY_MODEL", raising=False)
    with pytest.raises(InputError, match="ROLEPLAY_JUDGE_MODEL"):
        RoleplayModel()
