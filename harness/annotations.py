"""Read the hand-written annotations, check them against the seeds, and resolve evidence.

``validate_corpus`` reads every ``seeds/*.txt`` and ``annotations/*.yaml``, reports *every*
problem it finds (not just the first), and returns a :class:`~harness.schema.GoldRecord` for
each document that passed. Each problem is one line naming the file, the line in it where
known, and the field at fault. ``validate_dataset`` does the same for the seeds and the
constructed split together, as ``harness validate`` and ``harness build`` see them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import HarnessError, one_line
from .files import MiB, read_text
from .matching import carries_unit
from .schema import (
    DIRECTIVE_MAX_WORDS,
    SUMMARY_MAX_WORDS,
    SUMMARY_MIN_WORDS,
    UNIT_MAX_WORDS,
    UNITS_MAX,
    UNITS_MIN,
    Annotation,
    Directive,
    EvidenceRef,
    GoldRecord,
    Presider,
    QuoteRef,
    Span,
    SummaryUnit,
    count_words,
    parse_iso_date,
)

#: The publication header some seeds start with: `` date 2022-12-17 On December 17, ...``.
HEADER_PATTERN = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b")

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, printable as a single line."""

    file: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if not self.file:  # a line that already names its file (from a HarnessError)
            return self.message
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def publication_header(text: str) -> str | None:
    """The ISO date of the document's ``date YYYY-MM-DD`` header, or None without one."""
    match = HEADER_PATTERN.match(text)
    return match.group(1) if match else None


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_path(path: Sequence[str | int]) -> str:
    """``("directives", 3, "evidence", 0)`` -> ``directives[3].evidence[0]``.

    A key that is not a plain name is shown quoted (``['a\\nb']``), so a message stays on
    one line whatever the input holds.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


# ------------------------------------------------------------------------------ YAML


#: Far deeper than any annotation; deeper input is refused before it can exhaust the stack.
MAX_YAML_DEPTH = 32
MAX_ANNOTATION_BYTES = 4 * MiB
MAX_SEED_BYTES = 16 * MiB


class YamlProblem(Exception):
    """A YAML feature annotations do not allow, at a line."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message, self.line = message, (mark.line + 1 if mark else None)


