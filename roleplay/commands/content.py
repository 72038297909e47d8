"""Content commands: list personas and checklists, validate files, print JSON Schemas, show signals."""

import json
from pathlib import Path
from typing import Any

import click

from ..errors import InputError

SCHEMAS = ("persona", "checklist", "transcript")


def _format_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
    )(f)


@click.command("personas")
@_format_option
def personas_cmd(fmt: str) -> None:
    """List the personas (scenarios)."""
    from ..content import default_library

    lib = default_library()
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "title": p.title,
            "difficulty": p.difficulty,
            "opens": p.opens,
            "summary": p.summary,
            "checklists": p.checklists,
        }
        for p in lib.personas.values()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "titel", "niveau", "opent", "checklists", "situatie", show_lines=True)
    for r in rows:
        table.add_row(r["id"], r["title"], r["difficulty"], r["opens"], ", ".join(r["checklists"]), r["summary"])
    Console().print(table)


@click.command("checklists")
@_format_option
@click.option("--items/--no-items", default=True, help="Show the items of each checklist.")
def checklists_cmd(fmt: str, items: bool) -> None:
    """List the checklists and their items."""
    from ..content import default_library

    lib = default_library()
    if fmt == "json":
        out = [
            cl.model_dump(mode="json")
            if items
            else {"id": cl.id, "title": cl.title, "items": [it.id for it in cl.items]}
            for cl in lib.checklists.values()
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("item", "titel", "bron", show_lines=False)
    for cl in lib.checklists.values():
        table.add_row(f"[bold]{cl.id}[/bold]", f"[bold]{cl.title}[/bold]", cl.source.article)
        if items:
            for it in cl.items:
                table.add_row("  " + it.id, it.title, it.source.section)
    Console().print(table)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_cmd(paths: tuple[Path, ...]) -> None:
    """Check all content, or the given persona, checklist or transcript files.

    A file's kind is taken from its folder (personas/, checklists/) or else from its fields.
    """
    from ..content import default_library, load_checklist, load_persona, load_transcript

    lib = default_library()  # validates every shipped/configured file and cross-checks ids
    if not paths:
        click.echo(
            f"ok: {len(lib.checklists)} checklists "
            f"({sum(len(c.items) for c in lib.checklists.values())} items), {len(lib.personas)} personas"
        )
        return
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json")) if p.is_dir() else [p])
    for f in files:
        kind = _kind_of(f)
        if kind == "checklist":
            load_checklist(f)
        elif kind == "persona":
            persona, lines = load_persona(f)
            for n, cid in enumerate(persona.checklists):
                if cid not in lib.checklists:
                    raise InputError(
                        f"unknown checklist '{cid}'",
                        file=f,
                        line=lines.line(("checklists", n)),
                        field=f"checklists.{n}",
                    )
        else:
            load_transcript(f, lib)
        click.echo(f"ok: {f} ({kind})")


def _kind_of(path: Path) -> str:
    parts = {p.lower() for p in path.parts[:-1]}
    if "personas" in parts:
        return "persona"
    if "checklists" in parts:
        return "checklist"
    from ..yamlfile import read

    data, _ = read(path)
    if isinstance(data, dict) and "items" in data:
        return "checklist"
    if isinstance(data, dict) and "character" in data:
        return "persona"
    return "transcript"


def schema_for(kind: str) -> dict[str, object]:
    from pydantic import BaseModel

    from ..models import Checklist, Persona, Transcript

    models: dict[str, type[BaseModel]] = {"persona": Persona, "checklist": Checklist, "transcript": Transcript}
    model = models[kind]
    schema: dict[str, object] = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{kind}.schema.json"
    return schema


@click.command("schema")
@click.argument("kind", type=click.Choice(SCHEMAS))
def schema_cmd(kind: str) -> None:
    """Print the JSON Schema of a persona, checklist or transcript file (for editors and outside tools)."""
    click.echo(json.dumps(schema_for(kind), ensure_ascii=False, indent=2))


@click.command("signals")
@click.argument("text", required=False)
@click.option("--customer", is_flag=True, help="Treat TEXT as a customer turn.")
@click.option("--after", "after", default=None, help="The customer turn before TEXT (for parroting etc.).")
def signals_cmd(text: str | None, customer: bool, after: str | None) -> None:
    """List the behaviour signals, or show those found in TEXT."""
    from ..signals import customer_signals, describe, trainee_signals

    if text is None:
        for sid, desc in describe().items():
            click.echo(f"{sid:24} {desc}")
        return
    previous = [("customer", after)] if after else []
    found = customer_signals(text, previous) if customer else trainee_signals(text, previous)
    for s in found:
        click.echo(f"{s.id:24} [{s.start}:{s.end}] {s.text!r}")
