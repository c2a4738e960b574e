"""The committed results are reproducible, and the README leaderboard is current."""

from __future__ import annotations

import pytest

from harness.dataset import load_references
from harness.evaluate import Settings, evaluate
from harness.leaderboard import update_text
from harness.metrics import DEFAULT_THRESHOLD
from harness.records import read_record

from conftest import DATASET, ROOT

DETERMINISTIC = ["null", "lead", "rules", "textrank", "oracle"]


@pytest.mark.slow
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
    from harness.leaderboard import leaderboard_text

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    gold = load_references(DATASET)
    every = load_references(DATASET, "test", "all").sha256 if (ROOT / "results" / "all").is_dir() else None
    table = leaderboard_text(ROOT / "results", (gold.sha256, len(gold.references)), every, DEFAULT_THRESHOLD)
    assert update_text(text, table) == text, "run `harness leaderboard`"


def test_the_human_row_is_the_second_annotation_scored():
    from harness.evaluate import score_file

    committed = read_record(ROOT / "results" / "annotator-b.json")
    assert committed.model.source == "human"
    fresh = score_file(
        ROOT / "annotations" / "annotator_b" / "predictions.jsonl",
        str(DATASET),
        settings=committed_settings(committed),
        name=committed.model.name,
        human=True,
    )
    assert fresh.per_doc_scores() == committed.per_doc_scores()
    assert fresh.aggregates == committed.aggregates


def test_the_second_annotations_predictions_are_its_annotations():
    import json

    from harness.annotations import load_yaml

    lines = (ROOT / "annotations" / "annotator_b" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        p = json.loads(line)
        data, _ = load_yaml((ROOT / "annotations" / "annotator_b" / f"{p['doc_id']}.yaml").read_text(encoding="utf-8"))
        assert p["directives"] == [
            {"text": d["text"], "evidence": [e if isinstance(e, str) else e["quote"] for e in d["evidence"]]}
            for d in data["directives"]
        ]
        assert (p["meeting_date"], p["presider"], p["summary"]) == (
            data["meeting_date"]["value"],
            data["presider"]["name"],
            data["summary"],
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second", "texts", "partial"),
    [
        ("annotations", "annotations/annotator_b", "seeds", False),
        ("annotations/constructed", "annotations/constructed/annotator_b", "constructed", True),
    ],
    ids=["seeds", "constructed"],
)
def test_the_published_agreement_is_what_harness_agree_computes(first, second, texts, partial):
    from harness.agreement import agree

    if not (ROOT / second).is_dir():
        pytest.skip(f"no {second} here")
    result = agree(ROOT / first, ROOT / second, ROOT / texts, partial=partial)
    t = result.total()
    row = (
        f"| all | {t['date_agreement']:.2f} | {t['presider_agreement']:.2f} | {t['directives_a']} / "
        f"{t['directives_b']} | {t['directive_precision']:.2f} | {t['directive_recall']:.2f} | "
        f"{t['directive_f1']:.2f} | {t['summary_rougeL']:.2f} | {t['unit_recall_b']:.2f} |"
    )
    for page in ("README.md", "dataset/README.md", "annotations/ADJUDICATION.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert row in text, page
        for d in result.documents:
            assert f"| `{d.doc_id}` | {'yes' if d.date_agrees else 'no'} |" in text, (page, d.doc_id)
            assert f"| {d.directive_f1:.2f} | {d.summary_rougeL:.2f} | {d.unit_recall_b:.2f} |" in text, page


@pytest.mark.slow
@pytest.mark.parametrize("model", DETERMINISTIC)
def test_committed_runs_on_all_are_reproduced(model):
    path = ROOT / "results" / "all" / f"{model}.json"
    if not path.is_file():
        pytest.skip("no runs on the all configuration here")
    committed = read_record(path)
    fresh = evaluate(model, committed.model.args, dataset=str(DATASET), config="all",
                     settings=committed_settings(committed))  # fmt: skip
    assert fresh.dataset.sha256 == committed.dataset.sha256, "results/all predate the dataset: re-run them"
    assert fresh.per_doc_scores() == committed.per_doc_scores()
    assert fresh.origins == committed.origins


def test_two_baselines_differ_significantly_over_all_documents():
    from harness.scoring import paired_comparison

    a, b = (ROOT / "results" / "all" / f"{m}.json" for m in ("rules", "textrank"))
    if not a.is_file():
        pytest.skip("no runs on the all configuration here")
    difference = paired_comparison(read_record(a).per_doc_scores(), read_record(b).per_doc_scores(), ["overall"])
    assert difference["overall"].n >= 45 and difference["overall"].p_value < 0.05
