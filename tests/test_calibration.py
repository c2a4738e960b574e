"""The matchers' thresholds are the calibrated ones, the judged pairs are sound, and the tables
in calibration/README.md are what the pairs give.

The independent annotator's pairs are not in the repository; when their folder is named in
``POLICYBENCH_INDEPENDENT_PAIRS``, the README's section on them is checked too.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from harness import matching

from conftest import ROOT, load_script


@pytest.fixture(scope="module")
def calibrate():
    return load_script(ROOT / "calibration" / "calibrate.py")


@pytest.fixture(scope="module")
def pairs(calibrate):
    return calibrate.load_pairs(calibrate.PAIRS)


def _section(name: str) -> str:
    text = (ROOT / "calibration" / "README.md").read_text(encoding="utf-8")
    start, end = f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"
    return text[text.index(start) + len(start) : text.index(end)]


def test_own_pairs_are_judged_drawn_from_the_seeds_and_enough(pairs, gold):
    assert len(pairs) >= 200
    counts = Counter((p["kind"], p["label"]) for p in pairs)
    for kind in ("fragment", "boilerplate", "other-meeting", "non-directive", "neighbour"):
        assert counts[(kind, "different")] >= 20, kind
    for kind in ("paraphrase", "source-words"):
        assert counts[(kind, "same")] >= 20, kind
    assert len({p["id"] for p in pairs}) == len(pairs)
    by_id = gold.by_id()
    stale = [p["id"] for p in pairs if p["a"] not in [d.text for d in by_id[p["doc_id"]].directives]]
    assert len(stale) <= 10, stale  # pairs of gold directives re-worded since (reported as left out)
    for p in pairs:
        if p["label"] == "different":
            assert p["b"] != p["a"]
        if p["kind"] == "source-words":
            assert all(part in by_id[p["doc_id"]].text for part in p["b"].split("; ")), p["id"]


def test_generated_kinds_are_left_out(calibrate, pairs, gold):
    scored, _ = calibrate.score_pairs([p for p in pairs if p["kind"] not in calibrate.GENERATED], gold.by_id())
    assert not {s.pair["kind"] for s in scored} & {"negation", "antonym", "object-swap"}


def test_threshold_by_hand_on_a_toy_set(calibrate):
    same, other = {"label": "same"}, {"label": "different"}
    scored = [(same, 0.9), (same, 0.5), (other, 0.3), (other, 0.1)]
    # every cut in (0.3, 0.5] is perfect; the round number nearest the middle 0.4 is 0.4
    assert calibrate.choose_threshold(scored) == 0.4
    # one "same" at 0.2: a cut in (0.1, 0.2] keeps both "same" above 0.2 and loses the 0.3
    # "different" (balanced 0.75); a cut in (0.3, 0.5] loses the 0.2 "same" (also 0.75), and
    # is the wider gap: 0.4
    assert calibrate.choose_threshold([*scored, (same, 0.2)]) == 0.4


def test_evaluate_chooses_on_the_kinds_a_check_decides_and_holds_documents_out(calibrate):
    def pair(doc, label, kind):
        return {"doc_id": doc, "label": label, "kind": kind}

    scored = [
        (pair("a", "same", "paraphrase"), 0.6),
        (pair("a", "different", "boilerplate"), 0.2),
        (pair("a", "different", "reversal"), 0.9),
        (pair("b", "same", "paraphrase"), 0.5),
        (pair("b", "different", "boilerplate"), 0.1),
        (pair("b", "different", "reversal"), 0.8),
    ]
    # chosen on the paraphrases and the boilerplate only: any cut in (0.2, 0.5] is perfect on
    # them, 0.35 the round number nearest the middle; the reversals are all accepted
    result = calibrate.evaluate(scored, frozenset({"boilerplate"}))
    assert result.threshold == 0.35
    assert result.by_kind[("paraphrase", "same")] == (2, 2)
    assert result.by_kind[("reversal", "different")] == (0, 2)
    # held out: balanced over the "same" (2 of 2) and the "different" (2 of 4): 0.75
    assert result.held_out == 0.75


def test_the_readme_shows_what_the_own_pairs_and_units_give(calibrate):
    report = calibrate.report(None)
    assert report.strip() == _section("own").strip()


def test_the_shipped_thresholds_are_the_calibrated_ones(calibrate, gold):
    scored, skipped = calibrate.unit_pairs(gold.by_id())
    assert calibrate.evaluate(scored).threshold == matching.DEFAULT_UNIT_THRESHOLD
    assert skipped <= 3
    readme = (ROOT / "calibration" / "README.md").read_text(encoding="utf-8")
    assert f"`ABOUT = {matching.ABOUT}`" in readme
    assert f"`DEFAULT_MATCH_THRESHOLD = {matching.DEFAULT_MATCH_THRESHOLD}`" in readme
    assert f"`DEFAULT_UNIT_THRESHOLD = {matching.DEFAULT_UNIT_THRESHOLD}`" in readme


@pytest.mark.skipif(not os.environ.get("POLICYBENCH_INDEPENDENT_PAIRS"), reason="the independent pairs are not here")
def test_the_readme_shows_what_the_independent_pairs_give(calibrate):
    folder = Path(os.environ["POLICYBENCH_INDEPENDENT_PAIRS"])
    report = calibrate.report(folder)
    independent = _section("independent")
    for block in independent.split("\n\n"):
        assert block.strip() in report, block[:80]


@pytest.mark.skipif(not os.environ.get("POLICYBENCH_INDEPENDENT_PAIRS"), reason="the independent pairs are not here")
def test_the_matcher_meets_its_specification_on_the_independent_pairs(calibrate, gold):
    """What the shipped matcher must do on an independent annotator's pairs, with the gold's
    evidence: accept every honest kind (>= 0.9), reject number edits (>= 0.9), other directives
    of the meeting and boilerplate (>= 0.8); and the summary score must put honest summaries
    0.3 above keyword salads and source copies, 0.15 above swapped roles, wrong numbers or dates
    and other meetings."""
    folder = Path(os.environ["POLICYBENCH_INDEPENDENT_PAIRS"])
    scored, _ = calibrate.score_pairs(calibrate.load_pairs(folder / "directive_pairs.jsonl"), gold.by_id())
    by_kind: dict[str, list[bool]] = {}
    for s in scored:
        by_kind.setdefault(s.pair["kind"], []).append((s.evidence >= matching.ABOUT) == (s.pair["label"] == "same"))
    rate = {kind: sum(v) / len(v) for kind, v in by_kind.items()}
    for kind in ("llm-paraphrase", "source-quote", "compressed", "double-negative", "number-edit"):
        assert rate[kind] >= 0.9, (kind, rate[kind])
    for kind in ("other-directive-same-meeting", "generic-boilerplate"):
        assert rate[kind] >= 0.8, (kind, rate[kind])
    summaries = calibrate.summary_scores(calibrate.load_pairs(folder / "summary_pairs.jsonl"), gold.by_id())
    mean = {kind: sum(v) / len(v) for kind, v in summaries.items()}
    for kind in ("keyword-salad", "copy-of-source"):
        assert mean["honest"] - mean[kind] >= 0.3, kind
    for kind in ("swapped-role", "wrong-number-or-date", "other-meeting"):
        assert mean["honest"] - mean[kind] >= 0.15, kind
