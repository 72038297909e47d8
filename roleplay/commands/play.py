"""`roleplay play`: chat with a simulated customer, or play a file of trainee messages against it."""

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError

if TYPE_CHECKING:
    from ..session import Session

_TRAINEE_SUFFIXES = (".yaml", ".yml", ".txt")


def read_trainee_file(path: Path) -> list[str]:
    """Trainee messages from a YAML list of strings, or a .txt file with one message per line (blank lines
    and lines starting with '#' are skipped). Errors name the file and the line."""
    suffix = path.suffix.lower()
    if suffix not in _TRAINEE_SUFFIXES:
        raise InputError("a trainee file is a .yaml, .yml or .txt file", file=path)
    if suffix == ".txt":
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("file not found", file=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read file ({exc.__class__.__name__})", file=path) from None
        messages = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if not messages:
            raise InputError("no trainee messages in the file (one message per line)", file=path)
        return messages
    from ..yamlfile import read

    data, lines = read(path)
    if not isinstance(data, list):
        got = "nothing" if data is None else type(data).__name__
        raise InputError(f"expected a YAML list of trainee messages, got {got}", file=path,
                         line=lines.line(()) or 1)
    if not data:
        raise InputError("no trainee messages in the file", file=path, line=1)
    out: list[str] = []
    for n, item in enumerate(data):
        if not isinstance(item, str):
            kind = "nothing" if item is None else type(item).__name__
            raise InputError(f"message {n + 1} is {kind}, expected text (quote it)", file=path,
                             line=lines.line((n,)), field=f"[{n}]")
        if not item.strip():
            raise InputError(f"message {n + 1} is empty", file=path, line=lines.line((n,)), field=f"[{n}]")
        out.append(item.strip())
    return out


def _transcript_data(session: "Session") -> dict[str, Any]:
    return session.to_transcript().model_dump(mode="json", exclude_none=True)


def _print_transcript(session: "Session", fmt: str) -> None:
    data = _transcript_data(session)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), nl=False)


def _play_script(session: "Session", messages: list[str]) -> int:
    """Play the messages in order; returns how many were left when the customer ended the call."""
    for n, text in enumerate(messages):
        if session.ended:
            return len(messages) - n
        session.send(text)
    return 0


def _interactive(session: "Session", seed: int) -> None:
    from rich.console import Console
    from rich.panel import Panel

    from ..customer import NPS_QUESTION

    con = Console(highlight=False)
    p = session.persona
    con.print(Panel(f"{p.briefing}\n\n[dim]Typ /stop om het gesprek te beëindigen. (seed {seed})[/dim]",
                    title=f"{p.title} — {p.difficulty}", expand=False))
    who = p.character.name.split()[0]
    for t in session.turns:  # the customer's opening line
        con.print(f"[bold magenta]{who}:[/] {t.text}")
    while not session.ended:
        try:
            text = con.input("[bold cyan]Jij:[/] ").strip()
        except EOFError:
            con.print()
            break
        if not text:
            continue
        if text.lower() in ("/stop", "/quit", "/exit"):
            break
        con.print(f"[bold magenta]{who}:[/] ", end="")
        for chunk in session.send_stream(text):
            con.print(chunk, end="", markup=False)
        con.print(f"  [dim]({session.state.band})[/dim]")
    if session.ended and session.state.ended_by == "customer":
        con.print(f"[dim]{who} heeft het gesprek beëindigd.[/dim]")
    session.end()
    answer = session.nps()
    con.print(f"\n[bold]{NPS_QUESTION}[/]")
    category = {"detractor": "criticaster", "passive": "passief", "promoter": "promotor"}[answer.category]
    con.print(f"[bold magenta]{who}:[/] {answer.score} — {answer.reason} [dim]({category})[/dim]")
    for w in session.warnings:
        con.print(f"[yellow]{w}[/yellow]")


@click.command("play")
@click.argument("persona_id", metavar="PERSONA")
@click.option("--customer", type=click.Choice(["scripted", "llm"]), default="scripted", show_default=True,
              help="scripted: offline, deterministic for a seed; llm: a model through litellm.")
@click.option("--model", default=None, help="litellm model string for --customer llm.")
@click.option("--trainee", "trainee_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Play these trainee messages (a YAML list, or a .txt file with one per line) and print "
              "the transcript, instead of an interactive chat.")
@click.option("--seed", type=int, default=None,
              help="Seed of the scripted customer (default: 0 with --trainee, random in a chat).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="With --trainee: the transcript as YAML (text) or JSON.")
def play_cmd(persona_id: str, customer: str, model: str | None, trainee_file: Path | None, seed: int | None,
             fmt: str) -> None:
    """Play a persona: interactive chat, or a trainee script (--trainee FILE)."""
    from ..content import default_library
    from ..customer import ScriptedCustomer, check_script, make_customer
    from ..session import Session

    if model and customer == "scripted":
        raise click.UsageError("--model only applies to --customer llm")
    persona = default_library().persona(persona_id)
    messages = read_trainee_file(trainee_file) if trainee_file is not None else None
    backend = make_customer(customer, model=model)
    if customer == "scripted":
        check_script(persona)
    if seed is None:
        seed = 0 if messages is not None else random.randrange(1_000_000)
    # An LLM customer that fails falls back to the scripted one; the conversation so far is kept.
    fallback = ScriptedCustomer() if customer != "scripted" and persona.script else None
    session = Session(persona, backend, seed=seed, fallback=fallback)
    if messages is None:
        _interactive(session, seed)
        return
    left = _play_script(session, messages)
    session.end()
    session.nps()
    if left:
        click.echo(f"roleplay: note: the customer ended the conversation; {left} trainee message(s) not played",
                   err=True)
    for w in session.warnings:
        click.echo(f"roleplay: warning: {w}", err=True)
    _print_transcript(session, fmt)
