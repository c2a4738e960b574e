"""How small a difference between two systems the benchmark can detect: a power analysis.

With ``n`` documents, a paired sign-flip test at level ``alpha`` detects a true mean
difference ``delta`` with probability (power) that grows with ``delta`` and ``n``. The
smallest ``delta`` it detects with power 0.8 is estimated by resampling, from per-document
differences between two real systems (the built-in baselines), so that the spread of the
differences is the benchmark's own::

    for each delta on a grid (0.005 apart):
        repeat R times: draw n differences with replacement from (d_i - mean(d)) + delta,
                        test them with the sign-flip test (harness.scoring), reject at alpha
        power(delta) = the share of the R draws rejected
    detectable = the smallest delta with power(delta) >= 0.8

Seeded: the same inputs give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

POWER = 0.8
ALPHA = 0.05
DRAWS = 300
FLIPS = 2000
STEP = 0.005


#: Up to this many documents the sign-flip test is exact (every sign vector), as in
#: :func:`harness.scoring.paired_comparison`.
EXACT_MAX = 12


def _p_values(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two-sided sign-flip p-values of each row of ``samples`` (draws x documents): exact
    for few documents, from random sign vectors otherwise."""
    n = samples.shape[1]
    observed = np.abs(samples.mean(axis=1))  # (draws,)
    if n <= EXACT_MAX:
        signs = np.array(np.meshgrid(*[(1.0, -1.0)] * n)).reshape(n, -1).T
        flipped = np.abs(samples @ signs.T / n)
        return np.mean(flipped >= observed[:, None] - 1e-12, axis=1)
    signs = rng.choice((-1.0, 1.0), size=(FLIPS, n))
    flipped = np.abs(samples @ signs.T / n)  # (draws, flips)
    return (np.sum(flipped >= observed[:, None] - 1e-12, axis=1) + 1) / (FLIPS + 1)


def detectable_difference(
    differences: Sequence[float], n: int, alpha: float = ALPHA, power: float = POWER, seed: int = 0
) -> float:
    """The smallest mean difference a paired sign-flip test over ``n`` documents detects with
    probability ``power`` at level ``alpha``, for differences spread as ``differences``
    (see the module doc); ``inf`` when none up to 1 is (with five documents the smallest
    p-value is 0.0625, so none is at 0.05)."""
    d = np.asarray(differences, dtype=float)
    if d.size == 0 or n < 1:
        raise ValueError("need differences and at least one document")
    centred = d - d.mean()
    rng = np.random.default_rng(seed)
    for delta in np.arange(STEP, 1.0 + STEP / 2, STEP):
        draws = rng.choice(centred, size=(DRAWS, n), replace=True) + delta
        if np.mean(_p_values(draws, rng) < alpha) >= power:
            return float(round(delta, 3))
    return float("inf")


def paired_differences(a: Mapping[str, Mapping[str, float]], b: Mapping[str, Mapping[str, float]], score: str):
    """Per-document ``a - b`` on ``score``, over the documents both scored."""
    return [a[d][score] - b[d][score] for d in sorted(set(a) & set(b))]


#: The pairs of built-in baselines whose per-document differences the table resamples.
PAIRS = (("rules", "textrank"), ("oracle", "rules"))
SCORES = ("overall", "directive_f1")


def power_table(runs: Mapping[str, object], sizes: Mapping[str, int]) -> str:
    """Markdown: for each score and pair of baselines (run records on the ``all``
    configuration, by model name), the smallest difference a paired test detects at 80 %
    power with each number of documents in ``sizes`` (label -> n). Empty without the runs."""
    pairs = [(a, b) for a, b in PAIRS if a in runs and b in runs]
    if not pairs:
        return ""
    lines = [
        "| score | differences of | " + " | ".join(f"{label} ({n} documents)" for label, n in sizes.items()) + " |",
        "|---|---|" + "---|" * len(sizes),
    ]
    for score in SCORES:
        for a, b in pairs:
            diffs = paired_differences(runs[a].per_doc_scores(), runs[b].per_doc_scores(), score)  # type: ignore[attr-defined]
            cells = []
            for n in sizes.values():
                d = detectable_difference(diffs, n)
                cells.append("none" if d == float("inf") else f"{d:.3f}")
            lines.append(f"| {score} | {a} − {b} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
