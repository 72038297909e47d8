"""The eval suite's measuring machinery: metrics against hand calculations, transforms, sensitivity,
grounding, the runner with fake judges, and `roleplay eval` on the golden-mini fixture."""

import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from roleplay.content import Library, load_library
from roleplay.errors import ModelError
from roleplay.evals import (
    FILLER_EXEMPT,
    GoldenCase,
    accuracy,
    check_quotes,
    cohen_kappa,
    confusion_matrix,
    find_names,
    fleiss_kappa,
    flip_rate,
    insert_filler,
    load_golden,
    mood_chart_svg,
    not_met_recall,
    reformat_whitespace,
    remove_turns,
    rename,
    render_html,
    reversed_library,
    run_eval,
    unscored_count,
)
from roleplay.models import Evidence, ItemResult, Role, Scorecard, Transcript, Turn, Verdict, score_of

MINI = Path(__file__).parent / "fixtures" / "golden-mini"


# --- metrics ------------------------------------------------------------------------------------------


def _pairs(table: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return [pair for pair, n in table.items() for _ in range(n)]


def test_cohen_kappa_2x2_by_hand() -> None:
    # 50 items, gold x judge:       judge met  judge not_met
    #                 gold met          20          5        (25)
    #                 gold not_met      10         15        (25)
    #                                  (30)        (20)
    # p_o = (20 + 15) / 50 = 0.70
    # p_e = 25/50 * 30/50 + 25/50 * 20/50 = 0.30 + 0.20 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    pairs = _pairs({("met", "met"): 20, ("met", "not_met"): 5, ("not_met", "met"): 10,
                    ("not_met", "not_met"): 15})
    assert cohen_kappa(pairs) == pytest.approx(0.40)
    assert accuracy(pairs) == pytest.approx(0.70)
    assert not_met_recall(pairs) == pytest.approx(15 / 25)


def test_cohen_kappa_3x3_with_unscored_by_hand() -> None:
    # 20 items, gold x judge:   met  not_met  n.a.  unscored | gold total
    #            gold met         8     1       0      1     |   10
    #            gold not_met     2     5       1      0     |    8
    #            gold n.a.        0     0       2      0     |    2
    #            judge total     10     6       3      1
    # p_o = (8 + 5 + 2) / 20 = 0.75      (the unscored one counts as a disagreement)
    # p_e = (10*10 + 8*6 + 2*3 + 0*1) / 20² = 154 / 400 = 0.385
    # kappa = (0.75 - 0.385) / (1 - 0.385) = 0.365 / 0.615 = 73/123 = 0.593496...
    pairs = _pairs({("met", "met"): 8, ("met", "not_met"): 1, ("met", "unscored"): 1,
                    ("not_met", "met"): 2, ("not_met", "not_met"): 5, ("not_met", "not_applicable"): 1,
                    ("not_applicable", "not_applicable"): 2})
    assert cohen_kappa(pairs) == pytest.approx(73 / 123)
    assert accuracy(pairs) == pytest.approx(0.75)
    assert not_met_recall(pairs) == pytest.approx(5 / 8)
    assert unscored_count(pairs) == 1
    assert confusion_matrix(pairs) == {
        "met": {"met": 8, "not_met": 1, "not_applicable": 0, "unscored": 1},
        "not_met": {"met": 2, "not_met": 5, "not_applicable": 1, "unscored": 0},
        "not_applicable": {"met": 0, "not_met": 0, "not_applicable": 2, "unscored": 0},
    }


def test_cohen_kappa_edge_cases() -> None:
    assert cohen_kappa([]) is None
    assert accuracy([]) is None
    assert not_met_recall([("met", "met")]) is None  # no gold not_met
    # p_e = 1 (both always 'met'): defined as 1.0 (observed agreement is 1)
    assert cohen_kappa([("met", "met")] * 5) == 1.0
    # the kappa paradox: 9 of 10 right on a constant gold label, p_o = p_e = 0.9 -> 0.0
    assert cohen_kappa([("met", "met")] * 9 + [("met", "not_met")]) == 0.0
    # all unscored: p_o = 0, p_e = 0 -> 0.0
    assert cohen_kappa([("met", "unscored"), ("not_met", "unscored")]) == 0.0
    # Verdict enums and strings mix
    assert accuracy([(Verdict.met, "met"), ("not_met", Verdict.met)]) == 0.5


