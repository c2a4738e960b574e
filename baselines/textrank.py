"""textrank: unsupervised graph ranking of sentences (Mihalcea & Tarau, 2004).

Sentences are nodes; two sentences are joined by their word overlap, normalised by
length: ``sim(a, b) = |words(a) ∩ words(b)| / (log |a| + log |b|)`` over lower-cased
content words. PageRank (damping 0.85) over that graph scores each sentence by how much
of the document it shares words with.

* **Summary**: the best-ranked sentences, restored to reading order, up to 80 words.
* **Directives**: sentences or semicolon clauses that carry a directive cue, ranked by
  their sentence's score; the best ``max_directives`` (default 12), each cut to 30 words.
* No date or presider: ranking sentences does not find them.
"""

from __future__ import annotations

import math
import re

import numpy as np

from baselines._text import as_sentence, body, clauses, grounded, paragraphs, sentences, shorten
from harness.extractors import Document
from harness.schema import DIRECTIVE_MAX_WORDS, SUMMARY_MAX_WORDS, Prediction

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split()
)
_CUE = re.compile(r"\b(?:necessary to|must|should|need to|called for|requested|strive to)\b", re.IGNORECASE)
_LEAD_IN = re.compile(r"^.*?\b(?:necessary to|must|should|need to|called for|requested that|strive to)\s+", re.I)


def _content_words(sentence: str) -> set[str]:
    return {w for w in _WORD.findall(sentence.lower()) if w not in _STOP}


def rank(units: list[str], damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """PageRank scores of the units over the word-overlap graph; they sum to 1."""
    n = len(units)
    if n == 0:
        return np.zeros(0)
    bags = [_content_words(u) for u in units]
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            overlap = len(bags[i] & bags[j])
            if overlap and len(bags[i]) > 1 and len(bags[j]) > 1:
                weights[i, j] = weights[j, i] = overlap / (math.log(len(bags[i])) + math.log(len(bags[j])))
    out_weight = weights.sum(axis=1)
    # A sentence that shares no word with any other spreads its vote evenly.
    transition = np.where(out_weight[:, None] > 0, weights / np.maximum(out_weight[:, None], 1e-12), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-10:
            return updated
        scores = updated
    return scores


class TextRankBaseline:
    """Graph-ranked sentences for the summary and for choosing directive candidates."""

    name = "textrank"

    def __init__(self, max_directives: str | int = 12) -> None:
        self.max_directives = int(max_directives)

    def extract(self, doc: Document) -> Prediction:
        units = [s for p in paragraphs(body(doc.text, doc.title)) for s in sentences(p)]
        scores = rank(units)
        order = sorted(range(len(units)), key=lambda i: -scores[i])

        chosen, total = [], 0
        for i in order:
            if total + len(units[i].split()) > SUMMARY_MAX_WORDS and chosen:
                continue
            chosen.append(i)
            total += len(units[i].split())
        summary = " ".join(units[i] for i in sorted(chosen))
        summary = " ".join(summary.split()[:SUMMARY_MAX_WORDS])

        candidates: dict[str, str] = {}  # directive -> the clause it was made from
        for i in order:
            for clause in clauses(units[i]):
                if _CUE.search(clause):
                    text = as_sentence(shorten(_LEAD_IN.sub("", clause, count=1), DIRECTIVE_MAX_WORDS))
                    if text:
                        candidates.setdefault(text, clause)
        chosen_directives = list(candidates.items())[: self.max_directives]
        directives = [grounded(text, clause, doc.text) for text, clause in chosen_directives]
        return Prediction(doc_id=doc.doc_id, directives=directives, summary=summary)


EXTRACTOR = TextRankBaseline
