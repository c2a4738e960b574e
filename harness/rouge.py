"""ROUGE, computed exactly as the ``rouge-score`` package computes it, but faster.

* :func:`tokens`: rouge-score's default tokenizer with stemming — lower case, every run of
  characters other than ``a-z0-9`` separates, words of more than three letters are
  Porter-stemmed (NLTK's stemmer, default mode).
* :func:`lcs_length`: the longest common subsequence of two token sequences.
* :func:`rouge_n` and :func:`rouge_l`: with ``c`` the clipped count of shared n-grams (or,
  for ROUGE-L, the LCS length), ``P = c / #candidate n-grams``, ``R = c / #reference
  n-grams``, and :func:`fmeasure` ``F = 2PR / (P + R)`` (0 when both are 0).
* :func:`rouge_l_f1`: ROUGE-L F1 of two texts, the similarity the directive matcher uses.

The tests compare every function here with ``rouge_score.rouge_scorer.RougeScorer`` on
thousands of pairs, to the last bit of the float.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from .porter import stem as _porter_stem

_stem = lru_cache(maxsize=1 << 16)(_porter_stem)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

Tokens = tuple[str, ...]


@lru_cache(maxsize=1 << 13)
def tokens(text: str) -> Tokens:
    """Tokens exactly as ``rouge-score``'s default tokenizer with stemming makes them.

    Cached, because one directive is compared with many; a few documents' texts at a time,
    since an entry costs about 2 KB and texts rarely recur across documents.
    """
    words = _NON_ALNUM.sub(" ", text.lower()).split()
    return tuple(t for t in (_stem(w) if len(w) > 3 else w for w in words) if t)


@lru_cache(maxsize=1 << 12)
def _match_masks(a: Tokens) -> dict[str, int]:
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    return masks


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences.

    Bit-parallel (Allison-Dix / Hyyrö): one big-integer step per token of ``b``, instead
    of the ``len(a) * len(b)`` table of the textbook algorithm.
    """
    if not a or not b:
        return 0
    masks = _match_masks(tuple(a))
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def fmeasure(overlap: int, n_candidate: int, n_reference: int) -> float:
    """F1 of ``P = overlap / n_candidate`` and ``R = overlap / n_reference``.

    The arithmetic of rouge-score step for step (``max(n, 1)`` guards an empty side), so
    that the floats agree to the bit.
    """
    precision = overlap / max(n_candidate, 1)
    recall = overlap / max(n_reference, 1)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _ngrams(toks: Tokens, n: int) -> Counter[Tokens]:
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def rouge_n(reference: Tokens, candidate: Tokens, n: int) -> float:
    """ROUGE-N F1: clipped n-gram overlap over the n-gram counts of each side."""
    ref, cand = _ngrams(reference, n), _ngrams(candidate, n)
    overlap = sum(min(count, cand[gram]) for gram, count in ref.items())
    return fmeasure(overlap, sum(cand.values()), sum(ref.values()))


def rouge_l(reference: Tokens, candidate: Tokens) -> float:
    """ROUGE-L F1: the LCS over the length of each side; 0 if either side is empty."""
    if not reference or not candidate:
        return 0.0
    return fmeasure(lcs_length(reference, candidate), len(candidate), len(reference))


def rouge_l_f1(a: str, b: str) -> float:
    """ROUGE-L F1 with stemming of two texts; symmetric in ``a`` and ``b``."""
    return rouge_l(tokens(a), tokens(b))
