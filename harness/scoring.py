"""From per-document scores to the numbers a run reports: means, intervals, comparisons.

* :func:`score_documents` scores documents one after another as they come, in bounded
  memory (``harness.metrics.score_document``); :func:`score_all` scores a list of them.
* :func:`bootstrap_ci` gives each score's mean over documents with a 95 % percentile
  bootstrap interval: resample the documents with replacement ``B`` times (one seeded
  generator, the same resamples for every score), take each resample's mean, and report
  the 2.5th and 97.5th percentiles of those means.
* :func:`paired_comparison` compares two runs document by document: the mean difference
  ``d = mean(a_i - b_i)``, a paired bootstrap interval for it, and a two-sided paired
  permutation (sign-flip) test, exact when there are at most 16 documents:
  ``p = #{signs s : |mean(s_i * d_i)| >= |d|} / #signs``.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from array import array
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .metrics import DEFAULT_MATCHING, SCORE_NAMES, DocumentScores, Matching, score_document
from .schema import GoldRecord, Prediction, Reference, base_id

DEFAULT_BOOTSTRAP_SAMPLES = 10_000
DEFAULT_SEED = 0
CONFIDENCE = 0.95
_EXACT_PERMUTATION_MAX_DOCS = 16
_CHUNK = 256
_MAX_INDICES = 1 << 20
# Below this many documents per process, starting processes costs more than it saves.
_MIN_DOCS_PER_WORKER = 50


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    """Run A minus run B on one score, over the documents both scored."""

    mean: float
    low: float
    high: float
    p_value: float
    n: int


#: One document to score: its prediction, its reference and the prediction fields that
#: could not be used.
Item = tuple[Prediction, Reference, Collection[str]]
#: Documents sent to a worker process at a time, and how many such batches may wait per
#: worker: enough to keep the workers busy, few enough that memory does not grow with the run.
_BATCH = 64
_IN_FLIGHT_PER_WORKER = 2


def _score_chunk(items: list[Item], matching: Matching) -> list[DocumentScores]:
    return [score_document(prediction, reference, matching, unusable) for prediction, reference, unusable in items]


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def score_documents(
    items: Iterable[Item], matching: Matching = DEFAULT_MATCHING, workers: int = 1
) -> Iterator[DocumentScores]:
    """Each document's scores (:func:`harness.metrics.score_document`), in the order given,
    holding only a few batches at a time: memory does not grow with the number of
    documents, and neither does the time per one.

    ``workers > 1`` scores batches in that many processes (the scores are the same); a run
    of fewer than ``2 * _MIN_DOCS_PER_WORKER`` documents is scored in this process, since
    starting processes would cost more than it saves.
    """
    items = iter(items)
    head = list(itertools.islice(items, _MIN_DOCS_PER_WORKER * 2))
    if workers <= 1 or len(head) < _MIN_DOCS_PER_WORKER * 2:
        yield from _score_chunk(head, matching)
        for batch in _batches(items, _BATCH):
            yield from _score_chunk(batch, matching)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[DocumentScores]]] = deque()
        for batch in _batches(itertools.chain(head, items), _BATCH):
            # a worker gets the judge's verdicts of its batch only, not the whole run's
            pending.append(pool.submit(_score_chunk, batch, matching.only([r.doc_id for _, r, _ in batch])))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def score_all(
    predictions: Mapping[str, Prediction],
    gold: Sequence[GoldRecord | Reference],
    matching: Matching = DEFAULT_MATCHING,
    workers: int = 1,
) -> dict[str, dict[str, float]]:
    """Scores of every gold document, by doc_id; a document without a prediction is scored
    as empty. ``workers > 1`` scores in that many processes; the scores are the same."""
    refs = [g if isinstance(g, Reference) else Reference.from_gold(g) for g in gold]
    items = ((predictions.get(r.doc_id) or Prediction.empty(r.doc_id), r, ()) for r in refs)
    return {r.doc_id: d.scores for r, d in zip(refs, score_documents(items, matching, workers), strict=True)}


def consistency(per_doc: Mapping[str, Mapping[str, float]], names: Sequence[str]) -> dict[str, float]:
    """On the contrast split (:mod:`harness.contrast`), for each score, the mean over seeds of
    the lowest score among the seed and its variants: for a 0/1 score, the share of seeds
    right on the original and on every variant."""
    groups: dict[str, list[Mapping[str, float]]] = {}
    for doc_id, scores in per_doc.items():
        groups.setdefault(base_id(doc_id), []).append(scores)
    return {name: sum(min(s[name] for s in g) for g in groups.values()) / len(groups) for name in names}


def _bootstrap_means(values: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """Means of ``samples`` resamples of the rows of ``values`` (shape: docs x scores)."""
    rng = np.random.default_rng(seed)
    n = values.shape[0]
    out = np.empty((samples, values.shape[1]))
    # Resample in chunks of about a million indices, one score at a time, so that memory
    # stays small however many documents there are.
    chunk = max(1, min(_CHUNK, _MAX_INDICES // n))
    for start in range(0, samples, chunk):
        size = min(chunk, samples - start)
        idx = rng.integers(0, n, size=(size, n))
        for j in range(values.shape[1]):
            out[start : start + size, j] = values[idx, j].mean(axis=1)
    return out


def _percentiles(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    return low, high


class ScoreTable(Mapping[str, Mapping[str, float]]):
    """Each document's scores, kept as one row of floats (NaN where a score does not apply)
    instead of a dict: a fifth of the memory on a large run. Reads as a mapping from doc_id
    to that document's scores."""

    def __init__(self, names: Sequence[str] = SCORE_NAMES) -> None:
        self.names = tuple(names)
        self._rows: dict[str, array[float]] = {}

    def add(self, doc_id: str, scores: Mapping[str, float]) -> None:
        self._rows[doc_id] = array("d", (scores.get(k, math.nan) for k in self.names))

    def __getitem__(self, doc_id: str) -> dict[str, float]:
        return {k: v for k, v in zip(self.names, self._rows[doc_id], strict=True) if not math.isnan(v)}

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def matrix(self, docs: Sequence[str], names: Sequence[str]) -> np.ndarray:
        """The scores ``names`` of ``docs`` as a docs x names array, NaN where one does not apply."""
        columns = [self.names.index(k) for k in names]
        values = np.array([self._rows[d] for d in docs], dtype=float).reshape(len(docs), len(self.names))
        return values[:, columns]


