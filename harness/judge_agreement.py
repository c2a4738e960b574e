"""How far a judge agrees with people, measured before anyone trusts its scores.

``harness judge-agreement`` measures a judge on judged pairs before anyone trusts its
scores: directive pairs (``a`` gold, ``b`` candidate, ``same``/``different``; accuracy,
balanced accuracy, Cohen's κ, by kind) and candidate summaries of a document
(``faithful``/``unfaithful``/``degenerate``; the judged unit recall by kind, and how well it
separates faithful summaries from the rest at :data:`FAITHFUL_THRESHOLD`). It stops, with
one line, when the judge fails on :data:`FAILURE_LIMIT` pairs in a row.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HarnessError, one_line
from .judge import Judge, shown
from .redact import scrub
from .schema import SUMMARY_WORD_LIMIT

#: The judge-agreement run stops when the judge fails on this many pairs in a row: a judge
#: that does not answer is not asked about every pair.
FAILURE_LIMIT = 5
#: A candidate summary counts as judged faithful when its judged unit recall reaches this.
FAITHFUL_THRESHOLD = 0.5
DIRECTIVE_LABELS = ("same", "different")
SUMMARY_LABELS = ("faithful", "unfaithful", "degenerate")
MAX_PAIRS_BYTES = 64 << 20


class JudgeUnavailable(HarnessError):
    """The judge failed on :data:`FAILURE_LIMIT` pairs in a row; the run was stopped."""


@dataclass(frozen=True)
class DirectivePair:
    """A judged directive pair: would an analyst take candidate ``b`` as gold ``a``?"""

    name: str  # its id, or "line N" in a file without ids
    a: str
    b: str
    label: str  # same | different
    kind: str
    doc_id: str | None = None


@dataclass(frozen=True)
class SummaryPair:
    """A candidate summary of document ``doc_id``, labelled faithful, unfaithful or degenerate."""

    name: str
    doc_id: str
    summary: str
    label: str
    kind: str


def _rows(path: Path, what: str) -> list[tuple[str, dict[str, Any]]]:
    """The JSON objects of a JSON Lines file, each with its ``path:line``."""
    from .files import read_text

    rows = []
    for number, line in enumerate(read_text(path, MAX_PAIRS_BYTES, what).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise HarnessError(f"{where}: not valid JSON ({one_line(exc, 80)})") from None
        if not isinstance(row, dict):
            raise HarnessError(f"{where}: expected a JSON object")
        rows.append((where, row))
    if not rows:
        raise HarnessError(f"{path}: no pairs")
    return rows


def _strings(where: str, row: Mapping[str, Any], required: Sequence[str], labels: Sequence[str]) -> None:
    for key in required:
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise HarnessError(f"{where}: {key}: expected a non-empty string")
    if row["label"] not in labels:
        raise HarnessError(
            f"{where}: label: expected {' or '.join(repr(x) for x in labels)}, got {shown(row['label'])}"
        )
    for key in ("doc_id", "note"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise HarnessError(f"{where}: {key}: expected a string or null")


def _name(where: str, row: Mapping[str, Any], seen: dict[str, str]) -> str:
    """The pair's id (a string or an integer, unique in its file), or its line."""
    ident = row.get("id")
    if ident is None:
        return "line " + where.rsplit(":", 1)[1]
    if isinstance(ident, bool) or not isinstance(ident, int | str) or (isinstance(ident, int) and abs(ident) >= 10**18):
        raise HarnessError(f"{where}: id: expected a string or an integer")
    name = one_line(ident, 80)
    if name in seen:
        raise HarnessError(f"{where}: id: {name!r} appears twice (first on line {seen[name].rsplit(':', 1)[1]})")
    seen[name] = where
    return name


def load_pairs(path: Path) -> list[DirectivePair]:
    """Judged directive pairs ``{a, b, label: same|different, kind}``, with ``id``,
    ``doc_id`` and ``note`` when the file has them (the bundled calibration pairs, or an
    independent annotator's), checked line by line."""
    pairs, seen = [], {}
    for where, row in _rows(path, "pairs file"):
        if "summary" in row and "a" not in row:
            raise HarnessError(f"{where}: a summary pair, not a directive pair: give this file with --summaries")
        _strings(where, row, ("a", "b", "label", "kind"), DIRECTIVE_LABELS)
        pairs.append(
            DirectivePair(_name(where, row, seen), row["a"], row["b"], row["label"], row["kind"], row.get("doc_id"))
        )
    return pairs


