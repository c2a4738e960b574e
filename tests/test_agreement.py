"""`harness agree`: two annotation folders compared field by field."""

from __future__ import annotations

import json
import shutil

from harness import load_gold

from conftest import ANNOTATIONS, DATASET, ROOT, SEED_COUNT, SEEDS, run_harness


def test_a_folder_agrees_with_itself(tmp_path):
    result = run_harness("agree", ANNOTATIONS, ANNOTATIONS, "--seeds", SEEDS, "--json")
    assert result.returncode == 0, result.stderr
    total = json.loads(result.stdout)["total"]
    assert total["date_agreement"] == total["presider_agreement"] == 1.0
    assert total["directive_f1"] == total["summary_rougeL"] == total["unit_recall_b"] == 1.0
    directives = sum(len(r.directives) for r in load_gold(str(DATASET)).records)
    assert total["directives_a"] == total["directives_b"] == directives


def test_one_changed_date_and_one_dropped_directive(tmp_path):
    other = tmp_path / "b"
    shutil.copytree(ANNOTATIONS, other)
    path = other / "003_24193c0774f0a70f.yaml"
    text = path.read_text(encoding="utf-8")
    # another day (the header's, 8 October) and the last directive (of 7) removed
    text = text.replace("  value: 2022-10-07", "  value: 2022-10-08")
    start = text.index("  - text: >-\n      Organise the 2022 Global Industrial Internet Conference")
    end = text.index("\nsummary:")
    path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    result = run_harness("agree", ANNOTATIONS, other, "--seeds", SEEDS, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    doc = next(d for d in data["documents"] if d["doc_id"].startswith("003"))
    # B has 6 of A's 7 directives, all identical: P = 6/6, R = 6/7, F1 = 2 * 6/7 / (1 + 6/7) = 12/13
    assert (doc["date_agrees"], doc["directives_a"], doc["directives_b"]) == (False, 7, 6)
    assert (doc["directive_precision"], round(doc["directive_recall"], 6)) == (1.0, round(6 / 7, 6))
    assert round(doc["directive_f1"], 6) == round(12 / 13, 6)
    assert data["total"]["date_agreement"] == 0.8


def test_agree_refuses_folders_that_do_not_validate_or_differ(tmp_path):
    other = tmp_path / "b"
    other.mkdir()
    shutil.copy(ANNOTATIONS / "000_a426189bb560bcb6.yaml", other)
    result = run_harness("agree", ANNOTATIONS, other, "--seeds", SEEDS)
    assert result.returncode == 2 and "no annotation for this document" in result.stderr
    result = run_harness("agree", ANNOTATIONS, tmp_path / "none", "--seeds", SEEDS)
    assert result.returncode == 2 and result.stderr.startswith(f"harness agree: {tmp_path / 'none'}: no such folder")


def test_the_second_annotation_validates_without_units():
    result = run_harness("validate", "--annotations", ROOT / "annotations" / "annotator_b", "--no-units")
    assert result.returncode == 0 and result.stdout.strip() == f"All {SEED_COUNT} documents are valid."
