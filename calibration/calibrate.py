"""Calibrate and validate the directive matcher on judged pairs (pairs.jsonl).

Each pair holds a gold directive ``a``, a candidate ``b``, a person's judgement ``label``
(``same`` or ``different``, by the rules in annotations/GUIDELINES.md, "Judging directive
pairs") and the ``kind`` of candidate it is (a paraphrase, the source's words, a negation,
an antonym, an object swap, a fragment, boilerplate, another meeting's directive, a
non-directive sentence, a neighbouring directive of the same meeting).

The matcher (:func:`harness.matching.same_directive`) says "same" when its rules pass and
the coverage ``min(P, R)`` reaches a threshold. So each pair gets a **decision score**:
its coverage, or 0 when a rule rules it out (negated, reversed, another object). Then:

* **threshold**: of the midpoints between consecutive distinct scores, the one with the
  highest balanced accuracy ``(TPR + TNR) / 2``, ties broken by the widest gap, rounded to
  two decimals when that changes no judgement;
* **held-out accuracy**: leave one document out — choose the threshold on the pairs of the
  other four documents, judge the pairs of the fifth with it — so every pair is judged by a
  threshold that never saw it; reported overall and by kind;
* **AUC** of the decision score (the chance that a random "same" pair outscores a random
  "different" one, ties counting half), and 95 % bootstrap intervals (2,000 resamples of
  the pairs, seed 0) for the AUC and for the threshold;
* the same for ROUGE-L F1 alone (the matcher before this one), and for wordllama's cosine
  similarity when wordllama is installed (``pip install wordllama``; its weights ship in
  its wheel and are loaded with downloads disabled).

    python calibration/calibrate.py     # prints the report that calibration/README.md holds
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import matching  # noqa: E402
from harness.rouge import rouge_l_f1  # noqa: E402

PAIRS = Path(__file__).with_name("pairs.jsonl")
UNIT_PAIRS = Path(__file__).with_name("unit_pairs.jsonl")
BOOTSTRAP = 2000
SEED = 0

Scorer = Callable[[str, str], float]


def load_pairs(path: Path = PAIRS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def matcher_score(a: str, b: str) -> float:
    """The matcher's decision score for candidate ``b`` against gold ``a``: its coverage
    ``min(P, R)``, or 0 when a rule rules the pair out (at a threshold of 0, only the rules
    can)."""
    judgement = matching.same_directive(b, a, threshold=0.0)
    return judgement.coverage if judgement.hit else 0.0


def unit_score(unit: str, summary: str) -> float:
    """The unit matcher's decision score: the share of the unit's content words the summary
    has, or 0 when a rule rules it out (a number or name missing, the unit reversed)."""
    judgement = matching.carries_unit(summary, unit, threshold=0.0)
    return judgement.coverage if judgement.hit else 0.0


def as_pairs(unit_pairs: list[dict]) -> list[dict]:
    """Unit pairs in the form :func:`evaluate` reads (``a`` the unit, ``b`` the summary,
    label "same" for a stated unit, kind the summary's source)."""
    return [
        {"doc_id": p["doc_id"], "a": p["unit"], "b": p["summary"], "kind": p["source"],
         "label": "same" if p["label"] == "stated" else "different"}
        for p in unit_pairs
    ]  # fmt: skip


def _rates(scored: list[tuple[dict, float]], t: float) -> tuple[float, float, float]:
    pos = [s for p, s in scored if p["label"] == "same"]
    neg = [s for p, s in scored if p["label"] == "different"]
    tpr = sum(s >= t for s in pos) / len(pos) if pos else float("nan")
    tnr = sum(s < t for s in neg) / len(neg) if neg else float("nan")
    acc = (sum(s >= t for s in pos) + sum(s < t for s in neg)) / len(scored)
    return tpr, tnr, acc


def choose_threshold(scored: list[tuple[dict, float]]) -> float:
    """The cut with the best balanced accuracy (see the module doc).

    Every cut between two consecutive distinct scores ``lo < hi`` judges alike, so the one
    reported is a round number in ``(lo, hi]`` when there is one: the value of two (else
    three) decimals nearest the midpoint.
    """
    values = sorted({s for _, s in scored})
    gaps = list(zip(values, values[1:], strict=False)) or [(values[0] - 1e-9, values[0])]
    best, best_key = gaps[0], (-1.0, -1.0)
    for lo, hi in gaps:
        tpr, tnr, _ = _rates(scored, (lo + hi) / 2)
        key = ((tpr + tnr) / 2, hi - lo)
        if key > best_key:
            best, best_key = (lo, hi), key
    lo, hi = best
    middle = (lo + hi) / 2
    for scale in (100, 1000):
        round_numbers = [k / scale for k in range(int(lo * scale), int(hi * scale) + 2) if lo < k / scale <= hi]
        if round_numbers:
            return min(round_numbers, key=lambda t: (round(abs(t - middle), 9), -t))  # halves round up
    return middle


def auc(scored: list[tuple[dict, float]]) -> float:
    """P(score of a random "same" pair > that of a random "different" pair), ties half."""
    pos = np.array([s for p, s in scored if p["label"] == "same"])
    neg = np.array([s for p, s in scored if p["label"] == "different"])
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


@dataclass(frozen=True)
class Result:
    name: str
    threshold: float
    threshold_ci: tuple[float, float]
    auc: float
    auc_ci: tuple[float, float]
    held_out: list[tuple[dict, bool]]  # each pair and whether its held-out judgement was right

    def balanced_accuracy(self, pairs: list[tuple[dict, bool]] | None = None) -> float:
        pairs = self.held_out if pairs is None else pairs
        rates = []
        for label in ("same", "different"):
            own = [ok for p, ok in pairs if p["label"] == label]
            if own:
                rates.append(sum(own) / len(own))
        return sum(rates) / len(rates)

    def by_kind(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(kind, label) -> (judged right, pairs), on held-out judgements."""
        out: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for p, ok in self.held_out:
            out[(p["kind"], p["label"])].append(ok)
        return {k: (sum(v), len(v)) for k, v in sorted(out.items())}


def evaluate(name: str, scorer: Scorer, pairs: list[dict]) -> Result:
    scored = [(p, scorer(p["a"], p["b"])) for p in pairs]
    threshold = choose_threshold(scored)
    held_out = []
    for doc in sorted({p["doc_id"] for p in pairs}):
        train = [(p, s) for p, s in scored if p["doc_id"] != doc]
        t = choose_threshold(train)
        held_out += [(p, (s >= t) == (p["label"] == "same")) for p, s in scored if p["doc_id"] == doc]
    rng = np.random.default_rng(SEED)
    thresholds, aucs = [], []
    for _ in range(BOOTSTRAP):
        sample = [scored[i] for i in rng.integers(0, len(scored), len(scored))]
        if len({p["label"] for p, _ in sample}) < 2:
            continue
        thresholds.append(choose_threshold(sample))
        aucs.append(auc(sample))
    t_ci = (float(np.percentile(thresholds, 2.5)), float(np.percentile(thresholds, 97.5)))
    a_ci = (float(np.percentile(aucs, 2.5)), float(np.percentile(aucs, 97.5)))
    return Result(name, threshold, t_ci, auc(scored), a_ci, held_out)


def wordllama_scorer() -> Scorer | None:
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        return None
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return lambda a, b: float(model.similarity(a, b))


def run(pairs: list[dict]) -> list[Result]:
    results = [
        evaluate("matcher (content coverage + rules)", matcher_score, pairs),
        evaluate("ROUGE-L F1 alone", rouge_l_f1, pairs),
    ]
    scorer = wordllama_scorer()
    if scorer is not None:
        results.append(evaluate("wordllama cosine", scorer, pairs))
    return results


def unit_report(unit_pairs: list[dict]) -> str:
    result = evaluate("unit matcher", lambda a, b: unit_score(a, b), as_pairs(unit_pairs))
    stated = sum(p["label"] == "stated" for p in unit_pairs)
    lines = [
        f"Unit pairs: {len(unit_pairs)} ({stated} stated, {len(unit_pairs) - stated} not stated)",
        "",
        "| threshold [95% CI] | AUC [95% CI] | held-out balanced accuracy |",
        "|---|---|---|",
        f"| {result.threshold:.3f} [{result.threshold_ci[0]:.3f}, {result.threshold_ci[1]:.3f}] "
        f"| {result.auc:.3f} [{result.auc_ci[0]:.3f}, {result.auc_ci[1]:.3f}] | {result.balanced_accuracy():.3f} |",
        "",
        "| summary | label | held-out judgements right |",
        "|---|---|---|",
    ]
    for (kind, label), (right, n) in result.by_kind().items():
        shown = "stated" if label == "same" else "not stated"
        lines.append(f"| {kind} | {shown} | {right}/{n} ({right / n:.0%}) |")
    lines += ["", f"Unit threshold: {result.threshold}"]
    return "\n".join(lines)


def report(pairs: list[dict], results: list[Result]) -> str:
    n_same = sum(p["label"] == "same" for p in pairs)
    lines = [
        f"Pairs: {len(pairs)} ({n_same} same, {len(pairs) - n_same} different), from 5 documents",
        "",
        "| scorer | threshold [95% CI] | AUC [95% CI] | held-out balanced accuracy |",
        "|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.threshold:.3f} [{r.threshold_ci[0]:.3f}, {r.threshold_ci[1]:.3f}] "
            f"| {r.auc:.3f} [{r.auc_ci[0]:.3f}, {r.auc_ci[1]:.3f}] | {r.balanced_accuracy():.3f} |"
        )
    lines += ["", "Held-out judgements right, by kind:", ""]
    lines.append("| kind | label | " + " | ".join(r.name for r in results) + " |")
    lines.append("|---|---|" + "---|" * len(results))
    kinds = results[0].by_kind()
    for key in kinds:
        cells = []
        for r in results:
            right, n = r.by_kind()[key]
            cells.append(f"{right}/{n} ({right / n:.0%})")
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
    lines += ["", f"Threshold: {results[0].threshold}"]
    return "\n".join(lines)


if __name__ == "__main__":
    pairs = load_pairs()
    sys.stdout.write(report(pairs, run(pairs)) + "\n\n")
    sys.stdout.write(unit_report(load_pairs(UNIT_PAIRS)) + "\n")
