"""Agreement of a judge with gold labels, and of a judge with itself. Pure Python, exact arithmetic.

Labels are verdict strings: gold is one of `met`, `not_met`, `not_applicable`; the judge may also answer
`unscored` (it failed on the item). `unscored` is never silently dropped or mapped onto a label: it is a
category of its own on the predicted side, so it always counts as a disagreement (gold is never
`unscored`) in accuracy and Cohen's kappa, and `unscored_count` reports how often it happened.

Every metric returns `None` when it is undefined (no pairs, no gold `not_met`, fewer than two samples),
never `nan`, so reports serialise to plain JSON.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction

LABELS: tuple[str, ...] = ("met", "not_met", "not_applicable")
"""Gold labels, in report order."""

PREDICTED: tuple[str, ...] = (*LABELS, "unscored")
"""What a judge can answer, in report order (the confusion matrix columns)."""

Pair = tuple[str, str]
"""(gold, predicted) for one item of one transcript."""


def _pairs(pairs: Iterable[tuple[object, object]]) -> list[Pair]:
    # str() turns Verdict (a StrEnum) into its value, so enums and plain strings mix freely.
    return [(str(g), str(p)) for g, p in pairs]


def accuracy(pairs: Iterable[tuple[object, object]]) -> float | None:
    """Share of pairs where the judge gave the gold label (`unscored` is wrong)."""
    ps = _pairs(pairs)
    if not ps:
        return None
    return sum(g == p for g, p in ps) / len(ps)


def cohen_kappa(pairs: Iterable[tuple[object, object]]) -> float | None:
    """Cohen's kappa (nominal) between gold and judge: (p_o - p_e) / (1 - p_e).

    p_o is the observed agreement, p_e = Σ_k gold_k/n · pred_k/n the agreement expected by chance from the
    two marginals. Categories are the labels that occur on either side; `unscored` only ever occurs on the
    judge's side, so it adds nothing to p_e and is a plain disagreement.

    Edge case: when p_e = 1 (both sides used one and the same label for every pair) the ratio is 0/0.
    We return 1.0 if the observed agreement is 1, else 0.0. (With p_e = 1 the observed agreement is
    necessarily 1, so in practice this is 1.0: perfect agreement on a constant item.) Note the usual
    kappa paradox on skewed items: gold all `met` and the judge `met` on 9 of 10 gives p_o = p_e = 0.9
    and kappa 0.0; read kappa together with accuracy and support.

    Returns None for no pairs.
    """
    ps = _pairs(pairs)
    n = len(ps)
    if n == 0:
        return None
    agree = sum(g == p for g, p in ps)
    gold = Counter(g for g, _ in ps)
    pred = Counter(p for _, p in ps)
    chance = sum(gold[k] * pred[k] for k in gold)  # = p_e · n²
    if chance == n * n:
        return 1.0 if agree == n else 0.0
    return float(Fraction(n * agree - chance, n * n - chance))


def not_met_recall(pairs: Iterable[tuple[object, object]]) -> float | None:
    """Share of gold `not_met` that the judge called `not_met` (what a trainee must hear); None if none."""
    preds = [p for g, p in _pairs(pairs) if g == "not_met"]
    if not preds:
        return None
    return sum(p == "not_met" for p in preds) / len(preds)


def unscored_count(pairs: Iterable[tuple[object, object]]) -> int:
    return sum(p == "unscored" for _, p in _pairs(pairs))


def confusion_matrix(pairs: Iterable[tuple[object, object]]) -> dict[str, dict[str, int]]:
    """Counts gold (rows: LABELS) x predicted (columns: PREDICTED, incl. `unscored`); all cells present."""
    matrix = {g: dict.fromkeys(PREDICTED, 0) for g in LABELS}
    for g, p in _pairs(pairs):
        matrix.setdefault(g, dict.fromkeys(PREDICTED, 0))
        matrix[g][p] = matrix[g].get(p, 0) + 1
    return matrix


def label_counts(labels: Iterable[object], keys: Sequence[str] = LABELS) -> dict[str, int]:
    """How often each label occurs; every key of `keys` is present (0 when absent)."""
    counts = Counter(str(x) for x in labels)
    out = {k: counts.get(k, 0) for k in keys}
    out.update({k: v for k, v in counts.items() if k not in out})
    return out


def _units(units: Iterable[Sequence[Hashable]]) -> list[list[str]]:
    us = [[str(r) for r in u] for u in units]
    sizes = {len(u) for u in us}
    if len(sizes) > 1:
        raise ValueError(f"every item needs the same number of samples (got {sorted(sizes)})")
    return us


def fleiss_kappa(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa: agreement among K samples (raters) over N items (subjects), nominal categories.

    For item i with n_ij samples in category j (Σ_j n_ij = K):
      P_i  = (Σ_j n_ij² − K) / (K (K − 1))   agreement among the samples of item i
      P̄    = mean of P_i                     observed agreement
      p_j  = Σ_i n_ij / (N K)               share of all samples in category j
      P_e  = Σ_j p_j²                        chance agreement
      κ    = (P̄ − P_e) / (1 − P_e)

    Edge case: P_e = 1 (every sample of every item gave the same category) makes the ratio 0/0; we return
    1.0 if P̄ = 1 (always so in that case: a judge that says the same thing every time is consistent),
    else 0.0. Returns None for no items or fewer than two samples per item. Raises ValueError when
    items have different numbers of samples.
    """
    us = _units(units)
    if not us or len(us[0]) < 2:
        return None
    k, n_items = len(us[0]), len(us)
    totals: Counter[str] = Counter()
    agreement = Fraction(0)
    for u in us:
        counts = Counter(u)
        totals.update(counts)
        agreement += Fraction(sum(c * c for c in counts.values()) - k, k * (k - 1))
    p_bar = agreement / n_items
    p_e = sum((Fraction(c, n_items * k) ** 2 for c in totals.values()), Fraction(0))
    if p_e == 1:
        return 1.0 if p_bar == 1 else 0.0
    return float((p_bar - p_e) / (1 - p_e))


def flip_rate(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Share of items whose K samples are not unanimous; None for no items or fewer than two samples."""
    us = _units(units)
    if not us or len(us[0]) < 2:
        return None
    return sum(len(set(u)) > 1 for u in us) / len(us)

