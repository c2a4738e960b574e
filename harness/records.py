"""The run record: one JSON file that says exactly what was run and what it scored.

A run record is the input of ``harness compare``, of the leaderboard and of reports, so it
has a pydantic model (:class:`RunRecord`) and a format version (``record_version``). It
holds the dataset (where from, split, content hash), the harness version, the model and
its arguments (secrets redacted), the threshold, the seed, when it ran and for how long,
each document's prediction, error and scores, and the aggregates with their intervals.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Annotated, Any, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from .errors import HarnessError, one_line
from .files import MiB, read_bytes, write_atomic
from .metrics import OPTIONAL, SCORE_NAMES
from .redact import scrub
from .schema import Prediction

RECORD_VERSION = 1
#: How much of a failed document's raw reply a record keeps: enough to see what went wrong.
MAX_REPLY_KEPT = 4_000
MAX_RECORD_BYTES = 1024 * MiB

#: A score as a record holds it: a finite float in [0, 1] (not a bool, not a string).
ScoreValue = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_score_names(scores: dict[str, Any], where: str) -> None:
    missing = [name for name in SCORE_NAMES if name not in scores and name not in OPTIONAL]
    if missing:
        raise ValueError(f"{where} lacks the score {missing[0]!r}")


class DatasetInfo(_Model):
    source: str
    config: str = "default"
    split: str
    sha256: str
    documents: int


class ModelInfo(_Model):
    name: str  # the run's label: --name, or what --model said (with its -M model=)
    extractor: str  # the extractor's own name
    source: str  # built-in, plugin (<dist>), import path, or predictions file
    target: str  # module:attr, or the predictions file
    args: dict[str, str] = {}


class Aggregate(_Model):
    mean: ScoreValue
    ci_low: ScoreValue
    ci_high: ScoreValue

    @model_validator(mode="after")
    def _ordered(self) -> Aggregate:
        if not self.ci_low <= self.mean <= self.ci_high:
            raise ValueError("ci_low <= mean <= ci_high does not hold")
        return self


#: A predicted and a gold directive the assignment paired, as ``[predicted index, gold
#: index, similarity, hit, reason]``: indices into the prediction's and the gold's directive
#: lists, and the matcher's similarity, verdict and reason. A row, not an object, because a
#: run of 10,000 documents holds over a hundred thousand of them.
_Index = Annotated[int, Field(ge=0)]
#: A matched pair: predicted index, gold index, similarity, hit, reason, and (newer records) how
#: it was decided: ``span``, ``text``, ``ungrounded`` or ``judge``.
PairRow = tuple[_Index, _Index, ScoreValue, bool, str] | tuple[_Index, _Index, ScoreValue, bool, str, str]


class DocumentResult(_Model):
    doc_id: str
    prediction: Prediction
    error: str | None = None
    latency_s: float | None = None
    scores: dict[str, ScoreValue]
    pairs: list[PairRow] = []
    #: Whether a model judge decided this document's directive pairs and summary units. False
    #: in a run without a judge, in a record written before the field existed, and in a
    #: judged run for a document the judge could not decide (scored by the matcher instead).
    judged: bool = False
    #: The prediction's fields that could not be used (a date not in ISO form, a directive
    #: that is a number), each with the reason: their scores are 0 and the other fields are
    #: scored as given. Empty in older records.
    unusable: dict[str, str] = {}
    #: The model's raw reply, for a document whose reply held no usable prediction (at most
    #: MAX_REPLY_KEPT characters, secrets scrubbed); None otherwise.
    reply: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> DocumentResult:
        _check_score_names(self.scores, "scores")
        predicted = len(self.prediction.directives)
        for i, pair in enumerate(self.pairs):
            if pair[0] >= predicted:
                raise ValueError(f"pairs[{i}]: predicted directive {pair[0]} does not exist ({predicted} predicted)")
        return self


class RunRecord(_Model):
    record_version: Literal[1] = RECORD_VERSION
    run_id: str
    harness_version: str
    dataset: DatasetInfo
    model: ModelInfo
    threshold: ScoreValue
    matcher: dict[str, Any] = Field(default_factory=dict)  # the directive matcher's name and settings
    seed: Annotated[int, Field(ge=0)]
    bootstrap_samples: Annotated[int, Field(ge=1, le=1_000_000)]
    confidence: float = 0.95
    started_at: dt.datetime
    duration_s: float
    extract_duration_s: float | None = None  # the part of duration_s spent running the extractor
    documents: list[DocumentResult]
    aggregates: dict[str, Aggregate]
    failed_documents: int = 0
    missing_documents: list[str] = []  # documents a predictions file had no line for
    notes: list[str] = []
    extractor_stats: dict[str, Any] = Field(default_factory=dict)
    #: The model judge's counters (requests, cache hits, tokens) in a judged run; empty otherwise.
    judge_stats: dict[str, Any] = Field(default_factory=dict)
    environment: dict[str, Any] = Field(default_factory=dict)  # Python, platform, packages, git commit
    #: On the contrast configuration: each score's mean over seeds of its lowest value among
    #: the seed and its variants (see harness.scoring.consistency).
    consistency: dict[str, ScoreValue] = Field(default_factory=dict)
    #: The scores a model judge decided in this run (harness.judge.JUDGED_SCORES), on the
    #: documents marked ``judged``; empty in a run without a judge and in older records.
    judged_scores: list[str] = []
    #: On a dataset of real and constructed readouts (the ``all`` configuration): each
    #: origin's own aggregates, since a score over both hides how each fares.
    origins: dict[str, dict[str, Aggregate]] = Field(default_factory=dict)
    #: What the run used and cost: ``prompt_tokens`` and ``completion_tokens`` as the
    #: extractor's ``stats()`` counted them, the prices per million tokens given with
    #: ``-M price_in=`` and ``-M price_out=``, and ``cost`` in the prices' currency; each None
    #: when unknown. None in a run with neither token counts nor prices, and in older records.
    usage: (
        dict[
            str,
            Annotated[int, Strict(), Field(ge=0)]
            | Annotated[float, Strict(), Field(ge=0.0, allow_inf_nan=False)]
            | None,
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _consistent(self) -> RunRecord:
        _check_score_names(self.aggregates, "aggregates")
        for name in self.judged_scores:
            if name not in SCORE_NAMES:
                raise ValueError(f"judged_scores: {one_line(name, 60)!r} is not a score of this harness")
        if len(set(self.judged_scores)) != len(self.judged_scores):
            raise ValueError("judged_scores: a score appears twice")
        if self.judged_scores and not isinstance(self.matcher.get("judge"), dict):
            raise ValueError("judged_scores: the record names judged scores but its matcher names no judge")
        if not self.judged_scores and any(d.judged for d in self.documents):
            raise ValueError("documents: a document is marked judged, but judged_scores is empty")
        ids = [d.doc_id for d in self.documents]
        if not ids:
            raise ValueError("documents: a run record has at least one document")
        if len(set(ids)) != len(ids):
            raise ValueError("documents: a doc_id appears twice")
        if self.dataset.documents != len(ids):
            raise ValueError(f"dataset.documents says {self.dataset.documents}, the record holds {len(ids)}")
        if self.started_at.tzinfo is None:
            raise ValueError("started_at: needs a time zone")
        # The aggregates are the means of the per-document scores: a record that says
        # otherwise (a forged mean ranked first) is not a record of this harness.
        for name, aggregate in self.aggregates.items():
            values = [d.scores[name] for d in self.documents if name in d.scores]
            if values and abs(sum(values) / len(values) - aggregate.mean) > 1e-9:
                raise ValueError(
                    f"aggregates.{name}.mean is {aggregate.mean:.6f}, the documents' scores give "
                    f"{sum(values) / len(values):.6f}"
                )
        return self

    @property
    def judged(self) -> bool:
        """Whether a model judge decided some of this run's scores (see ``judged_scores``)."""
        return bool(self.judged_scores)

    @property
    def judge_fallbacks(self) -> list[str]:
        """The documents of a judged run that the judge did not decide (scored by the matcher)."""
        return [d.doc_id for d in self.documents if not d.judged] if self.judged else []

    def per_doc_scores(self) -> dict[str, dict[str, float]]:
        return {d.doc_id: d.scores for d in self.documents}


