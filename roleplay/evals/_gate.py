"""CI gate: compare an eval report with the stored baseline (`evals/baseline.json`).

It fails when overall kappa drops by more than 0.02, any item's kappa by more than 0.10, an item of the
baseline is no longer measured, or grounding is below 100%. Improvements never fail; write a new
baseline (`roleplay eval --write-baseline evals/baseline.json`) to lock them in.
"""

import json
from pathlib import Path

from ..errors import InputError
from ..yamlfile import load
from ._report import BaselineComparison, Delta, EvalReport, Regression, _Out

KAPPA_DROP = 0.02
ITEM_KAPPA_DROP = 0.10
_EPS = 1e-9  # figures are rounded to 4 decimals; a drop of exactly the limit passes


class Baseline(_Out):
    judge: str
    model: str | None
    n_transcripts: int
    kappa: float | None
    accuracy: float | None
    not_met_recall: float | None
    grounding: float | None
    per_item_kappa: dict[str, float | None]


def baseline_of(report: EvalReport) -> Baseline:
    return Baseline(judge=report.judge, model=report.model, n_transcripts=report.n_transcripts,
                    kappa=report.kappa, accuracy=report.accuracy, not_met_recall=report.not_met_recall,
                    grounding=report.grounding.share,
                    per_item_kappa={item: a.kappa for item, a in sorted(report.per_item.items())})


def write_baseline(report: EvalReport, path: Path) -> Baseline:
    baseline = baseline_of(report)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(baseline.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the baseline ({exc.strerror})", file=path) from None
    return baseline


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a bad one is a ContentError naming file, line and field."""
    return load(Baseline, path)[0]


def _dropped(current: float, baseline: float, limit: float) -> bool:
    return current < baseline - limit - _EPS


def gate(report: EvalReport, baseline: Baseline, *, kappa_drop: float = KAPPA_DROP,
         item_kappa_drop: float = ITEM_KAPPA_DROP) -> list[Regression]:
    """The regressions of `report` against `baseline`; empty means the gate passes."""
    out: list[Regression] = []
    if baseline.kappa is not None and (report.kappa is None
                                       or _dropped(report.kappa, baseline.kappa, kappa_drop)):
        out.append(Regression(metric="kappa", baseline=baseline.kappa, current=report.kappa, limit=kappa_drop,
                              message=f"overall kappa {_fmt(report.kappa)} < baseline "
                                      f"{_fmt(baseline.kappa)} - {kappa_drop}"))
    for item, before in sorted(baseline.per_item_kappa.items()):
        if before is None:
            continue
        agreement = report.per_item.get(item)
        if agreement is None:
            out.append(Regression(metric="missing_item", item=item, baseline=before,
                                  message=f"{item}: in the baseline but not measured"))
            continue
        now = agreement.kappa
        if now is None or _dropped(now, before, item_kappa_drop):
            out.append(Regression(metric="item_kappa", item=item, baseline=before, current=now,
                                  limit=item_kappa_drop,
                                  message=f"{item}: kappa {_fmt(now)} < baseline {_fmt(before)} "
                                          f"- {item_kappa_drop}"))
    share = report.grounding.share
    if share is not None and share < 1.0:
        out.append(Regression(metric="grounding", baseline=baseline.grounding, current=share, limit=1.0,
                              message=f"grounding {share:.2%} < 100% ({len(report.grounding.failures)} "
                                      "quotes not verbatim from a trainee turn)"))
    return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _delta(baseline: float | None, current: float | None) -> Delta:
    d = None if baseline is None or current is None else round(current - baseline, 4)
    return Delta(baseline=baseline, current=current, delta=d)


def compare(report: EvalReport, baseline: Baseline, *, file: Path | None = None,
            kappa_drop: float = KAPPA_DROP, item_kappa_drop: float = ITEM_KAPPA_DROP) -> EvalReport:
    """A copy of `report` with the per-item comparison (`baseline`) and the gate's `regressions`."""
    items = sorted(set(baseline.per_item_kappa) | set(report.per_item))
    comparison = BaselineComparison(
        file=str(file) if file else None, judge=baseline.judge, model=baseline.model,
        kappa=_delta(baseline.kappa, report.kappa), accuracy=_delta(baseline.accuracy, report.accuracy),
        not_met_recall=_delta(baseline.not_met_recall, report.not_met_recall),
        grounding=_delta(baseline.grounding, report.grounding.share),
        per_item={i: _delta(baseline.per_item_kappa.get(i),
                            report.per_item[i].kappa if i in report.per_item else None) for i in items})
    regressions = gate(report, baseline, kappa_drop=kappa_drop, item_kappa_drop=item_kappa_drop)
    return report.model_copy(update={"baseline": comparison, "regressions": regressions})
