"""What `run_eval` returns and `roleplay eval --format json` prints. Figures are rounded to 4 decimals."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Agreement(_Out):
    n: int = Field(description="Labelled items compared.")
    accuracy: float | None = Field(description="Share of items where the judge gave the gold label.")
    kappa: float | None = Field(description="Cohen's kappa, gold vs judge (nominal; unscored disagrees).")
    not_met_recall: float | None = Field(description="Share of gold not_met the judge called not_met.")
    unscored: int = Field(description="Items the judge answered 'unscored'.")
    support: dict[str, int] = Field(description="Gold label counts.")
    predicted: dict[str, int] = Field(description="Judge verdict counts (incl. unscored).")


class Disagreement(_Out):
    file: str
    item: str
    gold: str
    predicted: str
    reason: str = Field(description="The judge's reason.")


class FlipCase(_Out):
    file: str
    item: str
    verdicts: list[str] = Field(description="The verdict of each sample.")


class ItemConsistency(_Out):
    n: int
    fleiss_kappa: float | None
    flip_rate: float | None


class Consistency(_Out):
    samples: int = Field(description="Judge samples per transcript (K); figures are null when K < 2.")
    source: str = Field(description="'judge' (the judge's own samples) or 'repeat' (score called K times).")
    n: int = Field(description="Items with K samples each.")
    fleiss_kappa: float | None
    flip_rate: float | None = Field(description="Share of items whose K samples are not unanimous.")
    flipped: list[FlipCase]
    per_item: dict[str, ItemConsistency]


class VerdictChange(_Out):
    file: str
    item: str
    before: str
    after: str


class InvarianceCheck(_Out):
    transform: str
    description: str
    transcripts: int = Field(description="Transcripts rescored after the transform.")
    skipped: int = Field(description="Transcripts the transform left unchanged (nothing to rename, ...).")
    n: int = Field(description="Verdicts compared.")
    unchanged: int
    share: float | None = Field(description="Share of verdicts unchanged (should be 1.0).")
    changed: list[VerdictChange]
    exempt: list[str] = Field(description="Item ids not compared for this transform, and why in the docs.")


class SensitivityCase(_Out):
    file: str
    item: str
    removed_turns: list[int] = Field(description="Turn indices (in the original) that were removed.")
    after: str = Field(description="The verdict after the removal.")
    evidence_after: list[int] = Field(
        default_factory=list,
        description="Turns (original indices) the judge cited after the removal: another occurrence?")


class Sensitivity(_Out):
    tested: int = Field(description="Correct `met` verdicts whose evidence turns were removed.")
    became_not_met: int
    share: float | None = Field(description="became_not_met / tested (should be 1.0).")
    still_met: list[SensitivityCase]
    became_not_applicable: list[SensitivityCase]
    other: list[SensitivityCase] = Field(description="Became unscored.")
    skipped_no_evidence: int = Field(description="Correct `met` verdicts without evidence turns.")
    skipped_avoid: int = Field(description="Correct `met` verdicts of 'avoid' items (met = absent).")


class GroundingFailure(_Out):
    run: str = Field(description="Which scoring run: main, sample-2, rename, whitespace, ...")
    file: str
    item: str
    turn: int
    quote: str
    problem: str


class Grounding(_Out):
    quotes: int = Field(description="Evidence quotes checked, over every run of the judge.")
    verbatim: int = Field(description="Quotes that are a verbatim substring of the cited turn.")
    trainee_turn: int = Field(description="Quotes whose cited turn exists and is a trainee turn.")
    grounded: int = Field(description="Quotes that are both.")
    share: float | None = Field(description="grounded / quotes; must be 1.0 (null when no quotes).")
    failures: list[GroundingFailure]


class Delta(_Out):
    baseline: float | None
    current: float | None
    delta: float | None


class Regression(_Out):
    metric: str = Field(description="'kappa', 'item_kappa', 'grounding' or 'missing_item'.")
    item: str | None = None
    baseline: float | None = None
    current: float | None = None
    limit: float | None = Field(default=None, description="The allowed drop (or the required minimum).")
    message: str


class BaselineComparison(_Out):
    file: str | None
    judge: str
    model: str | None
    kappa: Delta
    accuracy: Delta
    not_met_recall: Delta
    grounding: Delta
    per_item: dict[str, Delta] = Field(description="Item kappa against the baseline.")


class EvalReport(_Out):
    judge: str
    model: str | None
    golden: str = Field(description="The golden folder.")
    n_transcripts: int
    n: int = Field(description="Labelled items compared (transcripts x items).")
    samples: int
    kappa: float | None
    accuracy: float | None
    not_met_recall: float | None
    unscored: int
    judge_errors: int = Field(description="Judge calls that failed (their items count as unscored).")
    confusion: dict[str, dict[str, int]] = Field(description="gold -> predicted -> count.")
    per_item: dict[str, Agreement]
    per_checklist: dict[str, Agreement]
    consistency: Consistency
    invariance: dict[str, InvarianceCheck] | None = Field(description="Null when skipped.")
    sensitivity: Sensitivity | None = Field(description="Null when skipped.")
    grounding: Grounding
    disagreements: list[Disagreement]
    baseline: BaselineComparison | None = None
    regressions: list[Regression] | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `--format json`: `baseline` and `regressions` only after a comparison."""
        data = self.model_dump(mode="json")
        for key in ("baseline", "regressions"):
            if data[key] is None:
                del data[key]
        return data

    def weakest_items(self) -> list[str]:
        """Item ids, weakest first: lowest kappa (undefined last), then lowest accuracy, then id."""
        def key(item: str) -> tuple[float, float, str]:
            a = self.per_item[item]
            return (2.0 if a.kappa is None else a.kappa, 2.0 if a.accuracy is None else a.accuracy, item)

        return sorted(self.per_item, key=key)
