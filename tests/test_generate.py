"""The files written from harness.metrics and harness.api (the lm-eval task files, the
score tables of the README and docs/FORMAT.md) are up to date, and ``python -m policybench.generate --check`` says
so when they are not."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys

import pytest

from policybench import generate

from conftest import ROOT

#: The generated files, relative to the checkout.
GENERATED = (
    "README.md",
    "docs/FORMAT.md",
    "policybench/lm_eval_tasks/policybench.yaml",
    "policybench/lm_eval_tasks/policybench_contrast.yaml",
)


def test_the_generated_files_are_up_to_date():
    done = subprocess.run(
        [sys.executable, "-m", "policybench.generate", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def copy(tmp_path):
    """A copy of the generated files, laid out as in the checkout."""
    for name in GENERATED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_check_names_each_stale_file_and_changes_nothing(copy, capsys):
    readme = copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 0.40 |", "| 0.50 |"), encoding="utf-8")
    task = copy / "policybench/lm_eval_tasks/policybench.yaml"
    task.write_text(task.read_text(encoding="utf-8").replace("  - metric: overall\n", ""), encoding="utf-8")
    stale = {name: (copy / name).read_text(encoding="utf-8") for name in GENERATED}

    assert generate.main(check=True, root=copy) == 1
    err = capsys.readouterr().err
    assert f"{readme}: out of date" in err and f"{task}: out of date" in err
    assert "policybench_contrast.yaml" not in err
    assert {name: (copy / name).read_text(encoding="utf-8") for name in GENERATED} == stale

    # written again, the copy is the checkout's
    assert generate.main(root=copy) == 0
    assert generate.main(check=True, root=copy) == 0
    for name in GENERATED:
        assert (copy / name).read_text(encoding="utf-8") == (ROOT / name).read_text(encoding="utf-8"), name


def test_a_new_score_changes_the_task_files_and_the_table(copy, monkeypatch):
    new = dataclasses.replace(generate.SCORES[0], name="date_close", description="the date within a day")
    monkeypatch.setattr(generate, "SCORES", (*generate.SCORES, new))
    monkeypatch.setattr(generate, "ALWAYS", (*generate.ALWAYS, "date_close"))
    assert generate.main(check=True, root=copy) == 1
    assert generate.main(root=copy) == 0
    assert "| `date_close` | the date within a day |" in (copy / "README.md").read_text(encoding="utf-8")
    assert "| `date_close` | the date within a day | — |" in (copy / "docs/FORMAT.md").read_text(encoding="utf-8")
    assert "- metric: date_close" in (copy / "policybench/lm_eval_tasks/policybench.yaml").read_text(encoding="utf-8")


def test_a_score_without_a_description_is_refused(monkeypatch):
    undescribed = dataclasses.replace(generate.SCORES[0], description="")
    monkeypatch.setattr(generate, "SCORES", (undescribed, *generate.SCORES[1:]))
    with pytest.raises(ValueError, match="^date_accuracy: a score needs a one-line description"):
        generate.score_table()


def test_the_readme_needs_its_markers():
    with pytest.raises(ValueError, match="expected one <!-- scores:start --> followed by one <!-- scores:end -->"):
        generate.readme("# no table here\n")
