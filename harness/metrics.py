"""The scores of PolicyBench, one function per field, each comparing a prediction to gold.

Every score lies in [0, 1]; higher is better. Definitions are in ``docs/FORMAT.md``:

* ``date_accuracy``: 1 if the predicted ISO date equals the gold meeting date, else 0.
* ``presider_accuracy``: 1 if the predicted name equals the gold name or an alias after
  :func:`normalise_name`, else 0. A document without a presider expects no name.
* ``directive_precision`` / ``directive_recall`` / ``directive_f1``: predicted and gold
  directives are matched one to one, maximising first the number of hits, then the total
  similarity (the assignment problem, solved exactly). Every pair is judged by the directive
  matcher (:mod:`harness.matching`): a prediction with evidence is located by its quotes'
  spans and its text passes exact checks (numbers, names, negation, about its evidence); a
  plain string is judged by its text alone; a prediction whose quote is not in the document
  matches nothing::

      hits      = #{matched pairs (p, g) : the matcher says p states g}
      precision = hits / #predicted        recall = hits / #gold
      f1        = 2 * precision * recall / (precision + recall)   (0 when both are 0)

* ``directive_grounded``: ``#{predicted directives with evidence whose every quote is found
  in the document} / #{predicted directives with evidence}``; not applicable (absent from
  the document's scores, left out of the mean) when no predicted directive carries evidence.
* ``directive_soft_f1``: the same matching, counting each matched pair's similarity
  (:class:`harness.matching.Judgement`, 0 for a ruled-out pair) instead of 0/1:
  ``soft_precision = sum(sim) / #predicted``, ``soft_recall = sum(sim) / #gold``, and
  their harmonic mean.
* ``summary_rouge1`` / ``summary_rouge2`` / ``summary_rougeL``: F1 of ROUGE-1, ROUGE-2
  and ROUGE-L with stemming, as the ``rouge-score`` package computes them, taking for each
  the best over all reference summaries of the document. With ``c`` the clipped count of
  shared n-grams, ``P = c / #predicted n-grams``, ``R = c / #reference n-grams``; for
  ROUGE-L, ``c`` is the longest common subsequence of the token sequences.
* ``summary_unit_recall``: on the summary cut to its first ``SUMMARY_WORD_LIMIT`` (100)
  words, ``#{units u : the summary carries u} / #units * 0.5 ** #{facts stated wrongly}``
  (:func:`harness.matching.judge_summary`): each unit judged by
  :func:`harness.matching.carries_unit`, each wrong date, number, presider or kind of
  meeting halving the score, and a list of keywords carrying nothing.
* ``overall``: ``sum(w_s * s) / sum(w_s)`` over the scores with a weight in :data:`SCORES`:
  date 0.15, presider 0.15, directive F1 0.40, summary units 0.30 — the date and the
  presider together weigh 0.30, so they cannot carry a system (validity/README.md).

Each field is scored on its own: a prediction field that could not be used (a date not in
``YYYY-MM-DD`` form, a directive that is a number) scores 0 on every score of that field
(:attr:`Score.field`), whatever the gold; the other fields are scored as given.

Empty lists: when both sides are empty, precision, recall and F1 are 1 (nothing was to be
found and nothing was claimed). When only one side is empty, all three are 0, so an empty
prediction scores 0 on a document that has directives.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from . import rouge
from .errors import HarnessError
from .matching import (
    DEFAULT_MATCH_THRESHOLD,
    GoldDirective,
    Judgement,
    Matcher,
    PredictedDirective,
    SummaryFacts,
    SummaryVerdict,
    judge_summary,
    summary_score,
)
from .schema import SUMMARY_WORD_LIMIT, GoldRecord, Prediction, Reference, truncate_words

if TYPE_CHECKING:
    from .judge import DocumentVerdicts

#: The directive matcher's threshold, calibrated on the judged pairs in ``calibration/``
#: (see calibration/README.md). Every run records the matcher and its settings.
DEFAULT_THRESHOLD = DEFAULT_MATCH_THRESHOLD


# ------------------------------------------------------------------------------ dates


def date_accuracy(predicted: str | None, gold: str) -> float:
    """1.0 if the predicted ``YYYY-MM-DD`` equals the gold date, else 0.0."""
    return float(predicted is not None and predicted == gold)


# ------------------------------------------------------------------------------ names

#: Words of office and address that may stand around a name; they are not the name.
TITLE_WORDS = frozenset(
    """
    comrade mr mrs ms dr sir madam
    secretary deputy vice executive general first
    governor lieutenant mayor premier president chairman chairwoman chair director
    chief head minister leader member members
    party provincial province municipal city county committee standing government group
    cpc ccp cppcc peoples congress political consultative conference
    of the and
    """.split()
)
_JOINERS = re.compile(r"[-‐‑‒–—'’`.·・]")
_SEPARATORS = re.compile(r"[^\w]+")


def normalise_name(name: str) -> str:
    """A name reduced to what identifies the person.

    Unicode NFKC, lower case; hyphens, apostrophes and dots join (``Guo-qing`` ->
    ``guoqing``); other punctuation separates; title words (:data:`TITLE_WORDS`) are dropped;
    and the remaining words are concatenated, so spacing does not matter
    (``"Provincial party secretary Hao  Peng"`` -> ``"haopeng"``).
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _JOINERS.sub("", text)
    words = [w for w in _SEPARATORS.split(text) if w and w not in TITLE_WORDS]
    return "".join(words)


