"""The data models at the edges of the harness.

Three kinds of record cross a file boundary, and each has a pydantic model here:

* the **annotation** a person writes in ``annotations/<doc_id>.yaml``
  (:class:`Annotation`), where evidence is given as quotes;
* the **gold record**, one row of the built dataset (:class:`GoldRecord`), where every
  quote has been resolved to ``{quote, start, end}`` character offsets into ``text``;
* the **prediction** an extractor returns for one document (:class:`Prediction`).

Field names and meanings are in ``docs/FORMAT.md``; everything is strict (unknown keys are
errors, not silently dropped).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Where the year of a meeting date comes from (see annotations/GUIDELINES.md).
DateBasis = Literal["explicit", "header", "context"]

DIRECTIVE_MAX_WORDS = 30
SUMMARY_MIN_WORDS = 40
SUMMARY_MAX_WORDS = 80
UNIT_MAX_WORDS = 15
UNITS_MIN, UNITS_MAX = 6, 12
#: A predicted summary is cut to its first this many words before it is scored.
SUMMARY_WORD_LIMIT = 100


def count_words(text: str) -> int:
    """Words as the guidelines count them: runs of non-whitespace characters."""
    return len(text.split())


#: A word, for the summary's word limit: letters and digits, joined only by a hyphen, an
#: apostrophe or a point ("state-owned", "Xi's", "COVID-19", "U.S"). Any other character
#: separates words, so joining a whole document with "_" or a zero-width space buys nothing.
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


def truncate_words(text: str, limit: int) -> str:
    """``text`` up to the end of its ``limit``-th word (see :data:`_WORD`), its whitespace
    folded to single spaces."""
    end = len(text)
    for count, match in enumerate(_WORD.finditer(text), start=1):
        if count == limit:
            end = match.end()
            break
    return " ".join(text[:end].split())


def parse_iso_date(value: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly; raise ``ValueError`` with a readable message."""
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        raise ValueError(f"invalid date {value!r} (expected YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date {value!r} (no such day)") from None


def _iso_date(value: str) -> str:
    parse_iso_date(value)
    return value


