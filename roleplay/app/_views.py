"""HTML pieces of the app (no Gradio here): scenario cards, NPS, scorecard with the evidence marked in the
transcript, SVG plots of the mood trace and of progress, the history table. The exported report reuses them.
"""

from datetime import UTC, datetime
from html import escape
from typing import Any

from ..content import Library
from ..models import NPSAnswer, Persona, Role, Scorecard, Transcript, Turn, Verdict
from . import _texts as T
from ._storage import Progress, StoredSession

CSS = """
.rp { color: #1f2937; background: #ffffff; font-size: 15px; line-height: 1.45; border-radius: 8px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.rp a { padding: 0; margin: 0; color: #1d4ed8; }
.rp h2, .rp h3, .rp h4 { color: #111827; margin: 0.6em 0 0.3em; }
.rp-persona { padding: 14px; border: 1px solid #d1d5db; min-height: 220px; }
.rp-persona .rp-who { color: #374151; font-style: italic; }
.rp-pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; margin: 1px 2px;
  background: #e5e7eb; color: #111827; }
.rp-diff-makkelijk { background: #d1fae5; } .rp-diff-gemiddeld { background: #fef3c7; }
.rp-diff-moeilijk { background: #fee2e2; }
.rp-result { padding: 16px; border: 1px solid #d1d5db; }
.rp-total { font-size: 28px; font-weight: 700; }
.rp-sub { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
.rp-sub .rp-label { width: 240px; } .rp-sub .rp-val { width: 60px; text-align: right; font-weight: 600; }
.rp-bar { flex: 1; height: 10px; background: #e5e7eb; border-radius: 5px; overflow: hidden; max-width: 320px; }
.rp-bar > span { display: block; height: 100%; background: #2563eb; }
.rp-item { border-left: 5px solid #9ca3af; padding: 6px 10px; margin: 8px 0; background: #f9fafb; }
.rp-item.rp-met { border-color: #059669; } .rp-item.rp-not_met { border-color: #dc2626; }
.rp-item.rp-unscored { border-color: #d97706; }
.rp-badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; color: #fff; background: #6b7280; }
.rp-met .rp-badge { background: #047857; } .rp-not_met .rp-badge { background: #b91c1c; }
.rp-unscored .rp-badge { background: #b45309; }
.rp-num { font-weight: 700; color: #1d4ed8; }
.rp-tip { background: #eff6ff; padding: 4px 8px; border-radius: 4px; margin-top: 4px; }
.rp-source { color: #4b5563; font-size: 13px; }
.rp-turn { margin: 4px 0; padding: 6px 10px; border-radius: 6px; }
.rp-turn.rp-trainee { background: #eef2ff; margin-left: 40px; }
.rp-turn.rp-customer { background: #f3f4f6; margin-right: 40px; }
.rp-turn .rp-who-label { font-size: 12px; color: #4b5563; }
.rp mark { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 3px; }
.rp mark sup { color: #1d4ed8; font-weight: 700; }
.rp-nps { padding: 12px 16px; border: 1px solid #d1d5db; margin-bottom: 10px; }
.rp-nps .rp-nps-score { font-size: 32px; font-weight: 700; }
.rp-warn { background: #fef3c7; padding: 6px 10px; border-radius: 4px; }
.rp table { border-collapse: collapse; width: 100%; }
.rp th, .rp td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
.rp svg text { fill: #374151; font-size: 11px; }
"""

_COLORS = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#4b5563",
           "#ea580c", "#0f766e")


def local_time(when: datetime | None) -> str:
    if when is None:
        return ""
    return when.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _fmt_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.0f}"


# --- scenario cards ---------------------------------------------------------------------------------------
def persona_card(persona: Persona, library: Library) -> str:
    c = persona.character
    age = f", {c.age} jaar" if c.age else ""
    lists = "".join(f'<span class="rp-pill">{escape(library.checklists[cid].title)}</span>'
                    for cid in persona.checklists if cid in library.checklists)
    opens = T.OPENS_TRAINEE if persona.opens == "trainee" else T.OPENS_CUSTOMER
    return (f'<div class="rp rp-persona" data-persona="{escape(persona.id)}">'
            f"<h3>{escape(persona.title)}</h3>"
            f'<div class="rp-who">{escape(c.name)}{age}</div>'
            f"<p>{escape(persona.summary)}</p>"
            f'<div>Niveau: <span class="rp-pill rp-diff-{escape(persona.difficulty)}">'
            f"{escape(T.DIFFICULTY.get(persona.difficulty, persona.difficulty))}</span> · {escape(opens)}</div>"
            f"<div>Je wordt beoordeeld op: {lists}</div></div>")


