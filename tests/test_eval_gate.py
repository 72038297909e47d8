"""The CI gate: unit tests of the gate logic on synthetic reports, and the rule judge on the golden set
against `evals/baseline.json`."""

import json
from pathlib import Path

import pytest

from roleplay import paths
from roleplay.content import load_library
from roleplay.errors import ContentError
from roleplay.evals import (
    Agreement,
    Baseline,
    Consistency,
    EvalReport,
    Grounding,
    baseline_of,
    compare,
    gate,
    golden_files,
    load_baseline,
    run_eval,
    write_baseline,
)
from roleplay.judge import make_judge

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "evals" / "baseline.json"
MIN_GOLDEN = 48


def _report(kappa: float | None, items: dict[str, float | None], grounding: float | None = 1.0) -> EvalReport:
    def agreement(k: float | None) -> Agreement:
        return Agreement(n=10, accuracy=0.9, kappa=k, not_met_recall=0.8, unscored=0,
                         support={"met": 5, "not_met": 4, "not_applicable": 1},
                         predicted={"met": 5, "not_met": 4, "not_applicable": 1, "unscored": 0})

    quotes = 100 if grounding is not None else 0
    grounded = round(quotes * (grounding or 0))
    return EvalReport(
        judge="rules", model=None, golden="evals/golden", n_transcripts=48, n=10 * len(items), samples=1,
        kappa=kappa, accuracy=0.9, not_met_recall=0.8, unscored=0, judge_errors=0, confusion={},
        per_item={i: agreement(k) for i, k in items.items()}, per_checklist={},
        consistency=Consistency(samples=1, source="single", n=0, fleiss_kappa=None, flip_rate=None,
                                flipped=[], per_item={}),
        invariance=None, sensitivity=None,
        grounding=Grounding(quotes=quotes, verbatim=grounded, trainee_turn=quotes, grounded=grounded,
                            share=grounding, failures=[]),
        disagreements=[])


BASE = _report(0.70, {"a.x": 0.80, "a.y": 0.50, "b.z": None})


def test_gate_passes_on_the_same_figures() -> None:
    assert gate(BASE, baseline_of(BASE)) == []


def test_gate_overall_kappa_limit() -> None:
    base = baseline_of(BASE)
    assert gate(_report(0.68, {"a.x": 0.80, "a.y": 0.50}), base) == []  # a drop of exactly 0.02 passes
    fails = gate(_report(0.6799, {"a.x": 0.80, "a.y": 0.50}), base)
    assert [(r.metric, r.baseline, r.current, r.limit) for r in fails] == [("kappa", 0.70, 0.6799, 0.02)]
    assert gate(_report(None, {"a.x": 0.80, "a.y": 0.50}), base)[0].metric == "kappa"
    assert gate(_report(0.95, {"a.x": 0.80, "a.y": 0.50}), base) == []  # better never fails


def test_gate_item_kappa_limit() -> None:
    base = baseline_of(BASE)
    assert gate(_report(0.70, {"a.x": 0.70, "a.y": 0.40}), base) == []  # drops of exactly 0.10 pass
    fails = gate(_report(0.70, {"a.x": 0.6899, "a.y": 0.9, "b.z": 0.1}), base)
    assert [(r.metric, r.item) for r in fails] == [("item_kappa", "a.x")]  # b.z had no baseline kappa
    assert "a.x" in fails[0].message
    fails = gate(_report(0.70, {"a.x": None, "a.y": 0.5}), base)
    assert [(r.metric, r.item, r.current) for r in fails] == [("item_kappa", "a.x", None)]


def test_gate_missing_item_and_new_item() -> None:
    base = baseline_of(BASE)
    fails = gate(_report(0.70, {"a.x": 0.80, "c.new": 0.0}), base)
    assert [(r.metric, r.item) for r in fails] == [("missing_item", "a.y")]  # a new item is not a failure


def test_gate_grounding_must_be_complete() -> None:
    base = baseline_of(BASE)
    fails = gate(_report(0.70, {"a.x": 0.80, "a.y": 0.50}, grounding=0.99), base)
    assert [(r.metric, r.current, r.limit) for r in fails] == [("grounding", 0.99, 1.0)]
    assert gate(_report(0.70, {"a.x": 0.80, "a.y": 0.50}, grounding=None), base) == []  # no quotes


