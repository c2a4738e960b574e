"""The built dataset: up to date, deterministic, loadable offline, faithful to the gold."""

from __future__ import annotations

import hashlib
import json
import shutil

import jsonschema
import pytest
import yaml
from datasets import List, Value

from harness.build import DATA_FILE, build, build_outputs, features, same_content
from harness.dataset import DatasetError, content_hash
from harness.schema import GoldRecord

from conftest import ANNOTATIONS, DATASET, SEED_COUNT, SEEDS


def _annotation(doc_id: str) -> dict:
    # BaseLoader keeps every scalar a string, so dates compare as written.
    return yaml.load((ANNOTATIONS / f"{doc_id}.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _null(value):
    return None if value == "null" else value


@pytest.fixture(scope="module")
def rows():
    from datasets import load_dataset

    ds = load_dataset(str(DATASET))
    assert list(ds) == ["test"]
    return list(ds["test"])


@pytest.mark.slow
def test_committed_dataset_equals_a_fresh_build():
    for rel, data in build_outputs(SEEDS, ANNOTATIONS, DATASET).items():
        assert same_content(DATASET / rel, data), f"dataset/{rel} is stale: run `harness build`"


@pytest.mark.slow
def test_an_edited_annotation_makes_the_dataset_stale(tmp_path):
    anns = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, anns)
    path = anns / "003_24193c0774f0a70f.yaml"
    path.write_text(path.read_text().replace("Strengthen assistance", "Increase assistance"))
    stale = [rel for rel, data in build_outputs(SEEDS, anns, DATASET).items() if not same_content(DATASET / rel, data)]
    # the directive is in the variants and in the all configuration too; the Croissant
    # description names the version
    expected = [DATA_FILE, "data/contrast.parquet", "README.md"]
    if (ANNOTATIONS / "constructed").is_dir():
        expected.append("data/all.parquet")
    assert stale == [*expected, "croissant.json"]


@pytest.mark.slow
def test_build_is_byte_identical_twice(tmp_path):
    first = {p.name: p.read_bytes() for p in build(SEEDS, ANNOTATIONS, tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in build(SEEDS, ANNOTATIONS, tmp_path / "b")}
    assert first == second


def test_load_dataset_gives_five_test_rows_in_doc_id_order(rows):
    assert [r["doc_id"] for r in rows] == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_every_field_round_trips_from_the_annotation(rows):
    for row in rows:
        ann = _annotation(row["doc_id"])
        assert row["text"] == (SEEDS / f"{row['doc_id']}.txt").read_bytes().decode("utf-8")
        assert row["title"] == _null(ann["title"])
        assert row["publication_date"] == _null(ann["publication_date"])
        assert row["meeting_date"] == ann["meeting_date"]["value"]
        assert row["meeting_date_basis"] == ann["meeting_date"]["basis"]
        assert [s["quote"] for s in row["meeting_date_evidence"]] == ann["meeting_date"]["evidence"]
        assert row["meeting_date_note"] == _null(ann["meeting_date"].get("note", "null"))
        presider = ann["presider"]
        assert row["presider"]["name"] == presider["name"]
        assert row["presider"]["title"] == presider["title"]
        assert row["presider"]["aliases"] == presider["aliases"]
        assert [s["quote"] for s in row["presider"]["evidence"]] == presider["evidence"]
        assert row["presider"]["note"] == presider.get("note")
        assert [d["text"] for d in row["directives"]] == [d["text"] for d in ann["directives"]]
        assert [[s["quote"] for s in d["evidence"]] for d in row["directives"]] == [
            d["evidence"] for d in ann["directives"]
        ]
        assert [d["note"] for d in row["directives"]] == [d.get("note") for d in ann["directives"]]
        assert row["summary"] == ann["summary"]
        assert row["extra_summaries"] == ann.get("extra_summaries", [])


def test_every_evidence_span_is_the_source_slice(rows):
    count = 0
    for row in rows:
        spans = list(row["meeting_date_evidence"]) + list(row["presider"]["evidence"])
        spans += [s for d in row["directives"] for s in d["evidence"]]
        for span in spans:
            assert row["text"][span["start"] : span["end"]] == span["quote"]
            count += 1
    assert count > 80


def test_dates_stay_strings_and_nothing_is_inferred():
    from datasets import load_dataset

    loaded = load_dataset(str(DATASET), split="test").features
    assert loaded["meeting_date"].dtype == "string"
    assert loaded["publication_date"].dtype == "string"


def test_load_gold_reads_exactly_what_load_dataset_reads(gold, rows):
    assert [r.model_dump(mode="json") for r in gold.records] == rows


def test_load_gold_through_datasets_for_other_layouts(tmp_path, rows):
    from harness.dataset import load_gold

    folder = tmp_path / "jsonl"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:2]))
    card = (DATASET / "README.md").read_text().replace("data/test.parquet", "data/test.jsonl")
    (folder / "README.md").write_text(card)
    # Read through datasets, whose JSON reader turns "2022-12-17" into "2022-12-17 00:00:00":
    # the reason the build writes Parquet.
    with pytest.raises(DatasetError, match=r"row 0: not a gold record: publication_date: .*2022-12-17 00:00:00"):
        load_gold(folder)


