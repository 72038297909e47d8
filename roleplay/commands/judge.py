"""`roleplay judge`: score a transcript file (../shared/formats.md)."""

from pathlib import Path

import click


@click.command("judge")
@click.argument("transcript", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--judge",
    "kind",
    type=click.Choice(["rules", "llm"]),
    default="rules",
    show_default=True,
    help="rules: offline, no model needed; llm: a model through litellm.",
)
@click.option("--model", default=None, help="litellm model string for --judge llm (default: ROLEPLAY_JUDGE_MODEL).")
@click.option(
    "--checklist",
    "checklists",
    multiple=True,
    help="Checklist id to score (repeatable); overrides the transcript's checklists and its persona's.",
)
@click.option(
    "--samples",
    default=1,
    show_default=True,
    type=click.IntRange(1, 15),
    help="LLM judge: ask K times and take the majority per item.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def judge_cmd(
    transcript: Path, kind: str, model: str | None, checklists: tuple[str, ...], samples: int, fmt: str
) -> None:
    """Score a transcript against its checklists."""
    from ..content import default_library, load_transcript
    from ..judge import make_judge

    lib = default_library()
    loaded = load_transcript(transcript, lib, list(checklists) or None)
    if kind == "rules" and (model or samples > 1):
        raise click.UsageError("--model and --samples only apply to --judge llm")
    judge = make_judge(kind, model=model, samples=samples, library=lib)
    card = judge.score(loaded.transcript, loaded.checklists)
    if fmt == "json":
        click.echo(card.model_dump_json(indent=2))
    else:
        from ..judge._scorecard import render_text

        click.echo(render_text(card), nl=False)
