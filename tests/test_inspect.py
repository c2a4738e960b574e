"""The inspect_ai task runs offline on inspect's mock model and scores each completion
exactly as the harness would, by inspect's own lookup of ``policybench/policybench``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from llm_server import ChatServer

import harness
from harness.dataset import bundled, load_gold
from harness.metrics import ALWAYS

from conftest import ROOT, answer_of, completions_scores, framework_replies

inspect_ai = pytest.importorskip("inspect_ai")
from inspect_ai.model import ModelOutput, ModelUsage, get_model  # noqa: E402

from policybench._inspect import CONSISTENT, NAMES, policybench  # noqa: E402

pytestmark = pytest.mark.slow  # each runs a framework: seconds


@pytest.fixture(autouse=True)
def _inspect_state_in_tmp(tmp_path, monkeypatch):
    """inspect keeps traces and buffers under the user's data and cache folders: keep
    them in the test's own folder (read when inspect runs, inherited by subprocesses)."""
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))


def _output(content: str) -> ModelOutput:
    # with its usage given, the mock model never counts tokens (tiktoken would download)
    output = ModelOutput.from_content(model="mockllm", content=content)
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def _model(replies: dict[str, str]):
    def reply(messages, tools, tool_choice, config):  # noqa: ARG001 (mockllm's signature)
        # the prompt's own line names the document (a seed's id is part of its variants')
        doc_id = re.search(r"Readout (\S+):", messages[-1].text).group(1)
        return _output(replies[doc_id])

    return get_model("mockllm/model", custom_outputs=reply)


