"""The benchmark sends one request (docs/FORMAT.md, "The request"). ``harness eval --model
llm``, the inspect_ai task (through inspect's two OpenAI providers) and the lm-eval task, run
against the same chat server on 127.0.0.1, send the same body for the same document: the
same messages, temperature, max tokens, seed and, where the framework sends one, answer
schema. What a framework cannot help sending differently is listed below, with the reason;
any other difference fails."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from llm_server import ChatServer

import harness
from harness.api import GENERATION, SCHEMA_NAME, answer_schema

from conftest import answer_of, run_harness

pytest.importorskip("inspect_ai")
pytest.importorskip("lm_eval")

pytestmark = pytest.mark.slow  # each framework runs: seconds

#: One model name for all: the server echoes it, and the body carries it.
MODEL = "gpt-4o-mini"
INSPECT_PROVIDERS = {"inspect openai-api": f"openai-api/local/{MODEL}", "inspect openai": f"openai/{MODEL}"}
FRAMEWORKS = ("harness", *INSPECT_PROVIDERS, "lm-eval")

#: What a framework sends that the harness does not, as dotted paths into the body and the
#: value sent. Each means what leaving it out means.
EXTRA: dict[str, dict[str, Any]] = {
    # inspect always names a description of the answer schema; null: none.
    "inspect openai-api": {"response_format.json_schema.description": None},
    "inspect openai": {"response_format.json_schema.description": None},
    # lm-eval always sends its stop sequences: none (the task's `until: []`).
    "lm-eval": {"stop": []},
}
#: What the harness sends that a framework cannot: lm-eval has no setting for structured
#: output (and its local backends refuse a generation argument they do not know).
NOT_SENT: dict[str, set[str]] = {"lm-eval": {"response_format"}}

_DOC = re.compile(r"Readout (\S+):")


@pytest.fixture(scope="module")
def bodies(tmp_path_factory, answers_by_doc) -> dict[str, dict[str, dict[str, Any]]]:
    """Each framework's request body for each document of the bundled test split."""
    tmp = tmp_path_factory.mktemp("request")
    sent: dict[str, dict[str, dict[str, Any]]] = {}
    with ChatServer(answers_by_doc) as server, pytest.MonkeyPatch.context() as env:
        # inspect keeps its traces and buffers under the user's folders: keep them here
        for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            env.setenv(name, str(tmp / name.lower()))
        for key in ("OPENAI_API_KEY", "LOCAL_API_KEY"):
            env.setenv(key, "sk-test")
        runs = {"harness": _harness, **dict.fromkeys(INSPECT_PROVIDERS, _inspect), "lm-eval": _lm_eval}
        for framework, run in runs.items():
            server.bodies.clear()
            run(framework, server.base_url, tmp / framework)
            by_doc = {_DOC.search(b["messages"][-1]["content"]).group(1): b for b in server.bodies}
            assert len(by_doc) == len(server.bodies), f"{framework}: more than one request for a document"
            sent[framework] = by_doc
    return sent


@pytest.fixture(scope="module")
def answers_by_doc(gold) -> dict[str, dict[str, Any]]:
    return {r.doc_id: answer_of(r) for r in gold.records}


def _harness(_: str, base_url: str, folder: Path) -> None:
    result = run_harness(
        "eval", "--model", "llm", "-M", f"model={MODEL}", "-M", f"base_url={base_url}", "-M", "cache_dir=none",
        "-o", folder / "run.json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _inspect(framework: str, base_url: str, folder: Path) -> None:
    from inspect_ai import eval as inspect_eval

    from policybench._inspect import policybench

    model = INSPECT_PROVIDERS[framework]
    [log] = inspect_eval(policybench(), model=model, model_base_url=base_url, log_dir=str(folder), display="none")
    assert log.status == "success", log.error


def _lm_eval(_: str, base_url: str, folder: Path) -> None:
    """lm-eval's OpenAI-style chat client, as the README's command runs it."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    from policybench import LM_EVAL_TASKS

    simple_evaluate(
        model="local-chat-completions",
        model_args=f"model={MODEL},base_url={base_url}/chat/completions,tokenizer_backend=None",
        tasks=["policybench"],
        task_manager=TaskManager(include_path=str(LM_EVAL_TASKS)),
        apply_chat_template=True,
        bootstrap_iters=0,
    )


def test_every_framework_asks_once_for_every_document(bodies, gold):
    for framework in FRAMEWORKS:
        assert set(bodies[framework]) == {r.doc_id for r in gold.records}, framework


def test_the_harness_sends_the_request_harness_api_defines(bodies, gold):
    for record in gold.records:
        assert bodies["harness"][record.doc_id] == {
            "model": MODEL,
            "messages": harness.prompt(record),
            **GENERATION.as_body(),
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "schema": answer_schema(), "strict": False},
            },
        }


@pytest.mark.parametrize("framework", [f for f in FRAMEWORKS if f != "harness"])
def test_each_framework_sends_the_harness_request_but_for_the_listed_differences(bodies, framework):
    for doc_id, body in bodies[framework].items():
        expected = {k: v for k, v in bodies["harness"][doc_id].items() if k not in NOT_SENT.get(framework, set())}
        assert _without(body, EXTRA.get(framework, {})) == expected, (framework, doc_id)


def _without(body: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the listed extra fields, each checked to be there with its value."""
    body = copy.deepcopy(body)
    for path, value in extra.items():
        *parents, last = path.split(".")
        node = body
        for key in parents:
            node = node[key]
        assert last in node and node[last] == value, f"{path}: expected {value!r}"
        del node[last]
    return body
