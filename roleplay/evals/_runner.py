"""Run a judge over the golden set and measure it.

Figures (overall, per item, per checklist): accuracy, Cohen's kappa, not_met recall, confusion, unscored.
Consistency: K samples per transcript, Fleiss' kappa and flip rate. Invariance: verdicts unchanged under
renamed names, reformatted whitespace, reversed checklist (and item) order, an inserted filler pair.
Sensitivity: removing the evidence of a correct `met` makes it `not_met`. Grounding: every quote is
verbatim from a trainee turn, over every run of the judge.

Agreement, invariance and sensitivity use the judge's `score` (its production verdict). Consistency
uses K samples: the judge's own `score_samples` when it has one (an LLM judge samples at its sampling
temperature there), else `score` called K times (the first call is the main verdict). Everything is
deterministic for a deterministic judge.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from .. import paths
from ..content import Library, default_library
from ..errors import ModelError
from ..judge import Judge
from ..models import ItemResult, Scorecard, Transcript, Verdict, score_of
from ._golden import GoldenCase, load_golden
from ._grounding import check_quotes
from ._metrics import (
    PREDICTED,
    Pair,
    accuracy,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    flip_rate,
    label_counts,
    not_met_recall,
    unscored_count,
)
from ._report import (
    Agreement,
    Consistency,
    Disagreement,
    EvalReport,
    FlipCase,
    Grounding,
    GroundingFailure,
    InvarianceCheck,
    ItemConsistency,
    Sensitivity,
    SensitivityCase,
    VerdictChange,
)
from ._transforms import (
    FILLER_EXEMPT,
    insert_filler,
    reformat_whitespace,
    remove_turns,
    rename,
    reversed_library,
)

CHECKS: tuple[str, ...] = ("invariance", "sensitivity")
"""Optional checks (agreement, consistency and grounding always run)."""

TRANSFORMS: dict[str, str] = {
    "rename": "people, companies and places renamed consistently",
    "whitespace": "extra spaces, a line break inside every turn, trailing spaces",
    "reorder": "checklists in reversed order (and their items reversed, when the judge can be rebuilt)",
    "filler": "a customer 'Ja.' / trainee 'Hm-hm.' pair inserted after a neutral trainee turn",
}

JudgeFactory = Callable[[Library], Judge]
"""Builds the same judge on another library (used to reverse the item order of every checklist)."""

Progress = Callable[[int, int, str], None]
"""Called after each transcript with (done, total, file)."""


@runtime_checkable
class SamplingJudge(Protocol):
    """A judge that can return K independent samples itself (e.g. one LLM call with n=K)."""

    def score_samples(self, transcript: Transcript, checklists: list[str],
                      samples: int) -> list[Scorecard]: ...


def _verdicts(card: Scorecard) -> dict[str, ItemResult]:
    return {it.id: it for it in card.items}


def _verdict(card: Scorecard, item: str) -> str:
    found = _verdicts(card).get(item)
    return str(found.verdict) if found else str(Verdict.unscored)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _agreement(pairs: Sequence[Pair]) -> Agreement:
    return Agreement(n=len(pairs), accuracy=_r(accuracy(pairs)), kappa=_r(cohen_kappa(pairs)),
                     not_met_recall=_r(not_met_recall(pairs)), unscored=unscored_count(pairs),
                     support=label_counts(g for g, _ in pairs),
                     predicted=label_counts((p for _, p in pairs), PREDICTED))


@dataclass
class _Tally:
    pairs: dict[str, list[Pair]] = field(default_factory=lambda: defaultdict(list))
    units: dict[str, list[tuple[str, list[str]]]] = field(default_factory=lambda: defaultdict(list))
    disagreements: list[Disagreement] = field(default_factory=list)
    quotes: int = 0
    verbatim: int = 0
    trainee_turn: int = 0
    grounding_failures: list[GroundingFailure] = field(default_factory=list)
    changes: dict[str, list[VerdictChange]] = field(default_factory=lambda: defaultdict(list))
    sensitivity: dict[str, list[SensitivityCase]] = field(default_factory=lambda: defaultdict(list))
    skipped_no_evidence: int = 0
    skipped_avoid: int = 0
    judge_errors: int = 0


class _Run:
    def __init__(self, judge: Judge, library: Library, samples: int, judge_factory: JudgeFactory | None,
                 checks: Iterable[str]) -> None:
        self.judge, self.lib, self.samples = judge, library, samples
        self.judge_factory = judge_factory
        self.checks = set(checks)
        unknown = self.checks - set(CHECKS)
        if unknown:
            raise ValueError(f"unknown checks {sorted(unknown)} (known: {', '.join(CHECKS)})")
        self._reversed_judge: Judge | None = None
        self.tally = _Tally()
        self.source = "single" if samples < 2 else (
            "judge" if isinstance(judge, SamplingJudge) else "repeat")
        self.inv_counts = {name: dict.fromkeys(("transcripts", "skipped", "n", "unchanged"), 0)
                           for name in TRANSFORMS}

    # -- scoring --------------------------------------------------------------------------------------

    def _failed(self, checklists: list[str], exc: Exception) -> Scorecard:
        self.tally.judge_errors += 1
        items = [ItemResult(id=it.id, verdict=Verdict.unscored, reason=f"judge failed: {exc}",
                            source=it.source.label()) for it in self.lib.items(checklists)]
        return Scorecard(judge=self.judge.name, model=self.judge.model, checklists=checklists, items=items,
                         score=score_of(items))

    def score(self, run: str, case: GoldenCase, transcript: Transcript, checklists: list[str],
              judge: Judge | None = None) -> Scorecard:
        try:
            card = (judge or self.judge).score(transcript, checklists)
        except ModelError as exc:  # a provider failure costs this transcript, not the whole eval
            card = self._failed(checklists, exc)
        self.ground(run, case, transcript, card)
        return card

    def sample(self, case: GoldenCase) -> tuple[Scorecard, list[Scorecard]]:
        """The main scorecard and the K samples for consistency."""
        t, cl = case.transcript, case.checklists
        main = self.score("main", case, t, cl)
        if self.samples < 2:
            return main, [main]
        if isinstance(self.judge, SamplingJudge):
            try:
                cards = self.judge.score_samples(t, cl, self.samples)
            except ModelError as exc:
                cards = [self._failed(cl, exc)] * self.samples
            if len(cards) != self.samples:
                raise RuntimeError(f"judge returned {len(cards)} samples, asked for {self.samples}")
            for n, card in enumerate(cards):
                self.ground(f"sample-{n + 1}", case, t, card)
            return main, cards
        return main, [main, *(self.score(f"sample-{n + 1}", case, t, cl) for n in range(1, self.samples))]

    def ground(self, run: str, case: GoldenCase, transcript: Transcript, card: Scorecard) -> None:
        for check in check_quotes(transcript, card):
            self.tally.quotes += 1
            self.tally.verbatim += check.verbatim
            self.tally.trainee_turn += check.trainee_turn
            if check.problem is not None:
                self.tally.grounding_failures.append(GroundingFailure(
                    run=run, file=case.file, item=check.item, turn=check.evidence.turn,
                    quote=check.evidence.quote, problem=check.problem))

    # -- per transcript -------------------------------------------------------------------------------

    def case(self, case: GoldenCase) -> None:
        main_card, cards = self.sample(case)
        main = _verdicts(main_card)
        for item, gold in case.labels.items():
            found = main.get(item)
            pred = str(found.verdict) if found else str(Verdict.unscored)
            self.tally.pairs[item].append((str(gold), pred))
            if pred != str(gold):
                self.tally.disagreements.append(Disagreement(
                    file=case.file, item=item, gold=str(gold), predicted=pred,
                    reason=found.reason if found else "(item missing from the judge's scorecard)"))
            self.tally.units[item].append((case.file, [_verdict(c, item) for c in cards]))
        if "invariance" in self.checks:
            self.invariance(case, main_card)
        if "sensitivity" in self.checks:
            self.sensitivity(case, main_card)

    def _reorder_judge(self) -> Judge | None:
        if self.judge_factory is None:
            return None
        if self._reversed_judge is None:
            self._reversed_judge = self.judge_factory(reversed_library(self.lib))
        return self._reversed_judge

    def invariance(self, case: GoldenCase, main: Scorecard) -> None:
        t, cl = case.transcript, case.checklists
        persona = self.lib.personas.get(t.persona) if t.persona else None
        renamed = rename(t, persona)
        filled, filler_at = insert_filler(t)
        reorder_judge = self._reorder_judge()
        variants: dict[str, tuple[Transcript, list[str], Judge | None] | None] = {
            "rename": (renamed, cl, None) if renamed is not t else None,
            "whitespace": (reformat_whitespace(t), cl, None),
            "reorder": (t, list(reversed(cl)), reorder_judge) if len(cl) > 1 or reorder_judge else None,
            "filler": (filled, cl, None) if filler_at is not None else None,
        }
        for name, variant in variants.items():
            counts = self.inv_counts[name]
            if variant is None:
                counts["skipped"] += 1
                continue
            transcript, checklists, judge = variant
            counts["transcripts"] += 1
            after = _verdicts(self.score(name, case, transcript, checklists, judge))
            exempt = FILLER_EXEMPT if name == "filler" else frozenset()
            for item in case.labels:
                if item in exempt:
                    continue
                before_v = _verdict(main, item)
                after_v = str(after[item].verdict) if item in after else str(Verdict.unscored)
                counts["n"] += 1
                if before_v == after_v:
                    counts["unchanged"] += 1
                else:
                    self.tally.changes[name].append(VerdictChange(file=case.file, item=item, before=before_v,
                                                                  after=after_v))

    def sensitivity(self, case: GoldenCase, main_card: Scorecard) -> None:
        main = _verdicts(main_card)
        groups: dict[tuple[int, ...], list[str]] = defaultdict(list)
        for item, gold in case.labels.items():
            found = main.get(item)
            if gold is not Verdict.met or found is None or found.verdict is not Verdict.met:
                continue
            if self.lib.item(item).polarity == "avoid":
                self.tally.skipped_avoid += 1
                continue
            turns = tuple(sorted({e.turn for e in found.evidence}))
            groups[turns].append(item)
        for turns, items in sorted(groups.items()):
            reduced, removed = remove_turns(case.transcript, turns)
            if not removed:
                self.tally.skipped_no_evidence += len(items)
                continue
            wanted = {i.split(".", 1)[0] for i in items}
            checklists = [c for c in case.checklists if c in wanted]
            after = _verdicts(self.score("sensitivity", case, reduced, checklists))
            kept = [i for i in range(len(case.transcript.turns)) if i not in removed]  # new -> original index
            outcome = {"not_met": "dropped", "met": "still_met", "not_applicable": "not_applicable"}
            for item in items:
                found = after.get(item)
                verdict = str(found.verdict) if found else str(Verdict.unscored)
                evidence = found.evidence if found else []
                cited = sorted({kept[e.turn] for e in evidence if 0 <= e.turn < len(kept)})
                self.tally.sensitivity[outcome.get(verdict, "other")].append(SensitivityCase(
                    file=case.file, item=item, removed_turns=removed, after=verdict, evidence_after=cited))

    # -- report ---------------------------------------------------------------------------------------

    def report(self, golden: str, n_transcripts: int) -> EvalReport:
        t = self.tally
        all_pairs = [p for ps in t.pairs.values() for p in ps]
        by_checklist: dict[str, list[Pair]] = defaultdict(list)
        for item, ps in t.pairs.items():
            by_checklist[item.split(".", 1)[0]].extend(ps)
        grounded = t.quotes - len(t.grounding_failures)
        return EvalReport(
            judge=self.judge.name, model=self.judge.model, golden=golden, n_transcripts=n_transcripts,
            n=len(all_pairs), samples=self.samples,
            kappa=_r(cohen_kappa(all_pairs)), accuracy=_r(accuracy(all_pairs)),
            not_met_recall=_r(not_met_recall(all_pairs)), unscored=unscored_count(all_pairs),
            judge_errors=t.judge_errors, confusion=confusion_matrix(all_pairs),
            per_item={item: _agreement(ps) for item, ps in t.pairs.items()},
            per_checklist={cid: _agreement(ps) for cid, ps in by_checklist.items()},
            consistency=self._consistency(),
            invariance=self._invariance() if "invariance" in self.checks else None,
            sensitivity=self._sensitivity() if "sensitivity" in self.checks else None,
            grounding=Grounding(quotes=t.quotes, verbatim=t.verbatim, trainee_turn=t.trainee_turn,
                                grounded=grounded, share=_r(grounded / t.quotes) if t.quotes else None,
                                failures=t.grounding_failures),
            disagreements=t.disagreements,
        )

    def _consistency(self) -> Consistency:
        units = [u for us in self.tally.units.values() for u in us]
        flipped = [FlipCase(file=f, item=item, verdicts=vs)
                   for item, us in self.tally.units.items() for f, vs in us if len(set(vs)) > 1]
        per_item = {item: ItemConsistency(n=len(us), fleiss_kappa=_r(fleiss_kappa(v for _, v in us)),
                                          flip_rate=_r(flip_rate(v for _, v in us)))
                    for item, us in self.tally.units.items()}
        return Consistency(samples=self.samples, source=self.source, n=len(units),
                           fleiss_kappa=_r(fleiss_kappa(v for _, v in units)),
                           flip_rate=_r(flip_rate(v for _, v in units)), flipped=flipped, per_item=per_item)

    def _invariance(self) -> dict[str, InvarianceCheck]:
        out = {}
        for name, description in TRANSFORMS.items():
            c = self.inv_counts[name]
            out[name] = InvarianceCheck(
                transform=name, description=description, transcripts=c["transcripts"], skipped=c["skipped"],
                n=c["n"], unchanged=c["unchanged"], share=_r(c["unchanged"] / c["n"]) if c["n"] else None,
                changed=self.tally.changes.get(name, []),
                exempt=sorted(FILLER_EXEMPT) if name == "filler" else [])
        return out

    def _sensitivity(self) -> Sensitivity:
        s = self.tally.sensitivity
        dropped = len(s.get("dropped", []))
        tested = dropped + sum(len(s.get(k, [])) for k in ("still_met", "not_applicable", "other"))
        return Sensitivity(tested=tested, became_not_met=dropped,
                           share=_r(dropped / tested) if tested else None, still_met=s.get("still_met", []),
                           became_not_applicable=s.get("not_applicable", []), other=s.get("other", []),
                           skipped_no_evidence=self.tally.skipped_no_evidence,
                           skipped_avoid=self.tally.skipped_avoid)


def run_eval(judge: Judge, golden_dir: Path | None = None, samples: int = 1, *,
             library: Library | None = None, limit: int | None = None, cases: list[GoldenCase] | None = None,
             judge_factory: JudgeFactory | None = None, checks: Iterable[str] = CHECKS,
             progress: Progress | None = None) -> EvalReport:
    """Measure `judge` on the golden transcripts in `golden_dir` (default: the configured golden set).

    samples: K judge samples per transcript for the consistency figures (the judge's own `score_samples`
    when it has one, else `score` called K times); the other figures use one `score` call.
    cases: already loaded golden cases instead of a folder.
    judge_factory: rebuilds the judge on a library whose checklists list their items in reverse order,
    so the reorder check also reverses items (without it, only the checklist order is reversed).
    checks: which of the optional checks to run ("invariance", "sensitivity").
    Bad golden files raise InputError (file, line, field).
    """
    if samples < 1:
        raise ValueError("samples must be at least 1")
    lib = library or default_library()
    folder = golden_dir or paths.data_dir("golden")
    if cases is None:
        cases = load_golden(folder, lib, limit=limit)
    elif limit is not None:
        cases = cases[:limit]
    run = _Run(judge, lib, samples, judge_factory, checks)
    for n, case in enumerate(cases):
        run.case(case)
        if progress:
            progress(n + 1, len(cases), case.file)
    return run.report(str(folder), len(cases))
