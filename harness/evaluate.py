"""The two jobs of the harness as plain functions: run-and-score, and score-a-file.

:func:`evaluate` runs an extractor over the gold documents and scores it;
:func:`score_file` scores a predictions file from any source. Both return a
:class:`~harness.records.RunRecord`; the CLI only prints and writes it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .dataset import DatasetRef, Gold
from .errors import HarnessError, one_line
from .extractors import Document, RunContext, build_extractor, find
from .metrics import DEFAULT_THRESHOLD, DocumentScores, Matching
from .predictions import PredictionSet, read_predictions
from .records import (
    MAX_REPLY_KEPT,
    Aggregate,
    DatasetInfo,
    DocumentResult,
    DocumentSpool,
    ModelInfo,
    RunRecord,
    environment,
    new_run_id,
    utc_now,
)
from .redact import redact_args, scrub
from .running import Outcome, extractor_stats, run_extractor
from .schema import GoldRecord, Prediction, Reference
from .scoring import (
    DEFAULT_BOOTSTRAP_SAMPLES,
    DEFAULT_SEED,
    Item,
    ScoreTable,
    bootstrap_ci,
    consistency,
    score_documents,
)

if TYPE_CHECKING:
    from .judge import Judge

CONTRAST = "contrast"


class EvalError(HarnessError):
    """Bad input to a run (an unknown document id, an empty selection): one line, exit 2."""


def select(gold: Gold, doc_ids: Sequence[str] = (), limit: int | None = None) -> list[GoldRecord]:
    """The documents a run covers: the named ones (in dataset order), then the first ``limit``."""
    records = list(gold.records)
    if doc_ids:
        known = {r.doc_id for r in records}
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise EvalError(f"--doc {unknown[0]!r} is not a document of the {gold.split} split")
        records = [r for r in records if r.doc_id in set(doc_ids)]
    if limit is not None:
        if limit < 1:
            raise EvalError(f"--limit must be at least 1, got {limit}")
        records = records[:limit]
    return records


#: More resamples than this add nothing to a 95 % interval but minutes of waiting.
MAX_BOOTSTRAP_SAMPLES = 1_000_000
MAX_SEED = 2**63 - 1
MAX_WORKERS = 256


@dataclass(frozen=True)
class Settings:
    """How scores are computed and aggregated; all of it goes into the run record.

    Out-of-range values are refused here, with the option's name, whoever builds it.
    """

    threshold: float = DEFAULT_THRESHOLD
    seed: int = DEFAULT_SEED
    bootstrap_samples: int = DEFAULT_BOOTSTRAP_SAMPLES
    workers: int = 1  # processes for scoring; the scores do not depend on it

    def __post_init__(self) -> None:
        if not (isinstance(self.threshold, float | int) and 0.0 <= self.threshold <= 1.0):
            raise EvalError(f"--threshold must be between 0 and 1, got {self.threshold}")
        if not 0 <= self.seed <= MAX_SEED:
            raise EvalError(f"--seed must be between 0 and {MAX_SEED}, got {self.seed}")
        if not 1 <= self.bootstrap_samples <= MAX_BOOTSTRAP_SAMPLES:
            raise EvalError(
                f"--bootstrap must be between 1 and {MAX_BOOTSTRAP_SAMPLES:,}, got {self.bootstrap_samples}"
            )
        if not 1 <= self.workers <= MAX_WORKERS:
            raise EvalError(f"--workers must be between 1 and {MAX_WORKERS}, got {self.workers}")


@dataclass(frozen=True)
class _Clock:
    started_at: dt.datetime
    started: float

    @classmethod
    def start(cls) -> _Clock:
        return cls(utc_now(), time.perf_counter())


def _record(
    dataset: Callable[[], DatasetInfo],
    references: Iterable[Reference],
    model: ModelInfo,
    outcomes: Mapping[str, Outcome],
    settings: Settings,
    clock: _Clock,
    notes: list[str],
    stats: Mapping[str, object],
    extract_s: float | None = None,
    missing: Sequence[str] = (),
    judge: Judge | None = None,
    usage: dict[str, int | float | None] | None = None,
) -> RunRecord:
    """Score every reference's outcome and make the run's record.

    The references are scored as they come and each document's result is spooled
    (:class:`~harness.records.DocumentSpool`), so memory does not grow with the number of
    documents; ``dataset`` is asked for the dataset's description after the last one (a
    streamed split knows its version only then). A run with a model judge is judged as a
    whole first.
    """
    from .metrics import OVERALL, OVERALL_PARTS

    # The run's one matching, made here once: the deterministic matcher, or a model judge's
    # verdicts on the documents it decided with the matcher for the others.
    matching = Matching(settings.threshold)
    judged_scores: list[str] = []
    judge_stats: dict[str, Any] = {}
    if judge is not None:
        from .judge import JUDGED_SCORES, ask_judge

        references = list(references)
        predictions = {r.doc_id: o.prediction for r in references if (o := outcomes.get(r.doc_id))}
        verdicts, judge_notes = ask_judge(judge, predictions, references)
        notes = [*notes, *judge_notes]
        matching = Matching(settings.threshold, judge.settings(), verdicts)
        judged_scores = list(JUDGED_SCORES)
        judge_stats, stat_notes = extractor_stats(judge, "judge")  # the same optional stats() as an extractor's
        notes += stat_notes

    # score_documents keeps the order: each result belongs to the oldest document still waiting
    waiting: deque[tuple[Reference, Outcome | None]] = deque()

    def items() -> Iterator[Item]:
        for r in references:
            outcome = outcomes.get(r.doc_id)
            waiting.append((r, outcome))
            prediction = outcome.prediction if outcome else Prediction.empty(r.doc_id)
            yield prediction, r, tuple(outcome.unusable) if outcome else ()

    scores = ScoreTable()
    origin_of: dict[str, str] = {}
    spool = DocumentSpool()
    failed = 0
    for result in score_documents(items(), matching, settings.workers):
        r, outcome = waiting.popleft()
        scores.add(r.doc_id, result.scores)
        origin_of[r.doc_id] = r.origin
        failed += bool(outcome and outcome.error)
        spool.append(_document(r.doc_id, outcome, result, r.doc_id in matching.verdicts))
    intervals = bootstrap_ci(scores, samples=settings.bootstrap_samples, seed=settings.seed)
    origins: dict[str, dict[str, Aggregate]] = {}
    if len(set(origin_of.values())) > 1:
        for origin in sorted(set(origin_of.values())):
            subset = {doc_id: scores[doc_id] for doc_id, o in origin_of.items() if o == origin}
            origins[origin] = {
                k: Aggregate(mean=v.mean, ci_low=v.low, ci_high=v.high)
                for k, v in bootstrap_ci(subset, samples=settings.bootstrap_samples, seed=settings.seed).items()
            }
    info = dataset()
    fields = dict(
        run_id=new_run_id(model.name, clock.started_at),
        harness_version=__version__,
        dataset=info,
        model=model,
        threshold=settings.threshold,
        matcher=matching.settings(),
        seed=settings.seed,
        bootstrap_samples=settings.bootstrap_samples,
        started_at=clock.started_at,
        duration_s=round(time.perf_counter() - clock.started, 3),
        extract_duration_s=round(extract_s, 3) if extract_s is not None else None,
        aggregates={k: Aggregate(mean=v.mean, ci_low=v.low, ci_high=v.high) for k, v in intervals.items()},
        failed_documents=failed,
        missing_documents=list(missing),
        notes=[scrub(n) for n in notes],
        extractor_stats=dict(stats),
        judge_stats=judge_stats,
        environment=environment(),
        consistency=consistency(scores, (*OVERALL_PARTS, OVERALL)) if info.config == CONTRAST else {},
        judged_scores=judged_scores,
        origins=origins,
        usage=usage,
    )
    if spool.spilled:
        # Validating the record would read every spooled document back; each was validated
        # as it was made, and the aggregates are computed above from the same scores.
        return RunRecord.model_construct(documents=spool, **fields)
    return RunRecord(documents=spool.documents(), **fields)


def _document(doc_id: str, outcome: Outcome | None, result: DocumentScores, judged: bool) -> DocumentResult:
    """One document's part of the record: what was predicted, what went wrong, its scores."""
    return DocumentResult(
        doc_id=doc_id,
        prediction=outcome.prediction if outcome else Prediction.empty(doc_id),
        error=_kept(outcome.error, MAX_REPLY_KEPT) if outcome and outcome.error else None,
        latency_s=round(outcome.latency_s, 6) if outcome and outcome.latency_s is not None else None,
        scores=result.scores,
        pairs=[(p.predicted, p.gold, p.similarity, p.hit, p.reason, p.path) for p in result.pairs],
        judged=judged,
        unusable={_kept(k, MAX_KEY_KEPT): _kept(v, MAX_REASON_KEPT) for k, v in outcome.unusable.items()}
        if outcome
        else {},
        reply=_kept(outcome.reply, MAX_REPLY_KEPT) if outcome and outcome.reply else None,
    )


