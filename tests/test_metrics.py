"""Each metric on cases worked out by hand, and against rouge-score where it applies."""

from __future__ import annotations

import random

import pytest
from rouge_score import rouge_scorer

from harness.matching import Matcher, carries_unit, same_directive, unit_recall
from harness.metrics import (
    ALWAYS,
    date_accuracy,
    match_directives,
    normalise_name,
    presider_accuracy,
    score_document,
    summary_rouge,
)
from harness.rouge import lcs_length, rouge_l_f1
from harness.schema import Prediction

ROUGE_L = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("predicted", "expected"), [("2022-12-17", 1.0), ("2022-12-16", 0.0), ("2021-12-17", 0.0), (None, 0.0)]
)
def test_date_accuracy(predicted, expected):
    assert date_accuracy(predicted, "2022-12-17") == expected


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "written",
    [
        "Hao Peng",
        "hao  peng",
        "HAO PENG",
        "Provincial party secretary Hao Peng",
        "Hao Peng, secretary of the provincial party committee",
        "Comrade Hao Peng.",
        "HaoPeng",
    ],
)
def test_name_variants_of_the_gold_name_match(written):
    assert presider_accuracy(written, "Hao Peng") == 1.0


def test_hyphen_and_apostrophe_join_syllables():
    assert normalise_name("Zhang Guo-qing") == "zhangguoqing"
    assert presider_accuracy("Zhang Guo-qing", "Zhang Guoqing") == 1.0
    assert presider_accuracy("Governor Li Le'cheng", "Li Lecheng") == 1.0


def test_aliases_count_and_reversed_order_needs_one():
    assert presider_accuracy("Guoqing Zhang", "Zhang Guoqing") == 0.0
    assert presider_accuracy("Guoqing Zhang", "Zhang Guoqing", ["Guoqing Zhang", "张国清"]) == 1.0
    assert presider_accuracy("张国清", "Zhang Guoqing", ["Guoqing Zhang", "张国清"]) == 1.0


@pytest.mark.parametrize("wrong", ["Li Lecheng", "Hao", "Peng Hao", "Governor", "", None])
def test_other_people_partial_names_and_titles_alone_do_not_match(wrong):
    assert presider_accuracy(wrong, "Hao Peng") == 0.0


def test_no_gold_presider_expects_no_name():
    assert presider_accuracy(None, None) == 1.0
    assert presider_accuracy("  ", None) == 1.0
    assert presider_accuracy("Hao Peng", None) == 0.0


# -------------------------------------------------------------------- ROUGE-L pairs


def test_rouge_l_by_hand():
    # stemmed tokens: [expand, effect, invest] vs [expand, invest]; LCS = 2
    # P = 2/2, R = 2/3, F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert rouge_l_f1("expand effective investment", "Expand investment!") == pytest.approx(0.8)
    assert rouge_l_f1("aa bb cc dd", "dd cc bb aa") == pytest.approx(0.25)  # LCS 1 of 4 and 4
    assert rouge_l_f1("", "aa") == 0.0
    assert rouge_l_f1("...", "aa") == 0.0


def test_lcs_length_by_hand():
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert lcs_length(list("aaaa"), list("aa")) == 2
    assert lcs_length([], list("abc")) == 0


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


# ---------------------------------------------------------------- directive matching
#
# Toy directives of made-up words: every word is a content word, the first is the action,
# and the last word before a boundary is the head of the object ("xx aa bb cc": action xx,
# object aa bb cc, head cc). Content-word overlap c gives P = c / #predicted, R = c / #gold,
# similarity F = 2PR / (P + R), and a hit needs min(P, R) >= t.


def _m(t: float) -> Matcher:
    return Matcher(threshold=t)


def test_optimal_assignment_beats_greedy():
    # P1 "xx aa bb cc dd" against G1 "xx aa bb cc": c = 4, P = 4/5, R = 1, F = 8/9;
    # against G2 "xx aa bb dd": the same, F = 8/9. P2 "xx cc" against G1: c = 2, P = 1,
    # R = 1/2, F = 2/3, min = 1/2; against G2 the head dd is missing: ruled out, F = 0.
    # Greedy pairs P1-G1 first (8/9) and leaves P2-G2 (0); the optimum is P1-G2 + P2-G1
    # (8/9 + 2/3), and at t = 0.5 both are hits.
    gold = ["xx aa bb cc", "xx aa bb dd"]
    predicted = ["xx aa bb cc dd", "xx cc"]
    match = match_directives(predicted, gold, _m(0.5))
    assert sorted((p.predicted, p.gold) for p in match.pairs) == [(0, 1), (1, 0)]
    assert (match.precision, match.recall, match.f1) == (1.0, 1.0, 1.0)
    assert match.soft_f1 == pytest.approx((8 / 9 + 2 / 3) / 2)


