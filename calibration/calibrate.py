"""Calibrate and validate the directive matcher and the summary score on judged material.

Two sources of judged pairs, reported apart:

* **independent**: an independent annotator's judged pairs, who never saw the matcher, its
  word lists or this folder (a directive file of ``{id, doc_id, a, b, label, kind}`` and a
  summary file of ``{id, doc_id, summary, label, kind}``). They are not in the repository;
  give their folder with ``--independent DIR``. Half of that material is held back by its
  owner and is what acceptance is measured on; these numbers are on the half we have.
* **own**: ``pairs.jsonl`` in this folder, without the kinds ``negation``, ``antonym`` and
  ``object-swap``: those candidates were generated from an earlier matcher's own word lists,
  so they are right by construction and prove nothing about a matcher.

Every directive pair is judged twice, on both paths of :mod:`harness.matching`:

* **evidence**: the candidate carries the gold directive's own evidence quotes, so it is
  located, and only the text checks decide. Its decision score is ``P`` (the share of its
  content words found in the gold and its quotes) when the exact checks pass, else 0.
* **text**: the candidate is a plain string. Its decision score is ``R`` (the share of the
  gold's content words it covers) when the exact checks pass and ``P >= ABOUT``, else 0.

For each path and source:

* **threshold**: the cut with the best balanced accuracy ``(TPR + TNR) / 2`` over all pairs
  (ties to the widest gap, as a round number);
* **held-out**: leave one document out — the cut is chosen on the pairs of the other
  documents and judges the pairs of the left-out one — overall and per kind;
* the rate each kind is accepted (``same`` kinds) or rejected (``different`` kinds).

Summaries: the mean of ``summary_unit_recall`` (cut to the word limit, fact checks on) per
kind of candidate summary, and its gap below the honest summaries.

    python calibration/calibrate.py --independent DIR   # prints the report in README.md
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import load_gold, matching  # noqa: E402
from harness.metrics import Pair  # noqa: E402
from harness.schema import Prediction, Reference  # noqa: E402

PAIRS = Path(__file__).with_name("pairs.jsonl")
UNIT_PAIRS = Path(__file__).with_name("unit_pairs.jsonl")
#: Kinds of pairs.jsonl generated from an earlier matcher's own word lists: left out.
GENERATED = frozenset({"negation", "antonym", "object-swap"})
PATHS = ("evidence", "text")
#: The kinds of "different" pair each path's threshold is meant to decide, and so is chosen
#: on (with every "same" pair): the evidence path's ``P`` says whether a text is about its
#: quotes (another directive of the meeting, boilerplate, another meeting, a sentence that is
#: no directive); the text path's ``R`` also whether it is a fragment. Reversals, changed
#: modifiers or scope, other actors are questions of meaning that no threshold on shared
#: words decides: choosing the cut on them would only trade honest paraphrases for them.
#: They are reported all the same, held out, per kind.
DECIDES = {
    "evidence": frozenset(
        {
            "other-directive-same-meeting",
            "generic-boilerplate",
            "neighbour",
            "boilerplate",
            "other-meeting",
            "non-directive",
        }
    ),
}
DECIDES["text"] = DECIDES["evidence"] | {"fragment"}


def load_pairs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Scored:
    pair: dict
    evidence: float  # decision score on the evidence path
    text: float  # decision score on the text path


def score_pairs(pairs: list[dict], gold: dict) -> tuple[list[Scored], int]:
    """Decision scores of every pair whose ``a`` is a gold directive; and how many were not."""
    scored, skipped = [], 0
    for p in pairs:
        record = gold.get(p["doc_id"])
        golds = [
            matching.GoldDirective(
                d.text, tuple(s.quote for s in d.evidence), tuple((s.start, s.end) for s in d.evidence)
            )
            for d in (record.directives if record else [])
        ]
        g = next((x for x in golds if _norm(x.text) == _norm(p["a"])), None)
        if g is None:
            skipped += 1  # the gold directive was re-worded or removed since the pair was judged
            continue
        failed, share = matching.check_text(p["b"], g, golds)
        evidence = 0.0 if failed else share
        words = matching.content_words(p["b"])
        recall = matching.share(matching.content_words(g.text), frozenset(words))
        text = 0.0 if failed or share < matching.ABOUT else recall
        scored.append(Scored(p, evidence, text))
    return scored, skipped


def _rates(scored: list[tuple[dict, float]], t: float) -> tuple[float, float]:
    same = [s for p, s in scored if p["label"] == "same"]
    other = [s for p, s in scored if p["label"] != "same"]
    tpr = sum(s >= t for s in same) / len(same) if same else 1.0
    tnr = sum(s < t for s in other) / len(other) if other else 1.0
    return tpr, tnr


def choose_threshold(scored: list[tuple[dict, float]]) -> float:
    """The cut with the best balanced accuracy, ties to the widest gap, as a round number
    in the gap: every cut between two consecutive distinct scores judges alike."""
    values = sorted({s for _, s in scored} | {0.0, 1.0001})
    gaps = [(lo, hi) for lo, hi in zip(values, values[1:], strict=False) if lo > 0 or hi > 0]
    best, best_key = gaps[0], (-1.0, -1.0)
    for lo, hi in gaps:
        key = (sum(_rates(scored, (lo + hi) / 2)) / 2, hi - lo)
        if key > best_key:
            best, best_key = (lo, hi), key
    lo, hi = best
    middle = (lo + hi) / 2
    for scale in (20, 100, 1000):
        round_numbers = [k / scale for k in range(int(lo * scale), int(hi * scale) + 2) if lo < k / scale <= hi]
        if round_numbers:
            return min(round_numbers, key=lambda t: (round(abs(t - middle), 9), -t))
    return middle


@dataclass(frozen=True)
class Result:
    threshold: float
    balanced: float  # at that threshold, on every pair
    held_out: float  # leave one document out
    by_kind: dict[tuple[str, str], tuple[int, int]]  # (kind, label) -> (judged right held out, pairs)


def evaluate(scored: list[tuple[dict, float]], decides: frozenset[str] = frozenset()) -> Result:
    """The threshold chosen on the pairs it is meant to decide (every "same" pair and the
    ``decides`` kinds; all pairs when empty), and every pair judged with it, held out."""

    def choose(pairs: list[tuple[dict, float]]) -> float:
        meant = [x for x in pairs if not decides or x[0]["label"] == "same" or x[0]["kind"] in decides]
        return choose_threshold(meant)

    threshold = choose(scored)
    docs = sorted({p["doc_id"] for p, _ in scored})
    right: dict[tuple[str, str], list[bool]] = defaultdict(list)
    outcomes = []
    for doc in docs:
        train = [x for x in scored if x[0]["doc_id"] != doc]
        t = choose(train) if train else threshold
        for p, s in scored:
            if p["doc_id"] == doc:
                ok = (s >= t) == (p["label"] == "same")
                right[(p["kind"], p["label"])].append(ok)
                outcomes.append((p, ok))
    same = [ok for p, ok in outcomes if p["label"] == "same"]
    other = [ok for p, ok in outcomes if p["label"] != "same"]
    held_out = ((sum(same) / len(same) if same else 1.0) + (sum(other) / len(other) if other else 1.0)) / 2
    return Result(
        threshold=threshold,
        balanced=sum(_rates(scored, threshold)) / 2,
        held_out=held_out,
        by_kind={k: (sum(v), len(v)) for k, v in sorted(right.items())},
    )


def unit_pairs(gold: dict) -> tuple[list[tuple[dict, float]], int]:
    """unit_pairs.jsonl as (pair, decision score): the unit's share of content words the
    summary carries when its date, numbers and names are there and it is not negated, else 0.
    Pairs whose unit is no longer a gold unit are left out and counted."""
    scored, skipped = [], 0
    for p in load_pairs(UNIT_PAIRS):
        record = gold.get(p["doc_id"])
        if record is None or p["unit"] not in [u.text for u in record.summary_units]:
            skipped += 1
            continue
        judgement = matching.carries_unit(p["summary"], p["unit"], threshold=0.0)
        pair = {**p, "label": "same" if p["label"] == "stated" else "different", "kind": p["source"]}
        scored.append((pair, judgement.similarity if judgement.hit else 0.0))
    return scored, skipped


def unit_report(gold: dict) -> str:
    scored, skipped = unit_pairs(gold)
    r = evaluate(scored)
    left_out = f" ({skipped} left out: their unit changed)" if skipped else ""
    lines = [f"### Summary units (unit_pairs.jsonl): {len(scored)} pairs{left_out}", ""]
    lines += [f"Threshold {r.threshold:.2f}; balanced accuracy {r.balanced:.3f}; held out {r.held_out:.3f}.", ""]
    lines += ["| source of the summary | unit | judged right, held out |", "|---|---|---|"]
    for (kind, label), (right, n) in r.by_kind.items():
        lines.append(f"| {kind} | {'stated' if label == 'same' else 'not stated'} | {_pct(right, n)} |")
    return "\n".join(lines)


def summary_scores(summaries: list[dict], gold: dict) -> dict[str, list[float]]:
    """``summary_unit_recall`` of each candidate summary, by kind."""
    out: dict[str, list[float]] = defaultdict(list)
    for s in summaries:
        reference = Reference.from_gold(gold[s["doc_id"]])
        pair = Pair(Prediction(doc_id=s["doc_id"], summary=s["summary"]), reference)
        out[s["kind"]].append(pair.summary_verdict.score)
    return dict(out)


def _pct(a: int, n: int) -> str:
    return f"{a}/{n} ({a / n:.0%})"


def directive_report(name: str, scored: list[Scored], skipped: int) -> str:
    lines = [
        f"### {name}: {len(scored)} pairs" + (f" ({skipped} left out: their gold directive changed)" if skipped else "")
    ]
    results = {path: evaluate([(s.pair, getattr(s, path)) for s in scored], DECIDES[path]) for path in PATHS}
    lines += [
        "",
        "| path | threshold | balanced accuracy (all pairs) | held-out balanced accuracy |",
        "|---|---|---|---|",
    ]
    for path, r in results.items():
        lines.append(f"| {path} | {r.threshold:.2f} | {r.balanced:.3f} | {r.held_out:.3f} |")
    shipped = {"evidence": matching.ABOUT, "text": matching.DEFAULT_MATCH_THRESHOLD}
    right: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: {path: [] for path in PATHS})
    for x in scored:
        for path in PATHS:
            right[(x.pair["kind"], x.pair["label"])][path].append(
                (getattr(x, path) >= shipped[path]) == (x.pair["label"] == "same")
            )
    lines += [
        "",
        "Judged right by kind (`same` kinds: accepted; `different` kinds: rejected), held out (the cut chosen",
        f"without the document) and as shipped (`ABOUT` = {shipped['evidence']}, threshold = {shipped['text']}):",
        "",
        "| kind | label | evidence, held out | evidence, shipped | text, held out | text, shipped |",
        "|---|---|---|---|---|---|",
    ]
    for key in results["evidence"].by_kind:
        ship = {path: _pct(sum(right[key][path]), len(right[key][path])) for path in PATHS}
        held = {path: _pct(*results[path].by_kind[key]) for path in PATHS}
        lines.append(
            f"| {key[0]} | {key[1]} | {held['evidence']} | {ship['evidence']} | {held['text']} | {ship['text']} |"
        )
    return "\n".join(lines)


def summary_report(scores: dict[str, list[float]]) -> str:
    honest = scores.get("honest", [])
    base = sum(honest) / len(honest) if honest else float("nan")
    lines = ["| kind | summaries | mean summary_unit_recall | below honest |", "|---|---|---|---|"]
    for kind, values in scores.items():
        mean = sum(values) / len(values)
        lines.append(f"| {kind} | {len(values)} | {mean:.3f} | {base - mean:+.3f} |")
    return "\n".join(lines)


def report(independent: Path | None) -> str:
    gold = load_gold().by_id()
    own = [p for p in load_pairs(PAIRS) if p["kind"] not in GENERATED]
    parts = []
    if independent is not None:
        scored, skipped = score_pairs(load_pairs(independent / "directive_pairs.jsonl"), gold)
        parts.append(directive_report("Independent pairs (development half)", scored, skipped))
        summaries = load_pairs(independent / "summary_pairs.jsonl")
        parts.append(
            "### Independent summaries (development half)\n\n" + summary_report(summary_scores(summaries, gold))
        )
    scored, skipped = score_pairs(own, gold)
    parts.append(directive_report("Own pairs (pairs.jsonl, generated kinds left out)", scored, skipped))
    if independent is not None:
        both, _ = score_pairs(load_pairs(independent / "directive_pairs.jsonl"), gold)
        text = evaluate([(x.pair, x.text) for x in both + scored], DECIDES["text"])
        parts.append(
            f"### The text path on both together\n\nThreshold {text.threshold:.2f}; held-out balanced accuracy "
            f"{text.held_out:.3f} ({len(both) + len(scored)} pairs)."
        )
    parts.append(unit_report(gold))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--independent", type=Path, help="folder of the independent judged pairs")
    args = parser.parse_args(argv)
    print(report(args.independent), end="")


if __name__ == "__main__":
    main()