def _expand(rows: list[list[int]]) -> list[list[str]]:
    return [[f"c{j}" for j, n in enumerate(row) for _ in range(n)] for row in rows]


def test_fleiss_kappa_worked_example() -> None:
    # Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa"): 10 subjects, 14 raters, 5 categories.
    # P_i per row: 1.000 .253 .308 .440 .330 .462 .242 .176 .286 .286  ->  P̄ = 0.378
    # p_j = .143 .200 .279 .150 .229  ->  P_e = Σ p_j² = 0.213
    # kappa = (0.378 - 0.213) / (1 - 0.213) = 0.210
    rows = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(_expand(rows)) == pytest.approx(0.210, abs=5e-4)
    assert flip_rate(_expand(rows)) == pytest.approx(0.9)  # only subject 1 is unanimous


def test_fleiss_kappa_small_by_hand_and_edges() -> None:
    # 3 items, K = 2: [met, met], [met, not_met], [not_met, not_met]
    # P_i = 1, 0, 1 -> P̄ = 2/3; p_met = p_not_met = 3/6 -> P_e = 0.5; kappa = (2/3 - 1/2) / (1/2) = 1/3
    units = [["met", "met"], ["met", "not_met"], ["not_met", "not_met"]]
    assert fleiss_kappa(units) == pytest.approx(1 / 3)
    assert flip_rate(units) == pytest.approx(1 / 3)
    assert fleiss_kappa([["met", "met"], ["met", "met"]]) == 1.0  # P_e = 1: a constant judge
    assert fleiss_kappa([["met"], ["not_met"]]) is None  # one sample
    assert flip_rate([]) is None
    with pytest.raises(ValueError):
        fleiss_kappa([["met", "met"], ["met"]])


# --- transforms --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return load_library(MINI / "checklists", tmp_path_factory.mktemp("personas"))


@pytest.fixture(scope="module")
def cases(lib: Library) -> list[GoldenCase]:
    return load_golden(MINI, lib)


def test_golden_mini_loads(cases: list[GoldenCase]) -> None:
    assert [c.file for c in cases] == ["mini-01-goed.yaml", "mini-02-haastig.yaml", "mini-03-gemengd.yaml"]
    assert next(iter(cases[0].labels)) == "actief-luisteren.aanmoedigen"  # checklist order
    assert len(cases[0].labels) == 6


def test_rename_is_consistent_and_deterministic(cases: list[GoldenCase]) -> None:
    t = cases[0].transcript
    names = find_names(t)
    assert names == ["Vermeulen", "Sanne", "Voltera", "Energie"]
    renamed = rename(t)
    assert renamed == rename(t)
    text = "\n".join(x.text for x in renamed.turns)
    for name in names:
        assert name not in text
    # the same name gets the same replacement everywhere; other words are untouched
    assert renamed.turns[0].text.startswith("Goedemiddag, met ")
    assert "Ik heb uw naam niet goed verstaan. Hoe spel ik deze?" in renamed.turns[1].text
    assert [x.role for x in renamed.turns] == [x.role for x in t.turns]
    # a name that is sentence-initial in one turn and not in another is renamed in both
    t3 = cases[2].transcript
    r3 = rename(t3)
    new = r3.turns[0].text.split("mevrouw ")[1].split(".")[0]
    assert r3.turns[2].text.startswith(new + ".") and "Ouwerkerk" not in r3.turns[2].text


def test_rename_leaves_a_transcript_without_names_alone() -> None:
    t = Transcript(turns=[Turn(role=Role.customer, text="Mijn factuur klopt niet."),
                          Turn(role=Role.trainee, text="Vertelt u eens, wat klopt er niet aan?")])
    assert find_names(t) == []
    assert rename(t) is t


def test_whitespace_keeps_the_words(cases: list[GoldenCase]) -> None:
    t = cases[0].transcript
    w = reformat_whitespace(t)
    for a, b in zip(t.turns, w.turns, strict=True):
        assert a.text.split() == b.text.split()
        assert b.text.endswith("  ")
    assert "\n" in w.turns[1].text and "  " in w.turns[1].text.strip()


