"""The dataset's Croissant 1.1 description: valid for mlcroissant, its files and records those
of the dataset, its Responsible-AI fields present. All offline: the files are local."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil

import pytest

from harness.build import build
from harness.dataset import load_gold

from conftest import ANNOTATIONS, DATASET, SEEDS

mlc = pytest.importorskip("mlcroissant")
CROISSANT = DATASET / "croissant.json"


@pytest.fixture(scope="module")
def description():
    return json.loads(CROISSANT.read_text(encoding="utf-8"))


def test_mlcroissant_reads_it_without_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        dataset = mlc.Dataset(jsonld=str(CROISSANT))
    conforms = dataset.metadata.conforms_to
    assert "http://mlcommons.org/croissant/1.1" in (conforms if isinstance(conforms, list) else [conforms])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]


def describes_its_files(folder, description) -> None:
    for entry in description["distribution"]:
        data = (folder / entry["contentUrl"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
    names = {e["contentUrl"] for e in description["distribution"]}
    assert names == {str(p.relative_to(folder)) for p in (folder / "data").glob("*.parquet")}


def test_every_file_is_the_dataset_file_with_its_sha256(description):
    describes_its_files(DATASET, description)


@pytest.mark.slow
def test_a_rebuild_that_changes_rows_describes_the_new_files(tmp_path):
    # Rows that change while the card's version does not (the version names the seeds'
    # rows; this edit is in another document) must still give the new files' SHA-256.
    out = tmp_path / "dataset"
    build(SEEDS, ANNOTATIONS, out)
    before = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    annotations = shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    files = sorted(annotations.glob("constructed/*.yaml")) or sorted(annotations.glob("*.yaml"))
    edited = next(f for f in files if "\n  aliases: [" in f.read_text(encoding="utf-8"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\n  aliases: [", '\n  aliases: ["An Alias Added", ', 1), encoding="utf-8")
    written = build(SEEDS, annotations, out)
    after = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    assert out / "croissant.json" in written and after != before
    describes_its_files(out, after)


@pytest.mark.slow
@pytest.mark.parametrize("config", ["default", "contrast"])
def test_its_records_are_the_datasets_rows(config):
    records = list(mlc.Dataset(jsonld=str(CROISSANT)).records(config))
    gold = load_gold(DATASET, config=config).records
    assert [r[f"{config}/doc_id"].decode() for r in records] == [g.doc_id for g in gold]
    for record, row in zip(records, gold, strict=True):
        assert record[f"{config}/text"].decode() == row.text
        assert record[f"{config}/meeting_date"].decode() == row.meeting_date
        assert record[f"{config}/origin"].decode() == row.origin


def test_it_says_how_the_data_was_made_and_what_it_is_not_for(description):
    for field in ("rai:dataCollection", "rai:dataAnnotationProtocol", "rai:dataUseCases", "rai:dataLimitations",
                  "rai:dataBiases", "rai:personalSensitiveInformation"):  # fmt: skip
        assert len(description[field]) > 40, field
    assert "Not for training" in description["rai:dataUseCases"]
    assert "constructed" in description["rai:dataCollection"]
