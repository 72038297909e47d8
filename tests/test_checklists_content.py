"""The shipped checklists: all catalogue ids present, every field filled, nothing pasted from the articles."""

import re
from pathlib import Path

import pytest

from roleplay.content import load_checklist, load_library
from roleplay.models import Checklist

ROOT = Path(__file__).resolve().parent.parent
CHECKLIST_DIR = ROOT / "checklists"
SHARED = ROOT.parent / "shared"  # absent on CI: the tests that need it skip
CATALOGUE = SHARED / "catalogue.md"
ARTICLES = SHARED / "articles"
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/checklist.schema.json"

# A copy of the catalogue's ids (a contract), in catalogue order, so the test also runs without ../shared.
CATALOGUE_IDS: dict[str, list[str]] = {
    "actief-luisteren": ["aanmoedigen", "laten-uitpraten", "doorvragen", "samenvatten"],
    "empathisch-luisteren": ["gevoel-erkennen", "empathische-vraag", "herformuleren", "actie-toezeggen"],
    "oprechte-aandacht": ["klant-centraal", "eerst-begrijpen", "geen-gevatheid", "samen-oplossen"],
    "reflectief-luisteren": [
        "reflectie",
        "als-statement",
        "kernachtig",
        "niet-napraten",
        "neutraal",
        "doorvragen-na-bevestiging",
    ],
    "empathie-tonen": [
        "persoonlijke-taal",
        "positieve-opening",
        "excuses",
        "gevoel-valideren",
        "samenvatten-en-checken",
        "eigenaarschap",
        "actie-nu",
        "tijdsbestek",
        "nog-iets",
        "bedanken",
    ],
    "nee-zeggen": ["navragen-bij-twijfel", "geen-bot-nee", "alternatief", "voet-bij-stuk", "zakelijk"],
    "contactbezwaren": ["erkennen", "ombuigen", "geen-waarom", "respectvol-afronden"],
    "uitgaand-gesprek": ["voorstellen", "aanleiding", "doel", "afspraken-samenvatten", "afsluiting"],
    "slecht-nieuws": ["direct-brengen", "alternatief-direct", "uitleg-later", "reactie-opvangen"],
    "naam-spellen": ["reden-noemen", "laten-spellen"],
    "besluiteloze-klant": ["koopfase-verkennen", "twijfel-uitvragen", "geen-korting", "geen-druk"],
}

# Items the trainee must avoid: not_met as soon as the behaviour occurs once. `als-statement` is here because
# the catalogue makes it not_met as soon as one reflection is asked as a question.
AVOID = {
    "oprechte-aandacht.geen-gevatheid",
    "reflectief-luisteren.als-statement",
    "reflectief-luisteren.kernachtig",
    "reflectief-luisteren.niet-napraten",
    "reflectief-luisteren.neutraal",
    "nee-zeggen.geen-bot-nee",
    "nee-zeggen.zakelijk",
    "contactbezwaren.geen-waarom",
    "besluiteloze-klant.geen-korting",
    "besluiteloze-klant.geen-druk",
}

ARTICLE_TITLES = {
    "actief-luisteren": ("Actief luisteren", "000_a84e4cc9af83c051.txt"),
    "empathisch-luisteren": ("Empathisch luisteren", "001_bc365f5f8a50ba1c.txt"),
    "oprechte-aandacht": ("Actief luisteren begint met oprechte aandacht", "002_c09b3d4cab5862a6.txt"),
    "reflectief-luisteren": ("Reflectief luisteren", "003_718cd5145a141b9f.txt"),
    "empathie-tonen": ("Empathie tonen aan een klant", "004_43c846638905c387.txt"),
    "nee-zeggen": ("Nee zeggen aan de telefoon", "003_718cd5145a141b9f.txt"),
    "contactbezwaren": ("Contactbezwaren bij telefonische acquisitie", "003_718cd5145a141b9f.txt"),
    "uitgaand-gesprek": ("Een uitgaand telefoongesprek", "003_718cd5145a141b9f.txt"),
    "slecht-nieuws": ("Het slecht nieuws gesprek", "003_718cd5145a141b9f.txt"),
    "naam-spellen": ("Vragen om de naam te spellen aan de telefoon", "003_718cd5145a141b9f.txt"),
    "besluiteloze-klant": ("Wat doe je met een besluiteloze klant?", "003_718cd5145a141b9f.txt"),
}

TEXT_FIELDS = (
    "title",
    "definition",
    "met",
    "not_met",
    "not_applicable",
    "example_pass",
    "example_fail",
    "tip",
    "tip_example",
)
MIN_WORDS = 8  # a sentence this long that also occurs in an article counts as pasted


