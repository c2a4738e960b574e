"""Our ROUGE equals the reference library's, ``rouge-score`` (with stemming), on the gold's
own texts and on any text hypothesis makes: every summary score a test checks rests on it.

Slow (seconds, and importing rouge-score and NLTK): the fast loop leaves it out."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from harness.metrics import summary_rouge
from harness.rouge import rouge_l_f1

from conftest import DATASET

pytestmark = pytest.mark.slow

ROUGE_L = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
ROUGE_ALL = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


def _vocabulary() -> list[str]:
    from harness.dataset import load_gold

    gold = load_gold(DATASET).records
    return sorted({w for r in gold for d in r.directives for w in d.text.split()} | {"the", "Liaoning", "2022"})


words = st.lists(st.one_of(st.sampled_from(_vocabulary()), st.text(max_size=12)), max_size=40).map(" ".join)


def test_rouge_l_equals_rouge_score_on_many_pairs(gold):
    texts = [d.text for r in gold.records for d in r.directives]
    texts += [s.quote for r in gold.records for d in r.directives for s in d.evidence]
    texts += [s for r in gold.records for s in r.text.split(". ")]
    rng = random.Random(1234)
    for _ in range(3000):
        a, b = rng.choice(texts), rng.choice(texts)
        if rng.random() < 0.3:
            words = b.split()
            rng.shuffle(words)
            b = " ".join(words[: rng.randint(0, len(words))])
        assert rouge_l_f1(a, b) == ROUGE_L.score(a, b)["rougeL"].fmeasure, (a, b)


def test_summary_rouge_equals_rouge_score_best_over_references(gold):
    record = gold.records[0]
    candidate = gold.records[1].summary
    expected = {
        f"summary_{k}": max(ROUGE_ALL.score(ref, candidate)[k].fmeasure for ref in record.reference_summaries)
        for k in ("rouge1", "rouge2", "rougeL")
    }
    assert summary_rouge(candidate, record.reference_summaries) == expected


@settings(max_examples=500, deadline=None)
@given(a=words, b=words)
def test_rouge_l_equals_rouge_score_on_any_text(a, b):
    assert rouge_l_f1(a, b) == ROUGE_L.score(a, b)["rougeL"].fmeasure


@settings(max_examples=500, deadline=None)
@given(predicted=words, references=st.lists(words, min_size=1, max_size=3))
def test_summary_rouge_equals_rouge_score_score_multi(predicted, references):
    best = ROUGE_ALL.score_multi(references, predicted)
    expected = {f"summary_{k}": best[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")}
    assert summary_rouge(predicted, references) == expected