def test_inspect_finds_the_task_and_scores_as_the_harness_does(gold, tmp_path):
    from inspect_ai import eval as inspect_eval

    replies = framework_replies(gold)
    [log] = inspect_eval(policybench(), model=_model(replies), log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    by_doc = {str(s.id): s for s in log.samples}
    assert set(by_doc) == {r.doc_id for r in gold.records}

    first, second, *rest = gold.records
    # the model saw the harness's own prompt, and the gold answer is the target inspect view shows
    assert [m.text for m in by_doc[first.doc_id].input] == [m["content"] for m in harness.prompt(first)]
    assert by_doc[first.doc_id].target == harness.api.gold_answer(first)
    # overall comes first, in each sample's scores and in the log's
    assert list(by_doc[first.doc_id].scores["policybench_scorer"].value)[0] == "overall"
    assert [s.name for s in log.results.scores] == list(NAMES) and NAMES[0] == "overall"
    # consistency is the contrast set's: a run on the default configuration reports none
    assert all(set(s.metrics) == {"mean", "stderr"} for s in log.results.scores)

    perfect = by_doc[first.doc_id].scores["policybench_scorer"].value
    assert perfect["date_accuracy"] == perfect["presider_accuracy"] == perfect["directive_f1"] == 1.0
    assert perfect["summary_unit_recall"] == 1.0 and perfect["overall"] == 1.0

    refused = by_doc[second.doc_id].scores["policybench_scorer"]
    assert all(v == 0.0 for v in refused.value.values())
    assert refused.explanation == f"{second.doc_id}: the reply holds no JSON object"

    for record in rest[:-1]:
        value = by_doc[record.doc_id].scores["policybench_scorer"].value
        # date right, presider wrong, no directives, no summary: overall 0.15 × 1 + 0.15 × 0 + 0 + 0
        assert (value["date_accuracy"], value["presider_accuracy"], value["directive_f1"]) == (1.0, 0.0, 0.0)
        assert value["overall"] == pytest.approx(0.15)

    # a date not in ISO form costs the date only: 0.15 × 0 + 0.15 × 1 + 0.40 × 1 + 0.30 × 0
    bad_date = by_doc[rest[-1].doc_id].scores["policybench_scorer"]
    assert (bad_date.value["date_accuracy"], bad_date.value["presider_accuracy"]) == (0.0, 1.0)
    assert bad_date.value["overall"] == pytest.approx(0.55)
    assert bad_date.explanation == (
        "scored 0 on what could not be used: meeting_date: invalid date '17/12/2022' (expected YYYY-MM-DD)"
    )

    # every document as `harness score --completions` scores the same replies
    harness_scores = completions_scores(replies, tmp_path)
    for doc_id, sample in by_doc.items():
        expected = {k: v for k, v in harness_scores[doc_id].items() if k in ALWAYS}
        assert sample.scores["policybench_scorer"].value == pytest.approx(expected)

    # the task's mean overall: (1 + 0 + 2 × 0.15 + 0.55) / 5
    metrics = {m.name: m.value for s in log.results.scores for m in s.metrics.values() if s.name == "overall"}
    assert metrics["mean"] == pytest.approx(1.85 / 5)


def test_the_contrast_task_reports_the_consistency_harness_contrast_computes(tmp_path):
    """A model that remembers each seed's answer and gives it for every variant: the
    consistency of each part of overall, and of overall, is harness.scoring.consistency
    over the same per-document scores, and lower than the mean."""
    from inspect_ai import eval as inspect_eval

    from harness.schema import base_id
    from harness.scoring import consistency

    records = load_gold(bundled(), "test", "contrast").records
    seeds = {r.doc_id: r for r in records if base_id(r.doc_id) == r.doc_id}
    # four seeds and their variants: inspect takes about a third of a second a sample
    contrast = [r for r in records if base_id(r.doc_id) in list(seeds)[:4]]
    replies = {r.doc_id: json.dumps(answer_of(seeds[base_id(r.doc_id)])) for r in contrast}
    [log] = inspect_eval(
        policybench(config="contrast"),
        model=_model(replies),
        sample_id=list(replies),
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    per_document = {str(s.id): s.scores["policybench_scorer"].value for s in log.samples}
    assert len(per_document) == len(contrast) > 4
    expected = consistency(per_document, CONSISTENT)
    metrics = {s.name: {k: m.value for k, m in s.metrics.items()} for s in log.results.scores}
    for name in CONSISTENT:
        assert metrics[name]["policybench/consistency"] == pytest.approx(expected[name])
    assert expected["overall"] < metrics["overall"]["mean"]  # the renamed presider, the moved date
    # the other scores report none
    assert all("policybench/consistency" not in m for n, m in metrics.items() if n not in CONSISTENT)


#: Run from a stranger's directory, so inspect finds the task the way a user's
#: ``inspect eval policybench/policybench`` does: through the installed entry point.
LOOKUP = """
import json, sys
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model

def reply(messages, tools, tool_choice, config):
    output = ModelOutput.from_content(model="mockllm", content="{}")
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output

[log] = inspect_eval("policybench/policybench", task_args={"config": sys.argv[1]},
                     model=get_model("mockllm/model", custom_outputs=reply),
                     log_dir=sys.argv[2], display="none")
print(json.dumps({"status": log.status, "ids": sorted(str(s.id) for s in log.samples)}))
"""


@pytest.mark.parametrize(
    ("config", "where"), [("default", "another folder"), ("contrast", "another folder"), ("default", "the repository")]
)
def test_inspect_finds_the_task_by_name(config, where, tmp_path):
    """From another folder and from a checkout's root, whose folder leads ``sys.path`` (no
    ``policybench.egg-info`` may sit there and hide the installed metadata: setup.py)."""
    cwd = tmp_path if where == "another folder" else ROOT
    done = subprocess.run(
        [sys.executable, "-c", LOOKUP, config, str(tmp_path / "logs")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = load_gold(bundled(), "test", config).records
    assert result == {"status": "success", "ids": sorted(r.doc_id for r in expected)}


def test_inspect_command_line_against_a_real_chat_server(gold, answers, tmp_path):
    """inspect's own command and its OpenAI-compatible client, from another folder, against a
    chat server on 127.0.0.1: gold answers everywhere but one wrong presider."""
    from inspect_ai.log import read_eval_log

    answers[gold.records[2].doc_id]["presider"] = "Nobody Atall"
    with ChatServer(answers) as server:
        env = {**os.environ, "LOCAL_BASE_URL": server.base_url, "LOCAL_API_KEY": "sk-test"}
        done = subprocess.run(
            [str(Path(sys.executable).parent / "inspect"), "eval", "policybench/policybench",
             "--model", "openai-api/local/m", "--log-dir", str(tmp_path / "logs"), "--display", "none"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    [path] = (tmp_path / "logs").glob("*.eval")
    log = read_eval_log(str(path))
    means = {s.name: s.metrics["mean"].value for s in log.results.scores}
    assert means["presider_accuracy"] == pytest.approx(4 / 5)
    # the wrong document's overall is 0.15 × 1 + 0.15 × 0 + 0.40 × 1 + 0.30 × 1 = 0.85; the others' 1
    assert means["overall"] == pytest.approx((4 + 0.85) / 5)
    assert means["directive_f1"] == means["summary_unit_recall"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"dataset": "/nonexistent/dataset"}, "policybench: /nonexistent/dataset: no such folder"),
        ({"config": "bogus"}, "policybench: {ds}/README.md: no config 'bogus' (the card declares: {configs})"),
        ({"split": "train"}, "policybench: {ds}: no split 'train' (the card declares: test)"),
    ],
)
def test_a_bad_task_argument_is_inspects_one_line_error(args, message):
    from inspect_ai._util.error import PrerequisiteError

    with pytest.raises(PrerequisiteError) as caught:
        policybench(**args)
    import yaml

    card = (bundled() / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    configs = ", ".join(c["config_name"] for c in yaml.safe_load(card)["configs"])
    assert caught.value.message == message.format(ds=bundled(), configs=configs)
