"""Readable tables of runs and of comparisons (rich); the comparison itself is
:mod:`harness.compare`.

Tables are built from the score table (:data:`harness.metrics.SCORES`) and fit an
80-column terminal: long titles go in a caption line of their own.
"""

from __future__ import annotations

from rich.table import Table

from .compare import Comparison
from .errors import one_line
from .metrics import HEADLINE, OVERALL, SCORE_NAMES, SHORT_LABELS
from .records import RunRecord


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
