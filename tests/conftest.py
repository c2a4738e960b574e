"""Shared fixtures: paths into the repository, and the loaded gold data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ANNOTATIONS = ROOT / "annotations"
DATASET = ROOT / "dataset"


@pytest.fixture(scope="session")
def gold():
    from harness.corpus import load_gold

    return load_gold(DATASET)
