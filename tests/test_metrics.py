"""Each metric on cases worked out by hand, and against rouge-score where it applies."""

from __future__ import annotations

import pytest

from harness.api import score_document
from harness.grounding import find_quote, located, span_overlap
from harness.matching import (
    GoldDirective,
    Matcher,
    PredictedDirective,
    SummaryFacts,
    carries_unit,
    dates,
    judge_summary,
    numbers,
    same_directive,
    stray_names,
    summary_errors,
    unit_recall,
)
from harness.metrics import (
    ALWAYS,
    date_accuracy,
    match_directives,
    normalise_name,
    presider_accuracy,
    summary_rouge,
)
from harness.rouge import lcs_length, rouge_l_f1
from harness.schema import Prediction

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
        ("Do not fail to expand exports and fully support enterprises in winning orders.", True, "same"),
        ("Do not expand exports and fully support enterprises in winning orders and markets.", False, "negation"),
        ("Stop efforts to expand exports and fully support enterprises in winning orders.", False, "negation"),
        ("Oppose efforts to expand exports and support enterprises in winning orders.", False, "negation"),
        ("Reduce exports and fully support enterprises in winning orders and markets.", False, "negation"),
        ("Expand exports in 2024 and fully support enterprises in winning orders.", False, "numbers: 2024"),
        ("Expand exports to Japan and fully support enterprises in winning orders.", False, "names: Japan"),
        ("Expand exports and", False, "too little of the gold"),
        ("Build new roads, bridges, ports and airports, and expand exports.", False, "about"),
    ],
)  # fmt: skip
def test_same_directive_verdicts(predicted, hit, reason):
    judgement = same_directive(predicted, GOLD, threshold=0.4)
    assert judgement.hit is hit and judgement.reason.startswith(reason), judgement
    if reason in ("negation", "numbers", "names"):
        assert judgement.similarity == 0.0


def test_same_directive_by_hand():
    # content words of the gold: expand export fulli support enterpris win order market (8);
    # of "Expand exports": expand export (2). P = 2/2 = 1, R = 2/8 = 0.25, F = 2 * 0.25 / 1.25 = 0.4
    judgement = same_directive("Expand exports", GOLD, threshold=0.2)
    assert judgement.hit and judgement.similarity == pytest.approx(0.4) and judgement.coverage == 1.0
    assert judgement.path == "text"
    assert not same_directive("Expand exports", GOLD, threshold=0.3).hit  # R = 0.25 < 0.3
    # "Build new roads, bridges, ports and airports, and expand exports.": build new road bridg
    # port airport expand export (8 content words), 2 of them the gold's: P = 0.25 < ABOUT (0.35)
    about = same_directive("Build new roads, bridges, ports and airports, and expand exports.", GOLD)
    assert about.coverage == 0.25 and about.reason.startswith("about")


def test_a_synonym_of_the_object_and_a_derived_word_are_the_same_object():
    # the object-head rule of the old matcher rejected these; the independent annotator's
    # guideline point 2 says a synonym of the head is the same object
    gold = "Promote the high-quality development of the private economy."
    assert same_directive("Drive high-quality growth of the private sector's economic activity.", gold).hit
    assert same_directive("Boost the development of the private economic sector in high quality.", gold).hit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the 20th Party Congress", {"20"}),
        ("a good start in the first quarter", {"1"}),
        ("the second quarter", {"2"}),
        ("the first half of the year", {"1", "1/2"}),
        ("the 2023-2025 three-year plan", {"2023", "2025", "3"}),
        ("Implement the six guarantees, putting jobs first.", {"6"}),  # "first" ends the clause
        ("No numbers here.", set()),
    ],
)
def test_numbers_by_hand(text, expected):
    assert numbers(text) == expected


def test_names_and_acronyms():
    pool = "Deepen the reform of state-owned enterprises in Liaoning under the CPC Central Committee."
    assert stray_names("Deepen SOE reform in Liaoning.", pool) == []  # S-O-E: state owned enterprises
    assert stray_names("Deepen SOE reform in Dalian.", pool) == ["Dalian"]
    assert stray_names("Apply Class A management.", "Implement Class B management.") == ["A"]


# -------------------------------------------------------------- evidence and location


