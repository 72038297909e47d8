"""A self-contained HTML report of an eval run: inline CSS and SVG, no scripts, nothing fetched."""

from collections.abc import Sequence
from html import escape

from ._metrics import LABELS, PREDICTED
from ._report import EvalReport

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
 color:#222;line-height:1.4;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;min-width:9rem}
.card .v{font-size:1.4rem;font-weight:600}.card .k{color:#666;font-size:.85rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.better{background:#e3f4e1}.worse{background:#fbe3e1}.ok{color:#2a7a2a}.bad{color:#b3261e;font-weight:600}
.muted{color:#888}details{margin:.3rem 0}
"""


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _kappa_colour(k: float | None) -> str:
    if k is None:
        return "#bbb"
    return "#2ca02c" if k >= 0.6 else "#ff9f1c" if k >= 0.4 else "#d62728"


def kappa_bars_svg(rows: Sequence[tuple[str, float | None, float | None]], *, width: int = 760) -> str:
    """Horizontal bars of kappa on a -1..1 axis, one row per (item, kappa, baseline kappa or None).

    A black tick marks the baseline; items without a kappa show 'n/a'.
    """
    label_w, row_h, top = 330, 18, 22
    plot_w = width - label_w - 60
    height = top + row_h * len(rows) + 8

    def x(v: float) -> float:
        return label_w + (v + 1) / 2 * plot_w

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="kappa per item" font-size="11" '
           'font-family="sans-serif">']
    for tick in (-1.0, -0.5, 0.0, 0.5, 1.0):
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{height - 6}" '
                   f'stroke="{"#888" if tick == 0 else "#e5e5e5"}"/>'
                   f'<text x="{x(tick):.1f}" y="{top - 8}" text-anchor="middle" fill="#666">{tick:g}</text>')
    for n, (item, kappa, base) in enumerate(rows):
        y = top + n * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(item)}</text>')
        if kappa is not None:
            x0, x1 = sorted((x(0.0), x(kappa)))
            out.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 6}" '
                       f'fill="{_kappa_colour(kappa)}"><title>{escape(item)}: {kappa:.3f}</title></rect>')
        out.append(f'<text x="{width - 52}" y="{y + 12}">{_f(kappa, 2)}</text>')
        if base is not None:
            out.append(f'<line x1="{x(base):.1f}" y1="{y + 1}" x2="{x(base):.1f}" y2="{y + row_h - 1}" '
                       f'stroke="#000" stroke-width="2"><title>baseline {base:.3f}</title></line>')
    out.append("</svg>")
    return "".join(out)


def mood_chart_svg(traces: Sequence[tuple[str, Sequence[int]]], *, width: int = 760,
                   height: int = 260) -> str:
    """Line chart of customer mood (0..10) per turn, one line per (persona id, moods) of self-play.

    The hook for self-play reports: `render_html(report, mood_traces=...)` puts it in its own section.
    """
    left, right, top, bottom = 36, 170, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    longest = max((len(m) for _, m in traces), default=0)
    steps = max(longest - 1, 1)

    def px(i: int) -> float:
        return left + i / steps * plot_w

    def py(mood: float) -> float:
        return top + (10 - mood) / 10 * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="mood per turn" font-size="11" '
           'font-family="sans-serif">']
    for mood in range(0, 11, 2):
        out.append(f'<line x1="{left}" y1="{py(mood):.1f}" x2="{left + plot_w}" y2="{py(mood):.1f}" '
                   f'stroke="#eee"/><text x="{left - 6}" y="{py(mood) + 4:.1f}" text-anchor="end" '
                   f'fill="#666">{mood}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">'
               'customer turn</text>')
    for n, (persona, moods) in enumerate(traces):
        colour = _PALETTE[n % len(_PALETTE)]
        if moods:
            points = " ".join(f"{px(i):.1f},{py(m):.1f}" for i, m in enumerate(moods))
            out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                       f'<title>{escape(persona)}</title></polyline>')
            for i, m in enumerate(moods):
                out.append(f'<circle cx="{px(i):.1f}" cy="{py(m):.1f}" r="2.5" fill="{colour}"/>')
        ly = top + 14 * n + 8
        out.append(f'<line x1="{left + plot_w + 14}" y1="{ly}" x2="{left + plot_w + 30}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="2"/><text x="{left + plot_w + 36}" y="{ly + 4}">'
                   f'{escape(persona)}</text>')
    out.append("</svg>")
    return "".join(out)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _confusion(report: EvalReport) -> str:
    head = "".join(f"<th>{escape(p)}</th>" for p in PREDICTED)
    rows = []
    for gold in LABELS:
        row = report.confusion.get(gold, {})
        total = sum(row.values()) or 1
        cells = []
        for pred in PREDICTED:
            n = row.get(pred, 0)
            alpha = 0.12 + 0.7 * n / total if n else 0.0
            rgb = "44,160,44" if pred == gold else "150,150,150" if pred == "unscored" else "214,39,40"
            cells.append(f'<td class="num" style="background:rgba({rgb},{alpha:.2f})">{n}</td>')
        rows.append(f"<tr><th>{escape(gold)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>gold \\ judge</th>{head}</tr>{''.join(rows)}</table>"


def _cards(report: EvalReport) -> str:
    def card(label: str, value: str, delta: float | None = None) -> str:
        d = ""
        if delta is not None:
            d = f' <span class="{"ok" if delta >= 0 else "bad"}">({delta:+.3f})</span>'
        return (f'<div class="card"><div class="v">{escape(value)}{d}</div>'
                f'<div class="k">{escape(label)}</div></div>')

    b = report.baseline
    c = report.consistency
    return '<div class="cards">' + "".join([
        card("Cohen's kappa", _f(report.kappa), b.kappa.delta if b else None),
        card("accuracy", _pct(report.accuracy), b.accuracy.delta if b else None),
        card("not_met recall", _pct(report.not_met_recall), b.not_met_recall.delta if b else None),
        card("unscored", str(report.unscored)),
        card("grounding", _pct(report.grounding.share)),
        card(f"Fleiss' kappa (K={c.samples})", _f(c.fleiss_kappa)),
        card("verdict flip rate", _pct(c.flip_rate)),
    ]) + "</div>"


def render_html(report: EvalReport, *, mood_traces: Sequence[tuple[str, Sequence[int]]] | None = None,
                weakest: int = 8) -> str:
    """The whole report as one HTML page (UTF-8). `mood_traces`: (persona id, moods) of self-play runs."""
    who = f"{report.judge} judge" + (f", model {report.model}" if report.model else " (no model)")
    parts = [f"<h1>Judge eval: {escape(who)}</h1>",
             f'<p class="sub">Golden set {escape(report.golden)}: {report.n_transcripts} transcripts, '
             f"{report.n} labelled items, {report.samples} sample(s) per transcript. "
             f"Figures made by the {escape(who)}; judge errors: {report.judge_errors}.</p>",
             _cards(report)]

    if report.regressions is not None:
        if report.regressions:
            parts.append('<p class="bad">Gate fails against the baseline:</p><ul>' + "".join(
                f"<li>{escape(r.message)}</li>" for r in report.regressions) + "</ul>")
        else:
            parts.append('<p class="ok">Gate passes against the baseline.</p>')

    order = report.weakest_items()
    base_items = report.baseline.per_item if report.baseline else {}
    parts.append("<h2>Kappa per item (weakest first)</h2>")
    parts.append(kappa_bars_svg([(i, report.per_item[i].kappa,
                                  base_items[i].baseline if i in base_items else None) for i in order]))
    parts.append(_table(
        ["item", "n", "kappa", "accuracy", "not_met recall", "unscored", "gold met/not_met/n.a."],
        [[i, str(a.n), _f(a.kappa), _pct(a.accuracy), _pct(a.not_met_recall), str(a.unscored),
          "/".join(str(a.support.get(k, 0)) for k in LABELS)] for i in order
         for a in [report.per_item[i]]]))

    parts.append("<h2>Per checklist</h2>")
    parts.append(_table(["checklist", "n", "kappa", "accuracy", "not_met recall", "unscored"],
                        [[c, str(a.n), _f(a.kappa), _pct(a.accuracy), _pct(a.not_met_recall), str(a.unscored)]
                         for c, a in report.per_checklist.items()]))

    parts.append("<h2>Confusion matrix</h2>" + _confusion(report))

    parts.append("<h2>Weakest items: where the judge disagrees</h2>")
    shown = 0
    for item in order:
        disagreements = [d for d in report.disagreements if d.item == item]
        if not disagreements or shown >= weakest:
            continue
        shown += 1
        a = report.per_item[item]
        parts.append(f"<h3>{escape(item)} <span class='muted'>kappa {_f(a.kappa)}, "
                     f"accuracy {_pct(a.accuracy)}</span></h3>")
        parts.append(_table(["file", "gold", "judge", "judge's reason"],
                            [[d.file, d.gold, d.predicted, d.reason] for d in disagreements]))
    if not shown:
        parts.append('<p class="ok">No disagreements.</p>')

    c = report.consistency
    parts.append(f"<h2>Consistency (K={c.samples}, {escape(c.source)})</h2>")
    if c.samples < 2:
        parts.append('<p class="muted">One sample per transcript: run with --samples K (K ≥ 2).</p>')
    else:
        parts.append(f"<p>Fleiss' kappa {_f(c.fleiss_kappa)}, flip rate {_pct(c.flip_rate)} "
                     f"over {c.n} items.</p>")
        if c.flipped:
            parts.append(_table(["file", "item", "verdicts"],
                                [[f.file, f.item, ", ".join(f.verdicts)] for f in c.flipped]))

    parts.append("<h2>Invariance</h2>")
    if report.invariance is None:
        parts.append('<p class="muted">Skipped.</p>')
    else:
        parts.append(_table(["transform", "what", "transcripts", "skipped", "verdicts", "unchanged"],
                            [[x.transform,
                              x.description + (f" (exempt: {', '.join(x.exempt)})" if x.exempt else ""),
                              str(x.transcripts), str(x.skipped), str(x.n), _pct(x.share)]
                             for x in report.invariance.values()]))
        changed = [[x.transform, ch.file, ch.item, ch.before, ch.after]
                   for x in report.invariance.values() for ch in x.changed]
        if changed:
            parts.append(_table(["transform", "file", "item", "before", "after"], changed))

    parts.append("<h2>Sensitivity</h2>")
    s = report.sensitivity
    if s is None:
        parts.append('<p class="muted">Skipped.</p>')
    else:
        parts.append(f"<p>Removing the evidence turns of {s.tested} correct <code>met</code> verdicts turned "
                     f"{s.became_not_met} into <code>not_met</code> ({_pct(s.share)}); "
                     f"{len(s.became_not_applicable)} became not_applicable, {len(s.other)} unscored. "
                     f"Skipped: {s.skipped_no_evidence} without evidence, "
                     f"{s.skipped_avoid} 'avoid' items.</p>")
        cases = [[kind, x.file, x.item, ", ".join(map(str, x.removed_turns)), x.after,
                  ", ".join(map(str, x.evidence_after))]
                for kind, xs in (("still met", s.still_met), ("not applicable", s.became_not_applicable),
                                 ("other", s.other)) for x in xs]
        if cases:
            parts.append(_table(["outcome", "file", "item", "removed turns", "verdict after",
                                 "cited after (original turns)"], cases))

    g = report.grounding
    parts.append("<h2>Grounding</h2>")
    parts.append(f"<p class=\"{'ok' if not g.failures else 'bad'}\">{g.grounded} of {g.quotes} quotes are "
                 f"verbatim from a trainee turn ({_pct(g.share)}).</p>")
    if g.failures:
        parts.append(_table(["run", "file", "item", "turn", "quote", "problem"],
                            [[f.run, f.file, f.item, str(f.turn), f.quote, f.problem] for f in g.failures]))

    if report.baseline is not None:
        b = report.baseline
        parts.append(f"<h2>Against the baseline</h2><p class='muted'>{escape(b.file or '')}: "
                     f"{escape(b.judge)} judge{', model ' + escape(b.model) if b.model else ''}.</p>")
        rows: list[str] = []
        by_delta = sorted(b.per_item.items(), key=lambda kv: (kv[1].delta or 0.0, kv[0]))
        for item, d in by_delta:
            cls = "" if not d.delta else "better" if d.delta > 0 else "worse"
            rows.append(f'<tr class="{cls}"><td>{escape(item)}</td><td class="num">{_f(d.baseline)}</td>'
                        f'<td class="num">{_f(d.current)}</td><td class="num">'
                        f'{"n/a" if d.delta is None else f"{d.delta:+.3f}"}</td></tr>')
        parts.append("<table><tr><th>item</th><th>baseline kappa</th><th>kappa</th><th>delta</th></tr>"
                     + "".join(rows) + "</table>")

    if mood_traces:
        parts.append("<h2>Customer mood in self-play</h2>" + mood_chart_svg(mood_traces))

    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Judge eval: {escape(who)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
