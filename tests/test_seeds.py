"""The seeds are the shared source documents, byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from conftest import ROOT, SEED_COUNT, SEEDS


def _manifest() -> dict[str, str]:
    entries = {}
    for line in (SEEDS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        entries[name.lstrip("*")] = digest
    return entries


def test_manifest_lists_exactly_the_seed_files():
    assert sorted(_manifest()) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(_manifest()) == SEED_COUNT


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_matches_its_checksum(name):
    assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == _manifest()[name]


def test_seeds_equal_the_shared_originals_when_present():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    originals = sorted(shared.glob("*.txt"))
    assert [p.name for p in originals] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for original in originals:
        assert (SEEDS / original.name).read_bytes() == original.read_bytes()