class DocumentSpool(Sequence[DocumentResult]):
    """The documents of a run as they are scored: kept in memory up to
    :data:`INDENT_MAX_DOCUMENTS`, then written one JSON line each to an anonymous temporary
    file (gone when the run is), so that a run of 50,000 documents does not hold 50,000
    predictions and their matched pairs. Read back one at a time; secrets are scrubbed as
    each line is written."""

    def __init__(self) -> None:
        self._kept: list[DocumentResult] = []
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []

    def append(self, document: DocumentResult) -> None:
        if self._file is None and len(self._kept) < INDENT_MAX_DOCUMENTS:
            self._kept.append(document)
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="policybench-documents-")  # noqa: SIM115 (lives with the spool)
            for kept in self._kept:
                self._write(kept)
            self._kept = []
        self._write(document)

    def _write(self, document: DocumentResult) -> None:
        assert self._file is not None
        self._file.seek(0, io.SEEK_END)
        self._offsets.append(self._file.tell())
        self._file.write(scrub(document.model_dump_json()).encode("utf-8") + b"\n")

    @property
    def spilled(self) -> bool:
        """Whether the documents are on disk (more than :data:`INDENT_MAX_DOCUMENTS`)."""
        return self._file is not None

    def documents(self) -> list[DocumentResult] | DocumentSpool:
        """What a record holds: a list while the run is small, else this spool."""
        return self if self.spilled else self._kept

    def json_lines(self) -> Iterator[bytes]:
        """Each document's JSON, without its newline, in order."""
        if self._file is None:
            yield from (scrub(d.model_dump_json()).encode("utf-8") for d in self._kept)
            return
        for offset in self._offsets:
            # seek each time: a look-up (spool[i]) between two lines must not lose the place
            self._file.seek(offset)
            yield self._file.readline().rstrip(b"\n")

    def __len__(self) -> int:
        return len(self._offsets) if self._file is not None else len(self._kept)

    @overload
    def __getitem__(self, index: int) -> DocumentResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[DocumentResult]: ...
    def __getitem__(self, index: int | slice) -> DocumentResult | list[DocumentResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._file is None:
            return self._kept[index]
        self._file.seek(self._offsets[index])
        return DocumentResult.model_validate_json(self._file.readline())

    def __iter__(self) -> Iterator[DocumentResult]:
        if self._file is None:
            yield from self._kept
            return
        for line in self.json_lines():
            yield DocumentResult.model_validate_json(line)


class RecordError(HarnessError):
    """A run record could not be read; the message names the file and the field."""


#: The packages whose versions decide a run's numbers, recorded with every run.
RECORDED_PACKAGES = ("policybench", "pydantic", "numpy", "scipy", "pyarrow", "rouge-score", "openai", "datasets")


def _git_commit(folder: Path) -> str | None:
    """The commit checked out in the git work tree holding ``folder``, read from ``.git``
    (no subprocess), or None outside a checkout."""
    for parent in (folder, *folder.parents):
        git = parent / ".git"
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text(encoding="utf-8").strip()
            if not head.startswith("ref: "):
                return head
            ref = head[5:]
            if (git / ref).is_file():
                return (git / ref).read_text(encoding="utf-8").strip()
            for line in (git / "packed-refs").read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        except OSError:
            return None
        return None
    return None


def environment() -> dict[str, Any]:
    """What a run ran on: Python, the platform, the versions of the packages that decide the
    numbers, and the git commit of the harness when it runs from a checkout."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in RECORDED_PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "packages": packages,
        "git_commit": _git_commit(Path(__file__).resolve().parent),
    }


def new_run_id(model: str, started: dt.datetime) -> str:
    """``<UTC time>-<model>-<random>``: two runs of one model in the same second differ."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", model).strip("-.")[:60] or "model"
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{safe}-{secrets.token_hex(3)}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