def test_load_gold_hash_is_the_canonical_json_lines_hash(gold, rows):
    assert len(gold.records) == SEED_COUNT
    canonical = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    assert gold.sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert gold.sha256 == content_hash(gold.records)
    assert gold.sha256 in (DATASET / "README.md").read_text()


def test_card_declares_the_config_and_metadata():
    card = (DATASET / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    constructed = (ANNOTATIONS / "constructed").is_dir()
    assert header["configs"] == [
        {"config_name": "default", "data_files": [{"split": "test", "path": DATA_FILE}]},
        *(
            [
                {"config_name": "constructed", "data_files": [{"split": "test", "path": "data/constructed.parquet"}]},
                {"config_name": "all", "data_files": [{"split": "test", "path": "data/all.parquet"}]},
            ]
            if constructed
            else []
        ),
        {"config_name": "contrast", "data_files": [{"split": "test", "path": "data/contrast.parquet"}]},
    ]
    for key in ("license", "language", "task_categories", "size_categories", "pretty_name"):
        assert header[key], key
    for info in header["dataset_info"]:
        assert [f["name"] for f in info["features"]] == list(GoldRecord.model_fields), info["config_name"]


def test_loaded_features_are_exactly_the_declared_ones():
    from datasets import load_dataset

    loaded = load_dataset(str(DATASET), split="test").features
    assert loaded == features()
    assert loaded["presider"]["aliases"] == List(Value("string"))


def test_prediction_schema_accepts_the_contract_example_and_rejects_unknown_keys():
    schema = json.loads((DATASET / "prediction.schema.json").read_text())
    example = {
        "doc_id": "000_a426189bb560bcb6",
        "meeting_date": "2022-12-17",
        "presider": "Hao Peng",
        "directives": ["Expand effective investment and plan high-quality projects"],
        "summary": "...",
    }
    jsonschema.validate(example, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "confidence": 0.9}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "directives": None}, schema)


def test_two_folders_of_the_same_name_load_their_own_rows_by_their_files(tmp_path):
    # datasets keys its cache for a local folder by the folder's name and configuration, not
    # by its content, so load_dataset("dataset") on a second folder named `dataset` can give
    # the first one's rows. Naming the Parquet files, as the README shows, cannot collide.
    import pyarrow.parquet as pq
    from datasets import load_dataset

    first, second = tmp_path / "a" / "dataset", tmp_path / "b" / "dataset"
    shutil.copytree(DATASET, first)
    shutil.copytree(DATASET, second)
    pq.write_table(pq.read_table(second / DATA_FILE).slice(0, 2), second / DATA_FILE)
    cache = tmp_path / "cache"  # one cache for both, as a user's home directory has
    loaded = [
        load_dataset("parquet", data_files={"test": str(folder / DATA_FILE)}, split="test", cache_dir=str(cache))
        for folder in (first, second)
    ]
    assert [d.num_rows for d in loaded] == [SEED_COUNT, 2]
    assert loaded[1]["doc_id"] == [r["doc_id"] for r in loaded[0]][:2]


def test_a_dataset_whose_evidence_is_not_its_quote_is_refused_in_one_line(tmp_path, gold):
    from harness.build import render_card, to_parquet
    from harness.dataset import load_gold
    from harness.files import write_atomic

    record = gold.records[0]
    data = record.model_dump(mode="json")
    span = data["directives"][0]["evidence"][0]
    span["start"] += 1  # an edited row: the span no longer holds its quote
    span["end"] += 1
    first = record.directives[0]
    moved = first.model_copy(update={"evidence": [first.evidence[0].model_copy(update=span)]})
    shifted = GoldRecord.model_construct(**{**record.__dict__, "directives": [moved, *record.directives[1:]]})
    folder = tmp_path / "dataset"
    write_atomic(folder / DATA_FILE, to_parquet([shifted]))
    write_atomic(folder / "README.md", render_card([record]).encode("utf-8"))
    with pytest.raises(DatasetError) as caught:
        load_gold(folder)
    [line] = caught.value.problems
    assert f"row 0: not a gold record: directives[0]: evidence {span['start']}-{span['end']} is not its quote" in line
