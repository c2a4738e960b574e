"""The directive matcher's threshold is the calibrated one, the judged pairs are sound, and
the held-out accuracies in calibration/README.md are what the pairs give."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from harness.matching import DEFAULT_MATCH_THRESHOLD

from conftest import ROOT, load_script

HARD_NEGATIVES = ("negation", "antonym", "object-swap", "fragment", "boilerplate", "other-meeting", "non-directive")
POSITIVES = ("paraphrase", "source-words")


@pytest.fixture(scope="module")
def calibrate():
    return load_script(ROOT / "calibration" / "calibrate.py")


@pytest.fixture(scope="module")
def pairs(calibrate):
    return calibrate.load_pairs()


def test_pairs_are_judged_drawn_from_the_seeds_and_enough(pairs, gold):
    assert len(pairs) >= 200
    counts = Counter((p["kind"], p["label"]) for p in pairs)
    for kind in HARD_NEGATIVES:
        assert counts[(kind, "different")] >= 20, kind
    for kind in POSITIVES:
        assert counts[(kind, "same")] >= 20, kind
    assert {p["label"] for p in pairs} == {"same", "different"}
    assert len({p["id"] for p in pairs}) == len(pairs)
    by_id = gold.by_id()
    for p in pairs:
        assert p["a"] in [d.text for d in by_id[p["doc_id"]].directives], p["id"]
        if p["label"] == "different":
            assert p["b"] != p["a"]
        if p["kind"] == "source-words":
            assert all(part in by_id[p["doc_id"]].text for part in p["b"].split("; ")), p["id"]


@pytest.mark.slow
def test_calibration_gives_the_default_threshold_and_the_published_held_out_accuracy(calibrate, pairs):
    result = calibrate.evaluate("matcher", calibrate.matcher_score, pairs)
    assert result.threshold == DEFAULT_MATCH_THRESHOLD
    readme = (ROOT / "calibration" / "README.md").read_text(encoding="utf-8")
    assert f"Threshold: {DEFAULT_MATCH_THRESHOLD}" in readme
    row = re.search(r"\| matcher \(content coverage \+ rules\) \| ([0-9.]+) .*\| ([0-9.]+) \|\n", readme)
    assert row and float(row.group(1)) == DEFAULT_MATCH_THRESHOLD
    assert float(row.group(2)) == round(result.balanced_accuracy(), 3)
    for (kind, label), (right, n) in result.by_kind().items():
        assert f"| {kind} | {label} | {right}/{n} (" in readme, (kind, label)


def test_threshold_by_hand_on_a_toy_set(calibrate):
    # decision scores 1.0, 0.5 (same) and 0.25, 0.0 (different): the cuts between 0.25 and
    # 0.5 all separate the classes; the round number nearest the midpoint 0.375 is 0.38
    scored = [
        ({"label": "same"}, 1.0),
        ({"label": "same"}, 0.5),
        ({"label": "different"}, 0.25),
        ({"label": "different"}, 0.0),
    ]
    assert calibrate.choose_threshold(scored) == 0.38
    assert calibrate.auc(scored) == 1.0
    # one "same" below one "different": 3 of 4 (same, different) orderings right
    assert calibrate.auc([*scored[:1], ({"label": "same"}, 0.1), *scored[2:]]) == 0.75


def test_matcher_score_is_zero_for_ruled_out_pairs(calibrate):
    gold = "Expand exports and fully support enterprises in winning orders and markets."
    assert calibrate.matcher_score(gold, "Do not " + gold.lower()) == 0.0
    assert calibrate.matcher_score(gold, gold) == 1.0
    # "Expand exports": content words expand export of 8: min(P, R) = 2/8
    assert calibrate.matcher_score(gold, "Expand exports") == 0.25


@pytest.mark.slow
def test_the_unit_threshold_is_the_calibrated_one(calibrate):
    from harness.matching import DEFAULT_UNIT_THRESHOLD

    unit_pairs = calibrate.load_pairs(calibrate.UNIT_PAIRS)
    assert len(unit_pairs) >= 100 and {p["label"] for p in unit_pairs} == {"stated", "not stated"}
    result = calibrate.evaluate("units", calibrate.unit_score, calibrate.as_pairs(unit_pairs))
    assert result.threshold == DEFAULT_UNIT_THRESHOLD
    readme = (ROOT / "calibration" / "README.md").read_text(encoding="utf-8")
    assert f"Unit threshold: {DEFAULT_UNIT_THRESHOLD}" in readme
    assert f"| {result.balanced_accuracy():.3f} |" in readme


def test_unit_pairs_are_of_the_gold_units(calibrate, gold):
    by_id = gold.by_id()
    for p in calibrate.load_pairs(calibrate.UNIT_PAIRS):
        assert p["unit"] in [u.text for u in by_id[p["doc_id"]].summary_units], p["id"]
