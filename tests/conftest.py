"""Shared fixtures: paths into the repository, and the loaded gold data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The tests run offline: nothing may reach the Hugging Face Hub, in this process or in the
# harness subprocesses the tests start (they inherit the environment).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ANNOTATIONS = ROOT / "annotations"
DATASET = ROOT / "dataset"


@pytest.fixture(scope="session")
def gold():
    from harness.dataset import load_gold

    return load_gold(DATASET)
