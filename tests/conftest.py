"""Shared fixtures: paths into the repository, and the loaded gold data."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

# The tests run offline: nothing may reach the Hugging Face Hub, in this process or in the
# harness subprocesses the tests start (they inherit the environment).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ANNOTATIONS = ROOT / "annotations"
DATASET = ROOT / "dataset"
#: How many seed documents there are: tests derive their counts, so adding a document breaks none.
SEED_COUNT = len(list(SEEDS.glob("*.txt")))
#: How many constructed readouts the dataset holds (none until their annotations folder exists).
CONSTRUCTED_COUNT = len(list((ROOT / "constructed").glob("*.txt"))) if (ANNOTATIONS / "constructed").is_dir() else 0


_ALL_SLOW = "\npytestmark = pytest.mark.slow"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast loop (``-m "not slow"``) does not even import a module whose every test is
    slow: importing inspect_ai, lm-eval, NLTK or rouge-score alone takes seconds."""
    if config.getoption("markexpr", "") != "not slow" or collection_path.suffix != ".py":
        return None
    if collection_path.name.startswith("test_") and _ALL_SLOW in collection_path.read_text(encoding="utf-8"):
        return True
    return None


def load_script(path: Path) -> ModuleType:
    """Import a committed script (``calibration/calibrate.py``, ``validity/battery.py``) as a
    module named after its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gold():
    from harness.dataset import load_gold

    return load_gold(DATASET)


def answer_of(record) -> dict:
    """The gold of a record as a model's answer: what a perfect system replies."""
    return {
        "meeting_date": record.meeting_date,
        "presider": record.presider.name if record.presider else None,
        "directives": [d.text for d in record.directives],
        "summary": record.summary,
    }


def framework_replies(gold) -> dict[str, str]:
    """Raw replies a model might give, one per document: a perfect answer in a fenced block,
    no JSON at all, two with the right date and a wrong presider, and one whose date is
    not in ISO form but whose presider and directives are the gold's."""
    first, second, *rest = gold.records
    replies = {
        first.doc_id: "```json\n" + json.dumps(answer_of(first)) + "\n```",
        second.doc_id: "I cannot help with that.",
    }
    for record in rest[:-1]:
        replies[record.doc_id] = json.dumps({"meeting_date": record.meeting_date, "presider": "Nobody Atall"})
    last = rest[-1]
    replies[last.doc_id] = json.dumps({**answer_of(last), "meeting_date": "17/12/2022", "summary": ""})
    return replies


def completions_scores(replies: dict[str, str], folder: Path) -> dict[str, dict[str, float]]:
    """Each document's scores from ``harness score --completions`` on these replies."""
    path = folder / "completions.jsonl"
    path.write_text("".join(json.dumps({"doc_id": d, "completion": c}) + "\n" for d, c in replies.items()))
    result = run_harness("score", "--completions", path, "--dataset", DATASET, "-o", folder / "record.json")
    assert result.returncode == 3, result.stderr  # one document failed: its reply holds no JSON
    record = json.loads((folder / "record.json").read_text())
    return {d["doc_id"]: d["scores"] for d in record["documents"]}


@pytest.fixture
def answers(gold):
    """A perfect answer per document, fresh for each test (tests edit theirs)."""
    return {r.doc_id: answer_of(r) for r in gold.records}


@dataclass
class Result:
    """What a run of the ``harness`` command gave: exit code and the two streams."""

    returncode: int
    stdout: str
    stderr: str


def run_harness(*args: object, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Result:
    """Run the ``harness`` command in this process, as a user would from ``cwd``.

    The same ``main()`` the console script calls, without the cost of a new interpreter;
    ``env`` sets environment variables for the call (``PYTHONPATH`` is honoured the way
    Python would). Tests where the process boundary matters start a subprocess instead.
    """
    from harness.cli import main

    env = {"COLUMNS": "200", **(env or {})}
    saved_env = {k: os.environ.get(k) for k in env}
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env)
        sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Result(code, out.getvalue(), err.getvalue())