def briefing(persona: Persona) -> str:
    opens = T.OPENS_TRAINEE if persona.opens == "trainee" else T.OPENS_CUSTOMER
    return f"### {persona.title}\n\n{persona.briefing}\n\n_{opens}_"


# --- chat -------------------------------------------------------------------------------------------------
def chat_messages(turns: list[Turn], partial: str = "", failed: bool = False) -> list[dict[str, str]]:
    """The turns as Chatbot messages: the trainee is the user, the customer the assistant."""
    out = [{"role": "user" if t.role is Role.trainee else "assistant", "content": t.text} for t in turns]
    if partial or failed:
        out.append({"role": "assistant", "content": (partial + T.PARTIAL_MARK) if partial else T.PARTIAL_MARK.strip()})
    return out


# --- NPS and scorecard --------------------------------------------------------------------------------------
def nps_html(nps: NPSAnswer | dict[str, Any] | None) -> str:
    if nps is None:
        return ""
    a = nps if isinstance(nps, NPSAnswer) else NPSAnswer.model_validate(nps)
    return (f'<div class="rp rp-nps"><div><i>{escape(T.NPS_QUESTION)}</i></div>'
            f'<div><span class="rp-nps-score">{a.score}</span>/10 · '
            f'<span class="rp-pill">{escape(T.NPS_CATEGORY[a.category])}</span></div>'
            f"<div>\u201c{escape(a.reason)}\u201d</div></div>")