def test_filler_goes_after_a_neutral_trainee_turn(cases: list[GoldenCase]) -> None:
    t = cases[0].transcript
    filled, pos = insert_filler(t)
    assert pos == 4  # after trainee turn 3 "Ja, vertelt u verder." (not a question, not first or last)
    assert len(filled.turns) == len(t.turns) + 2
    assert [(x.role, x.text) for x in filled.turns[4:6]] == [(Role.customer, "Ja."), (Role.trainee, "Hm-hm.")]
    roles = [x.role for x in filled.turns]
    assert all(a is not b for a, b in pairwise(roles))
    # too short for a neutral place
    short = Transcript(turns=t.turns[:4])
    assert insert_filler(short) == (short, None)


def test_remove_turns_keeps_roles_alternating(cases: list[GoldenCase]) -> None:
    t = cases[0].transcript
    reduced, removed = remove_turns(t, [3])
    assert removed == [3, 4]
    roles = [x.role for x in reduced.turns]
    assert all(a is not b for a, b in pairwise(roles))
    assert remove_turns(t, [9]) [1] == [9]  # the last turn: nothing after it
    assert remove_turns(t, [0])[1] == []  # a customer turn is not removed


def test_reversed_library(lib: Library) -> None:
    rev = reversed_library(lib)
    assert [i.id for i in rev.checklists["naam-spellen"].items] == [
        "naam-spellen.laten-spellen", "naam-spellen.reden-noemen"]
    assert lib.checklists["naam-spellen"].items[0].id == "naam-spellen.reden-noemen"


# --- grounding ---------------------------------------------------------------------------------------


def _card(items: list[ItemResult]) -> Scorecard:
    return Scorecard(judge="fake", checklists=["actief-luisteren"], items=items, score=score_of(items))


def test_grounding_flags_paraphrase_customer_quote_and_bad_turn(cases: list[GoldenCase]) -> None:
    t = cases[0].transcript

    def item(turn: int, quote: str) -> ItemResult:
        return ItemResult(id="actief-luisteren.samenvatten", verdict=Verdict.met,
                          evidence=[Evidence(turn=turn, quote=quote)], reason="r", source="s")

    checks = check_quotes(t, _card([
        item(7, "Als ik het goed begrijp"),            # verbatim, trainee: grounded
        item(7, "Als ik het goed  begrijp"),           # whitespace differs: not verbatim
        item(7, "als ik het goed begrijp"),            # case differs: not verbatim
        item(0, "Mijn slimme meter"),                  # verbatim but the customer's turn
        item(42, "Als ik het goed begrijp"),           # no such turn
    ]))
    assert [c.grounded for c in checks] == [True, False, False, False, False]
    assert [c.problem for c in checks] == [None, "quote not verbatim", "quote not verbatim",
                                           "not a trainee turn", "turn 42 does not exist"]


# --- fake judges -------------------------------------------------------------------------------------


KEYWORDS = {
    "actief-luisteren.aanmoedigen": ("ja,", "hm-hm"),
    "actief-luisteren.doorvragen": ("?",),
    "actief-luisteren.samenvatten": ("als ik het goed begrijp",),
    "naam-spellen.reden-noemen": ("niet goed verstaan",),
    "naam-spellen.laten-spellen": ("spel",),
}


class KeywordJudge:
    """A deterministic stand-in: an item is met when a trainee turn holds one of its keywords (matched on
    lower-cased text with normalised whitespace); it quotes the first such turn in full (verbatim).
    laten-uitpraten is not_met when the first trainee turn offers to send something (no evidence);
    naam-spellen items are not_applicable unless a trainee turn mentions a name."""

    name = "fake"
    model: str | None = "keywords-v1"

    def __init__(self, library: Library) -> None:
        self.lib = library
        self.calls = 0

    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard:
        self.calls += 1
        trainee = [(i, t.text) for i, t in enumerate(transcript.turns) if t.role is Role.trainee]

        def norm(s: str) -> str:
            return " ".join(s.split()).lower()

        items = []
        for it in self.lib.items(checklists):
            evidence: list[Evidence] = []
            if it.id == "actief-luisteren.laten-uitpraten":
                verdict = Verdict.not_met if trainee and "stuur" in norm(trainee[0][1]) else Verdict.met
            elif it.id.startswith("naam-spellen.") and not any("naam" in norm(x) for _, x in trainee):
                verdict = Verdict.not_applicable
            else:
                hits = [(i, x) for i, x in trainee if any(k in norm(x) for k in KEYWORDS[it.id])]
                verdict = Verdict.met if hits else Verdict.not_met
                evidence = [Evidence(turn=hits[0][0], quote=hits[0][1])] if hits else []
            items.append(ItemResult(id=it.id, verdict=verdict, evidence=evidence,
                                    reason=f"{it.id}: {verdict}", source=it.source.label()))
        return Scorecard(judge=self.name, model=self.model, checklists=checklists, items=items,
                         score=score_of(items))


