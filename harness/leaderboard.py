"""The leaderboard: a markdown table of run records, kept in the README between markers.

Each row is one run record from ``results/`` on the dataset version the harness scores
now (the records do not choose it: a record with a made-up hash and a future date cannot
push real rows out). The columns are the headline scores of :data:`harness.metrics.HEADLINE`,
each a mean and 95 % interval; rows are ordered by ``overall``.

Records are checked before they are ranked — every score finite and in [0, 1], the
interval around the mean, no date in the future — and everything a record says is escaped
before it enters markdown. Runs that did not cover every document (a ``--limit`` run, a
predictions file with missing lines) are not ranked beside full runs: they are listed
below the table with what they lack. Runs on other dataset versions are listed as left out.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from .errors import HarnessError, one_line
from .files import MiB, read_text, write_atomic
from .matching import Matcher
from .metrics import HEADLINE, LABELS, OVERALL, OVERALL_PARTS
from .records import RunRecord, read_record

START = "<!-- leaderboard:start -->"
END = "<!-- leaderboard:end -->"
MAX_README_BYTES = 16 * MiB
#: Clock skew allowed before a record's start time counts as "in the future".
FUTURE_SLACK = dt.timedelta(days=1)


class LeaderboardError(HarnessError):
    """The README has no leaderboard markers, or ``results/`` holds no usable run record."""


def load_results(folder: Path) -> list[RunRecord]:
    """Every run record in ``folder`` (``*.json``), each read and validated."""
    if not folder.is_dir():
        raise LeaderboardError(f"{folder}: no such folder of run records")
    paths = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    if not paths:
        raise LeaderboardError(f"{folder}: no run records (*.json)")
    return [read_record(p) for p in paths]


def cell(text: str) -> str:
    """Text made safe for one markdown table cell: one line, no ``|``, no HTML."""
    return html.escape(one_line(text, 120), quote=False).replace("|", "\\|").replace("`", "'")


def _score_cell(record: RunRecord, score: str) -> str:
    agg = record.aggregates[score]
    return f"{agg.mean:.3f} [{agg.ci_low:.2f}, {agg.ci_high:.2f}]"


@dataclass(frozen=True)
class Board:
    ranked: list[RunRecord]
    incomplete: list[tuple[RunRecord, str]]  # and what it lacks
    other_versions: list[RunRecord]
    version: str
    documents: int
    threshold: float


def classify(
    records: list[RunRecord],
    version: str,
    documents: int,
    threshold: float,
    matcher: dict | None = None,
    now: dt.datetime | None = None,
) -> Board:
    """Sort records into ranked, incomplete and left-out runs.

    Comparable runs used dataset ``version`` and the directive matcher (its settings and
    ``threshold``) the harness uses now; the others are left out.
    """
    matcher = matcher if matcher is not None else Matcher(threshold).settings()
    now = now or dt.datetime.now(dt.timezone.utc)
    for r in records:
        if r.started_at > now + FUTURE_SLACK:
            raise LeaderboardError(f"run {r.run_id}: started_at {r.started_at.isoformat()} is in the future")
    current = [r for r in records if r.dataset.sha256 == version and r.threshold == threshold and r.matcher == matcher]
    ranked, incomplete = [], []
    for r in current:
        lacking = []
        if r.dataset.documents < documents:
            lacking.append(f"{r.dataset.documents} of {documents} documents")
        if r.missing_documents:
            lacking.append(f"no prediction for {len(r.missing_documents)} document(s)")
        if r.failed_documents:
            lacking.append(f"{r.failed_documents} failed document(s)")
        if lacking:
            incomplete.append((r, "; ".join(lacking)))
        else:
            ranked.append(r)
    ranked.sort(key=lambda r: (-r.aggregates[OVERALL].mean, r.model.name))
    other = sorted((r for r in records if r not in current), key=lambda r: r.model.name)
    return Board(ranked, incomplete, other, version, documents, threshold)


def _row(r: RunRecord) -> str:
    name = f"{cell(r.model.name)} ({cell(r.model.source)})"
    scores = " | ".join(_score_cell(r, s) for s in HEADLINE)
    return f"| {name} | {scores} | {r.started_at.date().isoformat()} |"


def render(board: Board) -> str:
    """The markdown of the leaderboard: the table and the lines on unranked runs."""
    lines = [
        "| model | " + " | ".join(LABELS[s] for s in HEADLINE) + " | run |",
        "|---|" + "---|" * len(HEADLINE) + "---|",
        *(_row(r) for r in board.ranked),
        "",
        f"Dataset version `{board.version[:12]}` ({board.documents} documents); "
        f"mean [95 % bootstrap interval]; directive matcher threshold {board.threshold}. "
        f"`overall` weighs four fields equally ({', '.join(LABELS[s] for s in OVERALL_PARTS)}), so "
        "the date and the presider alone are half of it: read the fields.",
    ]
    if board.incomplete:
        lacking = "; ".join(f"{cell(r.model.name)} ({why})" for r, why in board.incomplete)
        lines.append(f"Not ranked, incomplete: {lacking}.")
    if board.other_versions:
        names = ", ".join(cell(r.model.name) for r in board.other_versions)
        lines.append(f"Left out, run on another dataset version or directive matcher: {names}.")
    return "\n".join(lines)


def update_text(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    start = text.find(START)
    end = text.find(END, start + len(START)) if start != -1 else -1
    if start == -1 or end == -1 or text.count(START) != 1 or text.count(END) != 1:
        raise LeaderboardError(f"expected one {START} and one {END} marker, in that order")
    return text[: start + len(START)] + "\n" + table + "\n" + text[end:]


def update_readme(readme: Path, table: str, check: bool = False) -> bool:
    """Put ``table`` between the markers of ``readme``; return whether it changed.

    With ``check``, write nothing and only say whether it would change.
    """
    text = read_text(readme, MAX_README_BYTES, "README")
    try:
        updated = update_text(text, table)
    except LeaderboardError as exc:
        raise LeaderboardError(f"{readme}: {exc}") from None
    if updated != text and not check:
        write_atomic(readme, updated.encode("utf-8"))
    return updated != text