def load_summary_pairs(
    path: Path, units: Mapping[str, Sequence[str]], dataset: str = "the dataset"
) -> list[SummaryPair]:
    """Candidate summaries ``{doc_id, summary, label: faithful|unfaithful|degenerate, kind}``
    (``id`` and ``note`` optional), each of a document of ``units`` (doc_id -> its gold
    summary units), checked line by line."""
    pairs, seen = [], {}
    for where, row in _rows(path, "summaries file"):
        if "a" in row and "summary" not in row:
            raise HarnessError(f"{where}: a directive pair, not a summary pair: give this file with --pairs")
        _strings(where, row, ("doc_id", "summary", "label", "kind"), SUMMARY_LABELS)
        if row["doc_id"] not in units:
            raise HarnessError(f"{where}: doc_id: {one_line(row['doc_id'], 80)!r} is not a document of {dataset}")
        if not units[row["doc_id"]]:
            raise HarnessError(f"{where}: doc_id: {row['doc_id']} has no summary units in {dataset}")
        pairs.append(SummaryPair(_name(where, row, seen), row["doc_id"], row["summary"], row["label"], row["kind"]))
    return pairs


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> float:
    """Cohen's κ of two raters' yes/no verdicts: ``(p_o - p_e) / (1 - p_e)``, with ``p_o``
    the share of agreement and ``p_e`` the agreement expected from each rater's own rate of
    "yes"; 1 when both always agree, including when both say one thing every time."""
    n = len(pairs)
    p_o = sum(a == b for a, b in pairs) / n
    yes_a, yes_b = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    p_e = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    return 1.0 if p_e == 1 else (p_o - p_e) / (1 - p_e)


def _balanced(*rates: tuple[int, int]) -> float | None:
    """The mean of the rates ``right / n`` of each class; None when a class has no pairs."""
    if any(n == 0 for _, n in rates):
        return None
    return sum(right / n for right, n in rates) / len(rates)


def _said(same: bool | None) -> str | None:
    return None if same is None else ("same" if same else "different")


@dataclass(frozen=True)
class Agreement:
    """A judge against judged directive pairs: how often it agrees, balanced over the two
    labels, beyond chance, and by kind. Pairs the judge failed on are left out (``failed``)."""

    n: int  # pairs judged
    accuracy: float
    balanced_accuracy: float | None  # None when one label has no judged pair
    kappa: float
    same: tuple[int, int]  # (same pairs judged same, same pairs)
    different: tuple[int, int]  # (different pairs judged different, different pairs)
    by_kind: dict[tuple[str, str], tuple[int, int]]  # (kind, label) -> (agreed, pairs)
    verdicts: tuple[tuple[DirectivePair, bool | None], ...]  # the judge's "same?", None: it failed
    failed: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "pairs": len(self.verdicts), "judged": self.n, "failed": list(self.failed),
            "accuracy": self.accuracy, "balanced_accuracy": self.balanced_accuracy, "kappa": self.kappa,
            "same_judged_same": list(self.same), "different_judged_different": list(self.different),
            "by_kind": [
                {"kind": k, "label": label, "agreed": a, "n": n} for (k, label), (a, n) in self.by_kind.items()
            ],
            "verdicts": [
                {"id": p.name, "kind": p.kind, "label": p.label, "judged": _said(s)} for p, s in self.verdicts
            ],
        }  # fmt: skip


@dataclass(frozen=True)
class SummaryAgreement:
    """A judge against labelled candidate summaries. A summary's judged score is its unit
    recall as the judge decides the document's gold units (on its first
    ``word_limit`` words); it is judged faithful when the score reaches ``threshold``."""

    n: int  # summaries judged
    threshold: float
    word_limit: int
    balanced_accuracy: float | None  # faithful vs the rest; None when either side is empty
    faithful: tuple[int, int]  # (faithful summaries at or above the threshold, faithful summaries)
    rest: tuple[int, int]  # (other summaries below the threshold, other summaries)
    by_kind: dict[tuple[str, str], tuple[float, int, int]]  # (kind, label) -> (mean score, at or above, n)
    scores: tuple[tuple[SummaryPair, float | None], ...]  # None: the judge failed
    failed: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "summaries": len(self.scores), "judged": self.n, "failed": list(self.failed),
            "word_limit": self.word_limit, "threshold": self.threshold,
            "balanced_accuracy": self.balanced_accuracy,
            "faithful_at_or_above_threshold": list(self.faithful), "rest_below_threshold": list(self.rest),
            "by_kind": [
                {"kind": k, "label": label, "n": n, "mean_score": mean, "at_or_above_threshold": above}
                for (k, label), (mean, above, n) in self.by_kind.items()
            ],
            "scores": [{"id": p.name, "kind": p.kind, "label": p.label, "score": s} for p, s in self.scores],
        }  # fmt: skip


def _reason(exc: BaseException) -> str:
    reason = str(exc) if isinstance(exc, HarnessError) else f"{type(exc).__name__}: {exc}"
    return one_line(scrub(reason), 200)


async def _in_order(jobs: Sequence[tuple[str, Callable[[], Awaitable[Any]]]], window: int, limit: int) -> list[Any]:
    """Run ``jobs`` (name, coroutine function), at most ``window`` at a time, and return their
    results in order, an exception standing for a job that failed. Raise
    :class:`JudgeUnavailable` as soon as ``limit`` jobs in a row have failed: the jobs not
    yet started are never started."""
    results: list[Any] = []
    running: deque[asyncio.Task[Any]] = deque()
    streak: list[str] = []
    started = 0
    try:
        while started < len(jobs) or running:
            while started < len(jobs) and len(running) < window:
                running.append(asyncio.ensure_future(jobs[started][1]()))
                started += 1
            task = running.popleft()
            try:
                result = await task
            except Exception as exc:  # the judge failed on this pair; judged below
                result = exc
            results.append(result)
            if not isinstance(result, Exception):
                streak.clear()
                continue
            streak.append(jobs[len(results) - 1][0])
            if len(streak) >= limit:
                raise JudgeUnavailable(
                    f"the judge failed on {limit} pairs in a row ({', '.join(streak)}), so it was stopped "
                    f"after {len(results)} of {len(jobs)} pairs; the last failure: {_reason(result)}"
                )
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    return results


