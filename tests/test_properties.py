"""Property-based tests (hypothesis) of the prediction parser and every metric."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.api import score_document
from harness.dataset import load_gold
from harness.metrics import ALWAYS
from harness.predictions import PredictionsError, parse_predictions
from harness.schema import Prediction

from conftest import DATASET

GOLD = load_gold(DATASET).records
IDS = [r.doc_id for r in GOLD]
VOCAB = sorted({w for r in GOLD for d in r.directives for w in d.text.split()} | {"the", "Liaoning", "2022"})

words = st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=12)), max_size=40).map(" ".join)
dates = st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()), st.sampled_from([r.meeting_date for r in GOLD]))
names = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from([n for r in GOLD if r.presider for n in (r.presider.name, *r.presider.aliases)]),
)
predictions = st.builds(
    Prediction,
    doc_id=st.sampled_from(IDS),
    meeting_date=dates,
    presider=names,
    directives=st.lists(words, max_size=12),
    summary=words,
)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prediction=predictions, gold_index=st.integers(0, len(GOLD) - 1))
def test_every_score_is_in_range_and_deterministic(prediction, gold_index):
    gold = GOLD[gold_index]
    prediction = prediction.model_copy(update={"doc_id": gold.doc_id})  # another document's is refused
    first = score_document(prediction, gold)
    assert set(first) == set(ALWAYS)
    assert all(0.0 <= v <= 1.0 for v in first.values()), first
    assert score_document(prediction, gold) == first


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(gold_index=st.integers(0, len(GOLD) - 1), data=st.data())
def test_gold_as_prediction_is_always_perfect_in_any_order_and_case(gold_index, data):
    gold = GOLD[gold_index]
    directives = data.draw(st.permutations([d.text for d in gold.directives]))
    name = data.draw(st.sampled_from([gold.presider.name, *gold.presider.aliases]))
    prediction = Prediction(
        doc_id=gold.doc_id,
        meeting_date=gold.meeting_date,
        presider=data.draw(st.sampled_from([name, name.upper(), f"  {name} "])),
        directives=directives,
        summary=gold.summary,  # the main summary carries every unit; extra ones are ROUGE references
    )
    assert score_document(prediction, gold) == dict.fromkeys(ALWAYS, 1.0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
records = st.one_of(
    predictions.map(lambda p: p.model_dump()),
    st.dictionaries(
        st.sampled_from(["doc_id", "meeting_date", "presider", "directives", "summary", "extra"]),
        json_values,
        max_size=6,
    ),
    json_values,
)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(records.map(json.dumps), st.text(max_size=30)), max_size=6), raw=st.binary(max_size=20))
def test_parser_never_fails_other_than_with_clear_lines(lines, raw):
    data = "\n".join(lines).encode("utf-8") + raw
    try:
        found = parse_predictions(data, "p.jsonl", set(IDS))
    except PredictionsError as exc:
        assert exc.problems
        assert all(p.startswith("p.jsonl") and "\n" not in p for p in exc.problems)
    else:
        assert set(found.predictions) | set(found.missing) == set(IDS)
        assert all(isinstance(p, Prediction) for p in found.predictions.values())


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(
    word=st.text(alphabet="abcdeit", min_size=1, max_size=8),
    pool=st.frozensets(st.text(alphabet="abcdeit", min_size=1, max_size=8), max_size=8),
)
def test_the_word_pool_index_answers_as_comparing_with_every_word(word, pool):
    from harness.matching import _pool, _same_word

    assert _pool(pool).has(word) == any(_same_word(word, other) for other in pool)
