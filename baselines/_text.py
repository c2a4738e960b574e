"""Small text helpers for extractors: the body of a readout, its sentences and clauses.

They know the genre's layout (an optional ``date YYYY-MM-DD`` header glued to the first
sentence, an optional headline line) and nothing about any particular document.
"""

from __future__ import annotations

import re

from harness.grounding import find_quote
from harness.schema import DirectiveItem

#: The publication header: `` date YYYY-MM-DD On <Month> <day>, ...`` (a date and the first sentence).
HEADER = re.compile(r"^\s*date (\d{4})-(\d{2})-(\d{2})\s+")
# A sentence ends at . ! or ? followed by white space and a capital, digit or opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"‘'(])")
_CLAUSE_END = re.compile(r"\s*;\s*")
_SPACES = re.compile(r"\s+")


def body(text: str, title: str | None = None) -> str:
    """The text without its ``date`` header and headline."""
    text = HEADER.sub("", text, count=1)
    stripped = text.lstrip()
    if title and stripped.startswith(title):
        text = stripped[len(title) :]
    return text


def paragraphs(text: str) -> list[str]:
    """Non-blank lines, trimmed: the readouts put one paragraph on a line."""
    return [p.strip() for p in text.split("\n") if p.strip()]


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, in order, with white space folded."""
    folded = _SPACES.sub(" ", paragraph).strip()
    return [s.strip() for s in _SENTENCE_END.split(folded) if s.strip(" .")]


def clauses(sentence: str) -> list[str]:
    """A sentence cut at semicolons, the genre's separator between parallel tasks."""
    return [c for c in _CLAUSE_END.split(sentence) if c.strip(" .")]


def words(text: str) -> list[str]:
    return text.split()


def shorten(text: str, max_words: int) -> str:
    """At most ``max_words`` words, cut at the last comma inside the limit when there is one."""
    tokens = text.split()
    if len(tokens) <= max_words:
        return text.strip()
    head = " ".join(tokens[:max_words])
    cut = head.rfind(",")
    if cut > len(head) // 2:
        head = head[:cut]
    return head.rstrip(" ,;:")


def as_sentence(text: str) -> str:
    """Capitalised, trimmed of stray punctuation, ending with a full stop."""
    text = text.strip(" ,;:.")
    if not text:
        return ""
    return text[0].upper() + text[1:] + "."


def grounded(text: str, clause: str, source: str) -> DirectiveItem | str:
    """A directive with its source clause as evidence, when the clause is in the source
    as it stands (it always is, unless a helper above rewrote it); else the bare text."""
    clause = clause.strip(" ,.;")
    return DirectiveItem(text=text, evidence=[clause]) if clause and find_quote(clause, source) else text
