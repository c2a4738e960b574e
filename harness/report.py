"""Readable tables of runs and comparisons (rich), and the comparison of two run records.

Tables are built from the score table (:data:`harness.metrics.SCORES`) and fit an
80-column terminal: long titles go in a caption line of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table

from .errors import HarnessError, one_line
from .metrics import HEADLINE, OVERALL, SCORE_NAMES, SHORT_LABELS
from .records import RunRecord
from .scoring import Difference, paired_comparison


def _ci(low: float, high: float) -> str:
    return f"[{low:.3f}, {high:.3f}]"


def _title(text: str) -> str:
    return one_line(text, 78)


def scores_table(record: RunRecord) -> Table:
    """Score, mean over documents, and 95 % bootstrap interval."""
    title = _title(
        f"{record.model.name}: {record.dataset.documents} documents of {record.dataset.source} ({record.dataset.split})"
    )
    table = Table(title=title, title_justify="left", caption=f"threshold {record.threshold}", caption_justify="left")
    table.add_column("score")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    for name in SCORE_NAMES:
        agg = record.aggregates.get(name)
        style = "bold" if name == OVERALL else None
        if agg is None:  # a score that applied to no document (directive_grounded: no evidence given)
            table.add_row(name, "n/a", "", style=style)
        else:
            table.add_row(name, f"{agg.mean:.3f}", _ci(agg.ci_low, agg.ci_high), style=style)
    return table


def _short_id(doc_id: str) -> str:
    """A document id cut to fit a narrow table, keeping a contrast variant's kind."""
    seed, _, kind = doc_id.partition("~")
    return f"{seed[:8]}~{kind}" if kind else doc_id[:12]


def documents_table(record: RunRecord) -> Table:
    """One row per document with the headline scores; errors follow the table, one a line."""
    table = Table(title="per document", title_justify="left")
    table.add_column("doc", no_wrap=True)
    for name in HEADLINE:
        table.add_column(SHORT_LABELS[name], justify="right", no_wrap=True)
    errors = [d for d in record.documents if d.error]
    if errors:
        table.caption = "\n".join(one_line(f"{d.doc_id}: {d.error}", 78) for d in errors)
        table.caption_justify = "left"
    for doc in record.documents:
        table.add_row(_short_id(doc.doc_id), *(_cell(doc.scores.get(c)) for c in HEADLINE))
    return table


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


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


def comparison_table(comparison: Comparison, alpha: float = 0.05) -> Table:
    a, b = comparison.a.model.name, comparison.b.model.name
    table = Table(title=_title(f"A: {a} | B: {b}"), title_justify="left")
    table.caption = f"{comparison.documents} shared documents; paired bootstrap 95% CI; * sign-flip p < {alpha}"
    table.caption_justify = "left"
    for column, justify in (
        ("score", "left"),
        ("A", "right"),
        ("B", "right"),
        ("A − B", "right"),
        ("95% CI", "right"),
        ("p", "right"),
        ("", "left"),
    ):
        table.add_column(column, justify=justify)
    for name, diff in comparison.differences.items():
        verdict = "*" if diff.p_value < alpha else ""
        table.add_row(
            name,
            f"{comparison.means_a[name]:.3f}",
            f"{comparison.means_b[name]:.3f}",
            f"{diff.mean:+.3f}",
            _ci(diff.low, diff.high),
            f"{diff.p_value:.3f}",
            verdict,
        )
    return table


def smallest_p_value(documents: int) -> float:
    """The smallest two-sided p-value an exact sign-flip test can give on ``documents``."""
    return 2 / 2**documents if documents <= 16 else 0.0
