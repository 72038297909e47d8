"""Scorecards: assembling item results, subscores, and the text rendering for the terminal."""

from ..models import ChecklistItem, ItemResult, Scorecard, Verdict, score_of

VERDICT_NL = {
    Verdict.met: "voldaan",
    Verdict.not_met: "niet voldaan",
    Verdict.not_applicable: "n.v.t.",
    Verdict.unscored: "niet beoordeeld",
}


def tip_for(item: ChecklistItem, verdict: Verdict) -> str | None:
    """The coaching tip with an example sentence, only for items the trainee missed."""
    if verdict is not Verdict.not_met:
        return None
    return f"{item.tip} Bijvoorbeeld: \u201c{item.tip_example}\u201d"


def build_scorecard(
    judge: str, model: str | None, checklists: list[str], items: list[ItemResult], **extra: object
) -> Scorecard:
    subscores = {cid: score_of([i for i in items if i.id.split(".", 1)[0] == cid]) for cid in checklists}
    return Scorecard(
        judge=judge,
        model=model,
        checklists=checklists,
        items=items,
        score=score_of(items),
        subscores=subscores,
        **extra,
    )


def render_text(card: Scorecard, turns: list[str] | None = None) -> str:
    """A readable table for the terminal (rich renders it to plain text when not a TTY)."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    buf = StringIO()
    console = Console(file=buf, width=120, force_terminal=False, color_system=None)
    total = "–" if card.score is None else f"{card.score:.0f}"
    console.print(f"Beoordeling ({card.judge}{', ' + card.model if card.model else ''}): totaal {total}")
    for cid in card.checklists:
        sub = card.subscores.get(cid)
        table = Table(title=f"{cid}: {'–' if sub is None else f'{sub:.0f}'}", show_lines=True, expand=True)
        table.add_column("item", ratio=2)
        table.add_column("oordeel", ratio=1)
        table.add_column("bewijs en reden", ratio=5)
        for it in (i for i in card.items if i.id.startswith(cid + ".")):
            ev = "\n".join(f"[beurt {e.turn}] \u201c{e.quote}\u201d" for e in it.evidence)
            body = "\n".join(x for x in (ev, it.reason, f"Tip: {it.tip}" if it.tip else "") if x)
            table.add_row(it.id.split(".", 1)[1], VERDICT_NL[it.verdict], body)
        console.print(table)
    for w in card.warnings:
        console.print(f"Let op: {w}")
    return buf.getvalue()