def test_threshold_decides_hits_but_not_the_soft_score():
    # At t = 0.6, P2-G1 (min(P, R) = 1/2) is no longer a hit: P = R = 1/2.
    match = match_directives(["xx aa bb cc dd", "xx cc"], ["xx aa bb cc", "xx aa bb dd"], _m(0.6))
    assert (match.precision, match.recall, match.f1) == (0.5, 0.5, 0.5)
    assert match.soft_f1 == pytest.approx((8 / 9 + 2 / 3) / 2)
    assert [p.reason for p in sorted(match.pairs, key=lambda p: p.predicted)][1].startswith("too little of the gold")


def test_unequal_list_lengths():
    # one prediction, two gold: the prediction matches "xx aa" exactly (F = 1)
    match = match_directives(["xx aa"], ["xx aa", "yy bb"], _m(0.5))
    assert (match.precision, match.recall) == (1.0, 0.5)
    assert match.f1 == pytest.approx(2 / 3)
    assert match.soft_f1 == pytest.approx(2 / 3)  # soft P = 1/1, soft R = 1/2


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [([], [], (1.0, 1.0, 1.0, 1.0)), ([], ["aa"], (0.0, 0.0, 0.0, 0.0)), (["aa"], [], (0.0, 0.0, 0.0, 0.0))],
)
def test_empty_lists(predicted, gold, expected):
    m = match_directives(predicted, gold, _m(0.5))
    assert (m.precision, m.recall, m.f1, m.soft_f1) == expected


def test_a_prediction_cannot_be_matched_twice():
    match = match_directives(["xx aa", "xx aa"], ["xx aa"], _m(0.5))
    assert (match.precision, match.recall) == (0.5, 1.0)


GOLD = "Expand exports and fully support enterprises in winning orders and markets."


@pytest.mark.parametrize(
    ("predicted", "hit", "reason"),
    [
        (GOLD, True, "same"),
        ("Fully support firms in winning orders and markets, and boost exports.", True, "same"),
        ("Do not expand exports and fully support enterprises in winning orders and markets.", False, "negated"),
        ("Stop efforts to expand exports and fully support enterprises in winning orders.", False, "negated"),
        ("Reduce exports and fully support enterprises in winning orders and markets.", False, "reversed"),
        ("Neglect exports and fully support enterprises in winning orders and markets.", False, "reversed"),
        ("Expand imports and fully support enterprises in winning orders and markets.", False, "another object"),
        ("Expand exports and", False, "too little of the gold"),
        (GOLD + " Also build new roads, bridges, ports and airports across the whole province.", False,
         "too much besides the gold"),
    ],
)  # fmt: skip
def test_same_directive_verdicts(predicted, hit, reason):
    judgement = same_directive(predicted, GOLD, threshold=0.5)
    assert judgement.hit is hit and judgement.reason.startswith(reason), judgement
    if reason in ("negated", "reversed", "another object"):
        assert judgement.similarity == 0.0


def test_same_directive_by_hand():
    # content words of the gold: expand export fulli support enterpris win order market (8);
    # of "Expand exports": expand export (2): c = 2, P = 1, R = 1/4, F = 2 * 1/4 / (5/4) = 0.4
    judgement = same_directive("Expand exports", GOLD, threshold=0.2)
    assert judgement.hit and judgement.similarity == pytest.approx(0.4) and judgement.coverage == 0.25


def test_a_near_copy_that_changes_the_object_is_not_the_same():
    gold = "Protect property rights and intellectual property rights in accordance with the law."
    changed = "Protect mining rights and intellectual property rights in accordance with the law."
    judgement = same_directive(changed, gold, threshold=0.3)
    assert not judgement.hit and judgement.reason.startswith("changed object: 'mine' where the gold has 'properti'")


# ------------------------------------------------------------------- summary units


