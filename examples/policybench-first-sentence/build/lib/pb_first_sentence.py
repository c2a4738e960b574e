"""A worked example of a PolicyBench plugin, installed as its own package.

After ``pip install examples/policybench-first-sentence``, ``harness models`` lists
``first-sentence`` and ``harness eval --model first-sentence`` runs it. The entry point in
pyproject.toml (group ``policybench.extractors``) is all the registration there is.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")


class FirstSentence:
    """The first sentence of the readout as the summary; the date from its header."""

    name = "first-sentence"

    def __init__(self, max_words: str = "80") -> None:
        self.max_words = int(max_words)

    def extract(self, doc):
        text = _HEADER.sub("", doc.text).strip()
        first = text.split(". ")[0]
        # A plain dict is enough: the harness fills in and checks the prediction.
        return {
            "meeting_date": doc.publication_date,
            "summary": " ".join(first.split()[: self.max_words]),
        }
