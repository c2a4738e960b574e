"""The tree passes ruff, so style problems fail CI rather than pile up."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    out = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