#: How much of an unusable key's name and of its reason a record keeps: the reason quotes
#: the bad value, which may be megabytes.
MAX_KEY_KEPT, MAX_REASON_KEPT = 100, 300


def _kept(text: str, limit: int) -> str:
    """``text`` as a record keeps it: secrets scrubbed first (a key cut in two would no
    longer be recognised), then at most ``limit`` characters, and any lone surrogate (which
    a model's JSON may carry, and UTF-8 cannot) written as its escape."""
    cut = scrub(text)
    cut = cut if len(cut) <= limit else cut[: limit - 1] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")


#: The longest run name: a label for tables, not a description.
MAX_NAME = 80


def check_name(name: str) -> str:
    """``name`` as a run's label, or :class:`HarnessError` for an empty, multi-line or long one."""
    if not name.strip() or any(not c.isprintable() for c in name) or len(name) > MAX_NAME:
        raise HarnessError(f"--name: give a name of 1 to {MAX_NAME} printable characters, got {name[:MAX_NAME]!r}")
    return name.strip()


def run_label(model: str, model_args: Mapping[str, str]) -> str:
    """A run's default label: ``--model``, with the model it asked for when ``-M model=`` was
    given (``llm:gpt-4o-mini``), so two models' runs are told apart."""
    asked = model_args.get("model")
    # -M model= is the user's text: one line, and short enough for a table
    return one_line(f"{model}:{asked}", MAX_NAME) if asked else model