def bootstrap_ci(
    per_doc: Mapping[str, Mapping[str, float]],
    names: Sequence[str] = SCORE_NAMES,
    samples: int = DEFAULT_BOOTSTRAP_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Interval]:
    """Mean and 95 % bootstrap interval of each score over documents (see module doc)."""
    if not per_doc:
        raise ValueError("no documents to aggregate")
    docs = sorted(per_doc)
    if isinstance(per_doc, ScoreTable):
        table = per_doc.matrix(docs, names)
    else:
        table = np.array([[per_doc[d].get(k, math.nan) for k in names] for d in docs], dtype=float)
    table = table.reshape(len(docs), len(names))
    applies = ~np.isnan(table)
    complete = [i for i in range(len(names)) if applies[:, i].all()]
    out = {}
    if complete:
        # contiguous, as a fresh array would be: the means' last bits depend on the summation order
        out.update(_intervals([names[i] for i in complete], np.ascontiguousarray(table[:, complete]), samples, seed))
    # A score that applies to some documents only (``directive_grounded``) is the mean over
    # those, with its own resamples; one that applies to none has no interval at all.
    for i, k in enumerate(names):
        if k not in out and applies[:, i].any():
            out.update(_intervals([k], np.ascontiguousarray(table[applies[:, i]][:, [i]]), samples, seed))
    return {k: out[k] for k in names if k in out}


def _intervals(names: Sequence[str], values: np.ndarray, samples: int, seed: int) -> dict[str, Interval]:
    means = values.mean(axis=0)
    low, high = _percentiles(_bootstrap_means(values, samples, seed))
    # Percentiles of resampled means can stray a rounding error past the mean itself.
    return {
        k: Interval(float(means[i]), float(min(low[i], means[i])), float(max(high[i], means[i])))
        for i, k in enumerate(names)
    }


def _sign_flip_p(diffs: np.ndarray, seed: int, samples: int) -> float:
    n = len(diffs)
    observed = abs(diffs.mean())
    if n <= _EXACT_PERMUTATION_MAX_DOCS:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
        stats = np.abs((signs * diffs).mean(axis=1))
        return float(np.mean(stats >= observed - 1e-12))
    rng = np.random.default_rng(seed)
    signs = rng.choice((1.0, -1.0), size=(samples, n))
    stats = np.abs((signs * diffs).mean(axis=1))
    return float((np.sum(stats >= observed - 1e-12) + 1) / (samples + 1))


def paired_comparison(
    a: Mapping[str, Mapping[str, float]],
    b: Mapping[str, Mapping[str, float]],
    names: Sequence[str] = SCORE_NAMES,
    samples: int = DEFAULT_BOOTSTRAP_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Difference]:
    """Per-score difference A − B with a paired bootstrap interval and permutation p-value."""
    docs = sorted(set(a) & set(b))
    if not docs:
        raise ValueError("the two runs have no document in common")
    # A score one of the runs lacks on some document (it did not apply) is not compared.
    names = [k for k in names if all(k in a[d] and k in b[d] for d in docs)]
    diffs = np.array([[a[d][k] - b[d][k] for k in names] for d in docs], dtype=float).reshape(len(docs), len(names))
    low, high = _percentiles(_bootstrap_means(diffs, samples, seed))
    mean = diffs.mean(axis=0)
    return {
        k: Difference(
            mean=float(mean[i]),
            low=float(min(low[i], mean[i])),
            high=float(max(high[i], mean[i])),
            p_value=_sign_flip_p(diffs[:, i], seed, samples),
            n=len(docs),
        )
        for i, k in enumerate(names)
    }
