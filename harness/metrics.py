"""The scores of PolicyBench, one function per field, each comparing a prediction to gold.

Every score lies in [0, 1]; higher is better. Definitions follow ``CONTRACT.md``:

* ``date_accuracy``: 1 if the predicted ISO date equals the gold meeting date, else 0.
* ``presider_accuracy``: 1 if the predicted name equals the gold name or an alias after
  :func:`normalise_name`, else 0. A document without a presider expects no name.
* ``directive_precision`` / ``directive_recall`` / ``directive_f1``: predicted and gold
  directives are matched one to one so that the total similarity is as large as possible
  (the assignment problem, solved exactly). With similarity ROUGE-L F1 (stemmed), a matched
  pair is a hit when its similarity is at least the threshold ``t``::

      hits      = #{matched pairs (p, g) : sim(p, g) >= t}
      precision = hits / #predicted        recall = hits / #gold
      f1        = 2 * precision * recall / (precision + recall)   (0 when both are 0)

* ``directive_soft_f1``: the same matching, counting each matched pair's similarity
  instead of 0/1: ``soft_precision = sum(sim) / #predicted``, ``soft_recall =
  sum(sim) / #gold``, and their harmonic mean.
* ``summary_rouge1`` / ``summary_rouge2`` / ``summary_rougeL``: F1 of ROUGE-1, ROUGE-2
  and ROUGE-L with stemming, as the ``rouge-score`` package computes them, taking for each
  the best over all reference summaries of the document. With ``c`` the clipped count of
  shared n-grams, ``P = c / #predicted n-grams``, ``R = c / #reference n-grams``; for
  ROUGE-L, ``c`` is the longest common subsequence of the token sequences.
* ``overall``: the mean of ``date_accuracy``, ``presider_accuracy``, ``directive_f1`` and
  ``summary_rougeL``.

Empty lists: when both sides are empty, precision, recall and F1 are 1 (nothing was to be
found and nothing was claimed). When only one side is empty, all three are 0, so an empty
prediction scores 0 on a document that has directives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from nltk.stem.porter import PorterStemmer
from scipy.optimize import linear_sum_assignment

from .schema import GoldRecord, Prediction, Reference

#: Calibrated on the judged pairs in ``calibration/pairs.jsonl`` by ``calibration/calibrate.py``;
#: see calibration/README.md. Every run records the threshold it used.
DEFAULT_THRESHOLD = 0.33

SCORE_NAMES = (
    "date_accuracy",
    "presider_accuracy",
    "directive_precision",
    "directive_recall",
    "directive_f1",
    "directive_soft_f1",
    "summary_rouge1",
    "summary_rouge2",
    "summary_rougeL",
    "overall",
)

# ------------------------------------------------------------------------------ dates


def date_accuracy(predicted: str | None, gold: str) -> float:
    """1.0 if the predicted ``YYYY-MM-DD`` equals the gold date, else 0.0."""
    return float(predicted is not None and predicted == gold)


# ------------------------------------------------------------------------------ names

#: Words of office and address that may stand around a name; they are not the name.
TITLE_WORDS = frozenset(
    """
    comrade mr mrs ms dr sir madam
    secretary deputy vice executive general first
    governor lieutenant mayor premier president chairman chairwoman chair director
    chief head minister leader member members
    party provincial province municipal city county committee standing government group
    cpc ccp cppcc peoples congress political consultative conference
    of the and
    """.split()
)
_JOINERS = re.compile(r"[-‐‑‒–—'’`.·・]")
_SEPARATORS = re.compile(r"[^\w]+")


def normalise_name(name: str) -> str:
    """A name reduced to what identifies the person.

    Unicode NFKC, lower case; hyphens, apostrophes and dots join (``Guo-qing`` ->
    ``guoqing``); other punctuation separates; title words (:data:`TITLE_WORDS`) are dropped;
    and the remaining words are concatenated, so spacing does not matter
    (``"Provincial party secretary Hao  Peng"`` -> ``"haopeng"``).
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _JOINERS.sub("", text)
    words = [w for w in _SEPARATORS.split(text) if w and w not in TITLE_WORDS]
    return "".join(words)


def presider_accuracy(predicted: str | None, gold_name: str | None, aliases: Sequence[str] = ()) -> float:
    """1.0 if the predicted name matches the gold name or an alias after normalisation.

    When the gold has no presider, the right answer is no name (None or blank).
    """
    if gold_name is None:
        return float(not (predicted and predicted.strip()))
    if not predicted:
        return 0.0
    guess = normalise_name(predicted)
    return float(bool(guess) and any(guess == normalise_name(n) for n in (gold_name, *aliases)))


# -------------------------------------------------------------------------- directives


# rouge-score stems with NLTK's Porter stemmer in its default mode; so do we, with a cache.
_stem = lru_cache(maxsize=1 << 16)(PorterStemmer().stem)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def rouge_tokens(text: str) -> tuple[str, ...]:
    """Tokens exactly as ``rouge-score``'s default tokenizer with stemming makes them.

    Lower case, every run of characters other than ``a-z0-9`` is a separator, and words of
    more than three letters are Porter-stemmed. Cached, because one directive is compared
    with many.
    """
    words = _NON_ALNUM.sub(" ", text.lower()).split()
    return tuple(t for t in (_stem(w) if len(w) > 3 else w for w in words) if t)


