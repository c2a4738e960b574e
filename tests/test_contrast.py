"""The contrast configuration: variants generated from the seeds with the gold in step, and
the consistency score a memorising system cannot earn."""

from __future__ import annotations

import json

import pytest

from harness.contrast import INVENTED_NAMES, check
from harness.dataset import load_gold
from harness.evaluate import score_file
from harness.schema import base_id

from conftest import DATASET


@pytest.fixture(scope="module")
def contrast():
    return load_gold(DATASET, config="contrast")


def test_every_variant_resolves_its_evidence_and_names_its_kind(contrast, gold):
    ids = [r.doc_id for r in contrast.records]
    originals = [i for i in ids if "~" not in i]
    assert [i for i in originals if i in gold.by_id()] == [r.doc_id for r in gold.records]  # every seed, in order
    assert {i.split("~")[1] for i in ids if "~" in i} == {"rename", "date", "order", "format"}
    seed_orders = [i for i in ids if i.endswith("~order") and i.split("~")[0] in gold.by_id()]
    assert len(seed_orders) == len(gold.records) - 1  # 004 has one paragraph of directives: no order variant
    for record in contrast.records:
        assert check(record) == [], record.doc_id


def test_the_gold_changes_in_step(contrast, gold):
    seeds, by_id = gold.by_id(), contrast.by_id()
    for seed_id, seed in seeds.items():
        renamed = by_id[f"{seed_id}~rename"]
        assert renamed.presider.name in INVENTED_NAMES and seed.presider.name not in renamed.text
        assert renamed.presider.name in renamed.text and renamed.presider.name in renamed.summary
        moved = by_id[f"{seed_id}~date"]
        assert moved.meeting_date[:7] != seed.meeting_date[:7]  # across a month boundary
        assert moved.meeting_date_basis == seed.meeting_date_basis
        assert seed.meeting_date not in moved.text
        formatted = by_id[f"{seed_id}~format"]
        assert formatted.meeting_date == seed.meeting_date and formatted.text != seed.text
        if f"{seed_id}~order" in by_id:
            ordered = by_id[f"{seed_id}~order"]
            firsts = [min(s.start for s in d.evidence) for d in ordered.directives]
            assert firsts == sorted(firsts) and ordered.directives != seed.directives
            assert sorted(d.text for d in ordered.directives) == sorted(d.text for d in seed.directives)


def test_load_dataset_reads_the_contrast_configuration_offline():
    from datasets import load_dataset

    rows = load_dataset(str(DATASET), "contrast", split="test")
    assert rows.num_rows == len(load_gold(DATASET, config="contrast").records) and rows[1]["doc_id"].endswith("~rename")


def _predictions(records) -> str:
    return "".join(
        json.dumps({"doc_id": r.doc_id, "meeting_date": r.meeting_date,
                    "presider": r.presider.name if r.presider else None,
                    "directives": [d.text for d in r.directives], "summary": r.summary}) + "\n"
        for r in records
    )  # fmt: skip


@pytest.mark.slow
def test_the_gold_is_consistent_and_a_memoriser_is_not(contrast, gold, tmp_path):
    right = tmp_path / "right.jsonl"
    right.write_text(_predictions(contrast.records))
    record = score_file(right, str(DATASET), config="contrast")
    assert record.consistency == dict.fromkeys(record.consistency, 1.0)
    # A memoriser answers every variant with its seed's gold: every seed has a renamed and a
    # moved variant, so no seed is right on every variant for the presider or the date.
    seeds = {r.doc_id: r for r in contrast.records if "~" not in r.doc_id}  # every original, seed or constructed
    memorised = tmp_path / "memorised.jsonl"
    lines = [
        json.loads(line) for line in _predictions([seeds[base_id(r.doc_id)] for r in contrast.records]).splitlines()
    ]
    for line, r in zip(lines, contrast.records, strict=True):
        line["doc_id"] = r.doc_id
    memorised.write_text("".join(json.dumps(line) + "\n" for line in lines))
    record = score_file(memorised, str(DATASET), config="contrast")
    # Right on an original only where no variant renames its presider (or moves its date): a
    # readout with no presider, or a date in a form the rule does not rewrite, has none.
    ids = [r.doc_id for r in contrast.records]
    renamed = {i.split("~")[0] for i in ids if i.endswith("~rename")}
    moved = {i.split("~")[0] for i in ids if i.endswith("~date")}
    assert record.consistency["presider_accuracy"] == pytest.approx(1 - len(renamed) / len(seeds))
    assert record.consistency["date_accuracy"] == pytest.approx(1 - len(moved) / len(seeds))
    assert all(f"{s}~rename" in ids and f"{s}~date" in ids for s in gold.by_id())  # every seed has both
    # right on every document but the renamed variants
    assert record.aggregates["presider_accuracy"].mean == pytest.approx(1 - len(renamed) / len(ids))


@pytest.mark.slow
def test_the_readme_shows_the_rules_baseline_on_both():
    from harness.evaluate import evaluate

    from conftest import ROOT

    seeds = evaluate("rules", dataset=str(DATASET)).aggregates["overall"].mean
    run = evaluate("rules", dataset=str(DATASET), config="contrast")
    k = run.consistency
    row = (
        f"| rules | {seeds:.3f} | {run.aggregates['overall'].mean:.3f} | {k['date_accuracy']:.3f} | "
        f"{k['presider_accuracy']:.3f} | {k['directive_f1']:.3f} | {k['summary_unit_recall']:.3f} | "
        f"{k['overall']:.3f} |"
    )
    assert row in (ROOT / "README.md").read_text(encoding="utf-8")