def test_a_quote_is_found_whatever_its_quote_marks_spacing_case_and_dashes():
    text = "He said: it is necessary to “expand exports” —  and\n support  enterprises."
    assert find_quote('IT IS NECESSARY TO "EXPAND EXPORTS" - AND SUPPORT ENTERPRISES', text) == (9, len(text) - 1)
    assert find_quote("expand imports", text) is None
    assert find_quote("   ", text) is None


def test_span_overlap_by_hand():
    # gold evidence covers 10..30 (20 characters); a prediction covering 20..60 shares 10 of
    # them: coverage 10/20 = 0.5, precision 10/40 = 0.25 -> located
    assert span_overlap([(20, 60)], [(10, 30)]) == (0.5, 0.25)
    assert located([(20, 60)], [(10, 30)])
    # the whole of a 200-character document: coverage 1, precision 20/200 = 0.1 -> not located
    assert span_overlap([(0, 200)], [(10, 30)]) == (1.0, 0.1)
    assert not located([(0, 200)], [(10, 30)])
    # a gold directive with two quotes, the prediction pointing at one of them entirely:
    # 10 of 30 evidence characters (1/3), but all of the quote at 50..60
    assert span_overlap([(50, 60)], [(0, 20), (50, 60)]) == (1.0, 1.0)


TEXT = (
    "The meeting stressed that we must expand exports and fully support enterprises in winning orders and "
    "markets. We must also restore consumption."
)
EXPORTS = GoldDirective(
    GOLD, ("expand exports and fully support enterprises in winning orders and markets",), ((34, 109),)
)
CONSUMPTION = GoldDirective("Restore consumption.", ("restore consumption",), ((123, 142),))


def test_the_gold_spans_of_the_example_are_right():
    assert TEXT[34:108] == EXPORTS.quotes[0] and TEXT[123:142] == CONSUMPTION.quotes[0]


def test_a_located_paraphrase_is_the_same_and_takes_the_span_path():
    item = PredictedDirective.of("Help firms win orders and sell more abroad.", ["we must expand exports"], TEXT)
    # its quote covers 29..56 (5 characters before the gold's 34..108): 22 of 74, under 0.5 -> not located
    assert not same_directive(item, EXPORTS, others=[EXPORTS, CONSUMPTION]).hit
    item = PredictedDirective.of("Help firms win orders and boost exports.", [EXPORTS.quotes[0]], TEXT)
    judgement = same_directive(item, EXPORTS, others=[EXPORTS, CONSUMPTION])
    assert judgement.hit and judgement.path == "span"


def test_another_directives_text_on_this_quote_is_not_about_it():
    item = PredictedDirective.of("Restore consumption.", [EXPORTS.quotes[0]], TEXT)
    judgement = same_directive(item, EXPORTS, others=[EXPORTS, CONSUMPTION])
    assert not judgement.hit and judgement.reason.startswith("about")


def test_a_quote_not_in_the_document_is_ungrounded_and_matches_nothing():
    item = PredictedDirective.of(GOLD, ["expand exports to every continent"], TEXT)
    assert not item.grounded
    judgement = same_directive(item, EXPORTS)
    assert not judgement.hit and judgement.path == "ungrounded" and judgement.similarity == 0.0


# ------------------------------------------------------------------- summary units


@pytest.mark.parametrize(
    ("summary", "carried", "reason"),
    [
        ("On 17 December 2022 the committee met; Hao Peng presided.", True, "carried"),
        ("On December 17, 2022 the committee met; Hao Peng presided.", True, "carried"),
        ("On 17 December 2021 the committee met; Hao Peng presided.", False, "another date: 17 December"),
        ("On 17 December 2022 the committee met; Li Lecheng presided.", False, "another name: 'Hao Peng'"),
        ("The committee met in December.", False, "another date"),
    ],
)
def test_a_unit_needs_its_date_numbers_and_names(summary, carried, reason):
    judgement = carries_unit(summary, "Hao Peng presided over it on 17 December 2022.")
    assert judgement.hit is carried and judgement.reason.startswith(reason), judgement


def test_a_unit_without_a_year_takes_day_and_month_in_any_form():
    assert carries_unit("The committee met on September 10 under Zhang Guoqing.", "Held on 10 September.").hit
    assert carries_unit("It met on 10 September 2020.", "Held on 10 September.").hit


