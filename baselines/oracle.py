"""oracle: the extractive upper bound. It READS THE GOLD ANSWERS; it is not a system.

For each document it picks, from the document's own sentences and semicolon clauses, what
scores best against the gold, to show how far copying text out of the source can go:

* **Directives**: for each gold directive, the source span the benchmark's directive
  matcher likes best — a hit first, then the highest similarity — where a span is a run of
  consecutive comma-separated pieces of one sentence of at most 30 words (each span used
  once).
* **Summary**: sentences added greedily, each time the one that most raises the share of
  the gold's summary units carried (then ROUGE-L F1 against the best reference), while it
  rises and the summary stays within 80 words.
* **Date and presider**: copied from the gold, since they are not extracted spans; the
  oracle's date and presider scores are 1 by construction.

It reads the gold of the dataset and split the run scores (the harness hands it the run's
context), so it works on any dataset the harness can load.
"""

from __future__ import annotations

from baselines._text import body, clauses, grounded, paragraphs, sentences, shorten
from harness.extractors import Document, RunContext
from harness.matching import same_directive, unit_recall
from harness.metrics import summary_rouge
from harness.schema import DIRECTIVE_MAX_WORDS, SUMMARY_MAX_WORDS, GoldRecord, Prediction


def spans(clause: str) -> list[str]:
    """Runs of consecutive comma-separated pieces of a clause, each of at most 30 words."""
    pieces = [p.strip() for p in clause.split(",") if p.strip()]
    out = []
    for i in range(len(pieces)):
        for j in range(i + 1, len(pieces) + 1):
            span = ", ".join(pieces[i:j])
            if len(span.split()) > DIRECTIVE_MAX_WORDS:
                if j == i + 1:
                    out.append(shorten(span, DIRECTIVE_MAX_WORDS))
                break
            out.append(span)
    return out


def best_directives(units: list[str], gold: GoldRecord) -> list[str]:
    chosen: list[str] = []
    for directive in gold.directives:

        def preference(unit: str, gold: str = directive.text) -> tuple[bool, float]:
            judgement = same_directive(unit, gold)
            return judgement.hit, judgement.similarity

        ranked = sorted(units, key=preference, reverse=True)
        pick = next((u for u in ranked if u not in chosen), None)
        if pick is not None:
            chosen.append(pick)
    return chosen


def best_summary(units: list[str], gold: GoldRecord) -> str:
    picked: list[int] = []
    best: tuple[float, float] = (0.0, 0.0)
    while True:
        candidates = []
        for i in range(len(units)):
            if i in picked:
                continue
            trial = sorted(picked + [i])
            text = " ".join(units[j] for j in trial)
            if len(text.split()) <= SUMMARY_MAX_WORDS:
                carried = unit_recall(text, [u.text for u in gold.summary_units])
                candidates.append(((carried, summary_rouge(text, gold.reference_summaries)["summary_rougeL"]), i))
        if not candidates:
            break
        score, i = max(candidates)
        if score <= best:
            break
        best, picked = score, sorted(picked + [i])
    return " ".join(units[j] for j in picked)


class OracleBaseline:
    """Extractive upper bound chosen with the gold answers (date and presider copied)."""

    name = "oracle"

    def __init__(self, context: RunContext) -> None:
        self.gold = {r.doc_id: r for r in context.gold}

    def extract(self, doc: Document) -> Prediction:
        gold = self.gold[doc.doc_id]
        sents = [s for p in paragraphs(body(doc.text, doc.title)) for s in sentences(p)]
        units = list(dict.fromkeys(span for s in sents for c in clauses(s) for span in spans(c)))
        return Prediction(
            doc_id=doc.doc_id,
            meeting_date=gold.meeting_date,
            presider=gold.presider.name if gold.presider else None,
            directives=[grounded(u, u, doc.text) for u in best_directives(units, gold)],
            summary=best_summary(sents, gold),
        )


EXTRACTOR = OracleBaseline
