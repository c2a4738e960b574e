"""The example plugin package is found through its entry point, as an outside package is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from harness.records import read_record

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "policybench-first-sentence"

pytestmark = pytest.mark.slow  # real servers and installs: seconds each


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    # Build from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("src") / EXAMPLE.name)
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    assert list(target.glob("policybench_first_sentence-*.dist-info"))
    return target


def harness(site, *args):
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_models_lists_the_plugin(site):
    result = harness(site, "models")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "first-sentence" in line)
    assert "plugin (policybench-first-sentence)" in line
    assert "The first sentence of the readout as the summary" in line


def test_eval_runs_the_plugin(site, tmp_path):
    out = tmp_path / "plugin.json"
    result = harness(site, "eval", "--model", "first-sentence", "-M", "max_words=20", "-o", str(out))
    assert result.returncode == 0, result.stderr
    record = read_record(out)
    assert record.model.source == "plugin (policybench-first-sentence)"
    assert record.model.target == "pb_first_sentence:FirstSentence"
    assert record.model.args == {"max_words": "20"}
    assert all(len(d.prediction.summary.split()) <= 20 for d in record.documents)
    # the header date is the meeting date in 000 and 001 only
    assert [d.scores["date_accuracy"] for d in record.documents] == [1.0, 1.0, 0.0, 0.0, 0.0]
