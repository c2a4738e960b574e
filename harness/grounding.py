"""Where a directive stands in its document: evidence quotes found, and spans compared.

A predicted directive may carry evidence quotes, as the gold does. Whether a quote is in the
document, and whether two sets of quotes point at the same passage, are questions with exact
answers, so they are decided here by character positions, not by wording.

* :func:`find_quote`: a quote is **found** when it occurs in the document after both are
  normalised in the same, narrow way (:func:`normalise`: case, runs of whitespace, curly and
  straight quote marks, dashes). Nothing else is forgiven: a quote with a changed word is not
  found. The span returned indexes the original text.
* :func:`span_overlap`: with ``P`` the characters the predicted quotes cover and ``G`` those
  the gold directive's evidence covers, ``coverage = max(|P ∩ G| / |G|, max_q |P ∩ q| / |q|)``
  (the share of the gold's evidence the prediction points at — all of it, or all of one of
  its quotes, since one gold directive may merge quotes from several places) and
  ``precision = |P ∩ G| / |P|`` (the share of what the prediction points at that is this
  directive's evidence).
* :func:`located`: a pair is located when ``coverage >= SPAN_COVERAGE`` and ``precision >=
  SPAN_PRECISION`` (calibration/README.md says how the two were chosen): a whole sentence
  around the gold's clause still locates it, the whole document does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

#: A predicted directive's quotes must cover at least this share of the gold's evidence ...
SPAN_COVERAGE = 0.5
#: ... and at least this share of what they cover must be the gold's evidence.
SPAN_PRECISION = 0.2

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")

Span = tuple[int, int]


def normalise(text: str) -> str:
    """Lower case, quote marks and dashes folded to ASCII, every run of whitespace one space."""
    return _SPACE.sub(" ", text.translate(_FOLD).lower()).strip()


@lru_cache(maxsize=64)
def _index(text: str) -> tuple[str, tuple[int, ...]]:
    """The normalised text and, for each of its characters, the offset it came from."""
    out: list[str] = []
    where: list[int] = []
    space = True  # leading whitespace is dropped, as normalise() does
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        for c in ch.translate(_FOLD).lower():  # lower() may turn one character into two
            out.append(c)
            where.append(i)
        space = False
    return "".join(out), tuple(where)


def find_quote(quote: str, text: str) -> Span | None:
    """The ``(start, end)`` of the first occurrence of ``quote`` in ``text``, compared
    normalised (see the module doc); None when it is not there or is blank."""
    needle = normalise(quote)
    if not needle:
        return None
    haystack, where = _index(text)
    at = haystack.find(needle)
    if at < 0:
        return None
    return where[at], where[at + len(needle) - 1] + 1


def find_quotes(quotes: Sequence[str], text: str) -> tuple[Span, ...] | None:
    """The spans of every quote, or None when any one of them is not found."""
    spans = []
    for quote in quotes:
        span = find_quote(quote, text)
        if span is None:
            return None
        spans.append(span)
    return tuple(spans)


def _union(spans: Iterable[Span]) -> list[Span]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _length(spans: Sequence[Span]) -> int:
    return sum(b - a for a, b in spans)


def _intersection(a: Sequence[Span], b: Sequence[Span]) -> int:
    total = 0
    for s1, e1 in a:
        for s2, e2 in b:
            total += max(0, min(e1, e2) - max(s1, s2))
    return total


def span_overlap(predicted: Sequence[Span], gold: Sequence[Span]) -> tuple[float, float]:
    """``(coverage, precision)`` of the predicted spans against one gold directive's."""
    p, g = _union(predicted), _union(gold)
    if not _length(p) or not _length(g):
        return 0.0, 0.0
    shared = _intersection(p, g)
    per_quote = max((_intersection(p, [q]) / (q[1] - q[0]) for q in gold if q[1] > q[0]), default=0.0)
    return max(shared / _length(g), per_quote), shared / _length(p)


def located(predicted: Sequence[Span], gold: Sequence[Span]) -> bool:
    coverage, precision = span_overlap(predicted, gold)
    return coverage >= SPAN_COVERAGE and precision >= SPAN_PRECISION