def test_a_unit_by_hand_and_its_polarity():
    unit = "Expanding exports and consumption."  # content words: expand export consumpt
    # "It called for exports." carries export only: 1 of 3
    assert carries_unit("It called for exports.", unit).similarity == pytest.approx(1 / 3)
    assert carries_unit("It called for expanding exports and consumption.", unit).hit
    assert carries_unit("It called for boosting exports and consumption.", unit).hit  # boost means expand
    assert not carries_unit("It said not to expand exports and consumption.", unit).hit
    turned = carries_unit("It turned down exports and consumption.", unit)
    assert not turned.hit and turned.reason.startswith("negated")
    # recall over units: the date unit's content words are held 2 march 2023, of which the
    # summary has 3 of 4 (not "held") and the date: carried; so 2 of 3 units
    units = ["Expanding exports.", "Held on 2 March 2023.", "Helping people in need."]
    assert unit_recall("On 2 March 2023 it called for expanding exports.", units) == pytest.approx(2 / 3)
    assert unit_recall("On 2 March 2023 it called for expanding exports and helping people in need.", units) == 1.0
    assert unit_recall("anything", []) == 1.0


FACTS = SummaryFacts(
    meeting_date="2022-10-07",
    presider_names=("Li Lecheng",),
    source="date 2022-10-08 On October 7, Governor Li Lecheng presided over the executive meeting. It heard two "
    "strategic cooperation agreements. Vice Governor Wang Xin attended.",
    references=("An executive meeting of the provincial government.",),
)


@pytest.mark.parametrize(
    ("summary", "errors"),
    [
        ("On 7 October 2022 Li Lecheng presided over the executive meeting; it heard two agreements.", []),
        ("Presided over by Li Lecheng on October 7, the meeting heard two strategic agreements.", []),
        ("On 8 October 2022 Li Lecheng presided over the executive meeting.", ["date: 8 October"]),
        ("On 7 October 2021 Li Lecheng presided over the executive meeting.", ["date: the year 2021"]),
        ("On 7 October Wang Xin presided over the executive meeting.", ["presider: Wang Xin"]),
        ("Li Lecheng, governor, chaired it; it heard three strategic cooperation agreements.", ["number: 3"]),
        ("Li Lecheng presided over a Standing Committee meeting on 7 October.", ["meeting: a standing committee"]),
    ],
)
def test_the_facts_of_a_summary_are_checked(summary, errors):
    found = summary_errors(summary, FACTS)
    assert len(found) == len(errors) and all(f.startswith(e) for f, e in zip(found, errors, strict=True)), found


def test_the_summary_score_by_hand():
    units = ["Held on 7 October 2022.", "Li Lecheng presided over it.", "Heard two agreements.", "Ensured safety."]
    right = "On 7 October 2022 Li Lecheng presided over the executive meeting, which heard two agreements."
    assert judge_summary(right, units, FACTS).score == 0.75  # 3 of 4 units, no error
    # the same with the wrong day: the date unit is missed (2 of 4) and the error halves: 0.25
    wrong = right.replace("7 October", "8 October")
    verdict = judge_summary(wrong, units, FACTS)
    assert verdict.carried == (False, True, True, False) and verdict.score == 0.25
    # a list of keywords has no function words: not prose, nothing carried
    salad = "Li Lecheng, 7 October 2022, executive meeting, two agreements, safety"
    assert judge_summary(salad, units, FACTS).score == 0.0 and not judge_summary(salad, units, FACTS).prose


# ------------------------------------------------------------------------ summaries


def test_summary_rouge_takes_the_best_reference():
    # unigram overlap with "aa xx": 1 of 2 either way, F1 = 0.5; with "cc dd": 0
    scores = summary_rouge("aa bb", ["cc dd", "aa xx"])
    assert scores["summary_rouge1"] == pytest.approx(0.5)
    assert scores["summary_rouge2"] == 0.0
    assert summary_rouge("aa bb", ["cc dd", "aa bb"])["summary_rouge2"] == 1.0


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
    from harness.dataset import load_gold

    from conftest import ANNOTATIONS, DATASET

    # every gold record, the constructed ones too: a summary that trips its own fact checks or
    # a directive that fails against itself would be a wrong gold or a wrong check
    records = load_gold(DATASET, "test", "all").records if (ANNOTATIONS / "constructed").is_dir() else gold.records
    for record in records:
        assert score_document(_gold_as_prediction(record), record) == dict.fromkeys(ALWAYS, 1.0), record.doc_id