def _marks(transcript: Transcript, card: Scorecard, numbers: dict[str, int]) -> dict[int, list[tuple[int, int, int]]]:
    """Per turn: (start, end, item number) of every evidence quote found verbatim in that turn."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    for it in card.items:
        for ev in it.evidence:
            if ev.turn >= len(transcript.turns):
                continue
            pos = transcript.turns[ev.turn].text.find(ev.quote)
            if pos >= 0:
                out.setdefault(ev.turn, []).append((pos, pos + len(ev.quote), numbers[it.id]))
    return out


def _marked(text: str, spans: list[tuple[int, int, int]]) -> str:
    """The text with the quoted words in <mark>, each run labelled with its item numbers."""
    if not spans:
        return escape(text)
    cover: list[set[int]] = [set() for _ in text]
    for a, b, n in spans:
        for i in range(a, b):
            cover[i].add(n)
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and cover[j] == cover[i]:
            j += 1
        piece = escape(text[i:j])
        if cover[i]:
            nums = ",".join(str(n) for n in sorted(cover[i]))
            out.append(f"<mark>{piece}<sup>{nums}</sup></mark>")
        else:
            out.append(piece)
        i = j
    return "".join(out)


def transcript_html(transcript: Transcript, card: Scorecard | None = None, library: Library | None = None) -> str:
    numbers = _numbers(card) if card else {}
    marks = _marks(transcript, card, numbers) if card else {}
    rows = []
    for i, t in enumerate(transcript.turns):
        who = T.TRAINEE if t.role is Role.trainee else T.CUSTOMER
        mood = f" · stemming {t.mood}/10" if t.mood is not None and t.role is Role.customer else ""
        rows.append(f'<div class="rp-turn rp-{t.role.value}" id="rp-turn-{i}"><div class="rp-who-label">'
                    f"{T.TURN} {i} · {who}{mood}</div>{_marked(t.text, marks.get(i, []))}</div>")
    return "".join(rows)


def _numbers(card: Scorecard) -> dict[str, int]:
    return {it.id: n for n, it in enumerate(card.items, start=1)}


def scorecard_html(card: Scorecard, transcript: Transcript, library: Library,
                   nps: NPSAnswer | dict[str, Any] | None = None) -> str:
    numbers = _numbers(card)
    parts = ['<div class="rp rp-result">', nps_html(nps)]
    judge = T.JUDGE_NAMES.get(card.judge, card.judge) + (f", {card.model}" if card.model else "")
    total = _fmt_score(card.score) if card.score is not None else T.NO_SCORE
    parts.append(f'<div class="rp-total" id="rp-total">{T.SCORE}: {escape(total)}</div>'
                 f'<div class="rp-source">Beoordeeld door: {escape(judge)}</div>')
    for cid in card.checklists:
        sub = card.subscores.get(cid)
        title = library.checklists[cid].title if cid in library.checklists else cid
        width = 0 if sub is None else sub
        parts.append(f'<div class="rp-sub"><span class="rp-label">{escape(title)}</span>'
                     f'<span class="rp-bar"><span style="width:{width:.0f}%"></span></span>'
                     f'<span class="rp-val">{_fmt_score(sub)}</span></div>')
    for w in card.warnings:
        parts.append(f'<div class="rp-warn">Let op: {escape(w)}</div>')
    for cid in card.checklists:
        title = library.checklists[cid].title if cid in library.checklists else cid
        parts.append(f"<h3>{escape(title)} ({_fmt_score(card.subscores.get(cid))})</h3>")
        for it in (i for i in card.items if i.id.split(".", 1)[0] == cid):
            parts.append(_item_html(it, numbers[it.id], library))
    parts.append(f"<h3>{T.TRANSCRIPT}</h3>")
    parts.append(transcript_html(transcript, card, library))
    parts.append("</div>")
    return "".join(parts)


def _item_html(it: Any, number: int, library: Library) -> str:
    try:
        title = library.item(it.id).title
    except (KeyError, LookupError):
        title = it.id
    verdict = T.VERDICT_NL[Verdict(it.verdict)]
    rows = [f'<div class="rp-item rp-{escape(str(it.verdict))}" data-item="{escape(it.id)}">'
            f'<div><span class="rp-num">[{number}]</span> <b>{escape(title)}</b> '
            f'<span class="rp-badge">{escape(verdict)}</span></div>',
            f"<div>{T.REASON}: {escape(it.reason)}</div>"]
    if it.evidence:
        quotes = "; ".join(f'<a href="#rp-turn-{e.turn}">{T.TURN} {e.turn}</a>: \u201c{escape(e.quote)}\u201d'
                           for e in it.evidence)
        rows.append(f"<div>{T.EVIDENCE}: {quotes}</div>")
    if it.tip:
        rows.append(f'<div class="rp-tip">{T.TIP}: {escape(it.tip)}</div>')
    rows.append(f'<div class="rp-source">{T.SOURCE}: {escape(it.source)}</div></div>')
    return "".join(rows)


# --- plots --------------------------------------------------------------------------------------------------
def _axes(w: int, h: int, pad: int, ymax: float, yticks: list[float], xlabels: list[str]) -> list[str]:
    out = [f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>']
    for v in yticks:
        y = h - pad - (h - 2 * pad) * v / ymax
        out.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{w - pad}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                   f'<text x="{pad - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    n = max(1, len(xlabels) - 1)
    for i, lab in enumerate(xlabels):
        x = pad + (w - 2 * pad) * i / n
        out.append(f'<text x="{x:.1f}" y="{h - pad + 16}" text-anchor="middle">{escape(lab)}</text>')
    return out


def mood_svg(trace: list[dict[str, Any]], start: int, width: int = 640, height: int = 240) -> str:
    """The customer's mood (0-10) after each trainee turn; hover a point for the reasons."""
    pad = 36
    values = [start] + [int(e["mood"]) for e in trace]
    labels = ["start"] + [str(e["trainee_turn"]) for e in trace]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="stemming per beurt">']
    parts += _axes(width, height, pad, 10, [0, 2, 4, 6, 8, 10], labels)
    n = max(1, len(values) - 1)
    pts = [(pad + (width - 2 * pad) * i / n, height - pad - (height - 2 * pad) * v / 10) for i, v in enumerate(values)]
    parts.append('<polyline fill="none" stroke="#2563eb" stroke-width="2.5" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
    for i, (x, y) in enumerate(pts):
        why = "start" if i == 0 else ", ".join(f"{r['id']} {r['delta']:+d}" for r in trace[i - 1]["reasons"]) or "geen"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#2563eb"><title>{escape(labels[i])}: '
                     f"{values[i]}/10 ({escape(why)})</title></circle>")
    parts.append(f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">beurt van de trainee</text></svg>')
    return "".join(parts)


def trace_table(trace: list[dict[str, Any]]) -> str:
    rows = ["<table><tr><th>beurt</th><th>stemming</th><th>waarom</th><th>signalen</th><th>gebeurtenissen</th>"
            "<th>fase</th></tr>"]
    for e in trace:
        why = ", ".join(f"{r['id']} ({r['delta']:+d})" for r in e["reasons"]) or "–"
        rows.append(f"<tr><td>{e['trainee_turn']} (#{e['turn']})</td><td>{e['mood_before']} → {e['mood']}</td>"
                    f"<td>{escape(why)}</td><td>{escape(', '.join(e['signals']))}</td>"
                    f"<td>{escape(', '.join(e['events']))}</td><td>{escape(e['stage'])}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def progress_svg(progress: Progress, library: Library, width: int = 720, height: int = 280) -> str:
    """Subscore per checklist (0-100) per scored session, in order."""
    sessions = sorted({(when, sid) for pts in progress.points.values() for when, sid, _ in pts})
    if not sessions:
        return f'<div class="rp">{T.NO_PROGRESS}</div>'
    index = {sid: i for i, (_, sid) in enumerate(sessions)}
    pad = 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="voortgang per checklist">']
    parts += _axes(width, height, pad, 100, [0, 25, 50, 75, 100], [f"#{sid}" for _, sid in sessions])
    n = max(1, len(sessions) - 1)
    legend = []
    for k, (cid, pts) in enumerate(sorted(progress.points.items())):
        color = _COLORS[k % len(_COLORS)]
        xy = [(pad + (width - 2 * pad) * index[sid] / n, height - pad - (height - 2 * pad) * v / 100)
              for _, sid, v in pts]
        if len(xy) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
        title = library.checklists[cid].title if cid in library.checklists else cid
        for (x, y), (_, sid, v) in zip(xy, pts, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"><title>{escape(title)}, '
                         f"gesprek #{sid}: {v:.0f}</title></circle>")
        legend.append(f'<span class="rp-pill" style="border-left:12px solid {color}">{escape(title)}</span>')
    parts.append("</svg>")
    return f'<div class="rp">{"".join(parts)}<div>{"".join(legend)}</div></div>'


def nps_summary(progress: Progress) -> str:
    if not progress.answers:
        return f'<div class="rp">{T.NO_PROGRESS}</div>'
    nps = progress.nps
    return (f'<div class="rp rp-nps"><div>NPS over {progress.answers} gesprekken '
            f"(% promotors − % criticasters)</div>"
            f'<div class="rp-nps-score" id="rp-nps-value">{nps:+.0f}</div>'
            f"<div>promotors: {progress.promoters} · passief: {progress.passives} · "
            f"criticasters: {progress.detractors}</div></div>")


# --- history ------------------------------------------------------------------------------------------------
def status_of(s: StoredSession) -> str:
    if s.ended is None:
        return T.STATUS["open"]
    return T.STATUS["abandoned"] if s.ended_by == "abandoned" else T.STATUS["done"]


def history_html(sessions: list[StoredSession], library: Library, show_user: bool) -> str:
    if not sessions:
        return f'<div class="rp">{T.NO_SESSIONS}</div>'
    head = "<tr><th>#</th><th>datum</th>" + ("<th>gebruiker</th>" if show_user else "") + (
        "<th>scenario</th><th>status</th><th>beurten</th><th>score</th><th>NPS</th></tr>")
    rows = [f'<div class="rp"><table class="rp-history">{head}']
    for s in sessions:
        title = library.personas[s.persona].title if s.persona in library.personas else s.persona
        nps = f"{s.nps.score} ({T.NPS_CATEGORY[s.nps.category]})" if s.nps else "–"
        user = f"<td>{escape(s.user)}</td>" if show_user else ""
        rows.append(f"<tr><td>{s.id}</td><td>{local_time(s.started)}</td>{user}<td>{escape(title)}</td>"
                    f"<td>{status_of(s)}</td><td>{s.turn_count}</td><td>{_fmt_score(s.score)}</td>"
                    f"<td>{escape(nps)}</td></tr>")
    rows.append("</table></div>")
    return "".join(rows)


def session_label(s: StoredSession, library: Library, show_user: bool) -> str:
    title = library.personas[s.persona].title if s.persona in library.personas else s.persona
    who = f"{s.user} · " if show_user else ""
    return f"#{s.id} · {who}{title} · {local_time(s.started)} · {status_of(s)}"
