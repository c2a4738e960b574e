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

Runs judged by a model (``--judge``) are never ranked beside the deterministic matcher's:
each judge (its name, model, temperature and prompts) gets a table of its own below the
first, where only the scores the record lists as judged carry the judged mark. A judged run
in which the judge fell back to the matcher on some document is not ranked at all (its
scores mix two judges); a record that used a judge but does not say which documents and
scores were judged (written before records said so) is left out.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import HarnessError, one_line
from .files import MiB, read_text, write_atomic
from .metrics import HEADLINE, LABELS, OVERALL, OVERALL_PARTS, WEIGHTS, Matching
from .records import RunRecord, read_record
from .schema import Reference

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


def verify_scores(records: list[RunRecord], references: Sequence[Reference]) -> None:
    """Score every unjudged record on this dataset version again from its predictions, and
    refuse one whose per-document scores are not what the harness gives (a record edited
    after the run). A record of another version or matcher is left out of the ranking
    anyway; a judged one cannot be re-scored without the judge."""
    from .metrics import score_document

    by_id = {r.doc_id: r for r in references}
    for record in records:
        if record.judged or record.matcher != Matching(record.threshold).settings():
            continue
        if any(d.doc_id not in by_id for d in record.documents):
            continue
        for document in record.documents:
            fresh = score_document(
                document.prediction, by_id[document.doc_id], Matching(record.threshold), tuple(document.unusable)
            ).scores
            if any(abs(fresh.get(k, -1.0) - v) > 1e-9 for k, v in document.scores.items()) or set(fresh) != set(
                document.scores
            ):
                raise LeaderboardError(
                    f"run {record.run_id}: {document.doc_id}: the scores in the record are not what its prediction "
                    "scores; the record was changed after the run"
                )


_MARKDOWN = re.compile(r"([\\\[\]()!*_~#])")


def cell(text: str) -> str:
    """Text made safe for one markdown table cell: one line, no ``|``, no HTML, and no
    Markdown of its own (a model named ``[click](https://…)`` or ``![px](…)`` stays text)."""
    safe = html.escape(one_line(text, 120), quote=False).replace("`", "'")
    # an invisible word joiner inside "://" keeps a renderer from making an address a link
    safe = safe.replace("://", ":/\u2060/")
    return _MARKDOWN.sub(r"\\\1", safe).replace("|", "\\|")


def _score_cell(record: RunRecord, score: str) -> str:
    agg = record.aggregates.get(score)
    if agg is None:  # a score that applied to no document (directive_grounded without evidence)
        return "n/a"
    return f"{agg.mean:.3f} [{agg.ci_low:.2f}, {agg.ci_high:.2f}]"


@dataclass(frozen=True)
class JudgedBoard:
    """The runs of one model judge, ranked among themselves only."""

    judge: dict
    judged_scores: tuple[str, ...]
    ranked: list[RunRecord]
    incomplete: list[tuple[RunRecord, str]]


@dataclass(frozen=True)
class Board:
    ranked: list[RunRecord]
    incomplete: list[tuple[RunRecord, str]]  # and what it lacks
    other_versions: list[RunRecord]
    version: str
    documents: int
    threshold: float
    judged: list[JudgedBoard] = field(default_factory=list)
    #: Judged by a model in a record that does not say which documents and scores were judged.
    unlabelled_judged: list[RunRecord] = field(default_factory=list)


def _lacking(r: RunRecord, documents: int) -> list[str]:
    lacking = []
    if r.dataset.documents < documents:
        lacking.append(f"{r.dataset.documents} of {documents} documents")
    if r.missing_documents:
        lacking.append(f"no prediction for {len(r.missing_documents)} document(s)")
    if r.failed_documents:
        lacking.append(f"{r.failed_documents} failed document(s)")
    if r.judge_fallbacks:
        lacking.append(f"the judge fell back to the matcher on {len(r.judge_fallbacks)} document(s)")
    return lacking


