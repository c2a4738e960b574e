"""An optional model judge: a language model decides directive pairs and summary units.

The default judge of PolicyBench is deterministic (:mod:`harness.matching`). With ``--judge
llm -J model=... -J base_url=...``, a language model behind any OpenAI-compatible server
decides instead, through the harness's chat client (:mod:`harness.llm`: retries, a hard
time limit per attempt, a cache of accepted verdicts):

* **directives**: for each predicted directive, one request shows the document's numbered
  gold directives and asks which one the prediction states (or none); the assignment then
  maximises the number of judged matches, one to one;
* **summary units**: for each document, one request shows the numbered units and the
  predicted summary and asks which units it states.

Requests are sent at temperature 0 with the pinned prompts in ``harness/prompts/``; the run
record names the judge, its model and settings and the SHA-256 of the prompts. A document
the judge cannot decide (the server fails, the reply is unusable twice) is scored with the
deterministic matcher: one document's failure is never the run's, but it is never silent
either. The record marks each document ``judged`` or not, lists the scores a judge decides
(:data:`JUDGED_SCORES`), and its notes say why a document fell back; ``harness eval/score
--judge`` exits 3 when any document fell back, and the leaderboard ranks a judged run only
beside runs of the same judge, never beside the matcher's.

A summary is cut to its first :data:`~harness.schema.SUMMARY_WORD_LIMIT` words before the
judge reads it, as before any scoring.

``harness judge-agreement`` measures a judge on judged pairs before anyone trusts its
scores: directive pairs (``a`` gold, ``b`` candidate, ``same``/``different``; accuracy,
balanced accuracy, Cohen's κ, by kind) and candidate summaries of a document
(``faithful``/``unfaithful``/``degenerate``; the judged unit recall by kind, and how well it
separates faithful summaries from the rest at :data:`FAITHFUL_THRESHOLD`). It stops, with
one line, when the judge fails on :data:`FAILURE_LIMIT` pairs in a row.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any, Protocol

from .errors import HarnessError, one_line
from .llm import ChatClient, LLMError, OpenAITransport, ResponseCache, RetryPolicy, parse_json_object, setting
from .metrics import OVERALL, SCORE_NAMES
from .redact import scrub
from .schema import SUMMARY_WORD_LIMIT, Prediction, Reference, truncate_words

PROMPTS = Path(__file__).with_name("prompts")
DIRECTIVE_PROMPT = PROMPTS / "judge_directive.txt"
UNITS_PROMPT = PROMPTS / "judge_units.txt"
SYSTEM = "You are a careful judge of meeting readouts. You answer with one JSON object and nothing else."

#: The scores a model judge decides in a judged run: the directive scores that rest on matched
#: pairs, summary unit recall, and ``overall``, which includes them. ``directive_grounded`` is
#: not among them: it checks predicted quotes against the document, whoever judges the pairs.
#: The record of a judged run lists them.
JUDGED_SCORES: tuple[str, ...] = (
    "directive_precision",
    "directive_recall",
    "directive_f1",
    "directive_soft_f1",
    "summary_unit_recall",
    OVERALL,
)
assert set(JUDGED_SCORES) <= set(SCORE_NAMES), "a judged score the metrics do not have"


@dataclass(frozen=True)
class DocumentVerdicts:
    """What the judge decided for one document.

    ``links[i]`` is the gold directive (index) predicted directive ``i`` states, or None;
    ``units[k]`` whether the summary states unit ``k``.
    """

    links: tuple[int | None, ...]
    units: tuple[bool, ...]


class Judge(Protocol):
    """Decides directive pairs and summary units for whole documents."""

    def settings(self) -> dict[str, Any]: ...

    async def judge_document(self, prediction: Prediction, reference: Reference) -> DocumentVerdicts: ...

    async def same(self, candidate: str, gold: str) -> bool: ...

    async def stated(self, summary: str, units: Sequence[str]) -> tuple[bool, ...]: ...

    async def aclose(self) -> None: ...


def prompt_hash() -> str:
    """SHA-256 of the two prompt files, in order: what a record names as the judge's prompt."""
    digest = hashlib.sha256()
    for path in (DIRECTIVE_PROMPT, UNITS_PROMPT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def _shown(value: object) -> str:
    """A value of a reply, short, for a message; never the thousands of digits of a huge
    integer (which ``str`` refuses past Python's conversion limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
    return one_line(json.dumps(value) if value is None or isinstance(value, bool | float) else value, 40)


def _int_in_range(value: object, low: int, high: int) -> int:
    """``value`` when it is an integer (not a bool, not a float) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"expected a number from {low} to {high}, got {_shown(value)}")
    return value


def parse_same_as(reply: str, n_gold: int) -> int | None:
    """The gold index a directive verdict names (``{"same_as": N}``), None for 0."""
    number = _int_in_range(parse_json_object(reply).get("same_as"), 0, n_gold)
    return number - 1 if number else None


def parse_stated(reply: str, n_units: int) -> tuple[bool, ...]:
    """The per-unit verdicts of ``{"stated": [...]}``, one boolean per unit."""
    stated = parse_json_object(reply).get("stated")
    if not isinstance(stated, list) or len(stated) != n_units or not all(isinstance(x, bool) for x in stated):
        raise ValueError(f"expected a list of {n_units} true/false values")
    return tuple(stated)


