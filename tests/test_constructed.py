"""The constructed split: readouts written for the benchmark, in their own folder, marked as
constructed in the dataset, loadable as a configuration, and no easier than the real ones."""

from __future__ import annotations

import hashlib

import pytest

from harness.build import difficulty
from harness.dataset import load_gold

from conftest import DATASET, ROOT, run_harness

CONSTRUCTED = ROOT / "constructed"
pytestmark = pytest.mark.skipif(
    not (ROOT / "annotations" / "constructed").is_dir(), reason="the constructed split is not annotated here"
)


@pytest.fixture(scope="module")
def constructed():
    return load_gold(DATASET, "test", "constructed")


def test_every_readout_is_named_by_its_hash_and_listed(constructed):
    listed = dict(line.split()[::-1] for line in (CONSTRUCTED / "SHA256SUMS").read_text().splitlines())
    files = sorted(CONSTRUCTED.glob("*.txt"))
    assert len(files) >= 40 and {p.name for p in files} == set(listed)
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert listed[path.name] == digest and path.stem.split("_")[1] == digest[:16], path.name
    assert [r.doc_id for r in constructed.records] == [p.stem for p in files]


def test_rows_say_where_they_come_from(constructed, gold):
    assert {r.origin for r in constructed.records} == {"constructed"}
    assert {r.origin for r in gold.records} == {"seed"}
    everything = load_gold(DATASET, "test", "all")
    assert sorted(r.doc_id for r in everything.records) == sorted(
        [*(r.doc_id for r in gold.records), *(r.doc_id for r in constructed.records)]
    )


def test_load_dataset_reads_the_constructed_configuration_offline(constructed):
    from datasets import load_dataset

    rows = load_dataset(str(DATASET), "constructed", split="test")
    assert rows.num_rows == len(constructed.records) and set(rows["origin"]) == {"constructed"}


def test_the_split_varies_what_the_task_is_about(constructed):
    records = constructed.records
    assert {r.meeting_date_basis for r in records} == {"explicit", "header", "context"}
    assert any(r.publication_date and r.publication_date != r.meeting_date for r in records)
    assert any(not r.directives for r in records) and any(len(r.directives) > 20 for r in records)
    assert any(r.presider is None for r in records)


def test_the_constructed_readouts_are_no_easier_than_the_real_ones(constructed, gold):
    """Measured as the card shows it: no fewer words per sentence, no more cue phrases, no
    larger share of directives stated beside a cue, no fewer directives per sentence."""
    real, made = difficulty(list(gold.records)), difficulty(list(constructed.records))
    number = lambda s: float(s.rstrip("%"))  # noqa: E731
    assert number(made["words per sentence"]) >= 0.85 * number(real["words per sentence"])
    assert number(made["cue phrases per 1,000 words"]) <= 1.1 * number(real["cue phrases per 1,000 words"])
    assert (
        number(made["directives in a sentence with a cue phrase"])
        <= number(real["directives in a sentence with a cue phrase"]) + 5
    )
    assert number(made["directives per sentence that states one"]) >= 0.9 * number(
        real["directives per sentence that states one"]
    )


@pytest.mark.slow
def test_the_rules_baseline_runs_on_the_constructed_configuration(tmp_path):
    result = run_harness("eval", "--model", "rules", "--config", "constructed", "-o", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