class OrderSensitiveJudge(KeywordJudge):
    """Gets naam-spellen wrong (not_met) whenever that checklist is scored first."""

    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard:
        card = super().score(transcript, checklists)
        if checklists and checklists[0] == "naam-spellen":
            items = [i.model_copy(update={"verdict": Verdict.not_met, "evidence": []})
                     if i.id.startswith("naam-spellen.") else i for i in card.items]
            card = card.model_copy(update={"items": items})
        return card


class SamplingKeywordJudge(KeywordJudge):
    """Exposes its own samples; the second sample flips samenvatten."""

    def score_samples(self, transcript: Transcript, checklists: list[str], samples: int) -> list[Scorecard]:
        cards = [self.score(transcript, checklists) for _ in range(samples)]
        flip = {Verdict.met: Verdict.not_met, Verdict.not_met: Verdict.met}
        items = [i.model_copy(update={"verdict": flip.get(i.verdict, i.verdict), "evidence": []})
                 if i.id == "actief-luisteren.samenvatten" else i for i in cards[1].items]
        cards[1] = cards[1].model_copy(update={"items": items})
        return cards


class FailingJudge(KeywordJudge):
    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard:
        if len(transcript.turns) == 6:  # mini-02
            raise ModelError("provider down", kind="timeout")
        return super().score(transcript, checklists)


# --- runner ------------------------------------------------------------------------------------------


def test_run_eval_agreement_and_checks(lib: Library, cases: list[GoldenCase]) -> None:
    judge = KeywordJudge(lib)
    report = run_eval(judge, MINI, library=lib, cases=cases, judge_factory=KeywordJudge)
    assert (report.judge, report.model, report.n_transcripts, report.n) == ("fake", "keywords-v1", 3, 18)
    assert report.kappa == 1.0 and report.accuracy == 1.0 and report.not_met_recall == 1.0
    assert report.unscored == 0 and report.disagreements == []
    support = report.per_item["naam-spellen.reden-noemen"].support
    assert support == {"met": 1, "not_met": 1, "not_applicable": 1}
    assert set(report.per_checklist) == {"actief-luisteren", "naam-spellen"}
    assert report.consistency.samples == 1 and report.consistency.fleiss_kappa is None

    inv = report.invariance
    assert inv is not None
    for name in ("rename", "whitespace", "reorder", "filler"):
        assert inv[name].share == 1.0, (name, inv[name].changed)
        assert inv[name].transcripts == 3
    assert inv["filler"].n == 3 * 5 and inv["filler"].exempt == sorted(FILLER_EXEMPT)

    # Hand-worked: correct met verdicts with evidence: mini-01 aanmoedigen (turn 3), doorvragen,
    # reden-noemen and laten-spellen (all turn 1), samenvatten (turn 7); mini-03 aanmoedigen (turn 3),
    # doorvragen (turn 1). laten-uitpraten (x2) has no evidence.
    s = report.sensitivity
    assert s is not None
    assert (s.tested, s.became_not_met, s.skipped_no_evidence, s.skipped_avoid) == (7, 3, 2, 0)
    assert s.share == pytest.approx(round(3 / 7, 4))
    # doorvragen cites only the first question, so removing it leaves the others: still met
    assert sorted((c.file, c.item) for c in s.still_met) == [
        ("mini-01-goed.yaml", "actief-luisteren.doorvragen"),
        ("mini-03-gemengd.yaml", "actief-luisteren.doorvragen")]
    assert s.still_met[0].removed_turns == [1, 2]
    assert s.still_met[0].evidence_after == [5]  # the judge now cites the next question
    # without turn 1 nobody mentions a name any more: not applicable, counted apart
    assert sorted(c.item for c in s.became_not_applicable) == ["naam-spellen.laten-spellen",
                                                                "naam-spellen.reden-noemen"]
    g = report.grounding
    assert g.share == 1.0 and g.quotes > 0 and g.failures == []

    # deterministic: the same report twice
    assert run_eval(KeywordJudge(lib), MINI, library=lib, cases=cases, judge_factory=KeywordJudge) == report


