"""The leaderboard: a markdown table of run records, kept in the README between markers.

Each row is one run record from ``results/``: the model, the mean and 95 % interval of the
headline scores, and the dataset version and date of the run. Rows are ordered by
``overall``. Runs on a dataset version other than the newest are left out and listed
below the table, since their numbers are not comparable.
"""

from __future__ import annotations

from pathlib import Path

from .records import RunRecord, read_record

START = "<!-- leaderboard:start -->"
END = "<!-- leaderboard:end -->"
COLUMNS = (
    ("overall", "overall"),
    ("date_accuracy", "date"),
    ("presider_accuracy", "presider"),
    ("directive_f1", "directive F1"),
    ("directive_soft_f1", "directive soft F1"),
    ("summary_rougeL", "summary ROUGE-L"),
)


class LeaderboardError(Exception):
    """The README has no leaderboard markers, or ``results/`` holds no run record."""


def load_results(folder: Path) -> list[RunRecord]:
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise LeaderboardError(f"{folder}: no run records (*.json)")
    return [read_record(p) for p in paths]


def _cell(record: RunRecord, score: str) -> str:
    agg = record.aggregates[score]
    return f"{agg.mean:.3f} [{agg.ci_low:.2f}, {agg.ci_high:.2f}]"


def render(records: list[RunRecord]) -> str:
    """The markdown table (and a line on left-out runs)."""
    newest = max(records, key=lambda r: r.started_at).dataset.sha256
    current = sorted(
        (r for r in records if r.dataset.sha256 == newest),
        key=lambda r: (-r.aggregates["overall"].mean, r.model.name),
    )
    lines = [
        "| model | " + " | ".join(title for _, title in COLUMNS) + " | run |",
        "|---|" + "---|" * len(COLUMNS) + "---|",
    ]
    for r in current:
        name = f"{r.model.name} ({r.model.source})"
        lines.append(f"| {name} | " + " | ".join(_cell(r, s) for s, _ in COLUMNS) + f" | {r.started_at[:10]} |")
    lines.append("")
    doc_count = current[0].dataset.documents
    lines.append(
        f"Dataset version `{newest[:12]}` ({current[0].dataset.split}, {doc_count} documents); "
        f"mean [95 % bootstrap interval]; threshold {current[0].threshold}."
    )
    stale = sorted(r.model.name for r in records if r.dataset.sha256 != newest)
    if stale:
        lines.append(f"Left out, run on an older dataset version: {', '.join(stale)}.")
    return "\n".join(lines)


def update_text(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    start, end = text.find(START), text.find(END)
    if start == -1 or end < start:
        raise LeaderboardError(f"no {START} ... {END} markers")
    return text[: start + len(START)] + "\n" + table + "\n" + text[end:]
