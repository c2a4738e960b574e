"""The built-in baselines: each runs, and `rules` works on readouts it has never seen."""

from __future__ import annotations

import pytest

import baselines.oracle as oracle_module
from baselines.lead import LeadBaseline
from baselines.null import NullBaseline
from baselines.oracle import OracleBaseline
from baselines.rules import RulesBaseline
from baselines.textrank import TextRankBaseline, rank
from harness.extractors import Document, RunContext, available
from harness.rouge import rouge_l_f1
from harness.schema import DIRECTIVE_MAX_WORDS, SUMMARY_MAX_WORDS

from conftest import DATASET, ROOT

# Two readouts written for this test: other places, names, dates and phrasing.
CITY = Document(
    doc_id="t1",
    text=(
        " date 2024-03-06 On the afternoon of March 5, Wang Jianguo, secretary of the municipal party"
        " committee and mayor, chaired a meeting of the municipal government standing committee on flood"
        " prevention.\n\nThe meeting stressed that it is necessary to repair river embankments before the"
        " rainy season; we must also train rescue teams in every district. The meeting praised the"
        " volunteers of last summer.\n\nThe meeting also studied other matters.\n"
    ),
    publication_date="2024-03-06",
)
PROVINCE = Document(
    doc_id="t2",
    text=(
        "On 12 November 2021, an executive meeting of the provincial government was presided over by"
        " Governor Li Ming. The meeting requested that all cities speed up the construction of affordable"
        " housing. It is necessary to cut administrative fees for small businesses.\n"
    ),
)
NO_YEAR = Document(doc_id="t3", text="On June 3, Governor Zhao Lei presided over a meeting on school safety.\n")
DECEMBER = Document(doc_id="t4", text=" date 2025-01-02 On December 30, Chen Hong presided over a meeting.\n")


def test_rules_on_an_unseen_city_readout():
    p = RulesBaseline().extract(CITY)
    assert p.meeting_date == "2024-03-05"  # the body's day, not the header's
    assert p.presider == "Wang Jianguo"
    assert any(rouge_l_f1(d, "Repair river embankments before the rainy season.") >= 0.8 for d in p.directive_texts)
    assert any(rouge_l_f1(d, "Train rescue teams in every district.") >= 0.8 for d in p.directive_texts)
    assert not any("praised" in d or "volunteers" in d for d in p.directive_texts)
    # the opening sentence, with the date found written out in full (header year 2024)
    assert p.summary.startswith("On 5 March 2024, Wang Jianguo")
    # every directive carries the clause it was cut from, and that clause is in the text as it stands
    assert p.directive_quotes and all(quotes for quotes in p.directive_quotes)
    assert all(q in CITY.text for quotes in p.directive_quotes for q in quotes)
    assert ("train rescue teams in every district",) in p.directive_quotes


def test_rules_on_an_unseen_provincial_readout():
    p = RulesBaseline().extract(PROVINCE)
    assert p.meeting_date == "2021-11-12"  # the year written in the sentence
    assert p.presider == "Li Ming"  # "Governor" separated from the name
    assert any(rouge_l_f1(d, "Speed up the construction of affordable housing.") >= 0.7 for d in p.directive_texts)
    assert any(rouge_l_f1(d, "Cut administrative fees for small businesses.") >= 0.8 for d in p.directive_texts)


def test_rules_gives_no_date_without_a_year_and_steps_back_a_year_over_new_year():
    assert RulesBaseline().extract(NO_YEAR).meeting_date is None
    assert RulesBaseline().extract(NO_YEAR).presider == "Zhao Lei"
    assert RulesBaseline().extract(DECEMBER).meeting_date == "2024-12-30"


@pytest.mark.parametrize("factory", [NullBaseline, LeadBaseline, RulesBaseline, TextRankBaseline])
def test_every_baseline_respects_the_limits(factory, gold):
    extractor = factory()
    for record in gold.records:
        p = extractor.extract(Document.from_gold(record))
        assert p.doc_id == record.doc_id
        assert all(len(d.split()) <= DIRECTIVE_MAX_WORDS for d in p.directive_texts)
        assert len(p.summary.split()) <= SUMMARY_MAX_WORDS


def test_lead_takes_the_first_words_after_the_header():
    p = LeadBaseline(words=5).extract(CITY)
    assert p.summary == "On the afternoon of March"
    assert (p.meeting_date, p.presider, p.directives) == (None, None, [])


def test_textrank_ranks_the_central_sentence_first():
    units = ["aa bb cc", "aa bb dd", "aa cc dd", "zz yy xx"]
    scores = rank(units)
    assert scores.sum() == pytest.approx(1.0)
    assert scores[3] == min(scores)  # shares no word with the others


def test_oracle_reads_the_gold_and_says_so(gold):
    assert "READS THE GOLD" in oracle_module.__doc__
    record = gold.records[2]
    p = OracleBaseline(RunContext(gold=gold.records)).extract(Document.from_gold(record))
    assert p.meeting_date == record.meeting_date
    assert len(p.directives) == len(record.directives)
    assert all(d in record.text for d in p.directive_texts)
    # each directive quotes itself: its evidence is the span it was cut from
    assert all(
        quotes == (text.strip(" ,.;"),) for text, quotes in zip(p.directive_texts, p.directive_quotes, strict=True)
    )


def test_all_builtins_are_listed():
    names = {s.name for s in available() if s.source == "built-in"}
    assert {"null", "lead", "rules", "textrank", "oracle"} <= names


def test_no_baseline_but_the_oracle_knows_the_gold():
    # A baseline that names a document, its presider or its date scores on this dataset and
    # nowhere else: CONTRIBUTING asks that none does, and this holds the built-ins to it.
    from harness.dataset import load_gold

    everything = (DATASET / "data" / "all.parquet").is_file()
    facts = set()
    for r in (load_gold(DATASET, "test", "all") if everything else load_gold(DATASET)).records:
        facts |= {r.doc_id, r.doc_id.split("_")[1], r.meeting_date}
        if r.presider:
            facts |= {r.presider.name, *r.presider.aliases}
    for path in sorted((ROOT / "baselines").glob("*.py")):
        if path.stem == "oracle":
            continue
        source = path.read_text(encoding="utf-8")
        assert not [fact for fact in facts if fact in source], path.name