def test_run_eval_detects_order_dependence(lib: Library, cases: list[GoldenCase]) -> None:
    report = run_eval(OrderSensitiveJudge(lib), MINI, library=lib, cases=cases, checks=["invariance"])
    assert report.sensitivity is None
    inv = report.invariance
    assert inv is not None
    # naam-spellen is scored first only in the reversed run: mini-01 (met, met) and mini-02 (n.a., n.a.)
    # flip to not_met; mini-03 was not_met already.
    assert inv["reorder"].n == 18 and inv["reorder"].unchanged == 14
    assert {(c.file, c.item, c.before, c.after) for c in inv["reorder"].changed} == {
        ("mini-01-goed.yaml", "naam-spellen.reden-noemen", "met", "not_met"),
        ("mini-01-goed.yaml", "naam-spellen.laten-spellen", "met", "not_met"),
        ("mini-02-haastig.yaml", "naam-spellen.reden-noemen", "not_applicable", "not_met"),
        ("mini-02-haastig.yaml", "naam-spellen.laten-spellen", "not_applicable", "not_met"),
    }


def test_run_eval_consistency_from_the_judges_own_samples(lib: Library, cases: list[GoldenCase]) -> None:
    report = run_eval(SamplingKeywordJudge(lib), MINI, 3, library=lib, cases=cases, checks=[])
    c = report.consistency
    assert (c.samples, c.source, c.n) == (3, "judge", 18)
    # samenvatten flips in sample 2 of each of the 3 transcripts: 3 of 18 items not unanimous
    assert c.flip_rate == pytest.approx(round(3 / 18, 4))
    assert {f.item for f in c.flipped} == {"actief-luisteren.samenvatten"}
    assert c.per_item["actief-luisteren.samenvatten"].flip_rate == 1.0
    assert c.per_item["actief-luisteren.aanmoedigen"].fleiss_kappa == 1.0
    assert c.fleiss_kappa is not None and 0 < c.fleiss_kappa < 1
    assert report.kappa == 1.0  # agreement uses `score`, not the samples


def test_run_eval_repeats_a_judge_without_samples(lib: Library, cases: list[GoldenCase]) -> None:
    judge = KeywordJudge(lib)
    report = run_eval(judge, MINI, 2, library=lib, cases=cases, checks=[])
    assert judge.calls == 6
    assert (report.consistency.source, report.consistency.flip_rate, report.consistency.fleiss_kappa) == (
        "repeat", 0.0, 1.0)


def test_run_eval_judge_failure_is_unscored(lib: Library, cases: list[GoldenCase]) -> None:
    report = run_eval(FailingJudge(lib), MINI, library=lib, cases=cases, checks=[])
    assert report.judge_errors == 1 and report.unscored == 6
    assert report.accuracy == pytest.approx(round(12 / 18, 4))
    assert report.confusion["not_met"]["unscored"] == 4
    assert all(d.file == "mini-02-haastig.yaml" and d.predicted == "unscored" for d in report.disagreements)
    assert "provider down" in report.disagreements[0].reason


def test_html_report_is_self_contained(lib: Library, cases: list[GoldenCase]) -> None:
    report = run_eval(FailingJudge(lib), MINI, library=lib, cases=cases)
    html = render_html(report, mood_traces=[("boze-herhaalbeller", [2, 3, 5, 6]), ("koude-prospect", [4, 3])])
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "src=" not in html and "href=" not in html and "@import" not in html
    assert html.count("<svg") == 2  # kappa bars and the mood chart
    assert "fake judge, model keywords-v1" in html
    assert "provider down" in html and "mini-02-haastig.yaml" in html


def test_mood_chart_svg() -> None:
    svg = mood_chart_svg([("beschaamde-klant", [5, 6, 8]), ("<x>", [])])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polyline") == 1 and "&lt;x&gt;" in svg
    assert mood_chart_svg([]).startswith("<svg")


# --- the command -------------------------------------------------------------------------------------


