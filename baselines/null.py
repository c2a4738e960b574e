"""null: predicts nothing. The floor every other score is read against."""

from __future__ import annotations

from harness.extractors import Document
from harness.schema import Prediction


class NullBaseline:
    """Predicts nothing: no date, no presider, no directives, an empty summary."""

    name = "null"

    def extract(self, doc: Document) -> Prediction:
        return Prediction.empty(doc.doc_id)


EXTRACTOR = NullBaseline
