"""The Python API: everything a program needs to use the benchmark, in a few functions.

    import harness

    gold = harness.load_gold()                               # the bundled test split
    record = gold.records[0]
    messages = harness.prompt(record)                        # chat messages asking a model
    reading = harness.read_completion(record.doc_id, completion)   # field by field
    harness.score_document(reading.prediction, record, unusable=reading.unusable)
    result = harness.score_predictions([prediction], gold)   # means with 95 % intervals

The command line is built on the same functions; these are the stable part of the package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Any

from pydantic import ValidationError

from .dataset import DatasetRef, Gold
from .errors import HarnessError, one_line
from .llm import parse_json_object
from .metrics import DEFAULT_THRESHOLD, Matching
from .metrics import score_document as _score_document
from .predictions import Reading, format_validation_errors, read_completion
from .schema import GoldRecord, Prediction, Reference
from .scoring import DEFAULT_BOOTSTRAP_SAMPLES, DEFAULT_SEED, Interval, bootstrap_ci, score_all

PROMPT = Path(__file__).with_name("prompts") / "extract.txt"
SYSTEM = "You extract facts from readouts of government meetings. You answer with one JSON object and nothing else."


__all__ = [
    "GENERATION",
    "Reading",
    "Scores",
    "answer_schema",
    "gold_answer",
    "load_gold",
    "prediction_from_completion",
    "prompt",
    "read_completion",
    "score_document",
    "score_predictions",
]


# ------------------------------------------------------------------------ the request
#
# One request per document, the same from every way of running the benchmark (``harness
# eval --model llm``, the inspect_ai task, the lm-eval tasks): the messages of
# :func:`prompt`, the settings of :data:`GENERATION` and, where the framework can send one,
# :func:`answer_schema` as structured output. docs/FORMAT.md ("The request") says what each
# framework sends and what it cannot; tests/test_request.py compares the three on the wire.


@dataclass(frozen=True)
class Generation:
    """The generation settings of the request, named as in an OpenAI chat-completions body."""

    #: Greedy: a run is repeatable, and a reply measures the model, not the draw.
    temperature: float = 0.0
    #: Room for the longest gold answer written in full, evidence quotes and all (about
    #: 9,500 characters, 2,400 tokens, in the contrast split): a limit under it cuts the
    #: JSON of a right answer short.
    max_tokens: int = 4096
    #: For servers that sample even at temperature 0. lm-eval's API models send 1234 unless
    #: told otherwise, so its default request needs no override (which its local backends
    #: would refuse: see docs/FORMAT.md).
    seed: int = 1234

    def as_body(self) -> dict[str, Any]:
        """The settings as fields of a chat-completions request body."""
        return asdict(self)


GENERATION = Generation()
#: The name under which the answer schema is sent (``response_format.json_schema.name``).
SCHEMA_NAME = "answer"

#: The JSON Schema keywords the answer schema keeps: the structure, which every framework
#: that sends a schema can carry. inspect_ai's schema model has no ``$defs``, ``$ref`` or
#: ``title``, and leaves length limits out for OpenAI-compatible servers; the harness checks
#: the limits when it reads the reply.
_SCHEMA_KEYWORDS = frozenset({"type", "properties", "required", "items", "anyOf", "additionalProperties"})


def answer_schema() -> dict[str, Any]:
    """The JSON Schema of the answer: the prediction's without ``doc_id`` (the harness fills
    it in), every key required, references written out, and only structural keywords."""
    schema = Prediction.model_json_schema()
    schema["properties"].pop("doc_id")
    schema["required"] = ["meeting_date", "presider", "directives", "summary"]
    return _structural(schema, schema.get("$defs", {}))


def _structural(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with each ``$ref`` replaced by its definition and only :data:`_SCHEMA_KEYWORDS`
    kept (the names under ``properties`` are property names, not keywords: all stay)."""
    if isinstance(node, list):
        return [_structural(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _structural(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            kept[key] = {name: _structural(sub, defs) for name, sub in value.items()}
        elif key in _SCHEMA_KEYWORDS:
            kept[key] = _structural(value, defs)
    return kept


def load_gold(source: str | Path | None = None, split: str = "test") -> Gold:
    """The gold records of a split and the dataset version: the bundled dataset by default,
    or a local folder or a Hugging Face Hub id."""
    return DatasetRef(None if source is None else str(source), split=split).load()


def _user(record: GoldRecord) -> str:
    return Template(PROMPT.read_text(encoding="utf-8")).substitute(doc_id=record.doc_id, text=record.text)


def gold_answer(record: GoldRecord) -> str:
    """The gold of a record as the JSON a perfect reply holds (date, presider, directives with
    their evidence, summary): the answer of a worked example, and inspect's sample target."""
    return json.dumps(
        {
            "meeting_date": record.meeting_date,
            "presider": record.presider.name if record.presider else None,
            "directives": [{"text": d.text, "evidence": [s.quote for s in d.evidence]} for d in record.directives],
            "summary": record.summary,
        },
        ensure_ascii=False,
    )


def prompt(record: Any, examples: Sequence[GoldRecord] = ()) -> list[dict[str, str]]:
    """The chat messages that ask a model for a document's prediction: a system message,
    each of ``examples`` as a worked question and answer (never the document itself), then
    the document. ``record`` needs ``doc_id`` and ``text`` (a gold record or a
    :class:`~harness.extractors.Document`). The reply is read by
    :func:`prediction_from_completion`."""
    messages = [{"role": "system", "content": SYSTEM}]
    for example in examples:
        if example.doc_id == record.doc_id:
            raise HarnessError(f"{record.doc_id}: a document cannot be its own worked example")
        messages += [
            {"role": "user", "content": _user(example)},
            {"role": "assistant", "content": gold_answer(example)},
        ]
    messages.append({"role": "user", "content": _user(record)})
    return messages


def prediction_from_completion(doc_id: str, completion: str) -> Prediction:
    """The prediction in a model's raw reply: the whole text, a fenced ```json block, or the
    outermost braces, checked as a prediction record. :class:`HarnessError` with one line
    per problem, worded as for a predictions file (``DOC: field: what is wrong``).

    Strict: any fault refuses the whole reply. :func:`read_completion` reads it field by
    field, as the harness, inspect_ai and lm-eval score replies."""
    try:
        data = parse_json_object(completion)
    except ValueError as exc:
        raise HarnessError(f"{doc_id}: {one_line(exc)}") from None
    try:
        return Prediction.model_validate({**data, "doc_id": doc_id})
    except ValidationError as exc:
        raise HarnessError(*format_validation_errors(doc_id, exc)) from None


@dataclass(frozen=True)
class Scores:
    """Scores of many documents: each document's, and each score's mean with its interval."""

    per_document: dict[str, dict[str, float]]
    intervals: dict[str, Interval]

    def mean(self, name: str) -> float:
        return self.intervals[name].mean


def score_predictions(
    predictions: Iterable[Prediction],
    gold: Gold | Sequence[GoldRecord],
    threshold: float = DEFAULT_THRESHOLD,
    samples: int = DEFAULT_BOOTSTRAP_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Scores:
    """Score predictions against every gold document (one without a prediction scores as
    empty), with 95 % bootstrap intervals over documents."""
    records = list(gold.records if isinstance(gold, Gold) else gold)
    if not records:
        raise HarnessError("score_predictions: no gold records to score against")
    check_settings(threshold=threshold, samples=samples, seed=seed)
    by_id: dict[str, Prediction] = {}
    known = {r.doc_id for r in records}
    for p in predictions:
        if p.doc_id not in known:
            raise HarnessError(f"{p.doc_id}: not a document of these gold records")
        if p.doc_id in by_id:
            raise HarnessError(f"{p.doc_id}: predicted twice")
        by_id[p.doc_id] = p
    per_document = score_all(by_id, records, Matching(threshold))
    return Scores(per_document, bootstrap_ci(per_document, samples=samples, seed=seed))


def check_settings(threshold: float = DEFAULT_THRESHOLD, samples: int = 1, seed: int = 0) -> None:
    """Refuse settings no run could mean (:class:`HarnessError`, one line): a threshold
    outside [0, 1] or not a number, fewer than one or more than a million resamples, a
    negative or non-integer seed."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise HarnessError(f"threshold must be a number from 0 to 1, got {threshold!r}")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 1_000_000:
        raise HarnessError(f"samples must be a whole number from 1 to 1,000,000, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise HarnessError(f"seed must be a whole number of at least 0, got {seed!r}")


def score_document(
    prediction: Prediction,
    gold: GoldRecord | Reference,
    threshold: float = DEFAULT_THRESHOLD,
    unusable: Iterable[str] = (),
) -> dict[str, float]:
    """Every score of one document, keyed by the names in :data:`harness.metrics.SCORE_NAMES`
    (:func:`harness.metrics.score_document`); the scores of the fields named in ``unusable``
    (a :class:`Reading`'s) are 0. Refuses a prediction of another document and a threshold
    outside [0, 1]."""
    check_settings(threshold=threshold)
    return _score_document(prediction, gold, Matching(threshold), tuple(unusable)).scores
