"""Propose candidate pairs of the hard kinds, for a person to judge into pairs.jsonl.

    python calibration/draft_pairs.py > /tmp/draft.jsonl

Writes, for every kind the matcher must get right, candidates drawn from the seeds' gold
directives: ``negation``, ``antonym`` and ``object-swap`` (the battery's transformations,
validity/battery.py), ``fragment`` (the first four words of a directive of seven words or
more), ``boilerplate`` (each generic line against the gold directive it shares most words
with), ``other-meeting`` (each directive against the most similar directive of another
document), ``non-directive`` (a sentence the directive's evidence does not touch, the one
sharing most words with it), and ``source-words`` (the directive's evidence quotes, joined).

Every candidate comes out with ``"label": null``: the judgement is a person's, by the rules
in annotations/GUIDELINES.md ("Judging directive pairs"), and is what pairs.jsonl records.
Candidates are proposed in a fixed order (no randomness), so the draft is reproducible.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "validity"))
sys.path.insert(0, str(ROOT))

from battery import BOILERPLATE, FOREIGN_OBJECTS, negate, non_directive_sentences, reverse, swap_object  # noqa: E402

from harness.dataset import load_gold  # noqa: E402
from harness.matching import content_words  # noqa: E402


def overlap(a: str, b: str) -> int:
    return sum((Counter(content_words(a)) & Counter(content_words(b))).values())


def draft() -> list[dict]:
    records = list(load_gold(ROOT / "dataset").records)
    out: list[dict] = []

    def add(doc_id: str, a: str, b: str, kind: str) -> None:
        out.append({"doc_id": doc_id, "a": a, "b": b, "label": None, "kind": kind})

    n = 0
    for record in records:
        for d in record.directives:
            n += 1
            if n % 3 == 0:
                add(record.doc_id, d.text, negate(d.text, n), "negation")
            if n % 3 == 1 and (reversed_ := reverse(d.text)):
                add(record.doc_id, d.text, reversed_, "antonym")
            if n % 3 == 2:
                add(
                    record.doc_id, d.text, swap_object(d.text, FOREIGN_OBJECTS[n % len(FOREIGN_OBJECTS)]), "object-swap"
                )
            if len(d.text.split()) >= 7 and n % 3 == 0:
                add(record.doc_id, d.text, " ".join(d.text.split()[:4]), "fragment")
            if n % 3 == 1:
                add(record.doc_id, d.text, "; ".join(s.quote for s in d.evidence), "source-words")
    for record in records:
        golds = [d.text for d in record.directives]
        for line in BOILERPLATE:
            best = max(golds, key=lambda g: (overlap(line, g), -len(g)))
            add(record.doc_id, best, line, "boilerplate")
        others = [d.text for r in records if r.doc_id != record.doc_id for d in r.directives]
        for g in golds[::2]:
            add(record.doc_id, g, max(others, key=lambda o: (overlap(g, o), -len(o))), "other-meeting")
        sentences = non_directive_sentences(record)
        for g in golds[1::3]:
            if sentences:
                add(record.doc_id, g, max(sentences, key=lambda s: (overlap(g, s), -len(s))), "non-directive")
    return out


if __name__ == "__main__":
    for pair in draft():
        print(json.dumps(pair, ensure_ascii=False))
