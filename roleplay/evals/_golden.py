"""The golden set: hand-labelled transcripts, one verdict per item of the checklists that apply."""

from dataclasses import dataclass
from pathlib import Path

from ..content import Library, LoadedTranscript, load_transcript
from ..errors import ContentError, InputError
from ..models import Transcript, Verdict

_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class GoldenCase:
    file: str  # name relative to the golden folder, as shown in reports
    path: Path
    transcript: Transcript
    checklists: list[str]
    labels: dict[str, Verdict]  # in checklist order


def golden_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError("golden folder not found", file=folder)
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith("_"))


def load_golden(folder: Path, library: Library, *, limit: int | None = None) -> list[GoldenCase]:
    """Load and check every golden transcript (sorted by name; the first `limit` only if given).

    Beyond the transcript checks of `load_transcript`, a golden file must label every item of the
    checklists that apply, and nothing else, so that every figure has the same denominator.
    """
    files = golden_files(folder)
    if not files:
        raise InputError("no golden transcripts (*.yaml, *.yml, *.json) in this folder", file=folder)
    cases = []
    for path in files[:limit] if limit is not None else files:
        loaded = load_transcript(path, library)
        t = loaded.transcript
        if not t.labels:
            raise _fail(loaded, "a golden transcript needs 'labels': one verdict per item of its checklists",
                        ("labels",))
        wanted = [it.id for it in library.items(loaded.checklists)]
        for item_id in t.labels:
            if item_id not in wanted:
                raise _fail(loaded, f"label for '{item_id}', whose checklist is not scored here "
                                    f"(checklists: {', '.join(loaded.checklists)})", ("labels", item_id))
        missing = [i for i in wanted if i not in t.labels]
        if missing:
            raise _fail(loaded, f"missing label for {', '.join(missing)}", ("labels",))
        cases.append(GoldenCase(path.name, path, t, loaded.checklists, {i: t.labels[i] for i in wanted}))
    return cases


def _fail(loaded: LoadedTranscript, msg: str, loc: tuple[str, ...]) -> ContentError:
    line = loaded.lines.line(loc) if loaded.lines else None
    return ContentError(msg, file=loaded.path, line=line, field=".".join(loc))
