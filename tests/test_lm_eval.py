"""The lm-evaluation-harness tasks run offline through ``simple_evaluate`` with a model that
replies from a table, and score each completion exactly as the harness would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from llm_server import ChatServer

import harness
from harness.dataset import bundled, load_gold
from harness.metrics import ALWAYS

from conftest import completions_scores, framework_replies

pytest.importorskip("lm_eval")
from lm_eval import simple_evaluate  # noqa: E402
from lm_eval.api.model import LM  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

from policybench import LM_EVAL_TASKS  # noqa: E402

pytestmark = pytest.mark.slow  # each runs a framework: seconds


class TableLM(LM):
    """Answers each request with the reply listed for the document its prompt names."""

    def __init__(self, replies: dict[str, str]) -> None:
        super().__init__()
        self.replies = replies
        self.prompts: list[str] = []

    def generate_until(self, requests):  # noqa: ANN001, ANN201 (lm-eval's interface)
        out = []
        for request in requests:
            context = request.args[0]
            self.prompts.append(context)
            doc_id = re.search(r"Readout (\S+?):", context).group(1)
            out.append(self.replies[doc_id])
        return out

    def loglikelihood(self, requests):  # noqa: ANN001, ANN201
        raise NotImplementedError

    def loglikelihood_rolling(self, requests):  # noqa: ANN001, ANN201
        raise NotImplementedError


def _run(task: str, replies: dict[str, str]):
    model = TableLM(replies)
    results = simple_evaluate(
        model=model, tasks=[task], task_manager=TaskManager(include_path=str(LM_EVAL_TASKS)), bootstrap_iters=0
    )
    return model, results


def test_the_task_scores_each_completion_as_the_harness_does(gold, tmp_path):
    first, *_ = gold.records
    replies = framework_replies(gold)

    model, results = _run("policybench", replies)
    # the model saw the harness's prompt: with no chat template, lm-eval writes the system
    # message (the task's description) straight before the user message
    system, user = harness.prompt(first)
    assert system["content"] + user["content"] in model.prompts
    # the gold answer is each document's target
    samples = {s["doc"]["doc_id"]: s for s in results["samples"]["policybench"]}
    assert samples[first.doc_id]["target"] == harness.api.gold_answer(first)
    scores = results["results"]["policybench"]
    # perfect 1, refused 0, two with the date only 0.15 each, and one right but for a date not
    # in ISO form, 0.15 × 1 + 0.40 × 1 = 0.55: overall (1 + 0 + 2 × 0.15 + 0.55) / 5
    assert scores["overall,none"] == pytest.approx(1.85 / 5)
    # the date right on three documents of five, the presider and the directives on two
    assert scores["date_accuracy,none"] == pytest.approx(3 / 5)
    assert scores["presider_accuracy,none"] == pytest.approx(2 / 5)
    assert scores["directive_f1,none"] == pytest.approx(2 / 5)

    # every document as `harness score --completions` scores the same replies
    harness_scores = completions_scores(replies, tmp_path)
    for doc_id, sample in samples.items():
        expected = {k: v for k, v in harness_scores[doc_id].items() if k in ALWAYS}
        assert {name: sample[name] for name in ALWAYS} == pytest.approx(expected)


def test_the_contrast_task_covers_the_contrast_config():
    contrast = load_gold(bundled(), "test", "contrast").records
    model, results = _run("policybench_contrast", {r.doc_id: "{}" for r in contrast})
    assert len(model.prompts) == len(contrast)
    # An empty answer earns only what an empty answer is right about: no presider where the
    # gold has none (0.15) and no directives where the meeting issued none (0.40).
    expected = sum(0.15 * (r.presider is None) + 0.40 * (not r.directives) for r in contrast) / len(contrast)
    assert results["results"]["policybench_contrast"]["overall,none"] == pytest.approx(expected)


def test_both_tasks_as_lm_eval_loads_them_list_every_score_and_the_request_settings():
    """The contrast task is the default's file included (policybench.yaml, written by
    ``python -m policybench.generate``), with only its name and configuration changed."""
    tasks = TaskManager(include_path=str(LM_EVAL_TASKS)).load(["policybench", "policybench_contrast"])["tasks"]
    assert set(tasks) == {"policybench", "policybench_contrast"}
    for name, task in tasks.items():
        assert [m["metric"] for m in task.config.metric_list] == list(ALWAYS)
        assert task.config.generation_kwargs == {
            "until": [],
            "do_sample": False,
            "temperature": harness.api.GENERATION.temperature,
            "max_gen_toks": harness.api.GENERATION.max_tokens,
        }
        assert task.config.dataset_kwargs == {"config": name.removeprefix("policybench").lstrip("_") or "default"}


def test_the_readme_command_against_a_real_chat_server(gold, answers, tmp_path):
    """lm-eval's own command line and its OpenAI-style client, run from another folder,
    against a chat server on 127.0.0.1: gold answers everywhere but one wrong presider."""
    wrong = gold.records[2].doc_id
    answers[wrong]["presider"] = "Nobody Atall"
    with ChatServer(answers) as server:
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "lm_eval"),
                "--model", "local-chat-completions", "--apply_chat_template",
                "--model_args", f"model=m,base_url={server.base_url}/chat/completions,tokenizer_backend=None",
                "--tasks", "policybench", "--include_path", str(LM_EVAL_TASKS),
                "--output_path", str(tmp_path / "out"),
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    [path] = (tmp_path / "out").rglob("results_*.json")
    scores = json.loads(path.read_text(encoding="utf-8"))["results"]["policybench"]
    assert scores["presider_accuracy,none"] == pytest.approx(4 / 5)
    # the wrong document's overall is 0.15 × 1 + 0.15 × 0 + 0.40 × 1 + 0.30 × 1 = 0.85; the others' 1
    assert scores["overall,none"] == pytest.approx((4 + 0.85) / 5)
    assert scores["directive_f1,none"] == scores["summary_unit_recall,none"] == 1.0
