"""Bootstrap intervals and the paired permutation test, against hand-worked cases."""

from __future__ import annotations

import pytest

from harness.scoring import bootstrap_ci, paired_comparison

NAMES = ("s",)


def _docs(values):
    return {f"d{i}": {"s": v} for i, v in enumerate(values)}


def test_constant_scores_have_a_zero_width_interval():
    ci = bootstrap_ci(_docs([0.4, 0.4, 0.4]), NAMES, samples=500)["s"]
    assert (ci.mean, ci.low, ci.high) == pytest.approx((0.4, 0.4, 0.4))


def test_interval_contains_the_mean_and_is_reproducible():
    values = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2]
    first = bootstrap_ci(_docs(values), NAMES, samples=2000, seed=7)["s"]
    again = bootstrap_ci(_docs(values), NAMES, samples=2000, seed=7)["s"]
    other = bootstrap_ci(_docs(values), NAMES, samples=2000, seed=8)["s"]
    assert first == again
    assert first.mean == pytest.approx(sum(values) / len(values))
    assert first.low <= first.mean <= first.high
    assert other != first
    assert 0.1 <= first.low < first.high <= 0.9


def test_two_documents_zero_and_one_span_the_whole_range():
    # each resample of two is (0,0), (0,1), (1,0) or (1,1): means 0, .5, .5, 1 with
    # probabilities 1/4, 1/2, 1/4, so the 2.5th and 97.5th percentiles are 0 and 1
    ci = bootstrap_ci(_docs([0.0, 1.0]), NAMES, samples=4000)["s"]
    assert (ci.low, ci.mean, ci.high) == (0.0, 0.5, 1.0)


def test_exact_sign_flip_p_value():
    # A beats B by 1 on each of 5 documents: only the all-plus and all-minus of the 2**5
    # sign patterns reach |mean| = 1, so p = 2/32
    a, b = _docs([1.0] * 5), _docs([0.0] * 5)
    diff = paired_comparison(a, b, NAMES, samples=500)["s"]
    assert diff.mean == 1.0
    assert diff.p_value == pytest.approx(2 / 32)
    assert diff.n == 5


