"""Make a synthetic dataset of N documents and a predictions file for it, for benchmarks.

Each synthetic document is a gold record of the real dataset copied under a new id
(``{i:05d}_{original id}``); each prediction perturbs that gold the way real systems
err, at realistic lengths: the date sometimes off by a day, the presider sometimes an
alias or missing, directives dropped, reordered and reworded (words deleted or swapped for
source words), a summary that mixes reference sentences and source text.

    python benchmarks/synthetic.py 10000 /tmp/synth     # writes /tmp/synth/dataset and predictions.jsonl
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

from harness.build import DATA_FILE, render_card, to_parquet
from harness.dataset import load_gold
from harness.files import write_atomic
from harness.schema import GoldRecord

ROOT = Path(__file__).resolve().parent.parent


def _reword(text: str, pool: list[str], rng: random.Random) -> str:
    words = text.split()
    out = []
    for w in words:
        roll = rng.random()
        if roll < 0.15:
            continue
        out.append(rng.choice(pool) if roll < 0.3 else w)
    return " ".join(out) or text


def prediction(record: GoldRecord, rng: random.Random) -> dict:
    pool = record.text.split()
    date = record.meeting_date
    if rng.random() < 0.25:
        date = (dt.date.fromisoformat(date) + dt.timedelta(days=rng.choice([-1, 1]))).isoformat()
    presider = record.presider.name if record.presider else None
    if presider and rng.random() < 0.2:
        presider = rng.choice([*record.presider.aliases, None])
    directives = [_reword(d.text, pool, rng) for d in record.directives if rng.random() < 0.8]
    rng.shuffle(directives)
    directives += [" ".join(rng.sample(pool, 12)) for _ in range(rng.randint(0, 4))]
    summary = _reword(record.summary, pool, rng) + " " + " ".join(pool[:20])
    return {"doc_id": record.doc_id, "meeting_date": date, "presider": presider, "directives": directives,
            "summary": summary}  # fmt: skip


def make(n: int, out: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write ``out/dataset`` (N documents) and ``out/predictions.jsonl``; return both paths."""
    gold = load_gold(ROOT / "dataset").records
    rng = random.Random(seed)
    records = [gold[i % len(gold)].model_copy(update={"doc_id": f"{i:05d}_{gold[i % len(gold)].doc_id}"})
               for i in range(n)]  # fmt: skip
    dataset = out / "dataset"
    write_atomic(dataset / DATA_FILE, to_parquet(records))
    write_atomic(dataset / "README.md", render_card(records).encode("utf-8"))
    predictions = out / "predictions.jsonl"
    lines = "".join(json.dumps(prediction(r, rng), ensure_ascii=False) + "\n" for r in records)
    write_atomic(predictions, lines.encode("utf-8"))
    return dataset, predictions


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/synthetic.py N OUT_DIR")
    for path in make(int(sys.argv[1]), Path(sys.argv[2])):
        print(path)
