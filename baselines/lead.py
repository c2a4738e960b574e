"""lead: the opening sentences as the summary, and nothing else.

The classic summarisation baseline: news-like texts put the most important facts first.
It makes no attempt at the date, the presider or the directives.
"""

from __future__ import annotations

import re

from harness.extractors import Document
from harness.schema import SUMMARY_MAX_WORDS, Prediction

# A leading "date YYYY-MM-DD" header is metadata, not prose.
_HEADER = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")
# A sentence ends at . ! or ? followed by whitespace and an upper-case letter or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘'])")


def sentences(text: str) -> list[str]:
    """The text's sentences in order, headers and blank lines dropped."""
    out = []
    for paragraph in _HEADER.sub("", text).split("\n"):
        out += [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return out


class LeadBaseline:
    """The first sentences of the body, up to the summary length, as the summary."""

    name = "lead"

    def __init__(self, words: str | int = SUMMARY_MAX_WORDS) -> None:
        self.words = int(words)
        if self.words < 1:
            raise ValueError(f"words must be at least 1, got {words}")

    def extract(self, doc: Document) -> Prediction:
        body = doc.text
        if doc.title and body.lstrip().startswith(doc.title):
            body = body.lstrip()[len(doc.title) :]
        chosen: list[str] = []
        for sentence in sentences(body):
            chosen.extend(sentence.split())
            if len(chosen) >= self.words:
                break
        return Prediction(doc_id=doc.doc_id, summary=" ".join(chosen[: self.words]))


EXTRACTOR = LeadBaseline
