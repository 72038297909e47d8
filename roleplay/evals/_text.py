"""The terminal view of an eval report (rich): headline figures, then items weakest first."""

from rich.console import Console
from rich.table import Table

from ._metrics import LABELS
from ._report import EvalReport


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _style(kappa: float | None) -> str:
    if kappa is None:
        return "dim"
    return "green" if kappa >= 0.6 else "yellow" if kappa >= 0.4 else "red"


def render_text(report: EvalReport, console: Console) -> None:
    who = f"{report.judge} judge" + (f", model {report.model}" if report.model else "")
    console.print(f"[bold]Judge eval[/bold]: {who} on {report.golden} "
                  f"({report.n_transcripts} transcripts, {report.n} labelled items, K={report.samples})")
    console.print(f"kappa {_f(report.kappa)}  accuracy {_pct(report.accuracy)}  "
                  f"not_met recall {_pct(report.not_met_recall)}  unscored {report.unscored}  "
                  f"judge errors {report.judge_errors}")

    base = report.baseline.per_item if report.baseline else {}
    table = Table(title="Items, weakest first", title_justify="left")
    table.add_column("item", no_wrap=True)
    for col in ("n", "kappa", "accuracy", "nm recall", "unscored", "gold m/nm/na"):
        table.add_column(col, justify="right", no_wrap=True)
    if base:
        table.add_column("Δ baseline", justify="right")
    for item in report.weakest_items():
        a = report.per_item[item]
        row = [item, str(a.n), f"[{_style(a.kappa)}]{_f(a.kappa)}[/]", _pct(a.accuracy),
               _pct(a.not_met_recall), str(a.unscored), "/".join(str(a.support.get(k, 0)) for k in LABELS)]
        if base:
            d = base[item].delta if item in base else None
            row.append("n/a" if d is None else f"[{'green' if d >= 0 else 'red'}]{d:+.3f}[/]")
        table.add_row(*row)
    console.print(table)

    c = report.consistency
    if c.samples > 1:
        console.print(f"consistency (K={c.samples}, {c.source}): Fleiss' kappa {_f(c.fleiss_kappa)}, "
                      f"flip rate {_pct(c.flip_rate)} ({len(c.flipped)} of {c.n} items flipped)")
    if report.invariance is not None:
        console.print("invariance: " + ", ".join(
            f"{x.transform} {_pct(x.share)} ({len(x.changed)} changed)" for x in report.invariance.values()))
    s = report.sensitivity
    if s is not None:
        elsewhere = sum(bool(c.evidence_after) for c in s.still_met)
        console.print(f"sensitivity: {s.became_not_met}/{s.tested} became not_met ({_pct(s.share)}), "
                      f"{len(s.still_met)} still met ({elsewhere} citing other turns), "
                      f"{len(s.became_not_applicable)} not_applicable")
    g = report.grounding
    style = "green" if not g.failures else "red"
    console.print(f"grounding: [{style}]{g.grounded}/{g.quotes} ({_pct(g.share)})[/]")
    if report.regressions is not None:
        if report.regressions:
            console.print("[red bold]gate fails:[/]")
            for r in report.regressions:
                console.print(f"  - {r.message}", markup=False)
        else:
            console.print("[green]gate passes against the baseline[/]")
