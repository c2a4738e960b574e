"""The validity battery (validity/): what each score must reject, asserted as orderings.

These are specifications of validity, not regressions: a system that is wrong in a known
way must score below one that is right, by the margins docs/FORMAT.md and the issues that
introduced the battery ask for. The systems are rebuilt from the gold and rescored with the
real harness here; the numbers are never copied from the program's own earlier output.
"""

from __future__ import annotations

import pytest

from harness.evaluate import evaluate

from conftest import DATASET, ROOT, load_script

#: Slow: scoring the battery's systems takes seconds. The full suite (and CI) runs it.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def battery():
    return load_script(ROOT / "validity" / "battery.py")


@pytest.fixture(scope="module")
def scores(battery):
    return battery.score(DATASET)


@pytest.fixture(scope="module")
def rules():
    return evaluate("rules", dataset=str(DATASET)).aggregates


def f1(scores, system: str) -> float:
    return scores[system]["directive_f1"]


def test_the_committed_systems_are_what_the_rules_build(battery, tmp_path):
    fresh = battery.build(DATASET, tmp_path)
    for path in fresh:
        committed = ROOT / "validity" / "systems" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name


def test_the_readme_table_is_current(battery, scores):
    text = (ROOT / "validity" / "README.md").read_text(encoding="utf-8")
    assert battery.table(scores) in text, "run `python validity/battery.py score`"


def test_right_systems_score_high(scores):
    assert f1(scores, "gold") == 1.0
    assert f1(scores, "paraphrase") >= 0.8


def test_honest_paraphrases_with_evidence_are_credited(scores):
    # An independent writer's paraphrase of every gold directive (it never saw the matcher):
    # with the gold's evidence, F1 >= 0.85; with whole source sentences as evidence, >= 0.65.
    assert f1(scores, "honest paraphrase with evidence") >= 0.85
    assert f1(scores, "honest paraphrase with sentences") >= 0.65
    assert scores["honest paraphrase with evidence"]["directive_grounded"] == 1.0


def test_another_meetings_directives_with_their_own_quotes_score_nothing(scores):
    other = scores["other meeting with quotes"]
    assert other["directive_f1"] == 0.0
    assert other["directive_grounded"] == 0.0  # their quotes are not in this document


@pytest.mark.parametrize("system", ["boilerplate", "non-directive", "other meeting"])
def test_wrong_systems_score_low(scores, system):
    assert f1(scores, system) <= 0.15


def test_fragments_score_below_paraphrases(scores):
    assert f1(scores, "fragment") <= 0.5
    assert f1(scores, "fragment") < f1(scores, "paraphrase")


def test_every_sentence_scores_below_the_rules_baseline(scores, rules):
    assert f1(scores, "every sentence") < rules["directive_f1"].mean


def test_the_soft_score_gives_little_for_negated_instructions(scores):
    # "negation" and "antonym" were generated from the matcher's own cue and opposite lists:
    # shown, not evidence of validity; their scores must still stay low.
    assert scores["negation"]["directive_soft_f1"] < 0.25
    assert scores["antonym"]["directive_soft_f1"] < 0.15


def test_paraphrases_are_of_the_current_gold(battery, gold):
    battery.load_paraphrases(list(gold.records))  # raises if a gold directive changed


# ----------------------------------------------------------------- summaries and overall


def test_the_summary_score_in_overall_separates_a_second_human_from_another_meeting(scores):
    # The score that enters overall must put an independent human summary at least 0.3
    # above the summary of another meeting (ROUGE-L does not: see validity/README.md).
    second, other = scores["second human summary"], scores["other meeting summary"]
    assert second["summary_unit_recall"] >= other["summary_unit_recall"] + 0.3


def test_swapped_facts_salads_and_copies_are_punished(scores):
    gold = scores["gold summary"]["summary_unit_recall"]
    assert gold == 1.0  # the gold summary carries every unit (harness validate checks it)
    assert scores["swapped facts"]["summary_unit_recall"] <= gold - 0.2
    second = scores["second human summary"]["summary_unit_recall"]
    for wrong in ("generic summary", "other meeting summary", "keyword salad", "source copy"):
        assert scores[wrong]["summary_unit_recall"] <= second - 0.3, wrong


def test_overall_ranks_wrong_directives_below_the_oracle_and_the_rules(scores, rules):
    oracle = evaluate("oracle", dataset=str(DATASET)).aggregates
    for wrong in ("reversed directives", "opposed directives", "date and presider only"):
        assert scores[wrong]["overall"] < rules["overall"].mean, wrong
        assert scores[wrong]["overall"] < oracle["overall"].mean, wrong
    # Right date and presider alone cannot carry a system: together they weigh under half.
    assert scores["date and presider only"]["overall"] < 0.5