class _Loader(yaml.SafeLoader):
    """A safe loader for annotations: plain data only.

    ``2022-12-17`` stays a string (no timestamps). Anchors and aliases are refused — an
    annotation has no use for them, and nested aliases make a few hundred bytes expand
    without bound (the "billion laughs"); so are nesting deeper than
    :data:`MAX_YAML_DEPTH`, keys that are not plain scalars, and repeated keys, which YAML
    would otherwise resolve silently by keeping the last.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem(
                f"alias *{event.anchor} is not allowed in annotations; write the value out", event.start_mark
            )
        if getattr(event, "anchor", None):
            raise YamlProblem(f"anchor &{event.anchor} is not allowed in annotations", event.start_mark)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise YamlProblem(f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise YamlProblem("a key must be a plain name, not a list or mapping", key.start_mark)
                if key.value in seen:
                    raise YamlProblem(
                        f"key {key.value!r} appears twice (first on line {seen[key.value]})", key.start_mark
                    )
                seen[key.value] = key.start_mark.line + 1
        return node


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    # Python refuses to read an integer of more than 4,300 digits (a ValueError deep inside
    # the YAML reader); no annotation has one, so it is said as a problem of its line.
    if sum(ch.isdigit() for ch in node.value) > 100:
        raise YamlProblem(f"a number of {len(node.value):,} characters; no field takes one", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _node_lines(node: yaml.Node, path: FieldPath = ()) -> Iterator[tuple[FieldPath, int]]:
    """The line of every field below ``node``: a key's own line, a list item's first line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield path + (key.value,), key.start_mark.line + 1
            yield from _node_lines(value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield path + (i,), item.start_mark.line + 1
            yield from _node_lines(item, path + (i,))


def load_yaml(text: str) -> tuple[Any, dict[FieldPath, int]]:
    """Parse YAML safely; return the data and the line number of every field path.

    Raises ``yaml.YAMLError`` for bad syntax and :class:`YamlProblem` for what
    annotations do not allow (see :class:`_Loader`).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines = {(): node.start_mark.line + 1, **dict(_node_lines(node))}
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _line_for(lines: dict[FieldPath, int], path: FieldPath) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


# ------------------------------------------------------------------------ validation


class _Checker:
    """Collects the problems of one annotation file against its seed text."""

    def __init__(self, file: str, text: str, lines: dict[FieldPath, int]) -> None:
        self.file, self.text, self.lines = file, text, lines
        self.problems: list[Problem] = []

    def report(self, path: FieldPath, message: str) -> None:
        line = _line_for(self.lines, path)
        self.problems.append(Problem(self.file, format_path(path), message, line))

    def sorted_problems(self) -> list[Problem]:
        """Problems in the order of the file's lines, so a reader can work down the file."""
        return sorted(self.problems, key=lambda p: p.line or 0)

    def resolve(self, ref: EvidenceRef, path: FieldPath) -> Span | None:
        """Find a quote in the text; report it if absent or ambiguous."""
        quote, occurrence = (ref.quote, ref.occurrence) if isinstance(ref, QuoteRef) else (ref, None)
        starts = _find_all(self.text, quote)
        shown = quote if len(quote) <= 60 else quote[:57] + "..."
        if not starts:
            self.report(path, f"quote not found in the text: {shown!r}")
            return None
        if occurrence is None and len(starts) > 1:
            self.report(
                path,
                f"quote occurs {len(starts)} times in the text; write it as {{quote: ..., occurrence: N}} to say which",
            )
            return None
        if occurrence is not None and occurrence > len(starts):
            self.report(path, f"occurrence {occurrence} asked for, but the quote occurs {len(starts)} time(s)")
            return None
        start = starts[(occurrence or 1) - 1]
        return Span(quote=quote, start=start, end=start + len(quote))

    def resolve_all(self, refs: list[EvidenceRef], path: FieldPath) -> list[Span]:
        spans = [self.resolve(ref, path + (i,)) for i, ref in enumerate(refs)]
        return [span for span in spans if span is not None]

    def check_date(self, value: str | None, path: FieldPath) -> bool:
        if value is None:
            return True
        try:
            parse_iso_date(value)
        except ValueError as exc:
            self.report(path, str(exc))
            return False
        return True


def _find_all(text: str, quote: str) -> list[int]:
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


_UNION_TAGS = ("str", "constrained-str", "QuoteRef")
# When a union alternative fails only because the input is of the other alternative's type,
# that failure is noise: report the alternative the input was meant to be.
_WRONG_BRANCH = {"string_type", "model_type", "model_attributes_type", "dict_type"}


def _pydantic_problems(exc: ValidationError, checker: _Checker) -> None:
    for error in exc.errors():
        loc = error["loc"]
        if any(tag in loc for tag in _UNION_TAGS) and error["type"] in _WRONG_BRANCH:
            continue
        path = tuple(p for p in loc if p not in _UNION_TAGS)
        if error["type"] == "extra_forbidden":
            checker.report(path, "unknown key")
        elif error["type"] == "missing":
            checker.report(path, "missing required field")
        else:
            checker.report(path, error["msg"].lower().rstrip("."))
    seen: set[Problem] = set()
    checker.problems = [p for p in checker.problems if not (p in seen or seen.add(p))]


def _check_items(
    checker: _Checker, field: str, items: Sequence[Any], noun: str, max_words: int, repeat_hint: str = ""
) -> list[tuple[int, Any, list[Span]]]:
    """Check each entry of a listed field (directives, summary units) — at most ``max_words``
    words, no text repeated — and resolve its evidence: ``(index, entry, spans)`` per entry."""
    checked: list[tuple[int, Any, list[Span]]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        path = (field, i)
        words = count_words(item.text)
        if words > max_words:
            checker.report(path + ("text",), f"{words} words; a {noun} has at most {max_words}")
        key = " ".join(item.text.lower().split())
        if key in seen:
            checker.report(path + ("text",), f"repeats {field}[{seen[key]}]{repeat_hint}")
        seen.setdefault(key, i)
        checked.append((i, item, checker.resolve_all(item.evidence, path + ("evidence",))))
    return checked


def check_annotation(
    file: str, source: str, text: str, doc_id: str, require_units: bool = True, origin: str = "seed"
) -> tuple[GoldRecord | None, list[Problem]]:
    """Validate one annotation file's YAML ``source`` against the seed ``text``.

    Returns the resolved gold record (None if anything is wrong) and every problem found.
    ``require_units=False`` accepts an annotation without summary units (a second
    annotator's, which measures agreement, not the gold).
    """
    try:
        data, lines = load_yaml(source)
    except YamlProblem as exc:
        return None, [Problem(file, "", exc.message, exc.line)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = one_line(getattr(exc, "problem", None) or str(exc).splitlines()[0], 160)
        line = mark.line + 1 if mark else None
        return None, [Problem(file, "", f"invalid YAML: {reason}", line)]
    checker = _Checker(file, text, lines)
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        checker.report((), f"expected a mapping of fields at the top level, got {kind}")
        return None, checker.problems
    try:
        ann = Annotation.model_validate(data)
    except ValidationError as exc:
        _pydantic_problems(exc, checker)
        return None, checker.sorted_problems()

    if ann.draft:
        checker.report(
            ("draft",), "this annotation is a draft: review every value against GUIDELINES.md, then delete this line"
        )
    if ann.doc_id != doc_id:
        checker.report(("doc_id",), f"{ann.doc_id!r} does not match the file name {doc_id!r}")
    if ann.title is not None and ann.title not in text:
        checker.report(("title",), "title not found in the text")

    header = publication_header(text)
    if checker.check_date(ann.publication_date, ("publication_date",)) and ann.publication_date != header:
        expected = f"the header's {header}" if header else "null: the text has no date header"
        checker.report(("publication_date",), f"is {ann.publication_date}, expected {expected}")

    md = ann.meeting_date
    if checker.check_date(md.value, ("meeting_date", "value")):
        if header and md.value > header:
            checker.report(
                ("meeting_date", "value"),
                f"meeting date {md.value} is after the publication date {header}",
            )
        if md.basis == "header" and header is None:
            checker.report(("meeting_date", "basis"), "is 'header' but the text has no date header")
        if md.basis == "context" and not md.note:
            checker.report(("meeting_date", "note"), "basis 'context' needs a note saying how the year was inferred")
    date_spans = checker.resolve_all(md.evidence, ("meeting_date", "evidence"))
    if md.basis == "explicit" and not any(md.value[:4] in s.quote for s in date_spans):
        checker.report(("meeting_date", "evidence"), f"basis 'explicit' but no quote contains the year {md.value[:4]}")

    presider = None
    if ann.presider is not None:
        p = ann.presider
        presider = Presider(
            name=p.name,
            title=p.title,
            aliases=p.aliases,
            evidence=checker.resolve_all(p.evidence, ("presider", "evidence")),
            note=p.note,
        )

    directives = [
        Directive(text=d.text, evidence=spans, note=d.note)
        for _, d, spans in _check_items(
            checker, "directives", ann.directives, "directive", DIRECTIVE_MAX_WORDS, "; merge them"
        )
    ]

    for path, summary in [(("summary",), ann.summary)] + [
        (("extra_summaries", i), s) for i, s in enumerate(ann.extra_summaries)
    ]:
        words = count_words(summary)
        if not SUMMARY_MIN_WORDS <= words <= SUMMARY_MAX_WORDS:
            checker.report(path, f"{words} words; a summary has {SUMMARY_MIN_WORDS} to {SUMMARY_MAX_WORDS}")

    units = []
    summary_ok = SUMMARY_MIN_WORDS <= count_words(ann.summary) <= SUMMARY_MAX_WORDS
    if require_units and not UNITS_MIN <= len(ann.summary_units) <= UNITS_MAX:
        checker.report(("summary_units",), f"{len(ann.summary_units)} units; a document has {UNITS_MIN} to {UNITS_MAX}")
    for i, u, spans in _check_items(checker, "summary_units", ann.summary_units, "summary unit", UNIT_MAX_WORDS):
        path = ("summary_units", i)
        units.append(SummaryUnit(text=u.text, evidence=spans, note=u.note))
        # The gold summary is a good summary: it must carry every unit, so that the gold
        # scored as a prediction earns summary_unit_recall 1.
        judgement = carries_unit(ann.summary, u.text)
        if summary_ok and not judgement.hit:
            checker.report(path + ("text",), f"the summary does not carry this unit ({judgement.reason})")

    if checker.problems:
        return None, checker.sorted_problems()
    record = GoldRecord(
        doc_id=doc_id,
        origin=origin,
        text=text,
        title=ann.title,
        publication_date=ann.publication_date,
        meeting_date=md.value,
        meeting_date_basis=md.basis,
        meeting_date_evidence=date_spans,
        meeting_date_note=md.note,
        presider=presider,
        directives=directives,
        summary=ann.summary,
        extra_summaries=ann.extra_summaries,
        summary_units=units,
    )
    return record, []


def read_seed(path: Path) -> str:
    """A seed's text exactly as stored: no newline translation, no stripping."""
    return read_text(path, MAX_SEED_BYTES, "seed document")


def validate_corpus(
    seeds_dir: Path, annotations_dir: Path, require_units: bool = True, origin: str = "seed"
) -> tuple[list[GoldRecord], list[Problem]]:
    """Check every annotation against its seed; return the gold records and all problems.

    Records come back sorted by ``doc_id``. A seed without an annotation, and an annotation
    without a seed, are problems too.
    """
    seeds = {p.stem: p for p in sorted(seeds_dir.glob("*.txt"))}
    annotations = {p.stem: p for p in sorted(annotations_dir.glob("*.yaml"))}
    records: list[GoldRecord] = []
    problems: list[Problem] = []
    if not seeds:
        problems.append(Problem(str(seeds_dir), "", "no seed documents (*.txt) found"))
    for doc_id in sorted(seeds.keys() | annotations.keys()):
        seed, ann = seeds.get(doc_id), annotations.get(doc_id)
        if ann is None:
            expected = annotations_dir / f"{doc_id}.yaml"
            problems.append(Problem(str(seed), "", f"no annotation for this document (expected {expected})"))
            continue
        if seed is None:
            problems.append(Problem(str(ann), "", f"no seed document {seeds_dir / (doc_id + '.txt')}"))
            continue
        try:
            text = read_seed(seed)
            source = read_text(ann, MAX_ANNOTATION_BYTES, "annotation file")
        except HarnessError as exc:
            problems.append(Problem("", "", str(exc)))
            continue
        record, found = check_annotation(str(ann), source, text, doc_id, require_units, origin)
        problems.extend(found)
        if record is not None:
            records.append(record)
    return records, problems


#: Where the constructed readouts and their annotations live: ``constructed/`` beside the
#: seeds folder and ``constructed/`` inside the annotations folder.
CONSTRUCTED_DIR = CONSTRUCTED_ANNOTATIONS = "constructed"


def annotation_folder(readout: Path, annotations_dir: Path = Path("annotations")) -> Path:
    """Where the annotation of ``readout`` belongs: a constructed readout's in
    ``annotations/constructed/``, a seed's in ``annotations/``."""
    constructed = readout.parent.name == CONSTRUCTED_DIR
    return annotations_dir / CONSTRUCTED_ANNOTATIONS if constructed else annotations_dir


def validate_dataset(
    seeds_dir: Path, annotations_dir: Path, require_units: bool = True
) -> tuple[list[GoldRecord], list[GoldRecord], list[Problem]]:
    """:func:`validate_corpus` on the seeds and, when ``constructed/`` stands beside the seeds
    folder and ``annotations_dir/constructed/`` exists, on the constructed split too.

    Returns the seeds' records, the constructed records (``origin: constructed``) and every
    problem of both.
    """
    records, problems = validate_corpus(seeds_dir, annotations_dir, require_units)
    constructed_dir = seeds_dir.parent / CONSTRUCTED_DIR
    constructed_annotations = annotations_dir / CONSTRUCTED_ANNOTATIONS
    # The split joins once its annotations folder exists; from then on a readout without an
    # annotation is a problem like any other.
    if not (constructed_dir.is_dir() and constructed_annotations.is_dir()):
        return records, [], problems
    constructed, more = validate_corpus(constructed_dir, constructed_annotations, require_units, "constructed")
    return records, constructed, problems + more
