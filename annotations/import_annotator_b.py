"""Bring the independent second annotation into the project's annotation format.

    python annotations/import_annotator_b.py [SOURCE_DIR]    # default: ../shared/annotator_b

The second annotator read the seeds and the contract but never saw this folder's gold. Their
files (one JSON per document) differ from ours only in form: evidence is quotes without
offsets, a presider's evidence is one quote rather than a list, and there are no
``extra_summaries`` and no ``summary_units``. This script rewrites each as YAML in
``annotations/annotator_b/`` — the same fields, the presider's quote as a one-item list, a
quote that occurs more than once given with the occurrence of its first use — and changes
nothing else: the values are the second annotator's, word for word.

The result is checked by the same validator as the gold (``harness validate --annotations
annotations/annotator_b --no-units``): quotes resolved, dates valid. It is not gold: it
measures agreement (``harness agree``) and is scored as a system, the human row of the
leaderboard; where it disagrees with the gold, the adjudication log says what was decided.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "annotator_b"
HEADER = (
    "# The independent second annotation of seeds/{doc_id}.txt, imported unchanged by\n"
    "# annotations/import_annotator_b.py from the annotator's JSON. Not gold: see\n"
    "# annotations/annotator_b/README.md.\n"
)


def _quote(text: str, quote: str) -> str | dict:
    return quote if text.count(quote) <= 1 else {"quote": quote, "occurrence": 1}


def convert(data: dict, text: str) -> dict:
    presider = data.get("presider")
    out = {
        "doc_id": data["doc_id"],
        "title": data.get("title"),
        "publication_date": data.get("publication_date"),
        "meeting_date": {
            "value": data["meeting_date"],
            "basis": data["meeting_date_basis"],
            "evidence": [_quote(text, q) for q in data["meeting_date_evidence"]],
            "note": data.get("meeting_date_note"),
        },
        "presider": None
        if presider is None
        else {
            "name": presider["name"],
            "title": presider.get("title"),
            "aliases": presider.get("aliases", []),
            "evidence": [_quote(text, presider["evidence"])],
        },
        "directives": [
            {"text": d["text"], "evidence": [_quote(text, q) for q in d["evidence"]]} for d in data["directives"]
        ],
        "summary": data["summary"],
    }
    return out


def prediction(data: dict) -> dict:
    """The annotation as a prediction record: what the second annotator would answer."""
    presider = data.get("presider")
    return {
        "doc_id": data["doc_id"],
        "meeting_date": data["meeting_date"],
        "presider": presider["name"] if presider else None,
        # with the annotator's own evidence quotes, so the human row is scored by where its
        # directives stand in the text, as a system that quotes is
        "directives": [
            {"text": d["text"], "evidence": [e if isinstance(e, str) else e["quote"] for e in d.get("evidence", [])]}
            for d in data["directives"]
        ],
        "summary": data["summary"],
    }


def main(source: Path) -> None:
    OUT.mkdir(exist_ok=True)
    predictions = []
    for path in sorted(source.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = (ROOT / "seeds" / f"{path.stem}.txt").read_text(encoding="utf-8")
        body = yaml.safe_dump(convert(data, text), sort_keys=False, allow_unicode=True, width=100)
        (OUT / f"{path.stem}.yaml").write_text(HEADER.format(doc_id=path.stem) + body, encoding="utf-8")
        print(OUT.relative_to(ROOT) / f"{path.stem}.yaml")
        predictions.append(json.dumps(prediction(data), ensure_ascii=False))
    # Scored as a system (the human row of the leaderboard): see annotator_b/README.md.
    (OUT / "predictions.jsonl").write_text("".join(p + "\n" for p in predictions), encoding="utf-8")
    print(OUT.relative_to(ROOT) / "predictions.jsonl")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "annotator_b")