def _checklists() -> dict[str, Checklist]:
    out: dict[str, Checklist] = {}
    for path in sorted(CHECKLIST_DIR.glob("*.yaml")):
        cl, _ = load_checklist(path)
        out[cl.id] = cl
    return out


@pytest.fixture(scope="module")
def checklists() -> dict[str, Checklist]:
    return _checklists()


def _parse_catalogue(text: str) -> dict[str, list[str]]:
    """Checklist ids from '### <id> — ...' headings, item ids from the first cell of the table rows."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("## ") and out:
            break  # the personas section follows the checklists
        if m := re.match(r"^### ([a-z0-9-]+)\b", line):
            current = m.group(1)
            out[current] = []
        elif current and (m := re.match(r"^\|\s*([a-z0-9-]+)\.([a-z0-9-]+)\s*\|", line)):
            assert m.group(1) == current, f"item {m.group(0)} listed under {current}"
            out[current].append(m.group(2))
    return out


def test_every_file_validates_and_starts_with_the_schema_line() -> None:
    paths = sorted(CHECKLIST_DIR.glob("*.yaml"))
    assert paths, f"no checklists in {CHECKLIST_DIR}"
    for path in paths:
        cl, _ = load_checklist(path)
        assert path.stem == cl.id, f"{path.name}: file name must be the checklist id"
        assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE, path.name


def test_library_loads_the_checklists(tmp_path: Path) -> None:
    lib = load_library(CHECKLIST_DIR, tmp_path)  # empty persona folder: only the checklist cross-checks
    assert set(CATALOGUE_IDS) <= set(lib.checklists)


@pytest.mark.skipif(not CATALOGUE.is_file(), reason="../shared/catalogue.md not available")
def test_hard_coded_ids_match_the_catalogue() -> None:
    assert _parse_catalogue(CATALOGUE.read_text(encoding="utf-8")) == CATALOGUE_IDS


def test_every_catalogue_id_is_present_in_order(checklists: dict[str, Checklist]) -> None:
    assert len(CATALOGUE_IDS) == 11
    for cid, items in CATALOGUE_IDS.items():
        assert cid in checklists, f"checklist '{cid}' missing"
        wanted = [f"{cid}.{i}" for i in items]
        have = [it.id for it in checklists[cid].items]
        assert [i for i in have if i in wanted] == wanted, f"{cid}: items missing or out of catalogue order"


def test_every_item_is_complete(checklists: dict[str, Checklist]) -> None:
    for cl in checklists.values():
        assert cl.title.strip() and cl.description.strip(), cl.id
        for it in cl.items:
            for name in TEXT_FIELDS:
                assert getattr(it, name).strip(), f"{it.id}: empty {name}"
            assert it.example_pass.strip() != it.example_fail.strip(), f"{it.id}: pass and fail are equal"
            for src in (it.source, cl.source):
                assert src.article.strip() and src.section.strip() and (src.file or "").strip(), it.id


def test_sources_name_the_right_article(checklists: dict[str, Checklist]) -> None:
    for cid, (title, file) in ARTICLE_TITLES.items():
        cl = checklists[cid]
        for src in (cl.source, *(it.source for it in cl.items)):
            assert (src.article, src.file) == (title, file), f"{cid}: source {src.article!r} {src.file!r}"
            if ARTICLES.is_dir():
                assert (ARTICLES / file).is_file(), f"{cid}: no article file {file}"


def test_avoid_polarity_is_exactly_the_avoid_items(checklists: dict[str, Checklist]) -> None:
    avoid = {it.id for cl in checklists.values() for it in cl.items if it.polarity == "avoid"}
    assert avoid == AVOID


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[\w']+", text))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])\s+|\n+", text) if s.strip()]


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="../shared/articles not available")
def test_no_sentence_is_copied_from_the_articles(checklists: dict[str, Checklist]) -> None:
    texts = [_norm(p.read_text(encoding="utf-8")) for p in sorted(ARTICLES.glob("*.txt"))]
    articles = " " + " ".join(texts) + " "
    copied: list[str] = []
    for cl in checklists.values():
        texts = [cl.title, cl.description] + [getattr(it, f) for it in cl.items for f in TEXT_FIELDS]
        for text in texts:
            for sentence in _sentences(text):
                words = _norm(sentence)
                if len(words.split()) >= MIN_WORDS and f" {words} " in articles:
                    copied.append(f"{cl.id}: {sentence}")
    assert not copied, "sentences copied from the articles:\n" + "\n".join(copied)
