"""lead: the opening sentences as the summary, and nothing else.

The classic summarisation baseline: news-like texts put the most important facts first.
It makes no attempt at the date, the presider or the directives.
"""

from __future__ import annotations

from baselines._text import body, paragraphs, sentences
from harness.extractors import Document
from harness.schema import SUMMARY_MAX_WORDS, Prediction


class LeadBaseline:
    """The first sentences of the body, up to the summary length, as the summary."""

    name = "lead"

    def __init__(self, words: str | int = SUMMARY_MAX_WORDS) -> None:
        self.words = int(words)
        if self.words < 1:
            raise ValueError(f"words must be at least 1, got {words}")

    def extract(self, doc: Document) -> Prediction:
        chosen: list[str] = []
        for paragraph in paragraphs(body(doc.text, doc.title)):
            for sentence in sentences(paragraph):
                chosen.extend(sentence.split())
                if len(chosen) >= self.words:
                    return Prediction(doc_id=doc.doc_id, summary=" ".join(chosen[: self.words]))
        return Prediction(doc_id=doc.doc_id, summary=" ".join(chosen))


EXTRACTOR = LeadBaseline