def _judge_key(r: RunRecord) -> str:
    """Who judged a run: the judge's settings but its server address, and the judged scores."""
    judge = {k: v for k, v in r.matcher["judge"].items() if k != "base_url"}
    return json.dumps([judge, r.judged_scores], sort_keys=True, default=str)


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
    matcher = matcher if matcher is not None else Matching(threshold).settings()
    now = now or dt.datetime.now(dt.timezone.utc)
    for r in records:
        if r.started_at > now + FUTURE_SLACK:
            raise LeaderboardError(f"run {r.run_id}: started_at {r.started_at.isoformat()} is in the future")
    same_data = [r for r in records if r.dataset.sha256 == version and r.threshold == threshold]
    current = [r for r in same_data if not r.judged and r.matcher == matcher]
    judged = [r for r in same_data if r.judged and r.matcher.get("fallback") == matcher]
    unlabelled = sorted(
        (r for r in same_data if not r.judged and "judge" in r.matcher and r.matcher.get("fallback") == matcher),
        key=lambda r: r.model.name,
    )
    ranked, incomplete = _rank(current, documents)
    groups: dict[str, list[RunRecord]] = {}
    for r in judged:
        groups.setdefault(_judge_key(r), []).append(r)
    boards = []
    for key in sorted(groups):
        group = groups[key]
        group_ranked, group_incomplete = _rank(group, documents)
        judge = dict(group[0].matcher["judge"])
        boards.append(JudgedBoard(judge, tuple(group[0].judged_scores), group_ranked, group_incomplete))
    placed = {id(r) for r in (*current, *judged, *unlabelled)}
    other = sorted((r for r in records if id(r) not in placed), key=lambda r: r.model.name)
    return Board(ranked, incomplete, other, version, documents, threshold, boards, unlabelled)


def _rank(records: list[RunRecord], documents: int) -> tuple[list[RunRecord], list[tuple[RunRecord, str]]]:
    ranked, incomplete = [], []
    for r in records:
        if lacking := _lacking(r, documents):
            incomplete.append((r, "; ".join(lacking)))
        else:
            ranked.append(r)
    ranked.sort(key=lambda r: (-r.aggregates[OVERALL].mean, r.model.name))
    return ranked, incomplete


#: The columns a table gains when one of its runs has a ``usage`` (tokens and cost).
USAGE_COLUMNS = ("tokens", "cost")
USAGE_NOTE = (
    "`tokens`: the prompt and completion tokens the extractor counted; `cost`: at the prices per million tokens "
    "given with the run (`-M price_in=`, `-M price_out=`), in their currency; blank when not known."
)


def _has_usage(records: Sequence[RunRecord]) -> bool:
    """Whether a table of ``records`` shows the usage columns: when one of them has a usage."""
    return any(r.usage for r in records)


def _cost_text(cost: float) -> str:
    """A cost for a cell: cents from 0.01 up (``1,234.50``), two significant digits below (``0.0015``)."""
    if cost == 0 or cost >= 0.01:
        return f"{cost:,.2f}"
    return f"{cost:.{1 - math.floor(math.log10(cost))}f}"


def _usage_cells(r: RunRecord) -> str:
    """The tokens and cost cells of a run: prompt and completion tokens together, and the
    cost; each blank when the record does not say."""
    usage = r.usage or {}
    counts = [usage.get(key) for key in ("prompt_tokens", "completion_tokens")]
    whole = [n for n in counts if isinstance(n, int)]
    tokens = f"{sum(whole):,}" if whole else ""
    cost = usage.get("cost")
    return f"{tokens} | {_cost_text(cost) if cost is not None else ''}"


def _row(r: RunRecord, usage: bool = False) -> str:
    name = f"{cell(r.model.name)} ({cell(r.model.source)})"
    scores = " | ".join(_score_cell(r, s) for s in HEADLINE)
    if usage:
        scores += f" | {_usage_cells(r)}"
    return f"| {name} | {scores} | {r.started_at.date().isoformat()} |"


def _header(labels: Sequence[str], usage: bool) -> list[str]:
    """A table's header and rule: model, ``labels``, the usage columns when ``usage``, run."""
    columns = [*labels, *(USAGE_COLUMNS if usage else ())]
    return ["| model | " + " | ".join(columns) + " | run |", "|---|" + "---|" * len(columns) + "---|"]


#: The mark of a judged score in a judged table's header.
JUDGED_MARK = " (judged)"


def _judged_section(board: JudgedBoard) -> list[str]:
    judge = board.judge
    what = ", ".join(
        f"{key} {cell(str(judge[key]))}" for key in ("name", "model", "temperature") if judge.get(key) is not None
    )
    prompts = cell(str(judge.get("prompt_sha256", "?"))[:12])
    marked = [s for s in HEADLINE if s in board.judged_scores]
    lines = [
        "",
        f"Judged by a model ({what}; prompts `{prompts}`): ranked only among runs of this judge, never beside "
        "the table above. Columns marked judged are the judge's verdicts "
        f"({', '.join(LABELS[s] for s in marked)}); the others are the deterministic scorers'.",
    ]
    if board.ranked:
        usage = _has_usage(board.ranked)
        lines += [
            "",
            *_header([LABELS[s] + (JUDGED_MARK if s in marked else "") for s in HEADLINE], usage),
            *(_row(r, usage) for r in board.ranked),
        ]
    if board.incomplete:
        lacking = "; ".join(f"{cell(r.model.name)} ({why})" for r, why in board.incomplete)
        lines += ["", f"Not ranked, incomplete or not wholly judged: {lacking}."]
    return lines