@lru_cache(maxsize=1 << 14)
def _match_masks(a: tuple[str, ...]) -> dict[str, int]:
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


def _f1(overlap: int, n_pred: int, n_ref: int) -> float:
    # The arithmetic of rouge-score, step for step, so that the floats agree to the bit.
    precision = overlap / max(n_pred, 1)
    recall = overlap / max(n_ref, 1)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def rouge_l_f1(a: str, b: str) -> float:
    """ROUGE-L F1 with stemming of two texts, equal to ``rouge-score``'s to the last bit.

    ``P = LCS / len(b)``, ``R = LCS / len(a)``, ``F1 = 2PR / (P + R)``; 0 if either side has
    no tokens. F1 is symmetric, so the order of ``a`` and ``b`` does not matter.
    """
    ta, tb = rouge_tokens(a), rouge_tokens(b)
    if not ta or not tb:
        return 0.0
    return _f1(lcs_length(ta, tb), len(tb), len(ta))


def similarity_matrix(predicted: Sequence[str], gold: Sequence[str]) -> np.ndarray:
    """``S[i, j] = rouge_l_f1(gold[j], predicted[i])`` for every pair."""
    matrix = np.zeros((len(predicted), len(gold)))
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            matrix[i, j] = rouge_l_f1(g, p)
    return matrix


@dataclass(frozen=True)
class DirectiveMatch:
    """The optimal one-to-one matching of predicted to gold directives and its scores."""

    pairs: tuple[tuple[int, int, float], ...]  # (predicted index, gold index, similarity)
    precision: float
    recall: float
    f1: float
    soft_f1: float


def _prf(hits: float, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    precision = hits / n_pred if n_pred else 0.0
    recall = hits / n_gold if n_gold else 0.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def match_directives(predicted: Sequence[str], gold: Sequence[str], threshold: float) -> DirectiveMatch:
    """Match predicted to gold directives one to one, maximising total similarity.

    Solved exactly with ``scipy.optimize.linear_sum_assignment`` (greedy matching can pair
    a prediction with the gold item another prediction needed more). Pairs below the
    threshold stay in the soft score but are not hits.
    """
    pairs: tuple[tuple[int, int, float], ...] = ()
    if predicted and gold:
        sim = similarity_matrix(predicted, gold)
        rows, cols = linear_sum_assignment(sim, maximize=True)
        pairs = tuple((int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols, strict=True))
    hits = sum(1 for _, _, s in pairs if s >= threshold)
    precision, recall, f1 = _prf(hits, len(predicted), len(gold))
    soft = _prf(sum(s for _, _, s in pairs), len(predicted), len(gold))[2]
    return DirectiveMatch(pairs=pairs, precision=precision, recall=recall, f1=f1, soft_f1=soft)


# --------------------------------------------------------------------------- summaries


def _ngrams(tokens: tuple[str, ...], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n_f1(reference: tuple[str, ...], predicted: tuple[str, ...], n: int) -> float:
    """ROUGE-N F1: clipped n-gram overlap over the n-gram counts of each side."""
    ref, pred = _ngrams(reference, n), _ngrams(predicted, n)
    overlap = sum(min(count, pred[gram]) for gram, count in ref.items())
    return _f1(overlap, sum(pred.values()), sum(ref.values()))


def summary_rouge(predicted: str, references: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F1 (stemmed) of a summary, best over the references.

    Computed here on :func:`rouge_tokens` with rouge-score's formulas, which is what
    ``RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score_multi`` returns
    (the tests compare the two on thousands of texts); the cached tokens and the
    bit-parallel LCS make it many times faster on large runs.
    """
    if not references:
        raise ValueError("a summary needs at least one reference")
    pred = rouge_tokens(predicted)
    best = {"summary_rouge1": 0.0, "summary_rouge2": 0.0, "summary_rougeL": 0.0}
    for reference in references:
        ref = rouge_tokens(reference)
        scores = {
            "summary_rouge1": rouge_n_f1(ref, pred, 1),
            "summary_rouge2": rouge_n_f1(ref, pred, 2),
            "summary_rougeL": _f1(lcs_length(ref, pred), len(pred), len(ref)) if ref and pred else 0.0,
        }
        best = {k: max(best[k], scores[k]) for k in best}
    return best


# ----------------------------------------------------------------------------- a record


def score_document(
    prediction: Prediction, gold: GoldRecord | Reference, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, float]:
    """Every score of one document, keyed by the names in :data:`SCORE_NAMES`."""
    ref = gold if isinstance(gold, Reference) else Reference.from_gold(gold)
    match = match_directives(prediction.directives, ref.directives, threshold)
    scores = {
        "date_accuracy": date_accuracy(prediction.meeting_date, ref.meeting_date),
        "presider_accuracy": presider_accuracy(prediction.presider, ref.presider, ref.aliases),
        "directive_precision": match.precision,
        "directive_recall": match.recall,
        "directive_f1": match.f1,
        "directive_soft_f1": match.soft_f1,
        **summary_rouge(prediction.summary, ref.summaries),
    }
    parts = ("date_accuracy", "presider_accuracy", "directive_f1", "summary_rougeL")
    scores["overall"] = sum(scores[k] for k in parts) / len(parts)
    return {name: scores[name] for name in SCORE_NAMES}