def test_an_alias_and_an_extra_summary_also_score_one_except_on_units(gold):
    # An extra reference summary is a reference for ROUGE, not a summary written to carry
    # the units (only the main summary must carry them all).
    record = gold.records[0]
    prediction = _gold_as_prediction(record, use_alias=True).model_copy(update={"summary": record.extra_summaries[0]})
    scores = score_document(prediction, record)
    units = scores.pop("summary_unit_recall")
    overall = scores.pop("overall")
    assert scores == dict.fromkeys(scores, 1.0)
    assert overall == pytest.approx(0.15 + 0.15 + 0.40 + 0.30 * units)


def test_empty_prediction_scores_zero_on_every_field(gold):
    for record in gold.records:
        assert score_document(Prediction.empty(record.doc_id), record) == dict.fromkeys(ALWAYS, 0.0)


def test_overall_is_the_weighted_mean(gold):
    record = gold.records[3]
    prediction = Prediction(doc_id=record.doc_id, meeting_date=record.meeting_date)  # date right, rest empty
    scores = score_document(prediction, record)
    assert scores["date_accuracy"] == 1.0
    assert scores["overall"] == pytest.approx(0.15)
    both = Prediction(doc_id=record.doc_id, meeting_date=record.meeting_date, presider=record.presider.name)
    assert score_document(both, record)["overall"] == pytest.approx(0.30)  # date and presider: under half


def test_directive_grounded_by_hand(gold):
    record = gold.records[0]
    quote = record.directives[0].evidence[0].quote
    items = [{"text": "a", "evidence": [quote]}, {"text": "b", "evidence": ["not in this document at all"]}, "c"]
    scores = score_document(Prediction(doc_id=record.doc_id, directives=items), record)
    assert scores["directive_grounded"] == 0.5  # of the two with evidence, one is found
    assert "directive_grounded" not in score_document(Prediction(doc_id=record.doc_id, directives=["c"]), record)


# ------------------------------------------ cases an adversarial reviewer found (specifications)

EXPORTS_QUOTE = ("expand exports and fully support enterprises in winning orders and markets",)


@pytest.mark.parametrize(
    "negated",
    [
        "Do not actively expand exports and fully support enterprises in winning orders and markets.",
        "Refuse to expand exports and fully support enterprises in winning orders and markets.",
        "Never again expand exports and fully support enterprises in winning orders and markets.",
        "Do not, under any circumstances, expand exports and support enterprises in winning orders.",
        "Refrain from expanding exports and fully supporting enterprises in winning orders and markets.",
        "Neither expand exports nor support enterprises in winning orders and markets.",
        "Halt the expansion of exports and the support for enterprises winning orders and markets.",
        "Give up expanding exports and supporting enterprises in winning orders and markets.",
        "Fail to expand exports and fully support enterprises in winning orders and markets.",
        "Expand exports but do not support enterprises in winning orders and markets.",
        "Continue to reduce exports and fully support enterprises in winning orders and markets.",
    ],
)
def test_a_negation_in_any_wording_is_not_the_instruction(negated):
    gold = GoldDirective(GOLD, EXPORTS_QUOTE)
    judgement = same_directive(negated, gold)
    assert not judgement.hit and judgement.reason.startswith("negation"), judgement


@pytest.mark.parametrize(
    ("honest", "gold", "quote"),
    [
        ("Do not fail to expand exports and support firms in winning orders.", GOLD, EXPORTS_QUOTE[0]),
        ("Never relax responsibility for work safety and allow no major accidents.",
         "Tighten responsibility for work safety and prevent major accidents.", "prevent major accidents"),
        ("Leave no hidden risk of any kind unaddressed, tackling root causes as well as symptoms.",
         "Prevent and defuse hidden risks of all kinds, treating both symptoms and root causes.", "hidden risks"),
        ("Do not let autumn and winter epidemic control slacken.", "Keep autumn and winter epidemic control tight.",
         "epidemic control"),
        ("Firm up responsibility for safety and stop major accidents, keeping lives and property safe.",
         "Tighten responsibility for work safety and prevent major accidents to protect lives and property.",
         "prevent major accidents"),
    ],
)  # fmt: skip
def test_double_negatives_and_stopping_what_the_gold_prevents_are_the_instruction(honest, gold, quote):
    judgement = same_directive(honest, GoldDirective(gold, (quote,)))
    assert judgement.hit, judgement


