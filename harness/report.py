"""Readable tables of runs and comparisons (rich), and the comparison of two run records."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from .metrics import SCORE_NAMES
from .records import RunRecord
from .scoring import Difference, paired_comparison


def _ci(low: float, high: float) -> str:
    return f"[{low:.3f}, {high:.3f}]"


def scores_table(record: RunRecord) -> Table:
    """Score, mean over documents, and 95 % bootstrap interval."""
    title = (
        f"{record.model.name} on {record.dataset.source} ({record.dataset.split}, "
        f"{record.dataset.documents} documents), threshold {record.threshold}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("score")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    for name in SCORE_NAMES:
        agg = record.aggregates[name]
        style = "bold" if name == "overall" else None
        table.add_row(name, f"{agg.mean:.3f}", _ci(agg.ci_low, agg.ci_high), style=style)
    return table


def documents_table(record: RunRecord) -> Table:
    """One row per document: the headline scores and any error."""
    table = Table(title="per document", title_justify="left")
    columns = {"date_accuracy": "date", "presider_accuracy": "presider", "directive_f1": "directive F1"}
    columns |= {"summary_rougeL": "ROUGE-L", "overall": "overall"}
    table.add_column("doc_id", no_wrap=True)
    for header in columns.values():
        table.add_column(header, justify="right")
    table.add_column("error")
    for doc in record.documents:
        table.add_row(doc.doc_id, *(f"{doc.scores[c]:.3f}" for c in columns), doc.error or "")
    return table


class CompareError(Exception):
    """Two runs that cannot be compared; the message says why."""


@dataclass(frozen=True)
class Comparison:
    a: RunRecord
    b: RunRecord
    differences: dict[str, Difference]
    documents: int


def compare_runs(a: RunRecord, b: RunRecord) -> Comparison:
    """Paired comparison of run A against run B over their common documents.

    Refuses runs on different dataset versions, splits or thresholds: their per-document
    scores do not measure the same thing.
    """
    if a.dataset.sha256 != b.dataset.sha256:
        raise CompareError(
            f"the runs used different dataset versions ({a.dataset.sha256[:12]} vs {b.dataset.sha256[:12]})"
        )
    if a.dataset.split != b.dataset.split:
        raise CompareError(f"the runs used different splits ({a.dataset.split} vs {b.dataset.split})")
    if a.threshold != b.threshold:
        raise CompareError(f"the runs used different thresholds ({a.threshold} vs {b.threshold})")
    common = set(a.per_doc_scores()) & set(b.per_doc_scores())
    if not common:
        raise CompareError("the runs have no document in common")
    diffs = paired_comparison(a.per_doc_scores(), b.per_doc_scores(), samples=a.bootstrap_samples, seed=a.seed)
    return Comparison(a, b, diffs, len(common))


def comparison_table(comparison: Comparison, alpha: float = 0.05) -> Table:
    a, b = comparison.a.model.name, comparison.b.model.name
    table = Table(title=f"{a} (A) vs {b} (B) on {comparison.documents} shared documents", title_justify="left")
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
        verdict = "significant" if diff.p_value < alpha else ""
        table.add_row(
            name,
            f"{comparison.a.aggregates[name].mean:.3f}",
            f"{comparison.b.aggregates[name].mean:.3f}",
            f"{diff.mean:+.3f}",
            _ci(diff.low, diff.high),
            f"{diff.p_value:.3f}",
            verdict,
        )
    return table


def smallest_p_value(documents: int) -> float:
    """The smallest two-sided p-value an exact sign-flip test can give on ``documents``."""
    return 2 / 2**documents if documents <= 16 else 0.0