@dataclass
class LLMJudge:
    """A model behind an OpenAI-compatible server as the judge (see the module doc)."""

    model: str
    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    cache_dir: str = ".cache/judge"
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    concurrency: int = 8
    validation_retries: int = 1
    client: ChatClient = field(init=False)

    def __post_init__(self) -> None:
        if not self.model:
            raise HarnessError("--judge llm: say which model judges: -J model=NAME")
        self.client = ChatClient(
            transport=OpenAITransport(
                address=self.base_url, model=self.model, api_key=os.environ.get(self.api_key_env, ""),
                timeout=self.timeout,
            ),
            model=self.model,
            cache=None if self.cache_dir.lower() == "none" else ResponseCache(Path(self.cache_dir)),
            retry=RetryPolicy(timeout=self.timeout, max_retries=self.retries, backoff=self.backoff),
            params={"temperature": 0.0, "max_tokens": 256},
        )  # fmt: skip
        self._gate = asyncio.Semaphore(self.concurrency)
        self._directive = Template(DIRECTIVE_PROMPT.read_text(encoding="utf-8"))
        self._units = Template(UNITS_PROMPT.read_text(encoding="utf-8"))

    def settings(self) -> dict[str, Any]:
        return {
            "name": "llm",
            "model": self.model,
            "base_url": scrub(self.base_url),
            "temperature": 0.0,
            "prompt_sha256": prompt_hash(),
        }

    async def _ask(self, prompt: str, parse: Any) -> Any:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
        for attempt in range(self.validation_retries + 1):
            async with self._gate:
                reply = await self.client.complete(messages, accept=parse)
            try:
                return parse(reply)
            except ValueError as exc:
                if attempt == self.validation_retries:
                    raise LLMError(f"the judge's reply is unusable ({one_line(exc, 120)})") from None
                messages = [
                    *messages,
                    {"role": "assistant", "content": reply},
                    {"role": "user", "content": f"That reply is not valid ({exc}). Answer with the JSON object only."},
                ]
        raise AssertionError("unreachable")

    async def link(self, candidate: str, golds: Sequence[str]) -> int | None:
        prompt = self._directive.substitute(golds=_numbered(golds), candidate=candidate)
        return await self._ask(prompt, lambda reply: parse_same_as(reply, len(golds)))

    async def same(self, candidate: str, gold: str) -> bool:
        return await self.link(candidate, [gold]) == 0

    async def stated(self, summary: str, units: Sequence[str]) -> tuple[bool, ...]:
        """Which of ``units`` the summary states, read as scoring reads it: its first
        :data:`SUMMARY_WORD_LIMIT` words. An empty summary states none (nothing is asked)."""
        summary = truncate_words(summary, SUMMARY_WORD_LIMIT)
        if not units:
            return ()
        if not summary:
            return (False,) * len(units)
        prompt = self._units.substitute(units=_numbered(units), summary=summary)
        return await self._ask(prompt, lambda reply: parse_stated(reply, len(units)))

    async def judge_document(self, prediction: Prediction, reference: Reference) -> DocumentVerdicts:
        links: tuple[int | None, ...] = ()
        # a predicted directive is its text, or an item with a text and its evidence quotes
        predicted = [d if isinstance(d, str) else d.text for d in prediction.directives]
        if predicted and reference.directives:
            links = tuple(await asyncio.gather(*(self.link(p, reference.directives) for p in predicted)))
        return DocumentVerdicts(links, await self.stated(prediction.summary, reference.units))

    async def aclose(self) -> None:
        await self.client.aclose()


def make_judge(name: str, args: Mapping[str, str]) -> Judge:
    """The judge ``--judge NAME`` names, built with the ``-J key=value`` arguments."""
    if name != "llm":
        raise HarnessError(
            f"--judge {name!r}: the judges are 'llm' (or leave --judge out for the deterministic matcher)"
        )
    known = {"model", "base_url", "api_key_env", "cache_dir", "timeout", "retries", "backoff", "concurrency"}
    if unknown := sorted(set(args) - known):
        raise HarnessError(f"-J {unknown[0]}: not an argument of the llm judge (known: {', '.join(sorted(known))})")
    try:
        return LLMJudge(
            model=args.get("model", ""),
            base_url=args.get("base_url") or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
            api_key_env=args.get("api_key_env", "OPENAI_API_KEY"),
            cache_dir=args.get("cache_dir", ".cache/judge"),
            timeout=setting("timeout", args.get("timeout", 60), "-J"),
            retries=setting("retries", args.get("retries", 4), "-J"),
            backoff=setting("backoff", args.get("backoff", 1.0), "-J"),
            concurrency=setting("concurrency", args.get("concurrency", 8), "-J"),
        )
    except ValueError as exc:
        raise HarnessError(f"--judge llm: {one_line(exc)}") from None


def judge_all(
    judge: Judge, predictions: Mapping[str, Prediction], references: Sequence[Reference]
) -> tuple[dict[str, DocumentVerdicts], list[str]]:
    """The judge's verdicts for every document it could decide, and a note for each it could not."""

    async def run() -> list[DocumentVerdicts | BaseException]:
        try:
            return await asyncio.gather(
                *(judge.judge_document(predictions.get(r.doc_id) or Prediction.empty(r.doc_id), r) for r in references),
                return_exceptions=True,
            )
        finally:
            await judge.aclose()

    verdicts, notes = {}, []
    for reference, result in zip(references, asyncio.run(run()), strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, KeyboardInterrupt | asyncio.CancelledError):
                raise result
            reason = str(result) if isinstance(result, HarnessError) else f"{type(result).__name__}: {result}"
            reason = one_line(scrub(reason), 200)
            notes.append(f"{reference.doc_id}: the judge failed ({reason}); scored with the deterministic matcher")
        else:
            verdicts[reference.doc_id] = result
    return verdicts, notes


# ------------------------------------------------------------------------- agreement

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
            f"{where}: label: expected {' or '.join(repr(x) for x in labels)}, got {_shown(row['label'])}"
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
