"""Each field of a prediction is scored on its own, and a file's bad line need not cost the
file: ``salvage``, ``harness score --skip-invalid`` and ``harness score --completions``."""

from __future__ import annotations

import json

import pytest

from harness.api import score_document
from harness.predictions import PredictionsError, parse_completions, parse_predictions, salvage
from harness.schema import Reference

from conftest import DATASET, answer_of, run_harness


def test_every_field_of_a_prediction_has_its_scores_and_every_score_its_field():
    from harness.metrics import SCORES
    from harness.schema import Prediction

    assert {s.field for s in SCORES} == set(Prediction.model_fields) - {"doc_id"}


def test_a_bad_field_is_left_out_and_named_and_the_others_are_kept(gold):
    record = gold.records[0]
    reading = salvage({**answer_of(record), "meeting_date": "10/09/2020", "title": "x"}, record.doc_id)
    assert reading.unusable == {
        "meeting_date": "invalid date '10/09/2020' (expected YYYY-MM-DD)",
        "title": "unknown key",
    }
    assert reading.prediction.meeting_date is None
    assert reading.prediction.presider == answer_of(record)["presider"]
    assert reading.prediction.directives == answer_of(record)["directives"]


def test_a_bad_directive_makes_the_directives_unusable_with_the_item_named(gold):
    record = gold.records[0]
    reading = salvage({"directives": ["ok", 42]}, record.doc_id)
    assert reading.unusable == {"directives": "directives[1]: expected a string or an object with text and evidence"}
    assert reading.prediction.directives == []


def test_an_unusable_field_scores_0_even_where_its_empty_value_would_be_right(gold):
    # A document whose gold has no presider: an empty presider is right (1), but a presider
    # that could not be read is not an empty answer, so it scores 0.
    record = gold.records[0]
    ref = Reference.from_gold(record).__class__(
        **{**Reference.from_gold(record).__dict__, "presider": None, "aliases": ()}
    )
    reading = salvage({**answer_of(record), "presider": 7}, record.doc_id)
    assert score_document(reading.prediction, ref)["presider_accuracy"] == 1.0  # read as empty...
    scores = score_document(reading.prediction, ref, unusable=reading.unusable)
    assert scores["presider_accuracy"] == 0.0  # ...but scored as what it was: unusable
    assert scores["date_accuracy"] == 1.0 and scores["directive_f1"] == 1.0
    # overall by hand: 0.15 × 1 + 0.15 × 0 + 0.40 × 1 + 0.30 × units
    assert scores["overall"] == pytest.approx(0.15 + 0.40 + 0.30 * scores["summary_unit_recall"])


def test_unusable_directives_score_0_and_grounding_does_not_apply(gold):
    record = next(r for r in gold.records if r.directives)
    scores = score_document(salvage({}, record.doc_id).prediction, record, unusable=("directives",))
    assert scores["directive_f1"] == scores["directive_soft_f1"] == scores["directive_precision"] == 0.0
    assert "directive_grounded" not in scores


def _lines(*objects: object) -> bytes:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects).encode()


def test_a_predictions_file_with_a_bad_line_is_refused_by_default(gold):
    first, second = gold.records[:2]
    data = _lines({**answer_of(first), "doc_id": first.doc_id, "meeting_date": "10/09/2020"}, "not json")
    with pytest.raises(PredictionsError) as caught:
        parse_predictions(data, "p.jsonl", {r.doc_id for r in gold.records})
    assert caught.value.problems == [
        "p.jsonl:1: meeting_date: invalid date '10/09/2020' (expected YYYY-MM-DD)",
        "p.jsonl:2: not valid JSON (Expecting value, column 1)",
    ]


def test_skip_invalid_skips_what_names_no_document_and_keeps_usable_fields(gold):
    first, second = gold.records[:2]
    data = _lines(
        {**answer_of(first), "doc_id": first.doc_id, "meeting_date": "10/09/2020"},
        "not json",
        {"meeting_date": second.meeting_date},  # no doc_id
        {"doc_id": "no-such-document"},
        {"doc_id": second.doc_id, "meeting_date": second.meeting_date},
        {"doc_id": second.doc_id},  # twice
    )
    found = parse_predictions(data, "p.jsonl", {r.doc_id for r in gold.records}, skip_invalid=True)
    assert found.skipped == [
        "p.jsonl:2: not valid JSON (Expecting value, column 1)",
        "p.jsonl:3: doc_id: missing required field",
        "p.jsonl:4: doc_id: 'no-such-document' is not a document of the dataset",
        "p.jsonl:6: doc_id: " + repr(second.doc_id) + " already predicted on line 5",
    ]
    assert set(found.predictions) == {first.doc_id, second.doc_id}
    assert found.unusable == {first.doc_id: {"meeting_date": "invalid date '10/09/2020' (expected YYYY-MM-DD)"}}
    assert found.predictions[second.doc_id].meeting_date == second.meeting_date


def test_skip_invalid_still_refuses_a_file_with_nothing_to_score(gold):
    with pytest.raises(PredictionsError) as caught:
        parse_predictions(_lines("garbage", [1, 2]), "g.jsonl", {r.doc_id for r in gold.records}, skip_invalid=True)
    assert caught.value.problems == [
        "g.jsonl:1: not valid JSON (Expecting value, column 1)",
        "g.jsonl: every line was skipped; nothing to score",
    ]


