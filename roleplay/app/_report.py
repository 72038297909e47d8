"""Exports of a session: the transcript file (YAML, ../shared/formats.md, with mood and NPS) and a report in
Markdown or as a self-contained HTML page (the scorecard with the evidence marked in the transcript)."""

from html import escape
from typing import Any

import yaml

from ..content import Library
from ..models import Persona, Role, Scorecard, Transcript, Verdict
from . import _texts as T
from ._views import CSS, scorecard_html, transcript_html

FORMATS = ("yaml", "markdown", "html")
SUFFIX = {"yaml": ".yaml", "markdown": ".md", "html": ".html"}


def transcript_yaml(transcript: Transcript) -> str:
    """The transcript file: persona, turns (role, text, mood), nps, notes; loadable by `roleplay judge`."""
    data = transcript.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _header(persona: Persona, meta: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("Scenario", persona.title), ("Gesprek", f"#{meta.get('id', '')}")]
    for key, label in (("user", "Trainee"), ("started", "Begonnen"), ("ended", "Beëindigd"),
                       ("customer", "Klant"), ("outcome", "Afloop")):
        if meta.get(key):
            rows.append((label, str(meta[key])))
    return rows


def report_markdown(transcript: Transcript, persona: Persona, library: Library, card: Scorecard | None,
                    meta: dict[str, Any], reflection: dict[str, Any] | None = None) -> str:
    out = [f"# Verslag: {persona.title}", ""]
    out += [f"- **{k}:** {v}" for k, v in _header(persona, meta)]
    if transcript.nps:
        a = transcript.nps
        out += ["", "## Klantbeleving (NPS)", "", f"_{T.NPS_QUESTION}_", "",
                f"**{a.score}/10** ({T.NPS_CATEGORY[a.category]}): \u201c{a.reason}\u201d"]
    if card:
        total = "–" if card.score is None else f"{card.score:.0f}"
        out += ["", "## Beoordeling", "", f"**{T.SCORE}: {total}**", ""]
        for cid in card.checklists:
            sub = card.subscores.get(cid)
            out.append(f"- {library.checklists[cid].title}: {'–' if sub is None else f'{sub:.0f}'}")
        for n, it in enumerate(card.items, start=1):
            title = library.item(it.id).title if it.id.split(".", 1)[0] in library.checklists else it.id
            out += ["", f"### [{n}] {title} — {T.VERDICT_NL[Verdict(it.verdict)]}", "", f"{T.REASON}: {it.reason}"]
            for e in it.evidence:
                out.append(f"- {T.EVIDENCE} ({T.TURN} {e.turn}): \u201c{e.quote}\u201d")
            if it.tip:
                out.append(f"\n{T.TIP}: {it.tip}")
            out.append(f"\n_{T.SOURCE}: {it.source}_")
        for w in card.warnings:
            out += ["", f"> Let op: {w}"]
    if reflection:
        out += ["", f"## {T.REFLECTION_TITLE}"]
        for key, title, _ in T.REFLECTION_QUESTIONS:
            if reflection.get(key):
                out += ["", f"**{title}**", "", str(reflection[key])]
    quoted = {(e.turn, e.quote) for it in (card.items if card else []) for e in it.evidence}
    out += ["", "## Het gesprek", ""]
    for i, t in enumerate(transcript.turns):
        who = T.TRAINEE if t.role is Role.trainee else T.CUSTOMER
        text = t.text
        for turn, quote in sorted(quoted, key=lambda x: -len(x[1])):
            if turn == i and quote in text and f"=={quote}==" not in text:
                text = text.replace(quote, f"=={quote}==", 1)
        mood = f" _(stemming {t.mood}/10)_" if t.mood is not None and t.role is Role.customer else ""
        out.append(f"{i}. **{who}:** {text}{mood}")
    return "\n".join(out) + "\n"


def report_html(transcript: Transcript, persona: Persona, library: Library, card: Scorecard | None,
                meta: dict[str, Any], reflection: dict[str, Any] | None = None) -> str:
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _header(persona, meta))
    body = (scorecard_html(card, transcript, library, transcript.nps) if card
            else f'<div class="rp rp-result">{transcript_html(transcript)}</div>')
    refl = ""
    if reflection:
        refl = f'<div class="rp rp-result"><h3>{escape(T.REFLECTION_TITLE)}</h3>' + "".join(
            f"<h4>{escape(title)}</h4><p>{escape(str(reflection[key]))}</p>"
            for key, title, _ in T.REFLECTION_QUESTIONS if reflection.get(key)) + "</div>"
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Verslag: {escape(persona.title)}'
            f"</title><style>body{{font-family:system-ui,sans-serif;max-width:960px;margin:24px auto;"
            f"background:#fff}}{CSS}</style></head><body><div class=\"rp\"><h1>Verslag: {escape(persona.title)}"
            f"</h1><table>{head}</table></div>{body}{refl}</body></html>\n")


def render(fmt: str, transcript: Transcript, persona: Persona, library: Library, card: Scorecard | None,
           meta: dict[str, Any], reflection: dict[str, Any] | None = None) -> str:
    if fmt == "yaml":
        return transcript_yaml(transcript)
    if fmt == "markdown":
        return report_markdown(transcript, persona, library, card, meta, reflection)
    if fmt == "html":
        return report_html(transcript, persona, library, card, meta, reflection)
    raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
