"""Porter stemming, as rouge-score does it (NLTK's ``PorterStemmer`` in its default mode)."""

from __future__ import annotations

from functools import cache


@cache
def _nltk_stem():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer().stem


def stem(word: str) -> str:
    """The Porter stem of one lower-case word."""
    return _nltk_stem()(word)
