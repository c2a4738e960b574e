"""The committed results are reproducible, and the README leaderboard is current."""

from __future__ import annotations

import pytest

from harness.dataset import load_references
from harness.evaluate import Settings, evaluate
from harness.leaderboard import classify, load_results, render, update_text
from harness.metrics import DEFAULT_THRESHOLD
from harness.records import read_record

from conftest import DATASET, ROOT

DETERMINISTIC = ["null", "lead", "rules", "textrank", "oracle"]


@pytest.mark.parametrize("model", DETERMINISTIC)
def test_committed_record_is_reproduced(model):
    committed = read_record(ROOT / "results" / f"{model}.json")
    fresh = evaluate(
        model,
        committed.model.args,
        dataset=str(DATASET),
        settings=committed_settings(committed),
    )
    assert fresh.dataset.sha256 == committed.dataset.sha256, "results/ predate the dataset: re-run them"
    assert [d.prediction for d in fresh.documents] == [d.prediction for d in committed.documents]
    assert fresh.per_doc_scores() == committed.per_doc_scores()
    assert fresh.aggregates == committed.aggregates


def committed_settings(record):
    return Settings(threshold=record.threshold, seed=record.seed, bootstrap_samples=record.bootstrap_samples)


def test_every_builtin_baseline_has_a_record():
    names = {p.stem for p in (ROOT / "results").glob("*.json")}
    assert set(DETERMINISTIC) <= names


def test_readme_leaderboard_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    gold = load_references(DATASET)
    board = classify(load_results(ROOT / "results"), gold.sha256, len(gold.references), DEFAULT_THRESHOLD)
    assert update_text(text, render(board)) == text, "run `harness leaderboard`"