@pytest.mark.parametrize(
    ("summary", "carried", "reason"),
    [
        ("On 17 December 2022 the committee met; Hao Peng presided.", True, "carried"),
        ("On 17 December 2021 the committee met; Hao Peng presided.", False, "another number: '2022'"),
        ("On 17 December 2022 the committee met; Li Lecheng presided.", False, "another name: 'hao peng'"),
        ("The committee met in December.", False, "another number"),
    ],
)
def test_a_unit_needs_its_numbers_and_names(summary, carried, reason):
    judgement = carries_unit(summary, "Hao Peng presided over it on 17 December 2022.")
    assert judgement.hit is carried and judgement.reason.startswith(reason), judgement


def test_a_unit_by_hand_and_its_polarity():
    unit = "Expanding exports and consumption."  # content words: expand export consumpt
    # "It called for exports." carries export only: 1 of 3, below 0.6
    assert carries_unit("It called for exports.", unit).similarity == pytest.approx(1 / 3)
    assert carries_unit("It called for expanding exports and consumption.", unit).hit
    assert carries_unit("It called for boosting exports and consumption.", unit).hit  # boost means expand
    assert not carries_unit("It said not to expand exports and consumption.", unit).hit
    reduced = carries_unit("It called for reducing exports and consumption, and expanding tariffs.", unit)
    assert not reduced.hit and reduced.reason.startswith("reversed")
    # recall over units: the date unit's content words are held 2 march 2023, of which the
    # summary has 3 of 4 (not "held") and every number and name: carried; so 2 of 3 units
    units = ["Expanding exports.", "Held on 2 March 2023.", "Helping people in need."]
    assert unit_recall("On 2 March 2023 it called for expanding exports.", units) == pytest.approx(2 / 3)
    assert unit_recall("On 2 March 2023 it called for expanding exports and helping people in need.", units) == 1.0
    assert unit_recall("anything", []) == 1.0


# ------------------------------------------------------------------------ summaries


def test_summary_rouge_takes_the_best_reference():
    # unigram overlap with "aa xx": 1 of 2 either way, F1 = 0.5; with "cc dd": 0
    scores = summary_rouge("aa bb", ["cc dd", "aa xx"])
    assert scores["summary_rouge1"] == pytest.approx(0.5)
    assert scores["summary_rouge2"] == 0.0
    assert summary_rouge("aa bb", ["cc dd", "aa bb"])["summary_rouge2"] == 1.0


def test_summary_rouge_equals_rouge_score_best_over_references(gold):
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    record = gold.records[0]
    candidate = gold.records[1].summary
    expected = {
        f"summary_{k}": max(scorer.score(ref, candidate)[k].fmeasure for ref in record.reference_summaries)
        for k in ("rouge1", "rouge2", "rougeL")
    }
    assert summary_rouge(candidate, record.reference_summaries) == expected


def test_empty_summary_scores_zero():
    assert set(summary_rouge("", ["aa bb"]).values()) == {0.0}


# --------------------------------------------------------------------- whole records


def _gold_as_prediction(record, use_alias=False):
    return Prediction(
        doc_id=record.doc_id,
        meeting_date=record.meeting_date,
        presider=(record.presider.aliases[0] if use_alias else record.presider.name) if record.presider else None,
        directives=[d.text for d in record.directives],
        summary=record.summary,
    )


def test_gold_fed_back_scores_one_on_every_field(gold):
    for record in gold.records:
        assert score_document(_gold_as_prediction(record), record) == dict.fromkeys(ALWAYS, 1.0)


def test_an_alias_and_an_extra_summary_also_score_one_except_on_units(gold):
    # An extra reference summary is a reference for ROUGE, not a summary written to carry
    # the units (only the main summary must carry them all).
    record = gold.records[0]
    prediction = _gold_as_prediction(record, use_alias=True).model_copy(update={"summary": record.extra_summaries[0]})
    scores = score_document(prediction, record)
    units = scores.pop("summary_unit_recall")
    overall = scores.pop("overall")
    assert scores == dict.fromkeys(scores, 1.0)
    assert overall == pytest.approx((3 + units) / 4)


def test_empty_prediction_scores_zero_on_every_field(gold):
    for record in gold.records:
        assert score_document(Prediction.empty(record.doc_id), record) == dict.fromkeys(ALWAYS, 0.0)


def test_overall_is_the_mean_of_four_scores(gold):
    record = gold.records[3]
    prediction = Prediction(doc_id=record.doc_id, meeting_date=record.meeting_date)  # date right, rest empty
    scores = score_document(prediction, record)
    assert scores["date_accuracy"] == 1.0
    assert scores["overall"] == 0.25