@pytest.fixture
def mini_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point the library at the fixture checklists (and an empty persona folder) for the CLI."""
    personas = tmp_path / "personas"
    personas.mkdir()
    monkeypatch.setenv("ROLEPLAY_CHECKLISTS", str(MINI / "checklists"))
    monkeypatch.setenv("ROLEPLAY_PERSONAS", str(personas))
    yield tmp_path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from roleplay.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def fake_judge(monkeypatch: pytest.MonkeyPatch) -> type[KeywordJudge]:
    import roleplay.commands.eval as cmd

    judges: dict[str, type[KeywordJudge]] = {"rules": KeywordJudge, "llm": FailingJudge}

    def make(kind: str, *, model: str | None = None, samples: int = 1,
             library: Library | None = None) -> KeywordJudge:
        assert library is not None
        return judges[kind](library)

    monkeypatch.setattr(cmd, "make_judge", make)
    return KeywordJudge


KEYS = {"judge", "model", "n_transcripts", "kappa", "accuracy", "not_met_recall", "unscored", "confusion",
        "per_item", "per_checklist", "consistency", "invariance", "sensitivity", "grounding"}


def test_eval_command_json(mini_env: Path, fake_judge: type, capsys: pytest.CaptureFixture[str]) -> None:
    report = mini_env / "out" / "report.html"
    base = mini_env / "baseline.json"
    rc, out, err = _run(["eval", "--golden", str(MINI), "--format", "json", "--samples", "2",
                         "--report", str(report), "--write-baseline", str(base)], capsys)
    assert rc == 0, err
    data = json.loads(out)  # exactly one JSON object
    assert set(data) >= KEYS and "regressions" not in data
    assert (data["judge"], data["model"], data["n_transcripts"]) == ("fake", "keywords-v1", 3)
    assert data["kappa"] == 1.0
    item = data["per_item"]["actief-luisteren.samenvatten"]
    assert {"kappa", "accuracy", "not_met_recall", "n", "support", "unscored"} <= set(item)
    assert item["support"] == {"met": 1, "not_met": 2, "not_applicable": 0}
    assert data["consistency"]["samples"] == 2 and data["consistency"]["flip_rate"] == 0.0
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    stored = json.loads(base.read_text(encoding="utf-8"))
    assert stored["kappa"] == 1.0 and stored["per_item_kappa"]["naam-spellen.reden-noemen"] == 1.0

    # the same judge against its own baseline passes ...
    rc, out, _ = _run(["eval", "--golden", str(MINI), "--format", "json", "--baseline", str(base)], capsys)
    assert rc == 0 and json.loads(out)["regressions"] == []
    # ... a failing one does not: exit 1 with the regressions listed
    rc, out, _ = _run(["eval", "--judge", "llm", "--golden", str(MINI), "--format", "json",
                       "--baseline", str(base), "--skip", "invariance", "--skip", "sensitivity"], capsys)
    data = json.loads(out)
    assert rc == 1 and data["invariance"] is None and data["sensitivity"] is None
    assert {r["metric"] for r in data["regressions"]} >= {"kappa", "item_kappa"}


def test_eval_command_text(mini_env: Path, fake_judge: type, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(["eval", "--judge", "llm", "--golden", str(MINI), "--limit", "2"], capsys)
    assert rc == 0, err
    assert "Items, weakest first" in out and "2 transcripts" in out
    # weakest first: the items the failing judge got wrong on mini-02 come before the rest
    assert out.index("actief-luisteren.laten-uitpraten") < out.index("naam-spellen.laten-spellen")


def test_eval_command_rules_judge_runs(mini_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The real rule judge (or its placeholder) on the mini set: only the shape is checked here.
    rc, out, err = _run(["eval", "--golden", str(MINI), "--format", "json"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    assert set(data) >= KEYS and data["judge"] == "rules" and data["n_transcripts"] == 3


def test_eval_command_bad_golden_file(mini_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden = mini_env / "golden"
    golden.mkdir()
    text = (MINI / "mini-02-haastig.yaml").read_text(encoding="utf-8")
    (golden / "bad.yaml").write_text(text.replace("  naam-spellen.laten-spellen: not_applicable\n", ""),
                                     encoding="utf-8")
    rc, out, err = _run(["eval", "--golden", str(golden), "--format", "json"], capsys)
    assert rc == 2 and out == ""
    line = text.splitlines().index("labels:") + 1
    assert f"bad.yaml:{line}: labels: missing label for naam-spellen.laten-spellen" in err
    assert "Traceback" not in err

    (golden / "bad.yaml").write_text(text.replace("not_applicable\n", "maybe\n", 1), encoding="utf-8")
    rc, _, err = _run(["eval", "--golden", str(golden)], capsys)
    assert rc == 2 and "bad.yaml:" in err and "labels.naam-spellen.reden-noemen" in err

    rc, _, err = _run(["eval", "--golden", str(mini_env / "nope")], capsys)
    assert rc == 2 and "golden folder not found" in err