#: Records of more documents than this are written compact: indentation would double them.
INDENT_MAX_DOCUMENTS = 1000


def record_chunks(record: RunRecord) -> Iterator[bytes]:
    """A run record as JSON, in pieces: indented when small; compact, and one document at a
    time, when it has more than :data:`INDENT_MAX_DOCUMENTS` documents, so that a large run
    is never held as one string. Every piece is scrubbed of secrets (:func:`scrub`): a record
    is shared as a leaderboard submission and must never carry a key."""
    documents = record.documents
    if len(documents) <= INDENT_MAX_DOCUMENTS and not isinstance(documents, DocumentSpool):
        yield scrub(record.model_dump_json(indent=2) + "\n").encode("utf-8")
        return
    head = scrub(record.model_dump_json(exclude={"documents"}))
    yield (head[:-1] + ',"documents":[').encode("utf-8")
    lines = (
        documents.json_lines()
        if isinstance(documents, DocumentSpool)
        else (scrub(d.model_dump_json()).encode("utf-8") for d in documents)
    )
    for i, line in enumerate(lines):
        yield (b"," if i else b"") + line
    yield b"]}\n"


def write_record(record: RunRecord, path: Path) -> None:
    """Write a run record atomically; :class:`HarnessError` if ``path`` cannot take it."""
    write_atomic(path, record_chunks(record))


def write_record_safely(record: RunRecord, path: Path, exclusive: bool = False) -> tuple[Path, str | None]:
    """Write the record to ``path``, or, if that fails, somewhere it is kept.

    A finished run must not be lost to a bad ``-o``: when ``path`` cannot be written (a
    folder, read-only, a full disk, a name too long), the record goes to a new file in
    the system's temporary folder. Returns where it went and, on a fallback, why.
    ``exclusive`` refuses to replace an existing file (a default path never overwrites
    another run's record).
    """
    try:
        if exclusive and (path.exists() or path.is_symlink()):
            raise HarnessError(f"{path}: already exists")
        write_atomic(path, record_chunks(record))
        return path, None
    except HarnessError as exc:
        fd, name = tempfile.mkstemp(prefix=f"policybench-{record.run_id[:80]}-", suffix=".json")
        with open(fd, "wb") as f:
            for chunk in record_chunks(record):
                f.write(chunk)
        return Path(name), str(exc)


def read_record(path: Path) -> RunRecord:
    """Read and validate a run record; raise :class:`RecordError` with one line if bad."""
    try:
        data = read_bytes(path, MAX_RECORD_BYTES, "run record")
    except HarnessError as exc:
        raise RecordError(str(exc)) from None
    try:
        return RunRecord.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        if first["type"] == "json_invalid":
            raise RecordError(f"{path}: not valid JSON: {one_line(first['msg'], 160)}") from None
        msg = one_line(first["msg"], 160)
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RecordError(f"{path}: {where}: {msg}{more}; not a run record of this harness") from None
    except (ValueError, RecursionError) as exc:  # deep nesting, huge integers
        raise RecordError(f"{path}: not a readable run record ({one_line(exc, 120)})") from None
