"""The P2 floor: rouge-score called directly on the pairs `harness score` compares.

For every document: RougeScorer(["rougeL"], use_stemmer=True).score on every (gold,
predicted) directive pair, and RougeScorer(["rouge1", "rouge2", "rougeL"]).score_multi on
the summary against its references. Prints the seconds those calls took (loading the
files is not counted).

    python benchmarks/floor_rouge.py DATASET_DIR PREDICTIONS.jsonl
"""

from __future__ import annotations

import json
import sys
import time

import pyarrow.parquet as pq
from rouge_score import rouge_scorer


def main(dataset: str, predictions: str) -> None:
    table = pq.ParquetFile(f"{dataset}/data/test.parquet").read(
        columns=["doc_id", "directives", "summary", "extra_summaries"]
    )
    gold = {r["doc_id"]: r for r in table.to_pylist()}
    with open(predictions, encoding="utf-8") as f:
        preds = [json.loads(line) for line in f]
    pairs_scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    summary_scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    start = time.perf_counter()
    for p in preds:
        g = gold[p["doc_id"]]
        for gd in g["directives"]:
            for pd in p["directives"]:
                pairs_scorer.score(gd["text"], pd)
        summary_scorer.score_multi([g["summary"], *g["extra_summaries"]], p["summary"])
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
