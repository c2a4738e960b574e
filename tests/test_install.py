"""A non-editable install works from any folder, offline, on the data it ships.

A fresh virtual environment gets the project installed non-editable from a clean copy of
its tracked files (its dependencies are the test environment's packages, reached through a
``.pth`` file, so the index is never asked); its ``harness`` command then runs from another
temporary folder, so the code and data of the installed copy are what run — not the
repository's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, SEED_COUNT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("venv")
    source = tmp_path_factory.mktemp("src")
    # Build from a clean copy of the tracked files: no build/ or *.egg-info left in the repository.
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        if not (ROOT / rel).is_file():  # deleted in the work tree, not yet in a commit
            continue
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_bytes((ROOT / rel).read_bytes())
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(python(venv, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    # .pth lines are appended after the venv's own site-packages: the installed copy wins
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (purelib / "test-environment-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    result = python(
        venv, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", str(source)
    )
    assert result.returncode == 0, result.stderr
    assert (purelib / "harness" / "_bundled" / "dataset" / "data" / "test.parquet").is_file()
    assert (venv / "bin" / "harness").is_file()
    return venv


def python(venv, *args, cwd=None):
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=cwd, capture_output=True, text=True)


def run(venv, cwd, *args):
    """The installed ``harness`` command, as a user types it."""
    env = {**os.environ, "COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(venv / "bin" / "harness"), *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_main_job_runs_from_another_folder(venv, tmp_path):
    result = run(venv, tmp_path, "eval", "--model", "rules", "-o", "rules.json")
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "rules.json").read_text())
    assert record["dataset"]["source"] == "bundled" and record["dataset"]["documents"] == SEED_COUNT
    committed = json.loads((ROOT / "results" / "rules.json").read_text())
    assert record["dataset"]["sha256"] == committed["dataset"]["sha256"]
    assert [d["scores"] for d in record["documents"]] == [d["scores"] for d in committed["documents"]]


def test_the_installed_copy_is_what_runs(venv, tmp_path):
    probe = "import harness, harness.dataset as d, importlib.metadata as m; print(harness.__file__, d.bundled())"
    module, data = python(venv, "-c", probe, cwd=tmp_path).stdout.split()
    assert module.startswith(str(venv)) and data.startswith(str(venv))
    direct_url = python(
        venv,
        "-c",
        "import importlib.metadata as m; print(m.distribution('policybench').read_text('direct_url.json'))",
        cwd=tmp_path,
    ).stdout
    assert '"editable": true' not in direct_url


def test_a_file_and_a_module_of_the_current_folder_as_the_model(venv, tmp_path):
    (tmp_path / "mymod.py").write_text(
        "class Mine:\n    name = 'mine'\n    def extract(self, doc):\n        return {'summary': doc.text[:100]}\n"
    )
    for model in ("mymod:Mine", "./mymod.py:Mine"):
        result = run(venv, tmp_path, "eval", "--model", model, "-o", "m.json")
        assert result.returncode == 0, (model, result.stderr)


def test_the_installed_copy_carries_the_framework_tasks(venv, tmp_path):
    done = python(venv, "-m", "policybench.lm_eval_path", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.is_relative_to(venv)
    assert sorted(p.name for p in folder.glob("*.yaml")) == ["policybench.yaml", "policybench_contrast.yaml"]
    # inspect_ai finds its task through this entry point
    probe = "import importlib.metadata as m; print(m.distribution('policybench').read_text('entry_points.txt'))"
    assert "[inspect_ai]\npolicybench = policybench._registry" in python(venv, "-c", probe, cwd=tmp_path).stdout
