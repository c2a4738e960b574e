"""The `harness` command end to end, through a subprocess, as a user runs it."""

from __future__ import annotations

import io
import json
import platform
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest

from harness.evaluate import Settings
from harness.matching import DEFAULT_MATCH_THRESHOLD
from harness.metrics import ALWAYS
from harness.records import read_record

from conftest import DATASET, ROOT, SEED_COUNT, run_harness

DOC0 = "000_a426189bb560bcb6"


def harness(*args: str, cwd: Path = ROOT, env: dict | None = None):
    return run_harness(*args, cwd=cwd, env=env)


@pytest.mark.slow
def test_python_m_harness_runs_as_a_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "harness", "eval", "--model", "null", "-o", str(tmp_path / "r.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert read_record(tmp_path / "r.json").model.name == "null"


def gold_lines(gold) -> list[str]:
    return [
        json.dumps(
            {
                "doc_id": r.doc_id,
                "meeting_date": r.meeting_date,
                "presider": r.presider.name if r.presider else None,
                "directives": [d.text for d in r.directives],
                "summary": r.summary,
            },
            ensure_ascii=False,
        )
        for r in gold.records
    ]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_models_lists_the_builtins():
    result = harness("models")
    assert result.returncode == 0, result.stderr
    assert "null" in result.stdout and "lead" in result.stdout
    assert "Predicts nothing" in result.stdout


def test_eval_null_writes_a_valid_record_of_zeros(tmp_path):
    out = tmp_path / "null.json"
    result = harness("eval", "--model", "null", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "overall" in result.stdout and f"Run record: {out}" in result.stdout
    record = read_record(out)
    assert record.model.name == "null" and record.model.source == "built-in"
    assert record.dataset.documents == SEED_COUNT and record.dataset.source == "bundled"
    assert len(record.dataset.sha256) == 64
    assert {k: (a.mean, a.ci_low, a.ci_high) for k, a in record.aggregates.items()} == dict.fromkeys(
        ALWAYS, (0.0, 0.0, 0.0)
    )
    assert record.threshold == DEFAULT_MATCH_THRESHOLD and record.seed == 0 and record.failed_documents == 0
    assert record.matcher["name"] == "grounded-exact" and record.matcher["threshold"] == DEFAULT_MATCH_THRESHOLD
    git = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    expected_commit = git.stdout.strip() if git.returncode == 0 else None
    assert record.environment["git_commit"] == expected_commit
    assert record.environment["python"] == platform.python_version()
    assert record.environment["packages"]["pydantic"] == version("pydantic")


def test_eval_limit_and_doc_select_documents(tmp_path):
    out = tmp_path / "lead.json"
    result = harness("eval", "--model", "lead", "--doc", "003_24193c0774f0a70f", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert [d.doc_id for d in read_record(out).documents] == ["003_24193c0774f0a70f"]
    result = harness("eval", "--model", "lead", "--limit", "2", "-o", str(out))
    assert [d.doc_id for d in read_record(out).documents] == [DOC0, "001_4943538ee7176661"]


def test_score_gold_as_predictions_is_perfect_and_compare_finds_the_difference(tmp_path, gold):
    preds = write(tmp_path / "gold.jsonl", gold_lines(gold))
    perfect, empty = tmp_path / "perfect.json", tmp_path / "empty.json"
    result = harness("score", str(preds), "-o", str(perfect))
    assert result.returncode == 0, result.stderr
    assert {k: a.mean for k, a in read_record(perfect).aggregates.items()} == dict.fromkeys(ALWAYS, 1.0)
    assert harness("eval", "--model", "null", "-o", str(empty)).returncode == 0

    result = harness("compare", str(perfect), str(empty))
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.strip("│ ").startswith("overall"))
    # A - B = 1 on all five documents: exact sign-flip p = 2 / 2**5
    assert "+1.000" in row and "0.062" in row
    assert "smallest possible p-value is 0.062" in " ".join(result.stdout.split())


def test_score_with_missing_documents_scores_them_empty(tmp_path, gold):
    preds = write(tmp_path / "partial.jsonl", gold_lines(gold)[:3])
    out = tmp_path / "partial.json"
    result = harness("score", str(preds), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "no prediction for 2 document(s), scored as empty" in result.stderr
    record = read_record(out)
    assert [d.scores["overall"] for d in record.documents] == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert record.aggregates["overall"].mean == pytest.approx(0.6)


def test_compare_refuses_runs_on_different_dataset_versions(tmp_path):
    a = tmp_path / "a.json"
    assert harness("eval", "--model", "null", "-o", str(a)).returncode == 0
    data = json.loads(a.read_text())
    data["dataset"]["sha256"] = "0" * 64
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data))
    result = harness("compare", str(a), str(b))
    assert result.returncode == 2
    assert result.stderr.startswith("harness compare: the runs used different dataset versions")


# ------------------------------------------------------------------- bad predictions

GOOD = {"doc_id": DOC0, "meeting_date": "2022-12-17", "presider": "Hao Peng", "directives": [], "summary": "x"}


def _line(**changes) -> str:
    return json.dumps({**GOOD, **changes})


BAD_FILES = {
    "bad_json": (
        [_line(), '{"doc_id": "x",'],
        "bad_json.jsonl:2: not valid JSON (Expecting property name enclosed in double quotes, column 16)",
    ),
    "unknown_key": ([_line(confidence=0.9)], "unknown_key.jsonl:1: confidence: unknown key"),
    "wrong_type": ([_line(presider=["Hao Peng"])], "wrong_type.jsonl:1: presider: input should be a valid string"),
    "null_list": ([_line(directives=None)], "null_list.jsonl:1: directives: input should be a valid list"),
    "bad_date": (
        [_line(meeting_date="2022-13-45")],
        "bad_date.jsonl:1: meeting_date: invalid date '2022-13-45' (no such day)",
    ),
    "slash_date": (
        [_line(meeting_date="17/12/2022")],
        "slash_date.jsonl:1: meeting_date: invalid date '17/12/2022' (expected YYYY-MM-DD)",
    ),
    "duplicate": ([_line(), _line()], f"duplicate.jsonl:2: doc_id: '{DOC0}' already predicted on line 1"),
    "unknown_doc": (
        [_line(doc_id="999_nope")],
        "unknown_doc.jsonl:1: doc_id: '999_nope' is not a document of the dataset",
    ),
    "not_object": (["[1, 2]"], "not_object.jsonl:1: a JSON array; write JSON Lines, one object per line"),
    "no_doc_id": ([json.dumps({"summary": "x"})], "no_doc_id.jsonl:1: doc_id: missing required field"),
    "empty": ([], "empty.jsonl: no predictions (the file is empty or blank)"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_predictions_file(tmp_path, case):
    lines, message = BAD_FILES[case]
    write(tmp_path / f"{case}.jsonl", lines)
    result = harness("score", f"{case}.jsonl", "--dataset", str(DATASET), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["harness score: " + message]
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\xef\xbb\xbf" + _line().encode() + b"\n",
            "bom.jsonl:1: the file starts with a byte-order mark; save it as UTF-8 without BOM",
        ),
        (_line().encode() + b"\n" + b'{"doc_id": "\xff"}\n', "bom.jsonl:2: not valid UTF-8 (byte 0xff at column 13)"),
    ],
)
def test_bad_bytes(tmp_path, data, message):
    (tmp_path / "bom.jsonl").write_bytes(data)
    result = harness("score", "bom.jsonl", "--dataset", str(DATASET), cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()) == (2, ["harness score: " + message])


# --------------------------------------------------------------------- bad invocations


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["eval", "--model", "nosuch"],
            "harness eval: unknown model 'nosuch'; known: lead, llm, null, oracle, rules, textrank",
        ),
        (["eval", "--model", "null", "-M", "oops"], "harness eval: -M 'oops': expected key=value"),
        (
            ["eval", "--model", "null", "--doc", "nope"],
            "harness eval: --doc 'nope' is not a document of the test split",
        ),
        (
            ["eval", "--model", "null", "--dataset", "missing"],
            "harness eval: missing: no such folder, and no Hugging Face Hub dataset of that name could be loaded",
        ),
        (["eval", "--model", "null", "--threshold", "2"], "harness eval: --threshold must be between 0 and 1, got 2.0"),
        (["eval", "--model", "lead", "-M", "words=0"], "harness eval: model 'lead': words must be at least 1, got 0"),
        (["eval", "--model", "null", "-M", "x=1"], "harness eval: model 'null' does not take these arguments"),
        (["score", "nothere.jsonl"], "harness score: nothere.jsonl: no such file"),
        (["compare", "a.json", "b.json"], "harness compare: a.json: no such file"),
    ],
)
def test_bad_invocations(args, message):
    result = harness(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------- import paths and forms

PLUGIN = textwrap.dedent(
    '''
    import asyncio

    class Echo:
        """Answers every document with its own title; fails on one document."""

        name = "echo"

        def __init__(self, api_key="", fail=""):
            self.fail = fail

        def extract(self, doc):
            if doc.doc_id == self.fail:
                raise RuntimeError("model server said no")
            return {"summary": doc.text[:200]}

    class AsyncEcho:
        name = "async-echo"
        concurrency = 3

        def __init__(self):
            self.calls = 0

        async def aextract(self, doc):
            await asyncio.sleep(0.01)
            self.calls += 1
            return {"doc_id": doc.doc_id, "meeting_date": doc.publication_date}

        def stats(self):
            return {"calls": self.calls}
    '''
)


def test_import_path_extractor_with_a_failure_and_a_secret(tmp_path):
    (tmp_path / "myplugin.py").write_text(PLUGIN)
    out = tmp_path / "echo.json"
    secret = "sk-test-DO-NOT-LEAK-1234"
    result = harness(
        "eval",
        "--model",
        "myplugin:Echo",
        "-M",
        f"api_key={secret}",
        "-M",
        f"fail={DOC0}",
        "-o",
        str(out),
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 3, result.stderr
    assert "1 of 5 document(s) failed" in result.stderr
    record = read_record(out)
    assert record.model.source == "import path" and record.model.extractor == "echo"
    assert record.model.args == {"api_key": "***", "fail": DOC0}
    assert record.documents[0].error == "RuntimeError: model server said no"
    assert record.documents[0].scores["overall"] == 0.0
    assert secret not in out.read_text() + result.stdout + result.stderr


def test_async_extractor_and_its_stats(tmp_path):
    (tmp_path / "myplugin.py").write_text(PLUGIN)
    out = tmp_path / "async.json"
    result = harness("eval", "--model", "myplugin:AsyncEcho", "-o", str(out), env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    record = read_record(out)
    assert record.extractor_stats == {"calls": 5}
    # the header date is the meeting date in two of the five documents (000 and 001)
    assert [d.scores["date_accuracy"] for d in record.documents] == [1.0, 1.0, 0.0, 0.0, 0.0]


@pytest.mark.slow
def test_every_table_fits_80_columns(tmp_path):
    from rich.console import Console

    from harness.compare import compare_runs
    from harness.evaluate import evaluate
    from harness.report import comparison_table, documents_table, scores_table

    a = evaluate("rules", dataset=str(DATASET), config="contrast", settings=Settings(bootstrap_samples=100))
    b = evaluate("lead", dataset=str(DATASET), config="contrast", settings=Settings(bootstrap_samples=100))
    console = Console(width=80, record=True, file=io.StringIO())
    for table in (scores_table(a), documents_table(a), comparison_table(compare_runs(a, b))):
        console.print(table)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # nothing truncated
    assert "000_a426~rename" in text


def test_named_runs_are_told_apart_in_the_record_and_compare(tmp_path):
    for name in ("rules, tuned", "rules, plain"):
        result = run_harness("eval", "--model", "rules", "--name", name, "-o", tmp_path / f"{name[7:]}.json")
        assert result.returncode == 0, result.stderr
        assert read_record(tmp_path / f"{name[7:]}.json").model.name == name
    result = run_harness("compare", tmp_path / "tuned.json", tmp_path / "plain.json")
    assert result.returncode == 0 and "A: rules, tuned" in result.stdout and "B: rules, plain" in result.stdout


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "x" * 81])
def test_a_name_that_cannot_label_a_run_is_refused_before_it_runs(tmp_path, name):
    result = run_harness("eval", "--model", "rules", "--name", name, "-o", tmp_path / "r.json")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("harness eval: --name: give a name of 1 to 80 printable characters")
    assert not (tmp_path / "r.json").exists()


def test_a_model_argument_labels_a_run_on_one_short_line():
    from harness.evaluate import MAX_NAME, run_label

    assert run_label("llm", {"model": "gpt-x"}) == "llm:gpt-x"
    assert run_label("rules", {}) == "rules"
    label = run_label("llm", {"model": "a\nb" + "c" * 500})
    assert "\n" not in label and len(label) == MAX_NAME and label.startswith("llm:a b")
