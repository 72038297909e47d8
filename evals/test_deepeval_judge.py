"""The rule judge through deepeval: `ChecklistMetric` on golden transcripts, checked against the hand labels.

    DEEPEVAL_TELEMETRY_OPT_OUT=YES deepeval test run evals/test_deepeval_judge.py
    /work/venv/bin/python -m pytest evals/test_deepeval_judge.py -q          (the same, without deepeval's CLI)

Offline: the rule judge needs no model. The transcripts are a fixed rule-picked subset (the first two golden
files of each persona, by name), so this is a regression check of the judge seen through deepeval, not a
measurement; `roleplay eval` measures the judge on the whole golden set.

- A trainee whose labels score at least 80 passes `ChecklistMetric(threshold=0.7)` under `assert_test`; one
  whose labels score at most 30 fails `ChecklistMetric(threshold=0.5)`.
- `LabelAgreement` (below) wraps `ChecklistMetric` and compares its breakdown with the labels: at least
  AGREEMENT of the items get the labelled verdict, the metric's score is within SCORE_TOLERANCE of the score
  the labels give, and every item that `evals/baseline.json` (when present, for the rules judge) measured
  with kappa >= RELIABLE_KAPPA gets exactly its label.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from deepeval import assert_test
from deepeval.metrics.base_metric import BaseConversationalMetric
from deepeval.test_case.conversational_test_case import ConversationalTestCase

from roleplay import paths
from roleplay.content import default_library
from roleplay.evals import golden_files
from roleplay.evals.deepeval_metric import ChecklistMetric, load_test_case
from roleplay.models import ItemResult, Verdict, score_of

PER_PERSONA = 2
AGREEMENT = 0.8
SCORE_TOLERANCE = 0.15
RELIABLE_KAPPA = 0.9  # items the baseline measures this reliable must match their label exactly
BASELINE = Path(__file__).parent / "baseline.json"


def _subset() -> list[Path]:
    """The first PER_PERSONA golden files of each persona, by file name."""
    lib = default_library()
    taken: dict[str, list[Path]] = {}
    for path in golden_files(paths.data_dir("golden")):
        persona = load_test_case(path, library=lib).additional_metadata["persona"]  # type: ignore[index]
        if len(taken.setdefault(persona, [])) < PER_PERSONA:
            taken[persona].append(path)
    return [p for ps in taken.values() for p in ps]


CASES = _subset()


def label_score(labels: dict[str, str]) -> float | None:
    """The score the hand labels give, 0..1 (same rule as the judge's score)."""
    items = [ItemResult(id=k, verdict=Verdict(v), reason="", source="") for k, v in labels.items()]
    score = score_of(items)
    return None if score is None else score / 100.0


@cache
def reliable_items() -> frozenset[str]:
    """Items the stored baseline of the rules judge measured as reliable; none without a baseline."""
    if not BASELINE.is_file():
        return frozenset()
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    if data.get("judge") != "rules":
        return frozenset()
    return frozenset(k for k, v in data.get("per_item_kappa", {}).items() if v is not None and v >= RELIABLE_KAPPA)


class LabelAgreement(BaseConversationalMetric):
    """ChecklistMetric (rule judge) compared with the golden labels in the test case's metadata.

    score = share of items whose verdict equals the label. success = score >= threshold, the metric's score
    within `tolerance` of the labels' score, and every item in `reliable` equal to its label.
    """

    def __init__(self, threshold: float = AGREEMENT, tolerance: float = SCORE_TOLERANCE,
                 reliable: frozenset[str] = frozenset(), async_mode: bool = True, strict_mode: bool = False,
                 verbose_mode: bool = False) -> None:
        self.threshold = threshold
        self.tolerance = tolerance
        self.reliable = reliable
        self.async_mode = async_mode
        self.strict_mode = strict_mode
        self.verbose_mode = verbose_mode
        self.evaluation_model = "roleplay rules vs golden labels"
        self.include_reason = True

    @property
    def __name__(self) -> str:
        return "Label agreement (rules)"

    def measure(self, test_case: ConversationalTestCase, _show_indicator: bool = True,
                *args: Any, **kwargs: Any) -> float:
        inner = ChecklistMetric()  # checklists from the test case
        inner.measure(test_case, _show_indicator=False)
        labels: dict[str, str] = (test_case.additional_metadata or {})["labels"]
        verdicts = {item: v["verdict"] for item, v in inner.score_breakdown.items()}
        wrong = sorted(item for item, gold in labels.items() if verdicts.get(item) != gold)
        self.score = 1 - len(wrong) / len(labels)
        gold_score = label_score(labels)
        off = None if gold_score is None or inner.score is None else abs(inner.score - gold_score)
        broken = sorted(set(wrong) & self.reliable)
        self.score_breakdown = {item: {"label": labels[item], "verdict": verdicts.get(item),
                                       "reason": inner.score_breakdown.get(item, {}).get("reason")}
                                for item in wrong}
        self.success = (self.score >= self.threshold and off is not None and off <= self.tolerance
                        and not broken)
        self.reason = (f"{len(labels) - len(wrong)}/{len(labels)} items gelijk aan het label; score judge "
                       f"{inner.score}, score labels {gold_score}"
                       + (f"; afwijkend: {', '.join(f'{i} ({labels[i]} -> {verdicts.get(i)})' for i in wrong)}"
                          if wrong else "")
                       + (f"; betrouwbare items fout: {', '.join(broken)}" if broken else ""))
        return self.score

    async def a_measure(self, test_case: ConversationalTestCase,
                        _show_indicator: bool = True, *args: Any, **kwargs: Any) -> float:
        return self.measure(test_case, _show_indicator=False)  # the rule judge takes milliseconds

    def is_successful(self) -> bool:
        return bool(self.success) and self.error is None


def _case(path: Path) -> tuple[ConversationalTestCase, dict[str, Any]]:
    case = load_test_case(path)
    return case, case.additional_metadata or {}


def test_subset_covers_every_persona() -> None:
    personas = {_case(p)[1]["persona"] for p in CASES}
    assert personas == set(default_library().personas), [p.name for p in CASES]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_rule_judge_agrees_with_labels(path: Path) -> None:
    case, _ = _case(path)
    metrics: list[BaseConversationalMetric] = [LabelAgreement(reliable=reliable_items())]
    assert_test(case, metrics)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_metric_gates_on_labelled_quality(path: Path) -> None:
    case, meta = _case(path)
    gold = label_score(meta["labels"])
    assert gold is not None
    if gold >= 0.8:
        metrics: list[BaseConversationalMetric] = [ChecklistMetric(threshold=0.7)]
        assert_test(case, metrics)
    elif gold <= 0.3:
        metric = ChecklistMetric(threshold=0.5)
        metric.measure(case, _show_indicator=False)
        assert not metric.is_successful(), metric.reason
    else:
        pytest.skip(f"labels score {gold:.2f}: neither clearly good nor clearly weak")