def _prices(args: dict[str, str]) -> tuple[float | None, float | None]:
    """The prices per million prompt and completion tokens of ``-M price_in=`` and ``-M
    price_out=``, taken out of ``args`` (they are the harness's, not the extractor's); both
    or neither, each a finite number 0 or more; None, None when not given."""

    def price(key: str) -> float | None:
        if key not in args:
            return None
        text = args.pop(key)
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0.0 <= value < float("inf"):  # NaN fails every comparison
            raise EvalError(
                f"-M {key}: give a price per million tokens, a number 0 or more; got {one_line(text, 40)!r}"
            )
        return value

    price_in, price_out = price("price_in"), price("price_out")
    if (price_in is None) != (price_out is None):
        raise EvalError("-M price_in and -M price_out go together: give both (0 for a side that costs nothing)")
    return price_in, price_out


def _usage(
    stats: Mapping[str, object], price_in: float | None, price_out: float | None, notes: list[str]
) -> dict[str, int | float | None] | None:
    """What the run used and cost: the extractor's token counts (``prompt_tokens`` and
    ``completion_tokens`` of its ``stats()``), the prices, and ``prompt / 1e6 * price_in +
    completion / 1e6 * price_out``; None with neither counts nor prices. A price without
    counts adds a note to ``notes``."""

    def counted(key: str) -> int | None:
        value = stats.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    prompt, completion = counted("prompt_tokens"), counted("completion_tokens")
    if price_in is None and prompt is None and completion is None:
        return None
    cost = None
    if price_in is not None and price_out is not None and prompt is not None and completion is not None:
        cost = round(prompt / 1e6 * price_in + completion / 1e6 * price_out, 10)
    elif price_in is not None:
        notes.append("no cost: the extractor's stats() do not count prompt_tokens and completion_tokens")
    return {"prompt_tokens": prompt, "completion_tokens": completion, "price_in": price_in, "price_out": price_out,
            "cost": cost}  # fmt: skip


