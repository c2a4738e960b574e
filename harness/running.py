"""How a run drives an extractor: each document in turn, or up to ``concurrency`` at once
for an extractor with ``aextract``; one document's failure, whatever it raises, is that
document's error and never ends the run (see :mod:`harness.extractors` for what an
extractor is)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import one_line
from .extractors import DEFAULT_CONCURRENCY, Document, ReplyError, describe_failure
from .predictions import Reading, salvage
from .schema import Prediction


@dataclass
class Outcome:
    """What came of running an extractor on one document."""

    doc_id: str
    prediction: Prediction
    error: str | None = None
    latency_s: float | None = 0.0  # None when nothing was run (a predictions file)
    #: Fields of the prediction that could not be used, with why (scored 0 on their scores).
    unusable: dict[str, str] = field(default_factory=dict)
    reply: str | None = None  # a model's raw reply when it held no usable prediction


@dataclass
class RunOutput:
    outcomes: list[Outcome]
    stats: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what went wrong outside any one document


def _outcome(doc: Document, raw: Any, started: float) -> Outcome:
    """What an extractor returned, as an outcome: a :class:`Prediction` as it is; a dict
    field by field (:func:`harness.predictions.salvage`), so one bad field costs that
    field's scores only."""
    if isinstance(raw, Prediction):
        reading = Reading(raw)
    elif isinstance(raw, Mapping):
        reading = salvage(raw, doc.doc_id)
        if "doc_id" in raw and raw["doc_id"] != doc.doc_id:
            raise ValueError(f"extractor answered for {one_line(raw['doc_id'], 60)!r} when asked about {doc.doc_id!r}")
    else:
        raise TypeError(f"extractor returned {type(raw).__name__}, expected a Prediction or a dict")
    if reading.prediction.doc_id != doc.doc_id:
        raise ValueError(f"extractor answered for {reading.prediction.doc_id!r} when asked about {doc.doc_id!r}")
    return Outcome(doc.doc_id, reading.prediction, None, time.perf_counter() - started, reading.unusable)


def _failure(doc: Document, exc: BaseException, started: float) -> Outcome:
    """A document whose extractor raised: an empty prediction and the error, in one line
    (and the raw reply, for a :class:`ReplyError`)."""
    reply = exc.reply if isinstance(exc, ReplyError) and isinstance(exc.reply, str) else None
    return Outcome(
        doc.doc_id, Prediction.empty(doc.doc_id), describe_failure(exc), time.perf_counter() - started, reply=reply
    )


def _run_one_sync(extractor: Any, doc: Document) -> Outcome:
    start = time.perf_counter()
    try:
        return _outcome(doc, extractor.extract(doc), start)
    except (Exception, SystemExit) as exc:  # one document's failure must not end the run
        return _failure(doc, exc, start)


def _cancelled_from_outside() -> bool:
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(cancelling and cancelling())


async def _run_async(
    extractor: Any, docs: list[Document], concurrency: int, done: Callable[[Outcome], None]
) -> tuple[list[Outcome], list[str]]:
    gate = asyncio.Semaphore(concurrency)
    notes: list[str] = []

    async def one(doc: Document) -> Outcome:
        async with gate:
            start = time.perf_counter()
            try:
                outcome = _outcome(doc, await extractor.aextract(doc), start)
            except asyncio.CancelledError as exc:
                if _cancelled_from_outside():  # the run is being stopped (Ctrl-C): let it stop
                    raise
                outcome = _failure(doc, exc, start)
            except (Exception, SystemExit) as exc:
                outcome = _failure(doc, exc, start)
            done(outcome)
            return outcome

    try:
        return list(await asyncio.gather(*(one(d) for d in docs))), notes
    finally:
        aclose = getattr(extractor, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception as exc:
                notes.append(f"the extractor failed to close: {describe_failure(exc)}")


def extractor_stats(extractor: Any, what: str = "extractor") -> tuple[dict[str, Any], list[str]]:
    """The ``stats()`` of an extractor (or of a judge: ``what``) as a JSON-able dict, and a
    note if it could not be had."""
    stats_fn = getattr(extractor, "stats", None)
    if not callable(stats_fn):
        return {}, []
    try:
        stats = dict(stats_fn())
        json.dumps(stats, allow_nan=False)
    except (Exception, SystemExit) as exc:
        return {}, [f"the {what}'s stats() failed: {describe_failure(exc)}"]
    return stats, []


def run_extractor(
    extractor: Any, docs: Iterable[Document], progress: Callable[[Outcome], None] | None = None
) -> RunOutput:
    """Run an extractor over documents, in order; a failure becomes that document's error.

    A failed document gets an empty prediction (scored 0) and its error message; a plugin
    that raises anything, ``SystemExit`` and a stray ``CancelledError`` included, fails only
    that document. ``progress`` is called after each document.
    """
    docs = list(docs)
    done = progress or (lambda _outcome: None)
    notes: list[str] = []
    if hasattr(extractor, "aextract"):
        try:
            concurrency = max(1, int(getattr(extractor, "concurrency", DEFAULT_CONCURRENCY) or 1))
        except (TypeError, ValueError):
            concurrency = DEFAULT_CONCURRENCY
        outcomes, notes = asyncio.run(_run_async(extractor, docs, concurrency, done))
    else:
        outcomes = []
        for doc in docs:
            outcomes.append(_run_one_sync(extractor, doc))
            done(outcomes[-1])
    stats, stat_notes = extractor_stats(extractor)
    return RunOutput(outcomes, stats, notes + stat_notes)