def presider_accuracy(predicted: str | None, gold_name: str | None, aliases: Sequence[str] = ()) -> float:
    """1.0 if the predicted name matches the gold name or an alias after normalisation.

    When the gold has no presider, the right answer is no name (None or blank).
    """
    if gold_name is None:
        return float(not (predicted and predicted.strip()))
    if not predicted:
        return 0.0
    guess = normalise_name(predicted)
    return float(bool(guess) and any(guess == normalise_name(n) for n in (gold_name, *aliases)))


# -------------------------------------------------------------------------- directives


@dataclass(frozen=True, slots=True)
class MatchedPair:
    """A predicted and a gold directive the assignment paired, and the matcher's verdict
    (``path``: how it was decided, see :class:`harness.matching.Judgement`)."""

    predicted: int
    gold: int
    similarity: float
    hit: bool
    reason: str
    path: str = "text"


@dataclass(frozen=True)
class DirectiveMatch:
    """The optimal one-to-one matching of predicted to gold directives and its scores."""

    pairs: tuple[MatchedPair, ...]
    precision: float
    recall: float
    f1: float
    soft_f1: float


def _prf(hits: float, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    precision = hits / n_pred if n_pred else 0.0
    recall = hits / n_gold if n_gold else 0.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def match_directives(
    predicted: Sequence[str | PredictedDirective],
    gold: Sequence[str | GoldDirective],
    matcher: Matcher | JudgedMatcher,
) -> DirectiveMatch:
    """Match predicted to gold directives one to one: most hits first, then most similarity.

    Every pair is judged by ``matcher``; the assignment maximises ``sum(hit * K +
    similarity)`` with ``K`` larger than any total similarity, so a hit is never traded for
    similarity, and a ruled-out pair (similarity 0) never takes a gold directive from a right
    one — solved exactly with ``scipy.optimize.linear_sum_assignment``.
    """
    pairs: tuple[MatchedPair, ...] = ()
    if predicted and gold:
        from scipy.optimize import linear_sum_assignment  # a quarter second to import: only when needed

        judged = matcher.judge_all(predicted, gold)
        big = min(len(predicted), len(gold)) + 1.0
        weight = np.array([[j.similarity + big * j.hit for j in row] for row in judged])
        rows, cols = linear_sum_assignment(weight, maximize=True)
        pairs = tuple(
            # interned: the same reason ("same", "covers 25% ...") recurs across a large run
            MatchedPair(
                int(i), int(j), judged[i][j].similarity, judged[i][j].hit, sys.intern(judged[i][j].reason),
                judged[i][j].path,
            )
            for i, j in zip(rows, cols, strict=True)
        )  # fmt: skip
    hits = sum(1 for p in pairs if p.hit)
    precision, recall, f1 = _prf(hits, len(predicted), len(gold))
    soft = _prf(sum(p.similarity for p in pairs), len(predicted), len(gold))[2]
    return DirectiveMatch(pairs=pairs, precision=precision, recall=recall, f1=f1, soft_f1=soft)


# --------------------------------------------------------------------------- summaries


def summary_rouge(predicted: str, references: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F1 (stemmed) of a summary, best over the references.

    What ``RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score_multi``
    returns (the tests compare the two on thousands of texts), computed with
    :mod:`harness.rouge` on cached tokens.
    """
    if not references:
        raise ValueError("a summary needs at least one reference")
    pred = rouge.tokens(predicted)
    best = {"summary_rouge1": 0.0, "summary_rouge2": 0.0, "summary_rougeL": 0.0}
    for reference in references:
        ref = rouge.tokens(reference)
        scores = {
            "summary_rouge1": rouge.rouge_n(ref, pred, 1),
            "summary_rouge2": rouge.rouge_n(ref, pred, 2),
            "summary_rougeL": rouge.rouge_l(ref, pred),
        }
        best = {k: max(best[k], scores[k]) for k in best}
    return best


# ------------------------------------------------------------------------ the table


class JudgedMatcher:
    """A model judge's verdicts for one document, in the shape of a matcher: the pair the
    judge linked is the same (similarity 1), every other pair is not (0). A prediction whose
    quotes are not in the document is ungrounded whatever the judge says."""

    def __init__(self, verdicts: DocumentVerdicts) -> None:
        self.links = verdicts.links

    def judge_all(
        self, predicted: Sequence[str | PredictedDirective], gold: Sequence[str | GoldDirective]
    ) -> list[list[Judgement]]:
        same, other = Judgement(1.0, True, "judge: same", path="judge"), Judgement(0.0, False, "judge: not the same")
        ungrounded = Judgement(0.0, False, "ungrounded: a quote is not in the document", path="ungrounded")
        return [
            [
                ungrounded
                if isinstance(p, PredictedDirective) and not p.grounded
                else (same if i < len(self.links) and self.links[i] == j else other)
                for j in range(len(gold))
            ]
            for i, p in enumerate(predicted)
        ]


@dataclass(frozen=True)
class Matching:
    """How a run decides that a predicted directive states a gold one and that a summary
    carries a unit: made once, from ``--threshold`` or ``--judge``, handed to every document,
    and recorded with the run (:meth:`settings`).

    ``threshold`` is the deterministic matcher's (:class:`harness.matching.Matcher`, which
    judges summary units too, at its own recorded threshold); ``judge``, a model judge's
    settings, and ``verdicts``, its decisions by document, when one decided — a document it
    could not decide is matched deterministically.
    """

    threshold: float = DEFAULT_THRESHOLD
    judge: Mapping[str, Any] | None = None
    verdicts: Mapping[str, DocumentVerdicts] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        """What a run record keeps of it: the matcher's name, version and thresholds, and
        the judge's settings with the matcher as its fallback."""
        matcher = Matcher(self.threshold).settings()
        return matcher if self.judge is None else {"judge": dict(self.judge), "fallback": matcher}

    def only(self, doc_ids: Collection[str]) -> Matching:
        """The same matching with only these documents' verdicts: what a worker process needs."""
        if not self.verdicts:
            return self
        return Matching(self.threshold, self.judge, {d: self.verdicts[d] for d in doc_ids if d in self.verdicts})


#: The deterministic matcher at its calibrated threshold: what a run uses unless told otherwise.
DEFAULT_MATCHING = Matching()


@dataclass(frozen=True)
class Pair:
    """One document's prediction beside its reference, with the work several scores share.

    When the run's model judge decided this document (``matching.verdicts``), its verdicts
    replace the deterministic matchers for directive pairs and summary units.
    """

    prediction: Prediction
    reference: Reference
    matching: Matching = DEFAULT_MATCHING

    @property
    def verdicts(self) -> DocumentVerdicts | None:
        return self.matching.verdicts.get(self.reference.doc_id)

    @cached_property
    def predicted(self) -> list[PredictedDirective]:
        return [
            PredictedDirective.of(text, quotes, self.reference.text)
            for text, quotes in zip(self.prediction.directive_texts, self.prediction.directive_quotes, strict=True)
        ]

    @cached_property
    def gold(self) -> list[GoldDirective]:
        evidence = self.reference.evidence or ((),) * len(self.reference.directives)
        return [
            GoldDirective(text, tuple(q for q, _, _ in spans), tuple((a, b) for _, a, b in spans))
            for text, spans in zip(self.reference.directives, evidence, strict=True)
        ]

    @cached_property
    def directives(self) -> DirectiveMatch:
        matcher = Matcher(self.matching.threshold) if self.verdicts is None else JudgedMatcher(self.verdicts)
        return match_directives(self.predicted, self.gold, matcher)

    @cached_property
    def grounded(self) -> float | None:
        with_evidence = [p for p in self.predicted if p.spans is not None]
        if not with_evidence:
            return None
        return sum(p.grounded for p in with_evidence) / len(with_evidence)

    @cached_property
    def summary_text(self) -> str:
        return truncate_words(self.prediction.summary, SUMMARY_WORD_LIMIT)

    @cached_property
    def summary_verdict(self) -> SummaryVerdict:
        ref = self.reference
        names = (ref.presider, *ref.aliases) if ref.presider else ()
        facts = SummaryFacts(ref.meeting_date, names, ref.text, (*ref.summaries, *ref.units))
        verdict = judge_summary(self.summary_text, ref.units, facts)
        if self.verdicts is None or not ref.units or not verdict.prose:
            return verdict
        carried = tuple(self.verdicts.units)
        return SummaryVerdict(carried, verdict.errors, summary_score(carried, verdict.errors))

    @cached_property
    def summary(self) -> dict[str, float]:
        return summary_rouge(self.summary_text, self.reference.summaries)


@dataclass(frozen=True)
class Score:
    """One score of the benchmark: how it is computed and how it is shown.

    ``compute`` maps a :class:`Pair` to a value in [0, 1], higher is better, or None where
    the score does not apply to the document (then ``optional`` is True); ``field`` is the
    prediction field it scores (when that field could not be used, the score is 0);
    ``weight`` is its weight in ``overall`` (0: not part of it); ``headline`` whether the
    leaderboard and the per-document table show it; ``description`` what it measures, and
    ``unchecked`` what it does not check, for the score tables of the README and
    docs/FORMAT.md (``python -m policybench.generate`` writes them).
    """

    name: str
    label: str
    field: str
    compute: Callable[[Pair], float | None]
    weight: float = 0.0
    headline: bool = False
    short: str = ""  # a column header of at most five characters, for narrow tables
    optional: bool = False
    description: str = ""
    unchecked: str = "—"

    @property
    def in_overall(self) -> bool:
        return self.weight > 0


#: Every score, in the order reports list them. ``overall`` is the weighted mean of those
#: with a weight; it is added by :func:`score_document` and listed last in SCORE_NAMES.
SCORES: tuple[Score, ...] = (
    Score(
        "date_accuracy",
        "date",
        "meeting_date",
        lambda p: date_accuracy(p.prediction.meeting_date, p.reference.meeting_date),
        weight=0.15,
        headline=True,
        short="date",
        description="the predicted `meeting_date` equals the gold date",
    ),
    Score(
        "presider_accuracy",
        "presider",
        "presider",
        lambda p: presider_accuracy(p.prediction.presider, p.reference.presider, p.reference.aliases),
        weight=0.15,
        headline=True,
        short="pres",
        description="the predicted name equals the gold name or an alias, ignoring case, spacing, punctuation "
        'and titles such as "Governor"',
    ),
    Score(
        "directive_precision",
        "directive P",
        "directives",
        lambda p: p.directives.precision,
        description="the share of predicted directives that match a gold one: the two lists are matched one to "
        "one (most hits, then most similarity), a pair being a hit when the directive matcher says it is the "
        "same instruction (below)",
        unchecked="see the directive matcher, below",
    ),
    Score(
        "directive_recall",
        "directive R",
        "directives",
        lambda p: p.directives.recall,
        description="the share of gold directives that a predicted one matches (the same matching)",
        unchecked="see the directive matcher, below",
    ),
    Score(
        "directive_f1",
        "directive F1",
        "directives",
        lambda p: p.directives.f1,
        weight=0.40,
        headline=True,
        short="dirF1",
        description="the harmonic mean of directive precision and recall",
        unchecked="see the directive matcher, below",
    ),
    Score(
        "directive_soft_f1",
        "directive soft F1",
        "directives",
        lambda p: p.directives.soft_f1,
        headline=True,
        short="soft",
        description="the same matching, counting each pair's similarity instead of 0/1 (0 for a pair the "
        "matcher rules out)",
    ),
    Score(
        "directive_grounded",
        "directives grounded",
        "directives",
        lambda p: p.grounded,
        headline=True,
        short="grnd",
        optional=True,
        description="the share of predicted directives with evidence whose every quote is in the document; "
        "n/a when none has evidence",
        unchecked="whether the quote supports the text (that is the matcher's job)",
    ),
    Score(
        "summary_rouge1",
        "summary ROUGE-1",
        "summary",
        lambda p: p.summary["summary_rouge1"],
        description="ROUGE-1 F1 (rouge-score, stemmed) of the first 100 words, best over the reference summaries",
        unchecked="meaning, facts",
    ),
    Score(
        "summary_rouge2",
        "summary ROUGE-2",
        "summary",
        lambda p: p.summary["summary_rouge2"],
        description="ROUGE-2 F1, as ROUGE-1",
        unchecked="meaning, facts",
    ),
    Score(
        "summary_rougeL",
        "summary ROUGE-L",
        "summary",
        lambda p: p.summary["summary_rougeL"],
        headline=True,
        short="R-L",
        description="ROUGE-L F1 (the longest common subsequence), as ROUGE-1",
        unchecked="meaning, facts",
    ),
    Score(
        "summary_unit_recall",
        "summary units",
        "summary",
        lambda p: p.summary_verdict.score,
        weight=0.30,
        headline=True,
        short="units",
        description="on the first 100 words: the share of the document's 6–12 summary units (the meeting, its "
        "date, its presider, its main decisions) the summary carries, halved for each date, number, presider "
        "or kind of meeting it states wrongly; 0 for a list of keywords",
        unchecked="see the summary score, below",
    ),
)
OVERALL = "overall"
SCORE_NAMES: tuple[str, ...] = (*(s.name for s in SCORES), OVERALL)
#: Scores a document may lack: they did not apply to it (see :attr:`Score.optional`).
OPTIONAL: frozenset[str] = frozenset(s.name for s in SCORES if s.optional)
#: The scores every document has: what frameworks that need a value per sample report.
ALWAYS: tuple[str, ...] = tuple(n for n in SCORE_NAMES if n not in OPTIONAL)
#: Column headers of every score, ``overall`` included, and the five-character ones.
LABELS: dict[str, str] = {**{s.name: s.label for s in SCORES}, OVERALL: OVERALL}
SHORT_LABELS: dict[str, str] = {**{s.name: s.short or s.name[:5] for s in SCORES}, OVERALL: "all"}
#: The scores a headline table shows: the fields that make up ``overall`` first, then the
#: other headline scores, then ``overall``.
HEADLINE: tuple[str, ...] = (
    *(s.name for s in SCORES if s.headline and s.in_overall),
    *(s.name for s in SCORES if s.headline and not s.in_overall),
    OVERALL,
)
OVERALL_PARTS: tuple[str, ...] = tuple(s.name for s in SCORES if s.in_overall)
WEIGHTS: dict[str, float] = {s.name: s.weight for s in SCORES if s.in_overall}


def overall(scores: dict[str, float]) -> float:
    """``sum(w_s * s) / sum(w_s)`` over the scores in :data:`WEIGHTS`."""
    return sum(WEIGHTS[k] * scores[k] for k in WEIGHTS) / sum(WEIGHTS.values())


@dataclass(frozen=True)
class DocumentScores:
    """One document's scores and the matched directive pairs behind them."""

    scores: dict[str, float]
    pairs: tuple[MatchedPair, ...]


def score_document(
    prediction: Prediction,
    gold: GoldRecord | Reference,
    matching: Matching = DEFAULT_MATCHING,
    unusable: Collection[str] = (),
) -> DocumentScores:
    """Every score of one document (keyed by the names in :data:`SCORE_NAMES`), and the
    directive pairs behind the directive scores.

    A score that does not apply to the document (:data:`OPTIONAL`) is left out. A score of
    a field in ``unusable`` (the prediction's value could not be read) is 0 — not the score
    of the empty value, which would be right where the gold is empty too — and an optional
    one is left out.
    """
    ref = gold if isinstance(gold, Reference) else Reference.from_gold(gold)
    if prediction.doc_id != ref.doc_id:
        raise HarnessError(f"{prediction.doc_id}: a prediction of another document than {ref.doc_id}; not scored")
    pair = Pair(prediction, ref, matching)
    scores = {}
    for s in SCORES:
        value = (None if s.optional else 0.0) if s.field in unusable else s.compute(pair)
        if value is not None:
            scores[s.name] = value
    scores[OVERALL] = overall(scores)
    return DocumentScores(scores, pair.directives.pairs)
