"""Every file of the malformed-input corpus gives one clear line and exit code 2.

The corpus is in tests/malformed/: predictions files under predictions/, annotation files
under annotations/ (each checked against _seed.txt under its own name), and the exact
first line expected for each in EXPECTED.tsv. Two cases too large to commit, a 10 MB
summary and a list of 10,000 directives, are written by the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.cli import main

from conftest import DATASET

CORPUS = Path(__file__).with_name("malformed")
EXPECTED = dict(line.split("\t", 1) for line in (CORPUS / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines())
DOC0 = "000_a426189bb560bcb6"


def test_the_corpus_is_complete():
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*") if not p.name.startswith("_")}
    assert files == set(EXPECTED)
    assert len(files) >= 25


def _run(args, capsys) -> tuple[int, list[str]]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.splitlines()


@pytest.mark.parametrize("name", sorted(k for k in EXPECTED if k.startswith("predictions/")))
def test_malformed_predictions(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(CORPUS / "predictions")
    file = name.split("/", 1)[1]
    code, lines = _run(["score", file, "--dataset", str(DATASET), "-o", str(tmp_path / "r.json")], capsys)
    assert (code, lines) == (2, ["harness score: " + EXPECTED[name]])
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("name", sorted(k for k in EXPECTED if k.startswith("annotations/")))
def test_malformed_annotations(name, tmp_path, monkeypatch, capsys):
    source = CORPUS / name
    (tmp_path / "seeds").mkdir()
    (tmp_path / "annotations").mkdir()
    shutil.copy(CORPUS / "annotations" / "_seed.txt", tmp_path / "seeds" / f"{source.stem}.txt")
    shutil.copy(source, tmp_path / "annotations" / source.name)
    monkeypatch.chdir(tmp_path)
    code, lines = _run(["validate"], capsys)
    assert code == 2
    assert lines == [EXPECTED[name], "1 problem(s); 0 document(s) valid"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"summary": "x" * 10_000_000}, "summary: string should have at most 20000 characters"),
        (
            {"directives": ["Act."] * 10_000},
            "directives: list should have at most 500 items after validation, not 10000",
        ),
    ],
)
def test_oversized_predictions(record, message, tmp_path, monkeypatch, capsys):
    (tmp_path / "big.jsonl").write_text(json.dumps({"doc_id": DOC0, **record}) + "\n")
    monkeypatch.chdir(tmp_path)
    code, lines = _run(["score", "big.jsonl", "--dataset", str(DATASET)], capsys)
    assert (code, lines) == (2, [f"harness score: big.jsonl:1: {message}"])
