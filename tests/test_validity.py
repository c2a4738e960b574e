"""The validity battery (validity/): what each score must reject, asserted as orderings.

These are specifications of validity, not regressions: a system that is wrong in a known
way must score below one that is right, by the margins CONTRACT.md and the issue that
introduced the battery ask for. The systems are rebuilt from the gold and rescored with the
real harness here; the numbers are never copied from the program's own earlier output.
"""

from __future__ import annotations

import pytest

from harness.evaluate import evaluate

from conftest import DATASET, ROOT, load_script


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


@pytest.mark.parametrize("system", ["negation", "antonym", "object swap", "boilerplate", "non-directive"])
def test_wrong_systems_score_low(scores, system):
    assert f1(scores, system) <= 0.15


def test_fragments_score_below_paraphrases(scores):
    assert f1(scores, "fragment") <= 0.5
    assert f1(scores, "fragment") < f1(scores, "paraphrase")


def test_every_sentence_scores_below_the_rules_baseline(scores, rules):
    assert f1(scores, "every sentence") < rules["directive_f1"].mean


def test_the_soft_score_gives_nothing_for_reversed_instructions(scores):
    assert scores["negation"]["directive_soft_f1"] == 0.0
    assert scores["antonym"]["directive_soft_f1"] < 0.1


def test_paraphrases_are_of_the_current_gold(battery, gold):
    battery.load_paraphrases(list(gold.records))  # raises if a gold directive changed


# ----------------------------------------------------------------- summaries and overall


def test_the_summary_score_in_overall_separates_a_second_human_from_another_meeting(scores):
    # The score that enters overall must put an independent human summary at least 0.3
    # above the summary of another meeting (ROUGE-L does not: see validity/README.md).
    second, other = scores["second human summary"], scores["other meeting summary"]
    assert second["summary_unit_recall"] >= other["summary_unit_recall"] + 0.3


def test_swapped_facts_and_reversed_decisions_are_punished(scores):
    gold = scores["gold summary"]["summary_unit_recall"]
    assert gold == 1.0  # the gold summary carries every unit (harness validate checks it)
    for wrong in ("swapped facts", "reversed summary"):
        assert scores[wrong]["summary_unit_recall"] <= gold - 0.2, wrong
    second = scores["second human summary"]["summary_unit_recall"]
    for wrong in ("generic summary", "other meeting summary", "lead"):
        assert scores[wrong]["summary_unit_recall"] <= second - 0.3, wrong


def test_overall_ranks_reversed_directives_below_the_oracle_and_the_rules(scores, rules):
    oracle = evaluate("oracle", dataset=str(DATASET)).aggregates
    reversed_ = scores["reversed directives"]["overall"]
    assert reversed_ < rules["overall"].mean
    assert reversed_ < oracle["overall"].mean
    assert scores["date and presider only"]["overall"] < rules["overall"].mean