def test_compare_adds_deltas_and_regressions() -> None:
    worse = compare(_report(0.60, {"a.x": 0.85, "a.y": 0.30}), baseline_of(BASE), file=Path("b.json"))
    assert worse.baseline is not None and worse.regressions is not None
    assert worse.baseline.kappa.delta == pytest.approx(-0.10)
    assert worse.baseline.per_item["a.x"].delta == pytest.approx(0.05)
    assert worse.baseline.per_item["b.z"].delta is None
    assert [(r.metric, r.item) for r in worse.regressions] == [("kappa", None), ("item_kappa", "a.y")]
    data = worse.to_json()
    assert data["baseline"]["file"] == "b.json" and len(data["regressions"]) == 2
    assert "regressions" not in BASE.to_json()


def test_baseline_roundtrip_and_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "evals" / "baseline.json"
    written = write_baseline(BASE, path)
    assert load_baseline(path) == written
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == {"judge", "model", "n_transcripts", "kappa", "accuracy", "not_met_recall",
                           "grounding", "per_item_kappa"}
    assert stored["per_item_kappa"] == {"a.x": 0.8, "a.y": 0.5, "b.z": None}

    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "judge": "rules",\n  "model": null,\n  "n_transcripts": "many"\n}\n',
                   encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        load_baseline(bad)
    assert exc.value.line == 4 and exc.value.field == "n_transcripts"
    with pytest.raises(ContentError, match="file not found"):
        load_baseline(tmp_path / "nope.json")
    assert isinstance(Baseline.model_json_schema(), dict)


def test_rule_judge_meets_the_baseline() -> None:
    """The CI gate proper: the rule judge on the whole golden set against evals/baseline.json."""
    golden = paths.data_dir("golden")
    n = len(golden_files(golden)) if golden.is_dir() else 0
    if n < MIN_GOLDEN:
        pytest.skip(f"golden set has {n} transcripts, the gate needs at least {MIN_GOLDEN}")
    if not BASELINE.is_file():
        pytest.skip("no baseline yet: write it with `roleplay eval --write-baseline evals/baseline.json`")
    library = load_library()
    report = run_eval(make_judge("rules", library=library), golden, library=library,
                      judge_factory=lambda lib: make_judge("rules", library=lib))
    regressions = gate(report, load_baseline(BASELINE))
    assert not regressions, "\n".join(r.message for r in regressions)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a few structured calls on 2 CPU cores
@pytest.mark.skipif(__import__("importlib").util.find_spec("llama_cpp") is None,
                    reason="llama-cpp-python is not installed (pip install 'roleplay[local]')")
def test_llm_judge_pipeline_on_the_local_model(capsys: pytest.CaptureFixture[str]) -> None:
    """The LLM judge end to end on a small golden subset with the real local model: no quality gate (the
    135M model is not a judge), but every figure is computed and every kept quote is grounded."""
    from dataclasses import replace

    from roleplay.content import default_library
    from roleplay.evals import load_golden, run_eval
    from roleplay.judge import make_judge

    lib = default_library()
    cases = sorted(load_golden(paths.data_dir("golden"), lib),
                   key=lambda c: sum(len(t.text) for t in c.transcript.turns))
    # one short transcript, one checklist: a single structured call (plus a re-ask), minutes at most on 2 cores
    case = next(c for c in cases if "naam-spellen" in c.checklists)
    subset = [replace(case, checklists=["naam-spellen"],
                      labels={k: v for k, v in case.labels.items() if k.startswith("naam-spellen.")})]
    report = run_eval(make_judge("llm", model="local", library=lib), cases=subset, library=lib, checks=())
    assert report.grounding.share == 1.0
    assert report.n == sum(len(lib.items(c.checklists)) for c in subset)
    with capsys.disabled():
        print(f"\nLLM judge, SmolLM2-135M-Instruct Q4_1 via llama.cpp (pipeline check, not a quality figure), "
              f"{[c.file for c in subset]}: accuracy {report.accuracy}, kappa {report.kappa}, "
              f"unscored {report.unscored}/{report.n}")
