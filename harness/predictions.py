"""Read predictions: a predictions file, a file of raw completions, or one model reply.

A predictions file is JSON Lines, one prediction record per line; a completions file is
JSON Lines of ``{"doc_id": ..., "completion": ...}``, each completion a model's raw reply.
Every problem is one line, ``FILE:LINE: field: what is wrong``, and all of them are
reported together. By default a file with problems is not scored; with ``skip_invalid``
a line that cannot be read is skipped, and a record with a bad field keeps its other
fields (:func:`salvage`).

Each field of a prediction is scored on its own: a field that cannot be used (a date that
is not ``YYYY-MM-DD``, a directive that is a number) scores 0 on its scores, and the
reason is kept in the run record; the other fields are scored as given.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .annotations import format_path
from .errors import HarnessError, one_line
from .files import MiB, read_bytes
from .llm import parse_json_object
from .schema import MAX_ID_CHARS, Prediction

MAX_REPORTED = 50
MAX_FILE_BYTES = 1024 * MiB
#: Far past the largest valid record (500 directives of 2,000 characters and a summary),
#: yet small enough that one line cannot exhaust memory while it is parsed.
MAX_LINE_BYTES = 16 * MiB
#: How much of a reply that holds no prediction is held until the record is made: twice what a
#: record keeps, so that a secret across the record's cut is still whole when it is scrubbed.
FAILED_REPLY_HELD = 8_000


class PredictionsError(HarnessError):
    """The predictions file cannot be scored; ``problems`` holds one line per problem."""


@dataclass(frozen=True)
class Reading:
    """A prediction as read from a record or a reply, and what of it could not be used:
    ``unusable`` maps a field (or an unknown key) to the reason; such a field was left
    empty and scores 0."""

    prediction: Prediction
    unusable: dict[str, str] = field(default_factory=dict)


class PackedPredictions(Mapping[str, Prediction]):
    """Predictions by document, each kept as compressed JSON and made into a
    :class:`Prediction` again when it is looked up: a file of 50,000 predictions held as
    objects would take about a gigabyte, packed it takes a few dozen megabytes."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    def add(self, prediction: Prediction) -> None:
        self._packed[prediction.doc_id] = zlib.compress(prediction.model_dump_json().encode("utf-8"), 1)

    def __getitem__(self, doc_id: str) -> Prediction:
        return Prediction.model_validate_json(zlib.decompress(self._packed[doc_id]))

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


@dataclass
class PredictionSet:
    predictions: PackedPredictions
    missing: list[str] = field(default_factory=list)  # gold documents without a prediction
    #: By document, the fields that could not be used and why (only with ``skip_invalid``,
    #: or from completions).
    unusable: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Completions that hold no prediction at all, by document: (why, the raw completion).
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: The problems of the lines that were skipped (``skip_invalid``), one line each.
    skipped: list[str] = field(default_factory=list)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(f"key {key!r} appears twice in one record")
        seen[key] = value
    return seen


def format_validation_errors(where: str, exc: ValidationError) -> list[str]:
    """One line per problem of a record that is not a valid prediction: ``WHERE: field: what``."""
    return list(_validation_lines(where, exc))


#: The names pydantic gives the branches of a union in an error's location.
_UNION_BRANCHES = frozenset({"constrained-str", "str", "DirectiveItem"})


