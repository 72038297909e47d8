"""Bad content gives one clear line naming the file, the line and the field, and exit status 2."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from roleplay.content import load_library
from roleplay.errors import ContentError

BAD = Path(__file__).parent / "fixtures" / "bad"
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roleplay", *args], capture_output=True, text=True, cwd=cwd)


# fixture -> (line, field or None, words the message must contain)
CASES = {
    "checklist_bad_yaml.yaml": (3, None, "never closed"),
    "checklist_missing_field.yaml": (6, "items.0.tip", "required field is missing"),
    "checklist_unknown_field.yaml": (16, "items.0.weight", "unknown field"),
    "checklist_wrong_type.yaml": (5, "items", "valid list"),
    "checklist_duplicate_item.yaml": (17, "items.1.id", "duplicate item id"),
    "persona_unknown_checklist.yaml": (7, "checklists.1", "unknown checklist 'bestaat-niet'"),
    "persona_wrong_type.yaml": (22, "mood.start", "integer"),
    "transcript_unknown_role.yaml": (5, "turns.1.role", "'customer' or 'trainee'"),
    "transcript_empty_turns.yaml": (2, "turns", "at least 1"),
    "transcript_unknown_persona.yaml": (1, "persona", "unknown persona 'vrolijke-klant'"),
    "transcript_unknown_checklist.yaml": (1, "checklists.1", "unknown checklist 'geen-idee'"),
    "transcript_bad_yaml.yaml": (4, None, "never closed"),
    "transcript_bad_json.json": (3, None, "invalid JSON"),
}


def _kind(name: str) -> str:
    return name.split("_", 1)[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_names_file_line_and_field(name: str, tmp_path: Path) -> None:
    line, field, words = CASES[name]
    # personas and checklists are recognised by their folder, as in a user's own content folder
    folder = tmp_path / {"checklist": "checklists", "persona": "personas"}.get(_kind(name), "transcripts")
    folder.mkdir()
    target = folder / name
    shutil.copy(BAD / name, target)
    result = run("validate", str(target))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    msg = lines[0]
    assert f"{target}:{line}:" in msg, msg
    if field:
        assert f" {field}: " in msg, msg
    assert words in msg, msg


def test_shipped_content_validates() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "11 checklists (52 items), 4 personas" in result.stdout


def _copy_content(tmp_path: Path) -> tuple[Path, Path]:
    cl, pe = tmp_path / "checklists", tmp_path / "personas"
    shutil.copytree(ROOT / "checklists", cl)
    shutil.copytree(ROOT / "personas", pe)
    return cl, pe


def test_duplicate_checklist_id_across_files(tmp_path: Path) -> None:
    cl, pe = _copy_content(tmp_path)
    shutil.copy(cl / "naam-spellen.yaml", cl / "naam-spellen-kopie.yaml")
    with pytest.raises(ContentError) as err:
        load_library(cl, pe)
    assert err.value.field == "id" and err.value.line is not None
    assert "duplicate checklist id 'naam-spellen'" in str(err.value)
    assert "naam-spellen-kopie.yaml" in str(err.value) or "naam-spellen.yaml" in str(err.value)


def test_duplicate_persona_id_across_files(tmp_path: Path) -> None:
    cl, pe = _copy_content(tmp_path)
    shutil.copy(pe / "koude-prospect.yaml", pe / "zz-kopie.yaml")
    with pytest.raises(ContentError) as err:
        load_library(cl, pe)
    assert "duplicate persona id 'koude-prospect'" in str(err.value)
    assert err.value.file is not None and err.value.file.endswith("zz-kopie.yaml")


def test_user_content_folders_via_flags(tmp_path: Path) -> None:
    cl, pe = _copy_content(tmp_path)
    shutil.copy(BAD / "persona_unknown_checklist.yaml", pe / "kapot.yaml")
    result = run("--personas", str(pe), "--checklists", str(cl), "personas")
    assert result.returncode == 2
    assert f"{pe / 'kapot.yaml'}:7: checklists.1: unknown checklist" in result.stderr
    (pe / "kapot.yaml").unlink()
    shutil.copy(BAD / "_valid_persona.yaml", pe / "mini.yaml")
    result = run("--personas", str(pe), "--checklists", str(cl), "personas", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"id": "mini"' in result.stdout


def test_schema_files_are_current() -> None:
    """schemas/*.json are what `roleplay schema` prints; editors validate content files against them."""
    for kind in ("persona", "checklist", "transcript"):
        printed = run("schema", kind)
        assert printed.returncode == 0
        on_disk = (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert printed.stdout == on_disk, f"schemas/{kind}.schema.json is stale: run `roleplay schema {kind}`"


def test_content_files_point_editors_at_the_schema() -> None:
    for folder, kind in (("checklists", "checklist"), ("personas", "persona")):
        for f in sorted((ROOT / folder).glob("*.yaml")):
            first = f.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json", f
    for f in sorted((ROOT / "evals" / "golden").glob("*.yaml")):
        first = f.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/transcript.schema.json", f
