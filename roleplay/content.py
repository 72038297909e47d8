"""Load and cross-check all content: checklists, personas, transcripts. Errors name file, line, field."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import paths
from .errors import ContentError, InputError
from .models import Checklist, ChecklistItem, Persona, Transcript
from .yamlfile import LineMap, load

_SUFFIXES = (".yaml", ".yml")


def _files(folder: Path, what: str) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"{what} folder not found", file=folder)
    return sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and not p.name.startswith("_"))


@dataclass
class Library:
    """All checklists and personas, validated and cross-checked."""

    checklists: dict[str, Checklist] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # "checklist:<id>" / "persona:<id>" -> file

    def items(self, checklist_ids: list[str]) -> list[ChecklistItem]:
        return [it for cid in checklist_ids for it in self.checklists[cid].items]

    def item(self, item_id: str) -> ChecklistItem:
        return self.checklists[item_id.split(".", 1)[0]].item(item_id)

    def persona(self, persona_id: str) -> Persona:
        try:
            return self.personas[persona_id]
        except KeyError:
            known = ", ".join(sorted(self.personas))
            raise InputError(f"unknown persona '{persona_id}' (known: {known})") from None

    def check_checklist_ids(self, ids: list[str]) -> None:
        for cid in ids:
            if cid not in self.checklists:
                known = ", ".join(sorted(self.checklists))
                raise InputError(f"unknown checklist '{cid}' (known: {known})")


def load_checklist(path: Path) -> tuple[Checklist, LineMap]:
    return load(Checklist, path)


def load_persona(path: Path) -> tuple[Persona, LineMap]:
    return load(Persona, path)


def load_library(checklist_dir: Path | None = None, persona_dir: Path | None = None) -> Library:
    lib = Library()
    item_files: dict[str, Path] = {}
    for path in _files(checklist_dir or paths.data_dir("checklists"), "checklists"):
        cl, lines = load_checklist(path)
        if cl.id in lib.checklists:
            other = lib.files[f"checklist:{cl.id}"]
            raise ContentError(
                f"duplicate checklist id '{cl.id}' (also in {other})", file=path, line=lines.line(("id",)), field="id"
            )
        for n, it in enumerate(cl.items):
            if it.id in item_files:
                raise ContentError(
                    f"duplicate item id '{it.id}' (also in {item_files[it.id]})",
                    file=path,
                    line=lines.line(("items", n, "id")),
                    field=f"items.{n}.id",
                )
            item_files[it.id] = path
        lib.checklists[cl.id] = cl
        lib.files[f"checklist:{cl.id}"] = path
    for path in _files(persona_dir or paths.data_dir("personas"), "personas"):
        persona, lines = load_persona(path)
        if persona.id in lib.personas:
            other = lib.files[f"persona:{persona.id}"]
            raise ContentError(
                f"duplicate persona id '{persona.id}' (also in {other})",
                file=path,
                line=lines.line(("id",)),
                field="id",
            )
        for n, cid in enumerate(persona.checklists):
            if cid not in lib.checklists:
                raise ContentError(
                    f"unknown checklist '{cid}'", file=path, line=lines.line(("checklists", n)), field=f"checklists.{n}"
                )
        lib.personas[persona.id] = persona
        lib.files[f"persona:{persona.id}"] = path
    return lib


def default_library() -> Library:
    """The library from the configured folders (flags, env vars or the shipped content), loaded once per folder."""
    return _library_at(paths.data_dir("checklists").resolve(), paths.data_dir("personas").resolve())


@cache
def _library_at(checklist_dir: Path, persona_dir: Path) -> Library:
    return load_library(checklist_dir, persona_dir)


@dataclass
class LoadedTranscript:
    transcript: Transcript
    checklists: list[str]
    path: Path | None = None
    lines: LineMap | None = None


def resolve_transcript(
    t: Transcript,
    lib: Library,
    path: Path | None = None,
    lines: LineMap | None = None,
    checklists: list[str] | None = None,
) -> LoadedTranscript:
    """Check ids against the library and decide which checklists apply (flag > file > persona)."""

    def fail(msg: str, loc: tuple[str | int, ...]) -> ContentError:
        return ContentError(
            msg, file=path, line=lines.line(loc) if lines else None, field=".".join(map(str, loc)) if loc else None
        )

    if t.persona is not None and t.persona not in lib.personas:
        raise fail(f"unknown persona '{t.persona}' (known: {', '.join(sorted(lib.personas))})", ("persona",))
    for n, cid in enumerate(t.checklists or []):
        if cid not in lib.checklists:
            raise fail(f"unknown checklist '{cid}' (known: {', '.join(sorted(lib.checklists))})", ("checklists", n))
    if checklists:
        lib.check_checklist_ids(checklists)
        chosen = list(checklists)
    elif t.checklists:
        chosen = list(t.checklists)
    elif t.persona:
        chosen = list(lib.personas[t.persona].checklists)
    else:
        raise fail("no checklists to score: give 'persona' or 'checklists' (or --checklist)", ())
    known_items = {it.id for cid in lib.checklists for it in lib.checklists[cid].items}
    for item_id in t.labels or {}:
        if item_id not in known_items:
            raise fail(f"unknown item id '{item_id}'", ("labels", item_id))
    return LoadedTranscript(t, chosen, path, lines)


def load_transcript(path: Path, lib: Library, checklists: list[str] | None = None) -> LoadedTranscript:
    if path.suffix.lower() not in (*_SUFFIXES, ".json"):
        raise ContentError("a transcript is a .yaml, .yml or .json file", file=path)
    t, lines = load(Transcript, path)
    return resolve_transcript(t, lib, path, lines, checklists)
