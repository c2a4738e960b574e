"""How far two annotations of the same documents agree, field by field.

:func:`agree` compares annotation folder A (the reference, usually the gold) with folder B
(usually the second annotator), document by document:

* **meeting date** and **presider**: exact agreement (the presider by the same name
  normalisation as ``presider_accuracy``, B's name against A's name and aliases). No
  chance-corrected κ is given for these: the values are open (any day, any name), so the
  agreement expected by chance is nil and κ would equal the raw agreement;
* **directives**: B's directives scored against A's with the project's matcher (precision,
  recall, F1 of B against A; A against B swaps precision and recall), and the count of
  each, which shows a difference of granularity (one splitting what the other merges);
* **summaries**: ROUGE-1/2/L F1 of B's summary against A's reference summaries, and
  ``summary_unit_recall`` of B's summary against A's units (and of A's summary against B's
  units, when B has units).

Both folders are validated first (``require_units=False``: a second annotation may have
none); a document missing from either is a problem, not a silent skip.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .annotations import validate_corpus
from .errors import HarnessError
from .matching import GoldDirective, Matcher, PredictedDirective, unit_recall
from .metrics import DEFAULT_THRESHOLD, match_directives, presider_accuracy, summary_rouge
from .schema import GoldRecord


@dataclass(frozen=True)
class DocumentAgreement:
    doc_id: str
    date_agrees: bool
    presider_agrees: bool
    directives_a: int
    directives_b: int
    directive_precision: float  # of B against A
    directive_recall: float
    directive_f1: float
    summary_rouge1: float
    summary_rouge2: float
    summary_rougeL: float
    unit_recall_b: float | None  # B's summary against A's units
    unit_recall_a: float | None  # A's summary against B's units


@dataclass(frozen=True)
class Agreement:
    documents: list[DocumentAgreement]

    def total(self) -> dict[str, float | int | None]:
        """Means over documents (agreement rates for date and presider, sums for counts)."""
        docs = self.documents
        n = len(docs)

        def mean(name: str) -> float | None:
            values = [getattr(d, name) for d in docs if getattr(d, name) is not None]
            return sum(values) / len(values) if values else None

        return {
            "documents": n,
            "date_agreement": sum(d.date_agrees for d in docs) / n,
            "presider_agreement": sum(d.presider_agrees for d in docs) / n,
            "directives_a": sum(d.directives_a for d in docs),
            "directives_b": sum(d.directives_b for d in docs),
            **{
                k: mean(k)
                for k in ("directive_precision", "directive_recall", "directive_f1", "summary_rouge1",
                          "summary_rouge2", "summary_rougeL", "unit_recall_b", "unit_recall_a")
            },
        }  # fmt: skip

    def as_json(self) -> dict:
        return {"documents": [asdict(d) for d in self.documents], "total": self.total()}


def compare(a: GoldRecord, b: GoldRecord, threshold: float = DEFAULT_THRESHOLD) -> DocumentAgreement:
    """The agreement of annotation ``b`` with annotation ``a`` of one document."""
    # Each annotator's directives with their evidence: B's quotes locate its directives on A's.
    match = match_directives(
        [PredictedDirective(d.text, tuple(s.quote for s in d.evidence), tuple((s.start, s.end) for s in d.evidence))
         for d in b.directives],
        [GoldDirective(d.text, tuple(s.quote for s in d.evidence), tuple((s.start, s.end) for s in d.evidence))
         for d in a.directives],
        Matcher(threshold),
    )  # fmt: skip
    a_presider = a.presider.name if a.presider else None
    b_presider = b.presider.name if b.presider else None
    aliases = a.presider.aliases if a.presider else []
    rouge = summary_rouge(b.summary, a.reference_summaries)
    return DocumentAgreement(
        doc_id=a.doc_id,
        date_agrees=a.meeting_date == b.meeting_date,
        presider_agrees=presider_accuracy(b_presider, a_presider, aliases) == 1.0,
        directives_a=len(a.directives),
        directives_b=len(b.directives),
        directive_precision=match.precision,
        directive_recall=match.recall,
        directive_f1=match.f1,
        summary_rouge1=rouge["summary_rouge1"],
        summary_rouge2=rouge["summary_rouge2"],
        summary_rougeL=rouge["summary_rougeL"],
        unit_recall_b=unit_recall(b.summary, [u.text for u in a.summary_units]) if a.summary_units else None,
        unit_recall_a=unit_recall(a.summary, [u.text for u in b.summary_units]) if b.summary_units else None,
    )


def agree(dir_a: Path, dir_b: Path, seeds: Path, partial: bool = False) -> Agreement:
    """Compare two annotation folders of the same documents; :class:`HarnessError` if either
    does not validate or they do not cover the same documents. With ``partial``, B may
    annotate a subset (a second annotation of some of the documents): the documents B
    annotates are compared, and each must be valid in both."""
    records = {}
    for folder in (dir_a, dir_b):
        found, problems = validate_corpus(seeds, folder, require_units=False)
        if partial and folder == dir_b:
            # a document B does not annotate is not a problem of B's
            problems = [p for p in problems if "no annotation for this document" not in p.message]
        if problems:
            raise HarnessError.of(problems)
        records[folder] = {r.doc_id: r for r in found}
    a, b = records[dir_a], records[dir_b]
    if (set(b) - set(a)) if partial else set(a) != set(b):
        only = sorted(set(a) ^ set(b))
        raise HarnessError(f"{dir_a} and {dir_b} do not annotate the same documents (e.g. {only[0]})")
    if not b:
        raise HarnessError(f"{dir_b}: no annotation to compare")
    return Agreement([compare(a[doc_id], b[doc_id]) for doc_id in sorted(b)])