def test_score_skip_invalid_end_to_end(gold, tmp_path):
    first = gold.records[0]
    path = tmp_path / "p.jsonl"
    path.write_bytes(_lines({**answer_of(first), "doc_id": first.doc_id, "meeting_date": "10/09/2020"}, "[1,"))
    refused = run_harness("score", path, "--dataset", DATASET, "-o", tmp_path / "r.json")
    assert refused.returncode == 2 and not (tmp_path / "r.json").exists()
    result = run_harness("score", path, "--skip-invalid", "--dataset", DATASET, "-o", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    assert f"note: skipped 1 line(s) that cannot be read; the first: {path}:2: not valid JSON" in result.stderr
    record = json.loads((tmp_path / "r.json").read_text())
    doc = record["documents"][0]
    assert doc["unusable"] == {"meeting_date": "invalid date '10/09/2020' (expected YYYY-MM-DD)"}
    assert (doc["scores"]["date_accuracy"], doc["scores"]["presider_accuracy"], doc["scores"]["directive_f1"]) == (
        0.0,
        1.0,
        1.0,
    )


def test_a_completions_file_reads_each_reply_as_the_frameworks_do(gold):
    first, second, third = gold.records[:3]
    data = _lines(
        {"doc_id": first.doc_id, "completion": "Sure:\n```json\n" + json.dumps(answer_of(first)) + "\n```"},
        {"doc_id": second.doc_id, "completion": "I cannot help with that."},
        {"doc_id": third.doc_id, "completion": json.dumps({"meeting_date": "2020", "presider": "X"})},
    )
    found = parse_completions(data, "c.jsonl", {r.doc_id for r in gold.records})
    assert found.predictions[first.doc_id].directives == answer_of(first)["directives"]
    assert found.failed == {second.doc_id: ("the reply holds no JSON object", "I cannot help with that.")}
    assert found.unusable == {third.doc_id: {"meeting_date": "invalid date '2020' (expected YYYY-MM-DD)"}}
    assert found.missing == sorted({r.doc_id for r in gold.records} - {first.doc_id, second.doc_id, third.doc_id})


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"doc_id": "x", "reply": "{}"}, "unknown key 'reply'"),
        ({"doc_id": "x"}, "completion: give the model's reply as a string"),
        ({"doc_id": "x", "completion": 5}, "completion: give the model's reply as a string"),
        ({"completion": "{}"}, "doc_id: missing required field"),
    ],
)
def test_a_bad_completions_line_is_one_line_naming_it(gold, line, problem):
    with pytest.raises(PredictionsError) as caught:
        parse_completions(_lines(line), "c.jsonl", {r.doc_id for r in gold.records})
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith(f"c.jsonl:1: {problem}")


def test_score_completions_keeps_the_failed_reply(gold, tmp_path):
    first = gold.records[0]
    path = tmp_path / "c.jsonl"
    path.write_bytes(_lines({"doc_id": first.doc_id, "completion": "No."}))
    result = run_harness("score", "--completions", path, "--dataset", DATASET, "-o", tmp_path / "r.json")
    assert result.returncode == 3  # a document failed, as in `harness eval`
    doc = json.loads((tmp_path / "r.json").read_text())["documents"][0]
    assert (doc["error"], doc["reply"], doc["scores"]["overall"]) == ("the reply holds no JSON object", "No.", 0.0)
    both = run_harness("score", path, "--completions", path, "--dataset", DATASET)
    assert both.returncode == 2 and both.stderr.count("\n") == 1


def test_what_a_record_keeps_of_a_bad_reply_is_short_scrubbed_and_writable(gold, tmp_path):
    from harness.redact import remember

    first, second, third = (r.doc_id for r in gold.records[:3])
    secret = "sk-SECRETKEY-0123456789abcdef"
    remember(secret)
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        _lines(
            # a lone surrogate: valid JSON, but no UTF-8 can hold it
            '{"doc_id": "' + first + '", "completion": "\\ud800 no json"}',
            # a secret where the kept reply is cut: it must not survive in part
            {"doc_id": second, "completion": "x" * 3990 + secret},
            # a reason that would quote a value of megabytes
            {"doc_id": third, "completion": json.dumps({"meeting_date": "x" * 500_000, "y" * 500: 1})},
        )
    )
    result = run_harness("score", "--completions", path, "--dataset", DATASET, "-o", tmp_path / "r.json")
    assert result.returncode == 3, result.stderr
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert "SECRETK" not in text and len(text) < 100_000
    docs = {d["doc_id"]: d for d in json.loads(text)["documents"]}
    assert docs[first]["reply"] == "\\ud800 no json"
    assert docs[second]["reply"].endswith("***") and len(docs[second]["reply"]) <= 4000
    reasons = docs[third]["unusable"]
    assert reasons["meeting_date"].startswith("invalid date 'xxx") and len(reasons["meeting_date"]) <= 300
    assert [len(k) for k in reasons if k != "meeting_date"] == [100]
