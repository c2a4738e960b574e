"""Read a predictions file (JSON Lines, one prediction record per line) and check it.

Every problem is one line, ``FILE:LINE: field: what is wrong``, and all of them are
reported together. A file with problems is not scored.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .annotations import format_path
from .errors import HarnessError, one_line
from .files import MiB, read_bytes
from .schema import Prediction

MAX_REPORTED = 50
MAX_FILE_BYTES = 1024 * MiB
#: Far past the largest valid record (500 directives of 2,000 characters and a summary),
#: yet small enough that one line cannot exhaust memory while it is parsed.
MAX_LINE_BYTES = 16 * MiB


class PredictionsError(HarnessError):
    """The predictions file cannot be scored; ``problems`` holds one line per problem."""


@dataclass
class PredictionSet:
    predictions: dict[str, Prediction]
    missing: list[str] = field(default_factory=list)  # gold documents without a prediction


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


def parse_predictions(data: bytes, name: str, known_ids: Collection[str] | None = None) -> PredictionSet:
    """Parse the bytes of a predictions file called ``name``; raise :class:`PredictionsError`.

    ``known_ids`` are the gold documents: a prediction for another id is an error, and a
    gold document without a prediction is listed in ``missing`` (and scored as empty).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise PredictionsError(f"{name}:1: the file starts with a byte-order mark; save it as UTF-8 without BOM")
    problems: list[str] = []
    predictions: dict[str, Prediction] = {}
    first_line: dict[str, int] = {}
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not any(line.strip() for line in lines):
        raise PredictionsError(f"{name}: no predictions (the file is empty or blank)")
    _reject_single_document(data, name)
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            problems.append(f"{where}: {len(raw):,} bytes, more than a prediction may have ({MAX_LINE_BYTES:,})")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
            continue
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as exc:
            problems.append(f"{where}: {exc}")
            continue
        except json.JSONDecodeError as exc:
            truncated = number == len(lines) and not data.endswith(b"\n")
            hint = "; the file looks truncated" if truncated else ""
            problems.append(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}){hint}")
            continue
        except RecursionError:
            problems.append(f"{where}: not a prediction (JSON nested too deeply)")
            continue
        except ValueError as exc:  # Python refuses integers of more than 4,300 digits
            reason = "a number of more than 4,300 digits" if "digits" in str(exc) else one_line(exc, 100)
            problems.append(f"{where}: not valid JSON ({reason})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{where}: expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            prediction = Prediction.model_validate(obj)
        except ValidationError as exc:
            problems.extend(_validation_lines(where, exc))
            continue
        doc_id = prediction.doc_id
        if doc_id in first_line:
            problems.append(f"{where}: doc_id: {doc_id!r} already predicted on line {first_line[doc_id]}")
            continue
        if known_ids is not None and doc_id not in known_ids:
            problems.append(f"{where}: doc_id: {doc_id!r} is not a document of the dataset")
            continue
        first_line[doc_id] = number
        predictions[doc_id] = prediction
    if problems:
        if len(problems) > MAX_REPORTED:
            problems = problems[:MAX_REPORTED] + [f"{name}: ... and {len(problems) - MAX_REPORTED} more problem(s)"]
        raise PredictionsError(*problems)
    missing = sorted(set(known_ids) - set(predictions)) if known_ids is not None else []
    return PredictionSet(predictions, missing)


def read_predictions(path: Path, known_ids: Collection[str] | None = None) -> PredictionSet:
    """Read and check a predictions file; see :func:`parse_predictions`."""
    try:
        data = read_bytes(path, MAX_FILE_BYTES, "predictions file")
    except HarnessError as exc:
        raise PredictionsError(*exc.problems) from None
    return parse_predictions(data, str(path), known_ids)
