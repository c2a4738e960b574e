"""Two runs compared document by document: the paired differences of their scores, over
the documents both scored, with intervals and p-values (:func:`harness.scoring.paired_comparison`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import HarnessError
from .metrics import SCORE_NAMES
from .records import RunRecord
from .scoring import Difference, paired_comparison


class CompareError(HarnessError):
    """Two runs that cannot be compared; the message says why."""


@dataclass(frozen=True)
class Comparison:
    """Run A against run B on the documents both scored."""

    a: RunRecord
    b: RunRecord
    differences: dict[str, Difference]
    documents: int
    means_a: dict[str, float]  # over the shared documents
    means_b: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _means(per_doc: dict[str, dict[str, float]], docs: list[str]) -> dict[str, float]:
    means = {}
    for k in SCORE_NAMES:
        values = [per_doc[d][k] for d in docs if k in per_doc[d]]
        if values:
            means[k] = sum(values) / len(values)
    return means


def compare_runs(a: RunRecord, b: RunRecord) -> Comparison:
    """Paired comparison of run A against run B over their common documents.

    Every number is over the shared documents, the means of each run too, so that the
    difference is the difference of the means shown. Refuses runs on different dataset
    versions, splits or thresholds: their scores do not measure the same thing.
    """
    if a.dataset.sha256 != b.dataset.sha256:
        raise CompareError(
            f"the runs used different dataset versions ({a.dataset.sha256[:12]} vs {b.dataset.sha256[:12]})"
        )
    if a.dataset.split != b.dataset.split:
        raise CompareError(f"the runs used different splits ({a.dataset.split} vs {b.dataset.split})")
    if (a.threshold, a.matcher) != (b.threshold, b.matcher):
        raise CompareError(
            f"the runs used different directive matchers ({a.matcher.get('name')} at {a.threshold} "
            f"vs {b.matcher.get('name')} at {b.threshold})"
        )
    per_a, per_b = a.per_doc_scores(), b.per_doc_scores()
    common = sorted(set(per_a) & set(per_b))
    if not common:
        raise CompareError("the runs have no document in common")
    diffs = paired_comparison(per_a, per_b, samples=a.bootstrap_samples, seed=a.seed)
    notes = []
    if len(common) < max(len(per_a), len(per_b)):
        notes.append(
            f"Compared on the {len(common)} documents both runs scored "
            f"(A has {len(per_a)}, B has {len(per_b)}); every number above is over those {len(common)}."
        )
    return Comparison(a, b, diffs, len(common), _means(per_a, common), _means(per_b, common), notes)


def smallest_p_value(documents: int) -> float:
    """The smallest two-sided p-value an exact sign-flip test can give on ``documents``."""
    return 2 / 2**documents if documents <= 16 else 0.0
