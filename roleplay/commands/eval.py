"""`roleplay eval`: measure a judge on the golden set, compare with a baseline, write reports."""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .. import paths
from ..content import Library, default_library
from ..errors import InputError, RoleplayError
from ..evals import CHECKS, compare, load_baseline, render_html, render_text, run_eval, write_baseline
from ..judge import Judge, make_judge


def _judge(kind: str, model: str | None, library: Library) -> Judge:
    try:
        return make_judge(kind, model=model, library=library)
    except ImportError as exc:  # the LLM judge's module or its dependencies are not installed
        raise RoleplayError(f"the {kind} judge is not available: {exc}") from None


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A transient progress bar on stderr (only on a terminal: stdout may be JSON for a pipe)."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("judging", total=None)

        def update(done: int, total: int, file: str) -> None:
            bar.update(task, completed=done, total=total, description=file)

        yield update


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report ({exc.strerror})", file=path) from None


@click.command("eval")
@click.option("--judge", "judge_kind", type=click.Choice(["rules", "llm"]), default="rules",
              show_default=True, help="Which judge to measure.")
@click.option("--model", default=None, help="litellm model string for --judge llm (default: configured).")
@click.option("--golden", "golden_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of golden transcripts (default: the shipped golden set).")
@click.option("--samples", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge samples per transcript, for consistency (Fleiss' kappa, flip rate).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N golden files.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: exactly one JSON object on stdout.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a self-contained HTML report to this file.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Compare with this baseline; exit 1 when the gate fails.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Store this run's figures as the new baseline (e.g. evals/baseline.json).")
@click.option("--skip", type=click.Choice(CHECKS), multiple=True,
              help="Skip an optional check (they cost extra judge calls). Repeatable.")
@click.pass_context
def eval_cmd(ctx: click.Context, judge_kind: str, model: str | None, golden_dir: Path | None, samples: int,
             limit: int | None, fmt: str, report_path: Path | None, baseline_path: Path | None,
             write_baseline_path: Path | None, skip: tuple[str, ...]) -> None:
    """Measure the judge on the golden set: agreement with the labels (Cohen's kappa, accuracy,
    not_met recall), consistency over samples, invariance, sensitivity and grounding of quotes.

    Exit status: 0; 1 when the gate fails against --baseline (or the judge fails); 2 for bad input.
    """
    if model and judge_kind != "llm":
        raise InputError("--model only applies to --judge llm")
    baseline = load_baseline(baseline_path) if baseline_path else None
    lib = default_library()
    judge = _judge(judge_kind, model, lib)

    def factory(library: Library) -> Judge:
        return _judge(judge_kind, model, library)

    with _progress(sys.stderr.isatty()) as progress:
        report = run_eval(judge, golden_dir or paths.data_dir("golden"), samples, library=lib, limit=limit,
                          judge_factory=factory, checks=[c for c in CHECKS if c not in skip],
                          progress=progress)
    if baseline is not None:
        report = compare(report, baseline, file=baseline_path)
    if write_baseline_path:
        write_baseline(report, write_baseline_path)
    if report_path:
        _write(report_path, render_html(report))

    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        # item ids are long: a pipe or file gets 120 columns instead of rich's default 80
        render_text(report, Console() if sys.stdout.isatty() else Console(width=120))
        for what, path in (("report", report_path), ("baseline", write_baseline_path)):
            if path:
                click.echo(f"{what} written to {path}")
    if report.regressions:
        ctx.exit(1)
