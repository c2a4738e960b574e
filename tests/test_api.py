"""The README's Python API example runs, and the API's answers are the harness's."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

import harness

from conftest import ROOT


def _example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- api-example -->", 1)[1]
    return re.search(r"```python\n(.*?)```", block, re.S).group(1)


def test_the_readme_example_runs_and_prints_what_it_says():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_example(), "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    # date and presider right, one directive that is none of the gold's: F1 0; summary empty:
    # 0 units; overall = 0.15 * 1 + 0.15 * 1 + 0.40 * 0 + 0.30 * 0 = 0.3
    assert lines[0] == "1.0 0.0 0.3"
    assert lines[1].startswith("Interval(mean=0.06")  # 0.3 on one document of five, 0 on the others
    assert lines[2] == "[\"000_a426189bb560bcb6: meeting_date: invalid date '17/12/2022' (expected YYYY-MM-DD)\"]"
    assert lines[3] == "{'meeting_date': \"invalid date '17/12/2022' (expected YYYY-MM-DD)\"}"
    assert lines[4] == "1.0"  # the presider is the gold's: scored, though the date could not be read


@pytest.mark.slow
def test_the_prompt_is_the_llm_baselines_and_never_shows_the_document_as_an_example(gold):
    from baselines.llm import LLMExtractor
    from harness.extractors import Document

    record = gold.records[1]
    extractor = LLMExtractor(model="m", base_url="http://127.0.0.1:9/v1", cache_dir="none")
    assert extractor.messages(Document.from_gold(record)) == harness.prompt(record)
    with pytest.raises(harness.HarnessError, match="cannot be its own worked example"):
        harness.prompt(record, [record])
    messages = harness.prompt(record, [gold.records[0]])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert json.loads(messages[2]["content"])["meeting_date"] == gold.records[0].meeting_date


def test_prediction_from_completion_reads_fences_and_reports_every_problem():
    fenced = 'Sure.\n```json\n{"presider": "Hao Peng", "directives": []}\n```'
    assert harness.prediction_from_completion("d", fenced).presider == "Hao Peng"
    with pytest.raises(harness.HarnessError) as error:
        harness.prediction_from_completion("d", '{"presider": ["x"], "colour": "red"}')
    assert sorted(error.value.problems) == ["d: colour: unknown key", "d: presider: input should be a valid string"]
    with pytest.raises(harness.HarnessError, match="^d: the reply holds no JSON object$"):
        harness.prediction_from_completion("d", "no JSON at all")


def test_score_predictions_equals_score_document_and_refuses_strangers(gold):
    record = gold.records[2]
    prediction = harness.Prediction(doc_id=record.doc_id, meeting_date=record.meeting_date)
    result = harness.score_predictions([prediction], gold, samples=200)
    assert result.per_document[record.doc_id] == harness.score_document(prediction, record)
    assert result.mean("date_accuracy") == pytest.approx(1 / 5)
    with pytest.raises(harness.HarnessError, match="not a document"):
        harness.score_predictions([harness.Prediction(doc_id="nope")], gold)