def test_a_directives_own_quotes_do_not_license_its_numbers_or_names():
    text = "Ensure a good start in the first quarter. Convey the Second Plenary Session. Cooperate with Japan."
    gold = GoldDirective(
        "Ensure a good start in the first quarter.", ("Ensure a good start in the first quarter",), ((0, 40),)
    )
    for candidate, extra in (
        ("Ensure a good start in the second quarter.", "Convey the Second Plenary Session"),
        ("Ensure a good start in the first quarter with Japan.", "Cooperate with Japan"),
    ):
        item = PredictedDirective.of(candidate, [gold.quotes[0], extra], text)
        assert item.grounded and not same_directive(item, gold).hit
    # fmt: skip


@pytest.mark.parametrize(
    ("honest", "gold"),
    [
        ("Handle COVID-19 prevention and control more scientifically.",
         "Conduct epidemic prevention and control more scientifically."),
        ("Keep Covid control tight in autumn and winter.", "Keep autumn and winter epidemic control tight."),
        ("Study the spirit of the Twentieth Party Congress.", "Study the spirit of the 20th Party Congress."),
        ("Put enterprises first in scientific innovation.",
         "Strengthen the leading role of enterprises in scientific innovation."),
    ],
)  # fmt: skip
def test_names_and_numbers_that_are_not_new(honest, gold):
    assert not numbers(honest) - numbers(gold) and not stray_names(honest, gold), (
        numbers(honest),
        stray_names(honest, gold),
    )


def test_short_acronyms_and_name_prefixes_are_not_waved_through():
    pool = "Promote opening up and cooperation between China, Japan and South Korea and Northeast Asia, using services."
    assert stray_names("Promote opening up to the US.", pool) == ["US"]
    assert stray_names("Promote key areas such as AI and services.", pool) == ["AI"]
    assert "North" in " ".join(stray_names("Join the China-Japan-North Korea cooperation.", pool))


def test_the_word_limit_cannot_be_dodged_by_joining_words():
    from harness.schema import truncate_words

    joined = "_".join(["word"] * 500)
    assert len(truncate_words(joined, 100)) == len("_".join(["word"] * 100))
    assert truncate_words("a\u200bb\u200bc d", 2) == "a\u200bb"
    assert truncate_words("state-owned enterprises, Xi's COVID-19 plan", 4) == "state-owned enterprises, Xi's COVID-19"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 17/12/2022 it met.", [((12, 17),)]),
        ("On 05/06/2022 it met.", [((6, 5), (5, 6))]),  # day-first or month-first
        ("It met on 2022-12-17.", [((12, 17),)]),
        ("COVID-19 novel coronavirus; 10 Mayors; 2 decisive steps.", []),  # no month inside a word
    ],
)
def test_dates_by_hand(text, expected):
    assert [d.readings for d in dates(text)] == expected


def test_summary_fact_checks_the_reviewer_found():
    facts = SummaryFacts(
        "2023-03-02",
        ("Hao Peng",),
        "On March 2, Hao Peng presided. It studied the three-year action plan (2023-2025) and COVID-19. The province "
        "must act. Deputy secretary Hu Yuting attended.",
        ("An enlarged meeting of the Liaoning provincial Party Standing Committee.",),
    )
    honest = [
        "To study Xi Jinping's speech, the Standing Committee met on 2 March 2023, presided over by Hao Peng.",
        "In the first year of the three-year plan, the province must act, Hao Peng said on March 2.",
        "For the rest of 2023 the province must act, the standing committee agreed on 2/3/2023.",
    ]
    for summary in honest:
        assert summary_errors(summary, facts) == [], summary
    wrong = {
        "It met with deputy secretary Hu Yuting in the chair and Hao Peng speaking.": "presider: Hu Yuting",
        "The meeting, which Hu Yuting convened on March 2, studied the plan.": "presider: Hu Yuting",
        "On 3/3/2023 the meeting studied the plan.": "date: 3 March",
        "A provincial party standing-committee meeting on March 2.": "",
        "An executive meeting on March 2 studied the plan.": "meeting: a executive meeting",
    }
    for summary, error in wrong.items():
        found = summary_errors(summary, facts)
        assert (found and found[0].startswith(error)) if error else found == [], (summary, found)


def test_a_reason_never_reads_the_same_number_on_both_sides():
    from harness.matching import _short_of

    assert _short_of(0.286, 0.29) == "28.6% (< 29.0%)"  # not "29% (< 29%)"
    assert _short_of(0.2, 0.41) == "20% (< 41%)"
