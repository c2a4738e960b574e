"""Choose the directive-matching threshold from the judged pairs in pairs.jsonl.

Each pair holds a gold directive ``a``, a candidate ``b`` and a human judgement: ``same``
(the same directive, reworded or in the source's own words) or ``different`` (another
directive of the same document, chosen to be close in topic or wording). The threshold is
the cut on ROUGE-L F1 (stemmed, :func:`harness.metrics.rouge_l_f1`) that best separates
them:

* candidates are the midpoints between consecutive distinct similarities;
* the best maximises balanced accuracy, ``(TPR + TNR) / 2``, so the two classes weigh the
  same whatever their sizes;
* ties go to the candidate with the widest gap around it (the most margin);
* it is reported rounded to two decimals, when rounding keeps every judgement the same.

Run ``python calibration/calibrate.py`` from the repository root; it prints a markdown
report. The chosen value is ``harness.metrics.DEFAULT_THRESHOLD``, and a test fails if the
two disagree.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.rouge import rouge_l_f1

PAIRS = Path(__file__).with_name("pairs.jsonl")


@dataclass(frozen=True)
class Calibration:
    threshold: float
    balanced_accuracy: float
    accuracy: float
    true_positive_rate: float
    true_negative_rate: float
    pairs: list[tuple[dict, float]]


def load_pairs(path: Path = PAIRS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _rates(scored: list[tuple[dict, float]], t: float) -> tuple[float, float, float]:
    pos = [s for p, s in scored if p["label"] == "same"]
    neg = [s for p, s in scored if p["label"] == "different"]
    tpr = sum(s >= t for s in pos) / len(pos)
    tnr = sum(s < t for s in neg) / len(neg)
    acc = (sum(s >= t for s in pos) + sum(s < t for s in neg)) / len(scored)
    return tpr, tnr, acc


def calibrate(pairs: list[dict]) -> Calibration:
    scored = [(p, rouge_l_f1(p["a"], p["b"])) for p in pairs]
    values = sorted({s for _, s in scored})
    candidates = [((lo + hi) / 2, hi - lo) for lo, hi in zip(values, values[1:], strict=False)]
    best_t, best_key = 0.0, (-1.0, -1.0)
    for t, gap in candidates:
        tpr, tnr, _ = _rates(scored, t)
        key = ((tpr + tnr) / 2, gap)
        if key > best_key:
            best_t, best_key = t, key
    rounded = round(best_t, 2)
    if _rates(scored, rounded) == _rates(scored, best_t):
        best_t = rounded
    tpr, tnr, acc = _rates(scored, best_t)
    return Calibration(best_t, (tpr + tnr) / 2, acc, tpr, tnr, scored)


def report(cal: Calibration) -> str:
    n_same = sum(p["label"] == "same" for p, _ in cal.pairs)
    lines = [
        f"Pairs: {len(cal.pairs)} ({n_same} same, {len(cal.pairs) - n_same} different)",
        f"Threshold: {cal.threshold}",
        f"Balanced accuracy: {cal.balanced_accuracy:.3f} "
        f"(same judged same: {cal.true_positive_rate:.3f}; different judged different: {cal.true_negative_rate:.3f})",
        f"Accuracy: {cal.accuracy:.3f}",
        "",
        "| id | label | kind | ROUGE-L F1 | agrees |",
        "|---|---|---|---|---|",
    ]
    for p, s in sorted(cal.pairs, key=lambda ps: -ps[1]):
        agrees = (s >= cal.threshold) == (p["label"] == "same")
        lines.append(f"| {p['id']} | {p['label']} | {p['kind']} | {s:.3f} | {'yes' if agrees else 'NO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report(calibrate(load_pairs())) + "\n")