def measure(
    judge: Judge,
    directive_pairs: Sequence[DirectivePair] = (),
    summary_pairs: Sequence[SummaryPair] = (),
    units: Mapping[str, Sequence[str]] | None = None,
    limit: int = FAILURE_LIMIT,
) -> tuple[Agreement | None, SummaryAgreement | None]:
    """Ask ``judge`` about every directive pair (``same(b, a)``) and every candidate summary
    (which of its document's ``units`` it states), in file order, directive pairs first; and
    closes the judge. A pair the judge fails on is left out of the figures and named in
    ``failed``; :class:`JudgeUnavailable` when it fails on ``limit`` pairs in a row."""
    units = units or {}
    jobs: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
    for p in directive_pairs:
        jobs.append((p.name, lambda p=p: judge.same(p.b, p.a)))
    for s in summary_pairs:
        jobs.append((s.name, lambda s=s: judge.stated(s.summary, units[s.doc_id])))

    async def run() -> list[Any]:
        try:
            return await _in_order(jobs, max(1, int(getattr(judge, "concurrency", 8))), limit)
        finally:
            await judge.aclose()

    results = asyncio.run(run()) if jobs else []
    said = results[: len(directive_pairs)]
    stated = results[len(directive_pairs) :]
    directives = _directive_agreement(directive_pairs, said) if directive_pairs else None
    summaries = _summary_agreement(summary_pairs, stated) if summary_pairs else None
    return directives, summaries


def _directive_agreement(pairs: Sequence[DirectivePair], said: Sequence[Any]) -> Agreement:
    verdicts = tuple((p, None if isinstance(s, Exception) else bool(s)) for p, s in zip(pairs, said, strict=True))
    judged = [(s, p.label == "same", p) for p, s in verdicts if s is not None]
    if not judged:
        raise HarnessError(f"the judge decided none of the {len(pairs)} directive pairs")
    by_kind: dict[tuple[str, str], list[bool]] = {}
    for s, t, p in judged:
        by_kind.setdefault((p.kind, p.label), []).append(s == t)
    same = (sum(s for s, t, _ in judged if t), sum(t for _, t, _ in judged))
    different = (sum(not s for s, t, _ in judged if not t), sum(not t for _, t, _ in judged))
    return Agreement(
        n=len(judged),
        accuracy=sum(s == t for s, t, _ in judged) / len(judged),
        balanced_accuracy=_balanced(same, different),
        kappa=cohen_kappa([(s, t) for s, t, _ in judged]),
        same=same,
        different=different,
        by_kind={k: (sum(v), len(v)) for k, v in sorted(by_kind.items())},
        verdicts=verdicts,
        failed=tuple(p.name for p, s in verdicts if s is None),
    )


def _summary_agreement(pairs: Sequence[SummaryPair], stated: Sequence[Any]) -> SummaryAgreement:
    scores = tuple(
        (p, None if isinstance(s, Exception) else (sum(s) / len(s) if s else 0.0))
        for p, s in zip(pairs, stated, strict=True)
    )
    judged = [(p, s) for p, s in scores if s is not None]
    if not judged:
        raise HarnessError(f"the judge decided none of the {len(pairs)} summaries")
    by_kind: dict[tuple[str, str], list[float]] = {}
    for p, s in judged:
        by_kind.setdefault((p.kind, p.label), []).append(s)
    faithful = [s for p, s in judged if p.label == "faithful"]
    rest = [s for p, s in judged if p.label != "faithful"]
    faithful_rate = (sum(s >= FAITHFUL_THRESHOLD for s in faithful), len(faithful))
    rest_rate = (sum(s < FAITHFUL_THRESHOLD for s in rest), len(rest))
    return SummaryAgreement(
        n=len(judged),
        threshold=FAITHFUL_THRESHOLD,
        word_limit=SUMMARY_WORD_LIMIT,
        balanced_accuracy=_balanced(faithful_rate, rest_rate),
        faithful=faithful_rate,
        rest=rest_rate,
        by_kind={
            k: (sum(v) / len(v), sum(s >= FAITHFUL_THRESHOLD for s in v), len(v)) for k, v in sorted(by_kind.items())
        },
        scores=scores,
        failed=tuple(p.name for p, s in scores if s is None),
    )


def agreement(judge: Judge, pairs: Sequence[DirectivePair]) -> Agreement:
    """Ask ``judge`` about every judged directive pair (see :func:`measure`)."""
    result, _ = measure(judge, pairs)
    assert result is not None
    return result