def evaluate(
    model: str,
    model_args: Mapping[str, str] | None = None,
    dataset: str | None = None,
    split: str = "test",
    doc_ids: Sequence[str] = (),
    config: str = "default",
    limit: int | None = None,
    settings: Settings = Settings(),
    progress: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    judge: Judge | None = None,
    name: str | None = None,
    watch_stats: Callable[[Callable[[], dict[str, object]]], None] | None = None,
) -> RunRecord:
    """Run the extractor ``model`` (see :mod:`harness.extractors`) and score it.

    ``on_start`` is told how many documents will run; ``progress`` is called after each.
    ``watch_stats`` is handed, before the first document, a function that returns the
    extractor's ``stats()`` so far (empty when it has none), to read while the run goes on:
    its token counts, say. ``name`` labels the run in the record, leaderboard, comparisons
    and report (default: :func:`run_label`).

    ``-M price_in=`` and ``-M price_out=`` (prices per million prompt and completion
    tokens) are the harness's, not the extractor's: they are taken out of ``model_args``
    before the extractor is built, and the record's ``usage`` gives the run's cost at those
    prices when the extractor's ``stats()`` counts ``prompt_tokens`` and ``completion_tokens``.
    """
    args = dict(model_args or {})
    label = check_name(name) if name is not None else run_label(model, args)
    price_in, price_out = _prices(args)
    spec = find(model)
    ref = DatasetRef(dataset, config, split)
    gold = ref.load()
    records = select(gold, doc_ids, limit)
    extractor = build_extractor(spec, args, RunContext(gold=gold.records, dataset=ref.label))
    if watch_stats:
        watch_stats(lambda: extractor_stats(extractor)[0])
    clock = _Clock.start()
    if on_start:
        on_start(len(records))
    output = run_extractor(extractor, [Document.from_gold(r) for r in records], progress)
    extract_s = time.perf_counter() - clock.started
    info = ModelInfo(
        name=label, extractor=extractor.name, source=spec.source, target=spec.target, args=redact_args(args)
    )
    outcomes = {o.doc_id: o for o in output.outcomes}
    notes = [f"{o.doc_id}: {o.error}" for o in output.outcomes if o.error] + output.notes
    dataset_info = DatasetInfo(source=ref.label, config=config, split=split, sha256=gold.sha256, documents=len(records))
    references = [Reference.from_gold(r) for r in records]
    usage = _usage(output.stats, price_in, price_out, notes)
    return _record(
        lambda: dataset_info, references, info, outcomes, settings, clock, notes, output.stats, extract_s,
        judge=judge, usage=usage,
    )  # fmt: skip


def score_file(
    path: Path,
    dataset: str | None = None,
    split: str = "test",
    settings: Settings = Settings(),
    name: str | None = None,
    judge: Judge | None = None,
    human: bool = False,
    config: str = "default",
    completions: bool = False,
    skip_invalid: bool = False,
) -> RunRecord:
    """Score a predictions file against every document of the split.

    ``completions``: the file holds models' raw replies (``doc_id`` and ``completion`` per
    line), read as the inspect_ai and lm-eval tasks read them; a reply with no JSON object
    fails its document, and the reply is kept in the record.

    ``skip_invalid``: skip the lines that cannot be read (a warning in the notes, with
    the count) and score a record's usable fields, instead of refusing the file.

    ``human`` marks the predictions as a person's (a second annotator's), which the
    leaderboard shows as the human row.

    ``name`` names the system in the record (default: the file's stem).

    Raises :class:`~harness.predictions.PredictionsError` for a bad file. Documents the file
    does not cover are scored as empty predictions, and the record's notes say which.
    """
    clock = _Clock.start()
    ref = DatasetRef(dataset, config, split)
    stream = ref.stream()
    found = read_predictions(path, set(stream.doc_ids()), skip_invalid, completions)
    notes = []
    if found.skipped:
        notes.append(f"skipped {len(found.skipped)} line(s) that cannot be read; the first: {found.skipped[0]}")
    if found.unusable:
        notes.append(f"{len(found.unusable)} prediction(s) with fields that could not be used, scored 0 on them")
    notes += [f"{doc_id}: {why}" for doc_id, (why, _) in found.failed.items()]
    if found.missing:
        notes.append(f"no prediction for {len(found.missing)} document(s), scored as empty: {', '.join(found.missing)}")
    label = check_name(name) if name is not None else path.stem
    source = "human" if human else "completions file" if completions else "predictions file"
    info = ModelInfo(name=label, extractor=label, source=source, target=str(path))

    def dataset_info() -> DatasetInfo:
        assert stream.sha256 is not None  # the stream has been read to its end
        return DatasetInfo(source=ref.label, config=config, split=split, sha256=stream.sha256, documents=stream.count)

    return _record(
        dataset_info, stream, info, _FileOutcomes(found), settings, clock, notes, {}, missing=found.missing,
        judge=judge,
    )  # fmt: skip


class _FileOutcomes(Mapping[str, Outcome]):
    """The outcome of each document of a predictions or completions file, made when it is
    asked for: the predictions stay packed until their document is scored."""

    def __init__(self, found: PredictionSet) -> None:
        self.found = found

    def __getitem__(self, doc_id: str) -> Outcome:
        if doc_id in self.found.failed:
            why, reply = self.found.failed[doc_id]
            return Outcome(doc_id, Prediction.empty(doc_id), why, latency_s=None, reply=reply)
        prediction = self.found.predictions[doc_id]
        return Outcome(doc_id, prediction, latency_s=None, unusable=self.found.unusable.get(doc_id, {}))

    def __iter__(self) -> Iterator[str]:
        yield from self.found.predictions
        yield from self.found.failed

    def __len__(self) -> int:
        return len(self.found.predictions) + len(self.found.failed)
