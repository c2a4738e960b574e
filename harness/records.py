"""The run record: one JSON file that says exactly what was run and what it scored.

A run record is the input of ``harness compare``, of the leaderboard and of reports, so it
has a pydantic model (:class:`RunRecord`) and a format version (``record_version``). It
holds the dataset (where from, split, content hash), the harness version, the model and
its arguments (secrets redacted), the threshold, the seed, when it ran and for how long,
each document's prediction, error and scores, and the aggregates with their intervals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .files import write_atomic
from .schema import Prediction

RECORD_VERSION = 1

#: ``-M`` argument names whose values are never written anywhere.
SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|auth|credential)", re.IGNORECASE)
REDACTED = "***"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatasetInfo(_Model):
    source: str
    split: str
    sha256: str
    documents: int


class ModelInfo(_Model):
    name: str  # what --model said
    extractor: str  # the extractor's own name
    source: str  # built-in, plugin (<dist>), import path, or predictions file
    target: str  # module:attr, or the predictions file
    args: dict[str, str] = {}


class Aggregate(_Model):
    mean: float
    ci_low: float
    ci_high: float


class DocumentResult(_Model):
    doc_id: str
    prediction: Prediction
    error: str | None = None
    latency_s: float | None = None
    scores: dict[str, float]


class RunRecord(_Model):
    record_version: Literal[1] = RECORD_VERSION
    run_id: str
    harness_version: str
    dataset: DatasetInfo
    model: ModelInfo
    threshold: float
    seed: int
    bootstrap_samples: int
    confidence: float = 0.95
    started_at: str
    duration_s: float
    extract_duration_s: float | None = None  # the part of duration_s spent running the extractor
    documents: list[DocumentResult]
    aggregates: dict[str, Aggregate]
    failed_documents: int = 0
    notes: list[str] = []
    extractor_stats: dict[str, Any] = Field(default_factory=dict)

    def per_doc_scores(self) -> dict[str, dict[str, float]]:
        return {d.doc_id: d.scores for d in self.documents}


class RecordError(Exception):
    """A run record could not be read; the message names the file and the field."""


def redact(args: Mapping[str, str]) -> dict[str, str]:
    """The ``-M`` arguments with the values of secret-looking keys replaced by ``***``."""
    return {k: (REDACTED if SECRET_KEY.search(k) else v) for k, v in args.items()}


def new_run_id(model: str, started: dt.datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", model).strip("-") or "model"
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{safe}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


#: Records of more documents than this are written compact: indentation would double them.
INDENT_MAX_DOCUMENTS = 1000


def write_record(record: RunRecord, path: Path) -> None:
    """Write a run record atomically, as JSON (indented unless it is very large)."""
    indent = 2 if len(record.documents) <= INDENT_MAX_DOCUMENTS else None
    write_atomic(path, (record.model_dump_json(indent=indent) + "\n").encode("utf-8"))


def read_record(path: Path) -> RunRecord:
    """Read and validate a run record; raise :class:`RecordError` with one line if bad."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecordError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordError(f"{path}: is a folder, not a run record") from None
    try:
        return RunRecord.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        if first["type"] == "json_invalid":
            raise RecordError(f"{path}: not valid JSON: {first['msg']}") from None
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RecordError(f"{path}: {where}: {first['msg']}{more}; not a run record of this harness") from None
