"""harness.porter gives NLTK's Porter stems (what rouge-score uses), on a large vocabulary."""

from __future__ import annotations

import random
import re
from pathlib import Path

import nltk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer

from harness.porter import measure, stem

from conftest import ANNOTATIONS, SEEDS

#: Slow (seconds, and importing NLTK): the fast loop leaves it out.
pytestmark = pytest.mark.slow

NLTK_STEM = PorterStemmer().stem
SUFFIXES = (
    "ational tional enci anci izer bli alli entli eli ousli ization ation ator alism iveness fulness ousness "
    "aliti iviti biliti fulli logi icate ative alize iciti ical ful ness al ance ence er ic able ible ant "
    "ement ment ent ion ou ism ate iti ous ive ize sses ies ss s eed ed ing ied y e ll at bl iz"
).split()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # From the paper's own examples (NLTK's departures marked).
        ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"),  # NLTK: four-letter -ies -> -ie
        ("feed", "feed"), ("agreed", "agre"), ("plastered", "plaster"), ("motoring", "motor"),
        ("hopping", "hop"), ("falling", "fall"), ("filing", "file"), ("happy", "happi"),
        ("relational", "relat"), ("conditional", "condit"), ("generalization", "gener"),
        ("dying", "die"), ("skies", "sky"), ("enjoy", "enjoy"), ("controll", "control"),
    ],
)  # fmt: skip
def test_worked_examples(word, expected):
    assert stem(word) == expected


def test_measure_by_hand():
    # m=0: tr, ee, tree, y, by; m=1: trouble, oats, trees, ivy; m=2: troubles, private, oaten
    assert [measure(w) for w in ("tr", "ee", "tree", "y", "by")] == [0] * 5
    assert [measure(w) for w in ("trouble", "oats", "trees", "ivy")] == [1] * 4
    assert [measure(w) for w in ("troubles", "private", "oaten")] == [2] * 3


def _vocabulary() -> set[str]:
    words: set[str] = set()
    sources = [*Path(nltk.__file__).parent.rglob("*.py"), *SEEDS.glob("*.txt"), *ANNOTATIONS.glob("*.yaml")]
    for path in sources:
        words.update(re.findall(r"[a-z0-9]+", path.read_text(encoding="utf-8", errors="ignore").lower()))
    rng = random.Random(0)
    stems = sorted(w for w in words if 3 <= len(w) <= 8)
    words.update(rng.choice(stems) + rng.choice(SUFFIXES) for _ in range(50_000))
    return words


@pytest.mark.slow
def test_equal_to_nltk_on_a_large_vocabulary():
    vocabulary = _vocabulary()
    assert len(vocabulary) > 60_000
    different = [w for w in sorted(vocabulary) if stem(w) != NLTK_STEM(w)]
    assert different == []


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aeiouybcdlmnrstgz0", min_size=1, max_size=14))
def test_equal_to_nltk_on_random_words(word):
    assert stem(word) == NLTK_STEM(word)
