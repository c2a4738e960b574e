"""A non-editable install works from any folder, offline, on the data it ships.

The project is built into a wheel and installed with ``pip install --target`` into a
temporary folder (its dependencies come from the test environment); ``python -m harness``
then runs from another temporary folder, with that folder first on the path, so the code
and data of the installed copy are what run — not the repository's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src")
    # Build from a clean copy of the tracked files: no build/ or *.egg-info left in the repository.
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        if not (ROOT / rel).is_file():  # deleted in the work tree, not yet in a commit
            continue
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_bytes((ROOT / rel).read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (target / "harness" / "_bundled" / "dataset" / "data" / "test.parquet").is_file()
    return target


def run(site, cwd, *args):
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_main_job_runs_from_another_folder(site, tmp_path):
    result = run(site, tmp_path, "eval", "--model", "rules", "-o", "rules.json")
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "rules.json").read_text())
    assert record["dataset"]["source"] == "bundled" and record["dataset"]["documents"] == 5
    committed = json.loads((ROOT / "results" / "rules.json").read_text())
    assert record["dataset"]["sha256"] == committed["dataset"]["sha256"]
    assert [d["scores"] for d in record["documents"]] == [d["scores"] for d in committed["documents"]]


def test_the_installed_copy_is_what_runs(site, tmp_path):
    probe = "import harness, harness.dataset as d; print(harness.__file__); print(d.bundled())"
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    module, data = out.stdout.split()
    assert module.startswith(str(site)) and data.startswith(str(site))


def test_a_file_and_a_module_of_the_current_folder_as_the_model(site, tmp_path):
    (tmp_path / "mymod.py").write_text(
        "class Mine:\n    name = 'mine'\n    def extract(self, doc):\n        return {'summary': doc.text[:100]}\n"
    )
    for model in ("mymod:Mine", "./mymod.py:Mine"):
        result = run(site, tmp_path, "eval", "--model", model, "-o", "m.json")
        assert result.returncode == 0, (model, result.stderr)


def test_the_installed_copy_carries_the_framework_tasks(site, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-m", "policybench.lm_eval_path"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.is_relative_to(site)
    assert sorted(p.name for p in folder.glob("*.yaml")) == ["policybench.yaml", "policybench_contrast.yaml"]
    # inspect_ai finds its task through this entry point
    entry_points = next(site.glob("policybench-*.dist-info")) / "entry_points.txt"
    assert "[inspect_ai]\npolicybench = policybench._registry" in entry_points.read_text(encoding="utf-8")
