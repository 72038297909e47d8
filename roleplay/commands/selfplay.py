"""`roleplay selfplay`: a scripted trainee plays a persona; checks say if the customer kept to its persona."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click

from ..errors import InputError

if TYPE_CHECKING:
    from ..evals._selfplay import Expect, SelfPlayRun
    from ..models import Persona

_BOTH = "both"


def _scripts(persona: "Persona", trainee: str,
             expect: "Expect | None") -> list[tuple[str, "Expect | None", list[str]]]:
    """(label, expected mood direction, lines) per trainee to play against this persona."""
    from ..evals._selfplay import Expect, trainee_script
    from .play import read_trainee_file

    kinds: list[Expect] = [k for k in get_args(Expect) if trainee in (k, _BOTH)]
    if not kinds:
        return [(trainee, expect, read_trainee_file(Path(trainee)))]
    return [(kind, kind, read_trainee_file(trainee_script(persona.id, kind))) for kind in kinds]


@click.command("selfplay")
@click.argument("persona_id", metavar="PERSONA")
@click.option("--trainee", default=_BOTH, show_default=True,
              help="good, rude, both, or a trainee FILE (a YAML list, or a .txt file: one message a line).")
@click.option("--expect", type=click.Choice(["good", "rude"]), default=None,
              help="With a trainee FILE: check the mood as for a good or rude trainee (default: unchecked).")
@click.option("--customer", type=click.Choice(["scripted", "llm"]), default="scripted", show_default=True,
              help="scripted: offline, deterministic for a seed; llm: a model through litellm.")
@click.option("--model", default=None,
              help="litellm model string for --customer llm (default: ROLEPLAY_MODEL).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the customer.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table per run; json: the run's object ({\"passed\", \"runs\"} for several runs).")
@click.option("--report", "report", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write an HTML report with the mood chart and the checks.")
@click.pass_context
def selfplay_cmd(ctx: click.Context, persona_id: str, trainee: str, expect: "Expect | None", customer: str,
                 model: str | None, seed: int, fmt: str, report: Path | None) -> None:
    """Let a scripted trainee play a persona and check the persona's behaviour.

    PERSONA is a persona id, or 'all' for every persona. Checks: the mood moves the right way, no repeated
    sentence, no employee-like or out-of-character line (AI talk, reciting its instructions, the trainee's
    name, not Dutch), no hidden fact before its question, the end through one of the persona's end
    conditions, and the NPS in the persona's band. Exit status 0 when every check passes, 1 when one fails,
    2 on bad input.
    """
    from ..content import default_library
    from ..customer import check_script, make_customer
    from ..errors import ModelError
    from ..evals._selfplay import play_selfplay
    from ..evals._selfplay_report import render_selfplay_html, render_selfplay_text, selfplay_data

    if model and customer == "scripted":
        raise click.UsageError("--model only applies to --customer llm")
    if expect and trainee in ("good", "rude", _BOTH):
        raise click.UsageError("--expect only applies to a trainee FILE")
    lib = default_library()
    personas = sorted(lib.personas.values(), key=lambda p: p.id) if persona_id == "all" else [
        lib.persona(persona_id)]
    plans = [(p, _scripts(p, trainee, expect)) for p in personas]  # all input checked before anything plays
    backend = make_customer(customer, model=model)
    if customer == "scripted":
        for p in personas:
            check_script(p)
    runs: list[SelfPlayRun] = []
    for persona, scripts in plans:
        for label, direction, lines in scripts:
            try:
                runs.append(play_selfplay(persona, lines, backend, trainee=label, expect=direction,
                                          seed=seed))
            except ModelError as exc:
                raise ModelError(f"the LLM customer ({backend.model}) failed in self-play of {persona.id} "
                                 f"({label} trainee): {exc}", kind=exc.kind, model=exc.model) from None
    if report is not None:
        try:
            report.write_text(render_selfplay_html(runs), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report ({exc.__class__.__name__})", file=report) from None
    if fmt == "json":
        click.echo(json.dumps(selfplay_data(runs), ensure_ascii=False, indent=2))
    else:
        click.echo(render_selfplay_text(runs), nl=False)
    if not all(r.passed for r in runs):
        ctx.exit(1)
