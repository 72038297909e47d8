"""Self-play results as a text table, JSON-able data, or a self-contained HTML page with the mood chart."""

from collections.abc import Sequence
from html import escape
from typing import Any

from ._html import _CSS, mood_chart_svg
from ._selfplay import SelfPlayRun

_NPS_NL = {"detractor": "criticaster", "passive": "passief", "promoter": "promotor"}


def run_title(run: SelfPlayRun) -> str:
    who = f"{run.customer} customer" + (f" ({run.model})" if run.model else "")
    return f"{run.persona.id} · {run.trainee} trainee · {who} · seed {run.seed}"


def _ending(run: SelfPlayRun) -> str:
    return (f"{run.outcome} via '{run.end_condition}', ended by {run.ended_by} after {run.played} of "
            f"{len(run.lines)} trainee lines")


def selfplay_data(runs: Sequence[SelfPlayRun]) -> dict[str, Any]:
    """JSON output: one run's object as is; several runs as {"passed", "runs": [...]}."""
    if len(runs) == 1:
        return runs[0].to_dict()
    return {"passed": all(r.passed for r in runs), "runs": [r.to_dict() for r in runs]}


def render_selfplay_text(runs: Sequence[SelfPlayRun]) -> str:
    out: list[str] = []
    width = max(len(name) for r in runs for name in (c.name for c in r.checks)) if runs else 10
    for run in runs:
        out.append(run_title(run))
        out.append(f"  mood:    {' '.join(map(str, run.mood_line))}")
        out.append(f"  end:     {_ending(run)}")
        if run.nps:
            out.append(f"  NPS:     {run.nps.score} ({run.nps.category}): {run.nps.reason}")
        for w in run.warnings:
            out.append(f"  warning: {w}")
        out.append(f"  {'check':<{width}}  result  details")
        for c in run.checks:
            out.append(f"  {c.name:<{width}}  {'pass' if c.passed else 'FAIL':<6}  {c.details}")
        out.append("")
    failed = [r for r in runs if not r.passed]
    out.append(f"{len(runs)} run(s): {len(runs) - len(failed)} passed, {len(failed)} failed"
               + (": " + ", ".join(f"{r.persona.id}/{r.trainee}" for r in failed) if failed else "") + ".")
    return "\n".join(out) + "\n"


def render_selfplay_html(runs: Sequence[SelfPlayRun]) -> str:
    """One page: the mood of every run in one chart, then per run the checks, the end and the transcript."""
    traces = [(f"{r.persona.id} ({r.trainee})", r.mood_line) for r in runs]
    failed = sum(1 for r in runs if not r.passed)
    customers = sorted({r.customer + (f" ({r.model})" if r.model else "") for r in runs})
    parts = ["<h1>Self-play: persona fidelity</h1>",
             f'<p class="sub">{len(runs)} run(s) with the {escape(", ".join(customers))} customer; '
             f'<span class="{"bad" if failed else "ok"}">{len(runs) - failed} passed, {failed} failed'
             "</span>.</p>",
             "<h2>Customer mood per trainee turn</h2>", mood_chart_svg(traces)]
    summary = "".join(
        f'<tr><td>{escape(r.persona.id)}</td><td>{escape(r.trainee)}</td>'
        f'<td>{" ".join(map(str, r.mood_line))}</td><td>{escape(r.outcome or "")}</td>'
        f'<td class="num">{r.nps.score if r.nps else ""}</td>'
        f'<td class="{"ok" if r.passed else "bad"}">{"pass" if r.passed else "FAIL"}</td></tr>' for r in runs)
    parts.append("<table><tr><th>persona</th><th>trainee</th><th>mood</th><th>outcome</th><th>NPS</th>"
                 f"<th>checks</th></tr>{summary}</table>")
    for run in runs:
        parts.append(f"<h2>{escape(run_title(run))}</h2>")
        nps = (f"; NPS {run.nps.score} ({_NPS_NL[run.nps.category]}): {escape(run.nps.reason)}"
               if run.nps else "")
        parts.append(f"<p>Mood {' '.join(map(str, run.mood_line))}; {escape(_ending(run))}{nps}</p>")
        rows = "".join(f'<tr class="{"" if c.passed else "worse"}"><td>{escape(c.name)}</td>'
                       f'<td class="{"ok" if c.passed else "bad"}">{"pass" if c.passed else "FAIL"}</td>'
                       f"<td>{escape(c.details)}</td></tr>" for c in run.checks)
        parts.append(f"<table><tr><th>check</th><th>result</th><th>details</th></tr>{rows}</table>")
        turns = "".join(f'<tr><td class="num">{i}</td><td>{escape(t.role.value)}</td><td class="num">'
                        f'{"" if t.mood is None else t.mood}</td><td>{escape(t.text)}</td></tr>'
                        for i, t in enumerate(run.turns))
        parts.append(f"<details><summary>Transcript ({len(run.turns)} turns)</summary><table><tr><th>#</th>"
                     f"<th>role</th><th>mood</th><th>text</th></tr>{turns}</table></details>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Self-play: persona fidelity</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
