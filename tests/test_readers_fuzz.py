"""Random bytes, random JSON and random YAML fed to every reader, through the CLI.

Each reader — predictions (``score``), run records (``compare``), annotations and seeds
(``validate``), the dataset card and its Parquet file (``eval --dataset``), the README of the
leaderboard — must answer anything with exit 2 and one line per problem, or accept it; never
a traceback (the CLI would print "internal error" and exit 1). Hypothesis generates the
inputs; the files live in a temporary folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli import main

from conftest import DATASET, ROOT

pytestmark = pytest.mark.slow
DOC0 = "000_a426189bb560bcb6"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["doc_id", "meeting_date", "presider", "directives", "summary", "documents", "aggregates", "scores", "configs",
     "data_files", "split", "path", "config_name", "evidence", "text", "value", "basis", "name"]
)  # fmt: skip
records = st.dictionaries(field_names, json_values, max_size=8)
as_json = st.one_of(records, json_values).map(lambda v: json.dumps(v).encode())
as_yaml = st.one_of(records, json_values).map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode())
garbage = st.one_of(st.binary(max_size=300), as_json, as_yaml, st.text(max_size=200).map(str.encode))


def run(*args: object) -> tuple[int, list[str]]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    lines = err.getvalue().splitlines()
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert code in (0, 2, 3), (code, lines)
    assert not any("internal error" in line for line in lines), lines
    if code == 2:
        assert lines and all(line.strip() for line in lines), lines
    return code, lines


@pytest.fixture(scope="module")
def workdir():
    folder = Path(tempfile.mkdtemp(prefix="policybench-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(data=garbage)
def test_predictions_reader(workdir, data):
    path = workdir / "p.jsonl"
    path.write_bytes(data)
    run("score", path, "--dataset", DATASET, "--bootstrap", "10", "-o", workdir / "r.json")


@FUZZ
@given(data=garbage, lines=st.lists(as_json, max_size=3))
def test_predictions_reader_with_lines(workdir, data, lines):
    path = workdir / "p.jsonl"
    path.write_bytes(b"\n".join([*lines, data]))
    run("score", path, "--dataset", DATASET, "--bootstrap", "10", "-o", workdir / "r.json")


@FUZZ
@given(data=garbage)
def test_run_record_reader(workdir, data):
    path = workdir / "record.json"
    path.write_bytes(data)
    code, _ = run("compare", path, path)
    assert code == 2


@FUZZ
@given(annotation=garbage, seed=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_annotation_and_seed_readers(workdir, annotation, seed):
    for rel in ("s", "a"):
        shutil.rmtree(workdir / rel, ignore_errors=True)
        (workdir / rel).mkdir()
    (workdir / "s" / f"{DOC0}.txt").write_bytes(seed)
    (workdir / "a" / f"{DOC0}.yaml").write_bytes(annotation)
    code, _ = run("validate", "--seeds", workdir / "s", "--annotations", workdir / "a")
    assert code == 2


@pytest.fixture(scope="module")
def dataset_copy(workdir):
    return shutil.copytree(DATASET, workdir / "ds")


@FUZZ
@given(header=garbage, body=st.binary(max_size=50))
def test_dataset_card_reader(dataset_copy, header, body):
    (dataset_copy / "README.md").write_bytes(b"---\n" + header + b"\n---\n" + body)
    run("eval", "--model", "null", "--dataset", dataset_copy, "--bootstrap", "10", "-o", dataset_copy.parent / "r.json")


@FUZZ
@given(data=st.binary(max_size=2000), keep=st.integers(0, 4000))
def test_parquet_reader(dataset_copy, data, keep):
    shutil.copy(DATASET / "README.md", dataset_copy / "README.md")
    original = (DATASET / "data" / "test.parquet").read_bytes()
    (dataset_copy / "data" / "test.parquet").write_bytes(original[:keep] + data)
    run("eval", "--model", "null", "--dataset", dataset_copy, "--bootstrap", "10", "-o", dataset_copy.parent / "r.json")


@FUZZ
@given(data=garbage)
def test_leaderboard_readme_and_records(workdir, data):
    results = workdir / "results"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    shutil.copy(ROOT / "results" / "null.json", results / "null.json")
    (results / "fuzz.json").write_bytes(data)
    readme = workdir / "README.md"
    readme.write_bytes(data)
    code, _ = run("leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert code == 2