def _validation_lines(where: str, exc: ValidationError) -> Iterable[str]:
    errors = exc.errors()
    # A directive is a string or an object: an object's own faults (a missing text, evidence
    # that is not a list, an unknown key) are said as such; anything else is neither.
    inside_objects = {
        e["loc"][: e["loc"].index("DirectiveItem")]
        for e in errors
        if "DirectiveItem" in e["loc"] and e["loc"][-1] != "DirectiveItem"
    }
    said = set()
    for error in errors:
        loc = error["loc"]
        branch = next((i for i, part in enumerate(loc) if part in _UNION_BRANCHES), None)
        if branch is not None:
            head = loc[:branch]
            if head in inside_objects:
                if loc[branch] != "DirectiveItem":
                    continue  # the string branch's complaint about an object: not the point
                loc = head + loc[branch + 1 :]
            else:
                line = f"{where}: {format_path(head)}: expected a string or an object with text and evidence"
                if line not in said:
                    said.add(line)
                    yield line
                continue
        path = format_path(loc) or "record"
        if error["type"] == "extra_forbidden":
            yield f"{where}: {path}: unknown key"
        elif error["type"] == "missing":
            yield f"{where}: {path}: missing required field"
        else:
            msg = error["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            yield f"{where}: {path}: {msg[0].lower()}{msg[1:]}"


def salvage(obj: Mapping[str, Any], doc_id: str) -> Reading:
    """The prediction of ``doc_id`` in a JSON object, field by field: a field that is not
    valid on its own is left empty and named in :attr:`Reading.unusable` with the reason,
    as is an unknown key; the others are kept. ``obj``'s own ``doc_id``, if any, is ignored.
    """
    usable: dict[str, Any] = {"doc_id": doc_id}
    unusable: dict[str, str] = {}
    for key, value in obj.items():
        if key == "doc_id":
            continue
        try:
            # Each field alone: one field's fault must not hide the others' worth.
            Prediction.model_validate({"doc_id": doc_id, key: value})
        except ValidationError as exc:
            reasons = [line.split(": ", 1)[1] for line in _validation_lines(doc_id, exc)]
            # a reason quotes the bad value, which may be megabytes: a line is enough
            unusable[one_line(key, 100)] = one_line("; ".join(r.removeprefix(f"{key}: ") for r in reasons), 300)
            continue
        usable[key] = value
    return Reading(Prediction.model_validate(usable), unusable)


def read_completion(doc_id: str, completion: str) -> Reading:
    """The prediction in a model's raw reply (the whole text, a fenced ```json block, or
    the outermost braces), field by field (:func:`salvage`). :class:`HarnessError` in one
    line when the reply holds no JSON object at all."""
    try:
        data = parse_json_object(completion)
    except ValueError as exc:
        raise HarnessError(f"{doc_id}: {one_line(exc)}") from None
    return salvage(data, doc_id)


def _reject_single_document(data: bytes, name: str) -> None:
    """A whole file that is one JSON value spread over lines is a format mistake, said once."""
    first = data.lstrip().split(b"\n", 1)[0].strip()
    if first.startswith(b"["):
        raise PredictionsError(f"{name}:1: a JSON array; write JSON Lines, one object per line")
    if first == b"{":
        try:
            json.loads(data)
        except (ValueError, RecursionError):
            return
        raise PredictionsError(f"{name}:1: one JSON object over several lines; write JSON Lines, one object per line")


def _objects(data: bytes, name: str) -> Iterator[tuple[str, int, dict[str, Any] | str]]:
    """Each non-blank line of a JSON Lines file: ``(where, line number, object)``, or the
    line's problem in place of the object."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise PredictionsError(f"{name}:1: the file starts with a byte-order mark; save it as UTF-8 without BOM")
    if not data.strip():
        raise PredictionsError(f"{name}: no predictions (the file is empty or blank)")
    _reject_single_document(data, name)
    last = data.count(b"\n") + (not data.endswith(b"\n"))
    for number, raw in enumerate(_split_lines(data), start=1):
        where = f"{name}:{number}"
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield where, number, f"{where}: {len(raw):,} bytes, more than a prediction may have ({MAX_LINE_BYTES:,})"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield where, number, f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
            continue
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as exc:
            yield where, number, f"{where}: {exc}"
            continue
        except json.JSONDecodeError as exc:
            # cut short, not "Extra data" after a whole value (lines ended by "\r" alone)
            truncated = number == last and not data.endswith(b"\n") and exc.msg != "Extra data"
            hint = "; the file looks truncated" if truncated else ""
            yield where, number, f"{where}: not valid JSON ({exc.msg}, column {exc.colno}){hint}"
            continue
        except RecursionError:
            yield where, number, f"{where}: not a prediction (JSON nested too deeply)"
            continue
        except ValueError as exc:  # Python refuses integers of more than 4,300 digits
            reason = "a number of more than 4,300 digits" if "digits" in str(exc) else one_line(exc, 100)
            yield where, number, f"{where}: not valid JSON ({reason})"
            continue
        if not isinstance(obj, dict):
            yield where, number, f"{where}: expected a JSON object, got {type(obj).__name__}"
            continue
        yield where, number, obj


def _split_lines(data: bytes) -> Iterator[bytes]:
    """The lines of ``data`` one at a time (``bytes.split`` would copy the whole file)."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end == -1:
            end = len(data)
        yield data[start:end]
        start = end + 1


_MISSING = object()  # a line without a doc_id: not the same as one whose doc_id is null


class _Lines:
    """What a file's lines came to: kept predictions, their unusable fields, and problems."""

    def __init__(self, name: str, known_ids: Collection[str] | None, skip_invalid: bool) -> None:
        self.name, self.known_ids, self.skip_invalid = name, known_ids, skip_invalid
        self.result = PredictionSet(PackedPredictions())
        self.problems: list[str] = []
        self.first_line: dict[str, int] = {}

    def problem(self, line: str) -> None:
        (self.result.skipped if self.skip_invalid else self.problems).append(line)

    def document(self, where: str, number: int, doc_id: object) -> str | None:
        """The line's document id if it names a document this file has not predicted yet."""
        if doc_id is _MISSING:
            self.problem(f"{where}: doc_id: missing required field")
        elif not isinstance(doc_id, str) or not doc_id or len(doc_id) > MAX_ID_CHARS:
            self.problem(f"{where}: doc_id: give the document's id as a string of 1 to {MAX_ID_CHARS} characters")
        elif doc_id in self.first_line:
            self.problem(f"{where}: doc_id: {doc_id!r} already predicted on line {self.first_line[doc_id]}")
        elif self.known_ids is not None and doc_id not in self.known_ids:
            self.problem(f"{where}: doc_id: {doc_id!r} is not a document of the dataset")
        else:
            self.first_line[doc_id] = number
            return doc_id
        return None

    def keep(self, where: str, number: int, obj: Mapping[str, Any]) -> None:
        """A prediction record: refused whole for any fault by default; with ``skip_invalid``,
        kept field by field when it names a document."""
        if self.skip_invalid:
            if (doc_id := self.document(where, number, obj.get("doc_id", _MISSING))) is not None:
                reading = salvage(obj, doc_id)
                self.result.predictions.add(reading.prediction)
                if reading.unusable:
                    self.result.unusable[doc_id] = reading.unusable
            return
        try:
            prediction = Prediction.model_validate(obj)
        except ValidationError as exc:
            self.problems.extend(_validation_lines(where, exc))
            return
        if self.document(where, number, prediction.doc_id) is not None:
            self.result.predictions.add(prediction)

    def finish(self) -> PredictionSet:
        if self.result.skipped and not self.result.predictions and not self.result.failed:
            # Nothing left to score: a run of empty predictions would only hide the mistake.
            self.problems = [*self.result.skipped[:1], f"{self.name}: every line was skipped; nothing to score"]
        if self.problems:
            problems = self.problems
            if len(problems) > MAX_REPORTED:
                problems = problems[:MAX_REPORTED] + [
                    f"{self.name}: ... and {len(problems) - MAX_REPORTED} more problem(s)"
                ]
            raise PredictionsError(*problems)
        if self.known_ids is not None:
            self.result.missing = sorted(set(self.known_ids) - set(self.result.predictions) - set(self.result.failed))
        return self.result


def parse_predictions(
    data: bytes, name: str, known_ids: Collection[str] | None = None, skip_invalid: bool = False
) -> PredictionSet:
    """Parse the bytes of a predictions file called ``name``; raise :class:`PredictionsError`.

    ``known_ids`` are the gold documents: a prediction for another id is an error, and a
    gold document without a prediction is listed in ``missing`` (and scored as empty).
    ``skip_invalid``: instead of refusing the file, skip a line that cannot be read (listed
    in ``skipped``) and keep a record's usable fields (the others in ``unusable``).
    """
    lines = _Lines(name, known_ids, skip_invalid)
    for where, number, obj in _objects(data, name):
        if isinstance(obj, str):
            lines.problem(obj)
        else:
            lines.keep(where, number, obj)
    return lines.finish()


def parse_completions(
    data: bytes, name: str, known_ids: Collection[str] | None = None, skip_invalid: bool = False
) -> PredictionSet:
    """Parse a completions file: JSON Lines of ``{"doc_id": ..., "completion": ...}``, each
    completion read as a model's reply (:func:`read_completion`) — the same reading as the
    inspect_ai and lm-eval tasks. A completion with no JSON object in it is in ``failed``
    (scored as an empty prediction); problems of the file itself are as for predictions."""
    lines = _Lines(name, known_ids, skip_invalid)
    for where, number, obj in _objects(data, name):
        if isinstance(obj, str):
            lines.problem(obj)
            continue
        extra = sorted(set(obj) - {"doc_id", "completion"})
        if extra or not isinstance(obj.get("completion"), str):
            what = f"unknown key {extra[0]!r}" if extra else "completion: give the model's reply as a string"
            lines.problem(f'{where}: {what} (a line is {{"doc_id": ..., "completion": ...}})')
            continue
        if (doc_id := lines.document(where, number, obj.get("doc_id", _MISSING))) is None:
            continue
        try:
            reading = read_completion(doc_id, obj["completion"])
        except HarnessError as exc:
            # only the reply's start is ever kept (records.MAX_REPLY_KEPT), scrubbed first
            held = obj["completion"][:FAILED_REPLY_HELD]
            lines.result.failed[doc_id] = (exc.problems[0].removeprefix(f"{doc_id}: "), held)
            continue
        lines.result.predictions.add(reading.prediction)
        if reading.unusable:
            lines.result.unusable[doc_id] = reading.unusable
    return lines.finish()


def read_predictions(
    path: Path, known_ids: Collection[str] | None = None, skip_invalid: bool = False, completions: bool = False
) -> PredictionSet:
    """Read and check a predictions file (:func:`parse_predictions`), or with ``completions``
    a completions file (:func:`parse_completions`)."""
    try:
        data = read_bytes(path, MAX_FILE_BYTES, "completions file" if completions else "predictions file")
    except HarnessError as exc:
        raise PredictionsError(*exc.problems) from None
    parse = parse_completions if completions else parse_predictions
    return parse(data, str(path), known_ids, skip_invalid)
