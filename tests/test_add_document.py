"""Adding a document the documented way (annotations/GUIDELINES.md §9), in a temporary copy of
the repository: draft, review, validate, build; then the suite's checks of the data run in the
copy and pass, with every count derived from the grown dataset. The readout is constructed
(tests/add_document/README.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import CONSTRUCTED_COUNT, ROOT, SEED_COUNT

HERE = ROOT / "tests" / "add_document"
#: The suite's checks of the data: seeds, annotations, build, loading, the constructed split,
#: contrast variants, Croissant, agreement, drafts. Not the published results (step 7 of the
#: path re-runs them) nor the install tests (they test packaging, not data).
KEY_CHECKS = [
    "tests/test_seeds.py",
    "tests/test_validation.py",
    "tests/test_dataset.py",
    "tests/test_constructed.py",
    "tests/test_contrast.py",
    "tests/test_croissant.py",
    "tests/test_agreement.py",
    "tests/test_draft.py",
]
PUBLISHED = "not test_the_readme_shows_the_rules_baseline_on_both"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="the copy is made from a git checkout"),
    pytest.mark.skipif(not CONSTRUCTED_COUNT, reason="the constructed split is not annotated here"),
]


def copy_repository(target):
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def run(copy, *args, env=None):
    """The copy's own code, run from the copy as a maintainer would."""
    env = {**os.environ, "PYTHONPATH": str(copy), **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=copy, capture_output=True, text=True, env=env, timeout=900)


def test_a_constructed_readout_added_the_documented_way_passes_the_checks(tmp_path):
    copy = copy_repository(tmp_path / "repo")
    readout = (HERE / "readout.txt").read_bytes()
    digest = hashlib.sha256(readout).hexdigest()
    doc_id = f"999_{digest[:16]}"

    # 1. The text, named by its hash and listed with it.
    (copy / "constructed" / f"{doc_id}.txt").write_bytes(readout)
    with (copy / "constructed" / "SHA256SUMS").open("a", encoding="utf-8") as sums:
        sums.write(f"{digest}  {doc_id}.txt\n")

    # 2. A draft, which goes beside the split's other annotations and is refused as it is.
    result = run(copy, "-m", "harness", "draft", f"constructed/{doc_id}.txt")
    assert result.returncode == 0, result.stderr
    annotation = copy / "annotations" / "constructed" / f"{doc_id}.yaml"
    assert "draft: true" in annotation.read_text(encoding="utf-8").splitlines()
    result = run(copy, "-m", "harness", "validate")
    assert result.returncode == 2
    assert f"annotations/constructed/{doc_id}.yaml:6: draft: this annotation is a draft" in result.stderr

    # 3-4. The review, then validation of every document.
    annotation.write_text((HERE / "reviewed.yaml").read_text(encoding="utf-8").replace("DOC_ID", doc_id))
    result = run(copy, "-m", "harness", "validate")
    total = SEED_COUNT + CONSTRUCTED_COUNT + 1
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"All {total} documents are valid ({SEED_COUNT} real, {CONSTRUCTED_COUNT + 1} constructed)."
    )

    # 5. The build, and the dataset it writes.
    result = run(copy, "-m", "harness", "build")
    assert result.returncode == 0, result.stderr
    assert run(copy, "-m", "harness", "build", "--check").stdout.strip() == "dataset is up to date."
    result = run(copy, "-m", "harness", "eval", "--model", "rules", "--config", "constructed", "-o", "run.json")
    assert result.returncode == 0, result.stderr
    scored = [d["doc_id"] for d in json.loads((copy / "run.json").read_text(encoding="utf-8"))["documents"]]
    assert len(scored) == CONSTRUCTED_COUNT + 1 and doc_id in scored

    # The suite's checks of the data, run in the copy. datasets caches a local folder by its
    # name, not its content, so the copy gets a cache of its own (README, "The dataset").
    result = run(
        copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", PUBLISHED, *KEY_CHECKS,
        env={"HF_DATASETS_CACHE": str(tmp_path / "hf-cache")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