def test_identical_runs_are_not_different():
    a = _docs([0.2, 0.4, 0.9])
    diff = paired_comparison(a, a, NAMES, samples=500)["s"]
    assert (diff.mean, diff.low, diff.high, diff.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_p_value_by_hand_for_mixed_differences():
    # diffs (1, 1, -1): |mean| = 1/3. Of the 8 sign patterns, |mean| is 1 for 2 of them
    # and 1/3 for the other 6, all >= 1/3, so p = 1.
    diff = paired_comparison(_docs([1, 1, 0]), _docs([0, 0, 1]), NAMES, samples=500)["s"]
    assert diff.p_value == 1.0
    # diffs (1, 1, 0.5): |mean| = 5/6; patterns reaching it: (+,+,+) and (-,-,-) only
    diff = paired_comparison(_docs([1, 1, 0.5]), _docs([0, 0, 0]), NAMES, samples=500)["s"]
    assert diff.p_value == pytest.approx(2 / 8)


def test_large_runs_use_a_seeded_monte_carlo_test():
    values = [i % 3 / 2 for i in range(40)]
    a, b = _docs(values), _docs([v / 2 for v in values])
    first = paired_comparison(a, b, NAMES, samples=2000, seed=3)["s"]
    assert first == paired_comparison(a, b, NAMES, samples=2000, seed=3)["s"]
    assert first.p_value < 0.01


def test_no_common_documents_is_an_error():
    with pytest.raises(ValueError, match="no document in common"):
        paired_comparison({"x": {"s": 1.0}}, {"y": {"s": 1.0}}, NAMES)


@pytest.mark.slow
def test_scoring_in_two_processes_gives_the_same_scores(gold):
    from harness.schema import Prediction
    from harness.scoring import score_all

    records = [r.model_copy(update={"doc_id": f"{i:03d}_{r.doc_id}"}) for i in range(24) for r in gold.records]
    predictions = {
        r.doc_id: Prediction(doc_id=r.doc_id, directives=[d.text[::2] for d in r.directives], summary=r.text[:300])
        for r in records
    }
    assert score_all(predictions, records, workers=2) == score_all(predictions, records, workers=1)


@pytest.mark.slow
def test_the_detectable_difference_by_hand():
    from harness.power import detectable_difference

    # Differences that never vary: every draw is delta on each document. The exact sign-flip
    # p-value is then 2 / 2**n (only all-plus and all-minus reach the observed mean): 2/32 =
    # 0.0625 for five documents, never under 0.05; 2/64 = 0.031 for six, under it at once.
    assert detectable_difference([0.3, 0.3, 0.3], 5) == float("inf")
    assert detectable_difference([0.3, 0.3, 0.3], 6) == 0.005
    # More spread needs a larger difference; more documents a smaller one.
    spread = [0.4, -0.3, 0.1, 0.0, -0.2, 0.5, -0.4, 0.2]
    assert detectable_difference(spread, 40) < detectable_difference(spread, 15)
    assert detectable_difference([x / 4 for x in spread], 15) < detectable_difference(spread, 15)


def _many_references(gold):
    """The gold's references again and again under new ids: more than the batches two
    workers hold in flight, so that results come back batch after batch."""
    from harness.schema import Reference
    from harness.scoring import _BATCH

    return [
        Reference.from_gold(r.model_copy(update={"doc_id": f"{i:03d}_{r.doc_id}"}))
        for i in range(_BATCH // 2 + 2)
        for r in gold.records
    ]


@pytest.mark.slow
def test_streamed_scoring_in_two_processes_keeps_order_across_many_batches(gold):
    from harness.schema import Prediction
    from harness.scoring import score_documents

    refs = _many_references(gold)
    items = [
        (
            Prediction(doc_id=r.doc_id, directives=list(r.directives[: i % 4]), summary=r.summaries[0][: 7 * i]),
            r,
            (),
        )
        for i, r in enumerate(refs)
    ]
    one = [d.scores for d in score_documents(items, workers=1)]
    assert [d.scores for d in score_documents(iter(items), workers=2)] == one
    assert len({round(s["overall"], 9) for s in one}) > 10  # the documents differ: order matters


def test_a_score_table_reads_back_what_was_added_and_aggregates_as_dicts_do():
    from harness.scoring import ScoreTable

    per_doc = {"b": {"s": 0.5, "t": 1.0}, "a": {"s": 0.25}, "c": {"s": 1.0, "t": 0.0}}
    table = ScoreTable(("s", "t"))
    for doc_id, scores in per_doc.items():
        table.add(doc_id, scores)
    assert dict(table) == per_doc  # "t" does not apply to "a": absent, as in the dict
    assert bootstrap_ci(table, ("s", "t"), samples=500) == bootstrap_ci(per_doc, ("s", "t"), samples=500)
    # by hand: s over all three, t over the two it applies to
    assert bootstrap_ci(table, ("s", "t"), samples=500)["s"].mean == pytest.approx((0.5 + 0.25 + 1.0) / 3)
    assert bootstrap_ci(table, ("s", "t"), samples=500)["t"].mean == pytest.approx(0.5)


def test_a_large_run_spools_its_documents_and_writes_the_same_record(tmp_path, monkeypatch):
    import json

    from harness import records
    from harness.dataset import load_gold
    from harness.evaluate import score_file

    from conftest import DATASET, answer_of

    gold = load_gold(DATASET)
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"doc_id": r.doc_id, **answer_of(r)}) + "\n" for r in gold.records[:3]))
    small = score_file(path, str(DATASET))
    monkeypatch.setattr(records, "INDENT_MAX_DOCUMENTS", 2)  # spill to disk after two documents
    spooled = score_file(path, str(DATASET))
    assert isinstance(spooled.documents, records.DocumentSpool) and spooled.documents.spilled
    assert list(spooled.documents) == small.documents and spooled.documents[-1] == small.documents[-1]
    records.write_record(spooled, tmp_path / "spooled.json")
    back = records.read_record(tmp_path / "spooled.json")  # validated on the way in
    assert back.documents == small.documents and back.aggregates == small.aggregates


@pytest.mark.slow
def test_a_judges_verdicts_reach_each_worker_for_its_own_documents(gold):
    from harness.judge import DocumentVerdicts
    from harness.metrics import Matching
    from harness.schema import Prediction
    from harness.scoring import score_documents

    refs = _many_references(gold)
    # The judge links every predicted directive to gold 0 on even documents, to none on odd
    # ones: a worker given the wrong document's verdicts would score differently.
    verdicts = {
        r.doc_id: DocumentVerdicts(links=(0 if i % 2 == 0 else None,), units=(False,) * len(r.units))
        for i, r in enumerate(refs)
    }
    matching = Matching(judge={"name": "table"}, verdicts=verdicts)
    assert matching.only([refs[0].doc_id]).verdicts == {refs[0].doc_id: verdicts[refs[0].doc_id]}
    items = [(Prediction(doc_id=r.doc_id, directives=["something else entirely"]), r, ()) for r in refs]
    one = [d.scores for d in score_documents(items, matching, workers=1)]
    assert [d.scores for d in score_documents(items, matching, workers=2)] == one
    # by hand: one predicted directive linked to one gold directive: precision 1
    assert [s["directive_precision"] for s in one[:4]] == [1.0, 0.0, 1.0, 0.0]
