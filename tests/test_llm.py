"""The llm extractor against a real HTTP server on 127.0.0.1, through the real openai client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from llm_server import ChatServer

from baselines.llm import LLMExtractor, answer_schema
from harness.evaluate import evaluate
from harness.extractors import Document, RunContext
from harness.metrics import ALWAYS
from harness.records import read_record

from conftest import DATASET, ROOT, SEED_COUNT

DOC0, DOC1 = "000_a426189bb560bcb6", "001_4943538ee7176661"
SECRET = "sk-test-policybench-DO-NOT-LEAK-42"

pytestmark = pytest.mark.slow  # real servers and installs: seconds each


@pytest.fixture
def env_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def run(server, tmp_path, **args):
    model_args = {
        "model": "test-model",
        "base_url": server.base_url,
        "cache_dir": str(tmp_path / "cache"),
        "backoff": "0.01",
        **{k: str(v) for k, v in args.items()},
    }
    return evaluate("llm", model_args, dataset=str(DATASET))


def test_structured_output_end_to_end_and_the_cache(tmp_path, answers, env_key):
    with ChatServer(answers) as server:
        record = run(server, tmp_path)
        assert record.model.name == "llm:test-model"  # two models' runs are told apart
        assert {k: a.mean for k, a in record.aggregates.items()} == dict.fromkeys(ALWAYS, 1.0)
        assert server.total == SEED_COUNT and server.auth == {f"Bearer {SECRET}"}
        assert server.bodies[0]["response_format"]["json_schema"]["schema"] == answer_schema()
        stats = record.extractor_stats
        assert (stats["requests"], stats["cache_hits"], stats["structured_output"]) == (5, 0, True)
        assert (stats["prompt_tokens"], stats["completion_tokens"]) == (500, 100)
        assert all(d.latency_s is not None and d.latency_s >= 0 for d in record.documents)

        again = run(server, tmp_path)
        assert server.total == SEED_COUNT  # nothing new was sent
        assert (again.extractor_stats["requests"], again.extractor_stats["cache_hits"]) == (0, 5)
        assert again.aggregates == record.aggregates


def test_server_without_structured_output_gets_plain_text(tmp_path, answers):
    with ChatServer(answers, structured=False) as server:
        record = run(server, tmp_path, concurrency=1)
        assert record.aggregates["overall"].mean == 1.0
        assert record.extractor_stats["structured_output"] is False
        # the first document is asked twice (refused, then plainly); the client remembers
        assert server.requests[DOC0] == 2 and server.total == 6
        assert "response_format" not in server.bodies[-1]


def test_500_and_429_are_retried_honouring_retry_after(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["500"]
        server.faults[DOC1] = ["429:1"]
        record = run(server, tmp_path)
        assert record.failed_documents == 0 and record.aggregates["overall"].mean == 1.0
        assert record.extractor_stats["retries"] == 2
        assert server.requests[DOC0] == 2 and server.requests[DOC1] == 2
        first, second = server.times[DOC1]
        assert second - first >= 0.95  # waited the Retry-After second, not the 0.01 s back-off


def test_slow_answer_within_the_timeout_and_a_hang_past_it(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["slow:0.3"]
        server.faults[DOC1] = ["hang:3", "hang:3"]
        record = run(server, tmp_path, timeout=1, retries=1)
        by_id = {d.doc_id: d for d in record.documents}
        assert by_id[DOC0].error is None and by_id[DOC0].scores["overall"] == 1.0
        assert by_id[DOC1].error == "LLMError: no complete answer within 1 s (after 2 attempts)"
        assert by_id[DOC1].scores["overall"] == 0.0 and record.failed_documents == 1
        assert record.aggregates["overall"].mean == pytest.approx(0.8)


def test_invalid_json_is_sent_back_once_and_then_accepted(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["invalid_json"]
        record = run(server, tmp_path)
        assert record.failed_documents == 0
        assert record.extractor_stats["invalid_replies"] == 1
        retry = [b for b in server.bodies if DOC0 in json.dumps(b["messages"])][-1]
        assert retry["messages"][-1]["content"].startswith("That reply is not valid")


def test_the_seed_is_the_requests_unless_given(tmp_path, answers):
    with ChatServer(answers) as server:
        run(server, tmp_path, cache_dir="none", concurrency=1)
        run(server, tmp_path, cache_dir="none", concurrency=1, seed=7)
    seeds = [b["seed"] for b in server.bodies]
    n = len(seeds) // 2
    assert seeds == [1234] * n + [7] * n


def test_a_reply_with_a_bad_field_costs_that_field_only(tmp_path, answers):
    # The reply is right but for a date in the wrong form (and a key the format lacks), twice.
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["bad_schema", "bad_schema"]
        record = run(server, tmp_path)
    doc = record.documents[0]
    assert doc.error is None and record.failed_documents == 0
    assert doc.unusable == {
        "meeting_date": "invalid date '17/12/2022' (expected YYYY-MM-DD)",
        "confidence": "unknown key",
    }
    assert doc.prediction.meeting_date is None and doc.prediction.directives  # the rest was kept
    s = doc.scores
    assert (s["date_accuracy"], s["presider_accuracy"], s["directive_f1"]) == (0.0, 1.0, 1.0)
    # overall by hand: 0.15 * date + 0.15 * presider + 0.40 * directive F1 + 0.30 * units
    assert s["overall"] == pytest.approx(0.15 * 0 + 0.15 * 1 + 0.40 * 1 + 0.30 * s["summary_unit_recall"])


def test_a_reply_without_json_fails_the_document_and_is_kept(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["invalid_json", "invalid_json"]
        record = run(server, tmp_path)
    doc = record.documents[0]
    assert doc.error.startswith("invalid reply after 2 attempt(s): the reply holds no JSON object")
    assert doc.reply == "Sure! Here is the answer: {meeting_date: 2022-12-17,"
    assert doc.prediction.directives == [] and doc.scores["overall"] == 0.0
    assert record.failed_documents == 1


def test_connection_refused_fails_every_document_cleanly(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    record = evaluate(
        "llm",
        {
            "model": "m",
            "base_url": f"http://127.0.0.1:{port}/v1",
            "retries": "1",
            "backoff": "0.01",
            "cache_dir": "none",
        },
        dataset=str(DATASET),
        doc_ids=[DOC0],
    )
    assert record.documents[0].error == f"LLMError: cannot connect to http://127.0.0.1:{port}/v1 (after 2 attempts)"


def test_fewshot_examples_come_from_other_documents(gold):
    extractor = LLMExtractor(
        model="m",
        base_url="http://127.0.0.1:9/v1",
        fewshot=2,
        cache_dir="none",
        context=RunContext(gold=gold.records),
    )
    for record in gold.records:
        messages = extractor.messages(Document.from_gold(record))
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
        assert f"Readout {record.doc_id}:" in messages[-1]["content"]
        examples = " ".join(m["content"] for m in messages[:-1])
        assert f"Readout {record.doc_id}:" not in examples
        assert record.summary not in examples


def test_cli_run_with_a_key_never_writes_it(tmp_path, answers):
    with ChatServer(answers) as server:
        out = tmp_path / "llm.json"
        env = {**os.environ, "OPENAI_API_KEY": SECRET, "COLUMNS": "200"}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "harness",
                "eval",
                "--model",
                "llm",
                "-M",
                "model=test-model",
                "-M",
                f"base_url={server.base_url}",
                "-M",
                f"cache_dir={tmp_path / 'cache'}",
                "-o",
                str(out),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        record = read_record(out)
        assert record.aggregates["overall"].mean == 1.0
        written = out.read_text() + result.stdout + result.stderr
        written += "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
        assert SECRET not in written
        assert server.auth == {f"Bearer {SECRET}"}


def test_killed_run_resumes_without_asking_again(tmp_path, answers):
    import signal
    import time

    cache = tmp_path / "cache"

    def command(out):
        return [
            sys.executable, "-m", "harness", "eval", "--model", "llm", "-M", "model=test-model",
            "-M", f"base_url={server.base_url}", "-M", f"cache_dir={cache}", "-M", "concurrency=1",
            "-o", str(out),
        ]  # fmt: skip

    with ChatServer(answers, delay=0.4) as server:
        proc = subprocess.Popen(command(tmp_path / "killed.json"), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(list(cache.rglob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        answered = {json.loads(p.read_text())["content"] for p in cache.rglob("*.json")}
        assert len(answered) >= 2 and not (tmp_path / "killed.json").exists()
        before = dict(server.requests)

        resumed = subprocess.run(command(tmp_path / "resumed.json"), cwd=ROOT, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        done_before = [d for d, n in before.items() if json.dumps(answers[d]) in answered]
        assert len(done_before) >= 2
        assert all(server.requests[d] == 1 for d in done_before)  # not asked again
        record = read_record(tmp_path / "resumed.json")
        assert record.extractor_stats["cache_hits"] >= 2

    with ChatServer(answers) as fresh:
        uninterrupted = evaluate(
            "llm",
            {"model": "test-model", "base_url": fresh.base_url, "cache_dir": str(tmp_path / "other")},
            dataset=str(DATASET),
        )
    assert record.per_doc_scores() == uninterrupted.per_doc_scores()
    assert record.aggregates == uninterrupted.aggregates