def render(board: Board) -> str:
    """The markdown of the leaderboard: the table and the lines on unranked runs.

    A table shows the tokens and cost columns when one of its runs has a ``usage``.
    """
    usage = _has_usage(board.ranked)
    lines = [
        *_header([LABELS[s] for s in HEADLINE], usage),
        *(_row(r, usage) for r in board.ranked),
        "",
        f"Dataset version `{board.version[:12]}` ({board.documents} documents); "
        f"mean [95 % bootstrap interval]; directive matcher threshold {board.threshold}. "
        "`overall` is the weighted mean of "
        + ", ".join(f"{LABELS[s]} {WEIGHTS[s]:.2f}" for s in OVERALL_PARTS)
        + ": the date and the presider together weigh under half, and the unjudged score does not check "
        "reworded reversals, changed modifiers or scope (see the scores section).",
    ]
    if usage or any(_has_usage(judged.ranked) for judged in board.judged):
        lines.append(USAGE_NOTE)
    if board.incomplete:
        lacking = "; ".join(f"{cell(r.model.name)} ({why})" for r, why in board.incomplete)
        lines.append(f"Not ranked, incomplete: {lacking}.")
    if board.other_versions:
        names = ", ".join(cell(r.model.name) for r in board.other_versions)
        lines.append(f"Left out, run on another dataset version or directive matcher: {names}.")
    if board.unlabelled_judged:
        names = ", ".join(cell(r.model.name) for r in board.unlabelled_judged)
        lines.append(f"Left out, judged by a model in a record that does not say what was judged: {names}.")
    for judged in board.judged:
        lines += _judged_section(judged)
    return "\n".join(lines)


#: The scores the by-origin table shows for each origin.
ORIGIN_SCORES = ("overall", "directive_f1", "date_accuracy", "presider_accuracy", "summary_unit_recall")


def render_by_origin(records: list[RunRecord], version: str, threshold: float) -> str:
    """The table of runs on the ``all`` configuration (``version``): each origin's means
    (real readouts and constructed ones) side by side, so that a system's score on texts it
    may have seen is read beside its score on texts nobody can have seen. Empty without
    such runs."""
    matcher = Matching(threshold).settings()
    runs = sorted(
        (r for r in records if r.dataset.sha256 == version and r.origins and not r.judged and r.matcher == matcher),
        key=lambda r: -r.origins.get("constructed", r.aggregates)[OVERALL].mean,
    )
    if not runs:
        return ""
    origins = sorted({o for r in runs for o in r.origins})
    header = " | ".join(f"{LABELS[s]} ({o})" for s in ORIGIN_SCORES for o in origins)
    lines = [
        f"By origin, on the `all` configuration (dataset version `{version[:12]}`): real readouts (`seed`) beside "
        "readouts written for the benchmark and never published (`constructed`); means.",
        "",
        f"| model | {header} |",
        "|---|" + "---|" * (len(ORIGIN_SCORES) * len(origins)),
    ]
    for r in runs:
        cells = " | ".join(
            f"{r.origins[o][s].mean:.3f}" if s in r.origins.get(o, {}) else "n/a"
            for s in ORIGIN_SCORES
            for o in origins
        )
        lines.append(f"| {cell(r.model.name)} ({cell(r.model.source)}) | {cells} |")
    return "\n".join(lines)


def leaderboard_text(results: Path, default: tuple[str, int], everything: str | None, threshold: float) -> str:
    """What ``harness leaderboard`` writes: the ranked table of ``results/`` on the default
    configuration (``default``: its version and size), and the by-origin table of
    ``results/all/`` on the ``all`` configuration (version ``everything``), when there is one."""
    board = classify(load_results(results), default[0], default[1], threshold)
    text = render(board)
    if everything and (results / "all").is_dir():
        by_origin = render_by_origin(load_results(results / "all"), everything, threshold)
        if by_origin:
            text += "\n\n" + by_origin
    return text


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