IsoDate = Annotated[str, AfterValidator(_iso_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --------------------------------------------------------------------------- annotations


class QuoteRef(_Strict):
    """A quote that occurs more than once in the text, with the 1-based occurrence meant."""

    quote: Annotated[str, Field(min_length=1)]
    occurrence: Annotated[int, Field(ge=1)]


#: An evidence entry in an annotation file: a plain quote, or a quote with its occurrence.
EvidenceRef = Annotated[str, Field(min_length=1)] | QuoteRef


class MeetingDateAnnotation(_Strict):
    value: str
    basis: DateBasis
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    note: str | None = None


class PresiderAnnotation(_Strict):
    name: Annotated[str, Field(min_length=1)]
    title: str | None
    aliases: list[str] = []
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    note: str | None = None


class DirectiveAnnotation(_Strict):
    text: Annotated[str, Field(min_length=1)]
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    note: str | None = None


class SummaryUnitAnnotation(_Strict):
    text: Annotated[str, Field(min_length=1)]
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    note: str | None = None


class Annotation(_Strict):
    """One hand-written annotation file; quotes are resolved later by the corpus build.

    ``draft: true`` marks a file written by ``harness draft`` that nobody has reviewed yet:
    it never validates.
    """

    draft: bool = False
    doc_id: str
    title: str | None
    publication_date: str | None
    meeting_date: MeetingDateAnnotation
    presider: PresiderAnnotation | None
    directives: list[DirectiveAnnotation]
    summary: str
    extra_summaries: list[str] = []
    summary_units: list[SummaryUnitAnnotation] = []


# --------------------------------------------------------------------------- gold records


class Span(_Strict):
    """An evidence quote and where it stands: ``text[start:end] == quote``."""

    quote: str
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]


class Presider(_Strict):
    name: str
    title: str | None
    aliases: list[str]
    evidence: list[Span]
    note: str | None


class Directive(_Strict):
    text: str
    evidence: list[Span]
    note: str | None


class SummaryUnit(_Strict):
    """A short fact a good summary of the document carries, with its evidence."""

    text: str
    evidence: list[Span]
    note: str | None


#: Where a document comes from: a real readout (``seeds/``) or one written for the benchmark
#: and never published (``constructed/``).
Origin = Literal["seed", "constructed"]


class GoldRecord(_Strict):
    """One row of the dataset: a source document and its resolved gold annotation."""

    doc_id: str
    origin: Origin = "seed"
    text: str
    title: str | None
    publication_date: IsoDate | None
    meeting_date: IsoDate
    meeting_date_basis: DateBasis
    meeting_date_evidence: list[Span]
    meeting_date_note: str | None
    presider: Presider | None
    directives: list[Directive]
    summary: str
    extra_summaries: list[str]
    summary_units: list[SummaryUnit]

    @property
    def reference_summaries(self) -> list[str]:
        """Every reference summary of the document, the main one first."""
        return [self.summary, *self.extra_summaries]

    def evidence_spans(self) -> Iterator[tuple[str, Span]]:
        """Every evidence span of the record with the field it backs (``meeting_date``,
        ``presider``, ``directives[2]``, ``summary_units[0]``): the one list of evidence, so
        that a new field with evidence is added here and every check and view sees it."""
        yield from (("meeting_date", s) for s in self.meeting_date_evidence)
        if self.presider:
            yield from (("presider", s) for s in self.presider.evidence)
        for i, d in enumerate(self.directives):
            yield from ((f"directives[{i}]", s) for s in d.evidence)
        for i, u in enumerate(self.summary_units):
            yield from ((f"summary_units[{i}]", s) for s in u.evidence)

    @model_validator(mode="after")
    def _spans_are_their_quotes(self) -> GoldRecord:
        for where, span in self.evidence_spans():
            if self.text[span.start : span.end] != span.quote:
                raise ValueError(f"{where}: evidence {span.start}-{span.end} is not its quote {span.quote[:40]!r}")
        return self


@dataclass(frozen=True)
class Reference:
    """What scoring needs of a gold record: the answers, the document's text (predicted
    quotes are looked up in it), each directive's evidence quotes and their spans."""

    doc_id: str
    meeting_date: str
    presider: str | None
    aliases: tuple[str, ...]
    directives: tuple[str, ...]
    summaries: tuple[str, ...]
    units: tuple[str, ...] = ()
    text: str = ""
    evidence: tuple[tuple[tuple[str, int, int], ...], ...] = ()  # per directive: (quote, start, end)
    origin: str = "seed"

    @classmethod
    def from_gold(cls, record: GoldRecord) -> Reference:
        presider = record.presider
        return cls(
            doc_id=record.doc_id,
            meeting_date=record.meeting_date,
            presider=presider.name if presider else None,
            aliases=tuple(presider.aliases) if presider else (),
            directives=tuple(d.text for d in record.directives),
            summaries=tuple(record.reference_summaries),
            units=tuple(u.text for u in record.summary_units),
            text=record.text,
            evidence=tuple(tuple((s.quote, s.start, s.end) for s in d.evidence) for d in record.directives),
            origin=record.origin,
        )


#: A document of the contrast split is named after its seed: ``<seed id>~<rule>``.
SEPARATOR = "~"


def base_id(doc_id: str) -> str:
    """The seed a document of the contrast split comes from (``000_x~rename`` -> ``000_x``)."""
    return doc_id.split(SEPARATOR, 1)[0]


# --------------------------------------------------------------------------- predictions

# Far beyond any sensible answer (a gold summary has at most 80 words, a document at most a
# few dozen directives); they keep a runaway generation from stalling the scorer.
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200
MAX_DIRECTIVES = 500
MAX_DIRECTIVE_CHARS = 2_000
MAX_SUMMARY_CHARS = 20_000
MAX_QUOTES = 20


class DirectiveItem(_Strict):
    """A predicted directive with its evidence: exact quotes from the document."""

    text: Annotated[str, Field(max_length=MAX_DIRECTIVE_CHARS)]
    evidence: Annotated[list[Annotated[str, Field(max_length=MAX_DIRECTIVE_CHARS)]], Field(max_length=MAX_QUOTES)] = []


class Prediction(_Strict):
    """What an extractor returns for one document (the contract's prediction record).

    ``meeting_date`` and ``presider`` may be null and ``directives`` empty; a key that is
    left out takes that empty value. Unknown keys are rejected.
    """

    doc_id: Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
    meeting_date: IsoDate | None = None
    presider: Annotated[str, Field(max_length=MAX_NAME_CHARS)] | None = None
    directives: Annotated[
        list[Annotated[str, Field(max_length=MAX_DIRECTIVE_CHARS)] | DirectiveItem], Field(max_length=MAX_DIRECTIVES)
    ] = []
    summary: Annotated[str, Field(max_length=MAX_SUMMARY_CHARS)] = ""

    @property
    def directive_texts(self) -> list[str]:
        """Every predicted directive's text, with or without evidence."""
        return [d if isinstance(d, str) else d.text for d in self.directives]

    @property
    def directive_quotes(self) -> list[tuple[str, ...]]:
        """Every predicted directive's evidence quotes (none for a plain string)."""
        return [() if isinstance(d, str) else tuple(d.evidence) for d in self.directives]

    @classmethod
    def empty(cls, doc_id: str) -> Prediction:
        """The prediction that says nothing: what a failed document is scored as."""
        return cls(doc_id=doc_id)
