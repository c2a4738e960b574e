"""The LLM client against a server that misbehaves: every fault is one document's one-line
error or a retry, never a traceback, a poisoned cache, a lost answer or a leaked secret.

All through the real openai client against a real HTTP server on 127.0.0.1
(tests/llm_server.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import threading
import time

import pytest
from llm_server import ChatServer

from harness import llm
from harness.evaluate import evaluate
from harness.llm import ChatClient, Counters, ResponseCache, Retryable, RetryPolicy

from conftest import DATASET

DOC0, DOC1 = "000_a426189bb560bcb6", "001_4943538ee7176661"
pytestmark = pytest.mark.slow


def run(server, cache, docs=(DOC0,), **args):
    model_args = {
        "model": "test-model",
        "base_url": server.base_url,
        "cache_dir": str(cache),
        "backoff": "0.01",
        **{k: str(v) for k, v in args.items()},
    }
    return evaluate("llm", model_args, dataset=str(DATASET), doc_ids=list(docs))


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", "LLMError: the server at {url} answered 401: invalid api key"),
        ("404", "LLMError: the server at {url} answered 404: no such model"),
        ("error200", "LLMError: the server at {url} answered without any choice: "),
        ("no_choices", "LLMError: the server at {url} answered without any choice"),
    ],
)
def test_a_final_answer_of_the_server_is_the_documents_error_with_its_reason(fault, error, tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = [fault] * 3
        record = run(server, tmp_path / "cache", retries=1)
        doc = record.documents[0]
        assert doc.error.startswith(error.format(url=server.base_url)), doc.error
        assert "\n" not in doc.error and record.failed_documents == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("html", "did not answer with a chat completion"),
        ("cut", "broke before the answer was complete"),
    ],
)
def test_html_and_a_connection_closed_mid_body_are_retried_and_named(fault, reason, tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = [fault, fault]
        failed = run(server, tmp_path / "a", retries=1)
        assert reason in failed.documents[0].error and "cannot connect" not in failed.documents[0].error
        server.faults[DOC0] = [fault]
        recovered = run(server, tmp_path / "b", retries=1)  # one bad answer, then a good one
        assert recovered.documents[0].error is None and recovered.extractor_stats["retries"] == 1


def test_a_null_reply_is_never_cached_and_is_asked_again_next_run(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["null", "null"]
        first = run(server, tmp_path / "cache")
        assert first.documents[0].error == "invalid reply after 2 attempt(s): the reply is empty"
        assert not list((tmp_path / "cache").rglob("*.json"))
        second = run(server, tmp_path / "cache")
        assert second.documents[0].error is None and second.extractor_stats["requests"] == 1


def test_a_corrupt_cache_entry_is_asked_again(tmp_path, answers):
    with ChatServer(answers) as server:
        run(server, tmp_path / "cache")
        (entry,) = (tmp_path / "cache").rglob("*.json")
        for junk in (b"{not json", b'{"content": null}', b"[]", b"\xff\xfe"):
            entry.write_bytes(junk)
            record = run(server, tmp_path / "cache")
            assert record.documents[0].error is None
            assert (record.extractor_stats["requests"], record.extractor_stats["cache_hits"]) == (1, 0)


def test_one_context_length_refusal_does_not_switch_structured_output_off(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC1] = ["context", "context"]
        record = run(server, tmp_path / "cache", docs=(DOC0, DOC1, "002_8982f7aa523ccc91"), concurrency=1)
        by_id = {d.doc_id: d for d in record.documents}
        assert by_id[DOC1].error.startswith("LLMError: the server rejected the request (400: maximum context length")
        assert record.extractor_stats["structured_output"] is True
        assert "response_format" in server.bodies[-1]  # the document after it still asked for it
        again = run(server, tmp_path / "cache", docs=(DOC0, "002_8982f7aa523ccc91"), concurrency=1)
        assert again.extractor_stats["requests"] == 0  # what succeeded is not asked again


def test_a_trickling_server_cannot_stretch_the_timeout(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["trickle:0.05"]  # ~ 60 s for the whole body, one byte at a time
        started = time.monotonic()
        record = run(server, tmp_path / "cache", timeout=1, retries=0)
        assert time.monotonic() - started < 10
        assert record.documents[0].error == "LLMError: no complete answer within 1 s (after 1 attempts)"


def test_odd_usage_is_counted_as_zero_and_the_answer_kept(tmp_path, answers):
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["odd_usage"]
        record = run(server, tmp_path / "cache")
        assert record.documents[0].error is None and record.documents[0].scores["overall"] == 1.0
        assert (record.extractor_stats["prompt_tokens"], record.extractor_stats["completion_tokens"]) == (0, 0)


def test_an_unwritable_cache_costs_the_cache_not_the_answer(tmp_path, answers):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with ChatServer(answers) as server:
        record = run(server, blocker)
        assert record.documents[0].error is None and record.documents[0].scores["overall"] == 1.0
        assert record.extractor_stats["cache_write_failures"] == 1


def test_credentials_in_the_server_address_are_never_written(tmp_path, answers, capsys):
    from harness.cli import main

    with ChatServer(answers) as server:
        host = server.base_url.removeprefix("http://")
        url = f"http://alice:hunter2secret@{host}?api_key=qs-secret-77&region=eu"
        out = tmp_path / "r.json"
        code = main(
            ["eval", "--model", "llm", "--dataset", str(DATASET), "--doc", DOC0, "-o", str(out),
             "-M", "model=test-model", "-M", f"base_url={url}", "-M", "cache_dir=none", "-M", "retries=0",
             "-M", "bearer=b-secret-1", "-M", "pwd=p-secret-2", "-M", "cookie=c-secret-3",
             "-M", "headers=h-secret-4"]
        )  # fmt: skip
        printed = capsys.readouterr()
        written = printed.out + printed.err
        assert code == 2 and not out.exists()  # not arguments of llm: a usage error, still scrubbed
        for secret in ("hunter2secret", "qs-secret-77", "b-secret-1", "p-secret-2", "c-secret-3", "h-secret-4"):
            assert secret not in written
        code = main(
            ["eval", "--model", "llm", "--dataset", str(DATASET), "--doc", DOC0, "-o", str(out),
             "-M", "model=test-model", "-M", f"base_url={url}", "-M", "cache_dir=none", "-M", "retries=0"]
        )  # fmt: skip
        printed = capsys.readouterr()
        record = json.loads(out.read_text())
        written = out.read_text() + printed.out + printed.err
        assert "hunter2secret" not in written and "qs-secret-77" not in written
        assert record["model"]["args"]["base_url"] == f"http://***@{host}?api_key=***&region=***"


def test_redaction_rules():
    from harness.redact import redact_args, scrub

    # every query value of a URL, and user information even with "@" in the password
    assert scrub("cannot connect to https://u:p@h.example/v1?token=abc&x=1") == (
        "cannot connect to https://***@h.example/v1?token=***&x=***"
    )
    assert scrub("see http://bob:p@ss@host.example/v1") == "see http://***@host.example/v1"
    args = redact_args({"api_key": "k", "bearer": "b", "pwd": "p", "cookie": "c", "headers": "h", "max_tokens": "9"})
    assert args == {
        "api_key": "***",
        "bearer": "***",
        "pwd": "***",
        "cookie": "***",
        "headers": "***",
        "max_tokens": "9",
    }


# --------------------------------------------------------------- retries and the cache


def test_retry_delays_have_jitter_and_never_undercut_retry_after():
    policy = RetryPolicy(backoff=1.0, max_backoff=30.0)
    backoffs = [policy.delay(3, None) for _ in range(200)]
    assert all(2.0 <= d < 6.0 for d in backoffs) and len(set(backoffs)) > 150  # 4 s × [0.5, 1.5)
    waits = [policy.delay(1, 2.0) for _ in range(200)]
    assert all(2.0 <= w < 2.5 for w in waits)


def test_a_hundred_requests_against_a_server_of_two_connections_all_get_through(answers):
    # Without jitter, the requests that failed together retry together and fail again.
    with ChatServer(answers, delay=0.02, max_connections=2) as server:
        transport = llm.OpenAITransport(server.base_url, "test-model", timeout=10)
        client = ChatClient(transport, "test-model", retry=RetryPolicy(timeout=10, max_retries=6, backoff=0.2))

        async def ask_all():
            asks = [client.complete([{"role": "user", "content": f"Readout {DOC0}: {i}"}]) for i in range(100)]
            results = await asyncio.gather(*asks, return_exceptions=True)
            await client.aclose()
            return results

        results = asyncio.run(ask_all())
        failures = [r for r in results if isinstance(r, Exception)]
        assert not failures, f"{len(failures)} of 100 failed: {failures[0]}"
        assert client.counters.retries > 0  # the limit was hit, and retried through


class _CountingTransport:
    address = "http://counting.invalid/v1"

    def __init__(self, text: str) -> None:
        self.text, self.calls, self.lock = text, 0, threading.Lock()

    async def send(self, messages, params):
        with self.lock:
            self.calls += 1
        await asyncio.sleep(0.2)
        return llm.Reply(self.text)

    async def aclose(self):
        pass


def test_two_runs_sharing_a_cache_ask_each_question_once(tmp_path):
    transport = _CountingTransport('{"ok": true}')
    messages = [{"role": "user", "content": "the same question"}]

    async def two_runs():
        clients = [
            ChatClient(transport, "m", ResponseCache(tmp_path), RetryPolicy(), counters=Counters()) for _ in range(2)
        ]
        return await asyncio.gather(*(c.complete(messages) for c in clients)), clients

    replies, clients = asyncio.run(two_runs())
    assert replies == ['{"ok": true}'] * 2
    assert transport.calls == 1
    assert sorted(c.counters.cache_hits for c in clients) == [0, 1]


def test_retry_policy_gives_up_with_the_last_reason():
    calls = []

    async def always_busy():
        calls.append(1)
        raise Retryable("the server answered 503: busy")

    policy = RetryPolicy(max_retries=2, backoff=0.001)
    with pytest.raises(llm.LLMError, match=r"^the server answered 503: busy \(after 3 attempts\)$"):
        asyncio.run(policy.call(always_busy, Counters()))
    assert len(calls) == 3


SECRET_KEY = "sk-planted-KEY-0123456789"
URL_SECRETS = ("p@ss-word-77", "tok-access-88", "amz-sig-99", "pw-value-11", "code-value-22", "sk-query-33")


def _planted_url(server, userinfo: bool = False) -> str:
    host = server.base_url.removeprefix("http://")
    return (
        f"http://{'bob:p@ss-word-77@' if userinfo else ''}{host}?access_token=tok-access-88&X-Amz-Signature=amz-sig-99"
        "&pw=pw-value-11&code=code-value-22&sk=sk-query-33"
    )


def _everything_written(tmp_path, result) -> str:
    files = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    return files + result.stdout + result.stderr


def test_no_secret_the_process_knows_reaches_a_record_a_cache_or_the_terminal(tmp_path, answers):
    """A key in the environment and credentials in the address, against a server that echoes
    the Authorization header in 400/401/500 bodies, in a 200 with no choices and inside a
    reply's summary: none of it is in the record, the cache, stdout or stderr."""
    from conftest import run_harness

    docs = [r for r in answers][:5]
    faults = ["echo401", "echo400", "echo500", "echo_no_choices", "echo_reply"]
    basic = "Basic " + base64.b64encode(b"bob:p@ss-word-77").decode()
    for userinfo in (False, True):  # the key as a bearer token; the address's own credentials
        out = tmp_path / f"run-{userinfo}"
        with ChatServer(answers) as server:
            for doc, fault in zip(docs, faults, strict=True):
                server.faults[doc] = [fault] * 3
            result = run_harness(
                "eval", "--model", "llm", "--dataset", DATASET, "-o", out / "run.json",
                "-M", "model=test-model", "-M", f"base_url={_planted_url(server, userinfo)}",
                "-M", f"cache_dir={out / 'cache'}", "-M", "retries=0", cwd=tmp_path, env={"OPENAI_API_KEY": SECRET_KEY},
            )  # fmt: skip
            assert server.auth == {basic if userinfo else f"Bearer {SECRET_KEY}"}  # what the server echoes
        assert result.returncode == 3, result.stderr
        written = _everything_written(out, result)
        assert list((out / "cache").rglob("*.json"))  # the echoed reply was cached, scrubbed
        for secret in (SECRET_KEY, basic.split()[1], *URL_SECRETS):
            assert secret not in written, secret
        assert "***" in json.dumps(json.loads((out / "run.json").read_text())["documents"])


def test_an_extractors_exception_with_a_credential_in_a_url_is_scrubbed(tmp_path):
    from conftest import run_harness

    plugin = tmp_path / "plugin" / "leaky.py"
    plugin.parent.mkdir()
    plugin.write_text(
        "class Leaky:\n"
        "    name = 'leaky'\n"
        "    def extract(self, doc):\n"
        "        raise ValueError('cannot fetch http://h.example/x?pw=leaked-pw-4242&user=me')\n"
    )
    result = run_harness("eval", "--model", f"{plugin}:Leaky", "--dataset", DATASET, "--limit", "1",
                         "-o", tmp_path / "out" / "run.json", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 3
    assert "leaked-pw-4242" not in _everything_written(tmp_path / "out", result)


def test_the_judge_and_judge_agreement_write_no_secret(tmp_path, answers):
    from conftest import run_harness

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"a": "Expand exports.", "b": "Boost exports.", "label": "same", "kind": "constructed"}) + "\n"
    )
    gold_predictions = tmp_path / "p.jsonl"
    gold_predictions.write_text(json.dumps({"doc_id": DOC0, "directives": ["Expand exports."]}) + "\n")
    with ChatServer(answers) as server:
        server.faults["?"] = ["echo401"] * 50
        url = _planted_url(server)
        env = {"OPENAI_API_KEY": SECRET_KEY}
        judged = run_harness("score", gold_predictions, "--dataset", DATASET, "--judge", "llm", "-J", "model=j",
                             "-J", f"base_url={url}", "-J", "cache_dir=none", "-J", "retries=0",
                             "-o", tmp_path / "judged.json", cwd=tmp_path, env=env)  # fmt: skip
        agreement = run_harness("judge-agreement", "--pairs", pairs, "--judge", "llm", "-J", "model=j",
                                "-J", f"base_url={url}", "-J", "cache_dir=none", "-J", "retries=0",
                                cwd=tmp_path, env=env)  # fmt: skip
    assert judged.returncode == 3 and agreement.returncode in (2, 3), (judged.stderr, agreement.stderr)
    for result in (judged, agreement):
        written = _everything_written(tmp_path, result)
        for secret in (SECRET_KEY, *URL_SECRETS):
            assert secret not in written, secret


def test_a_draft_from_a_server_that_echoes_the_key_holds_no_secret(tmp_path, answers):
    from conftest import SEEDS, run_harness

    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    with ChatServer(answers) as server:
        server.faults[DOC0] = ["echo_reply"]
        result = run_harness(
            "draft", f"seeds/{DOC0}.txt", "--model", "llm", "--out", tmp_path / "annotations" / f"{DOC0}.yaml",
            "-M", "model=test-model", "-M", f"base_url={_planted_url(server)}", "-M", "cache_dir=none",
            cwd=tmp_path, env={"OPENAI_API_KEY": SECRET_KEY},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    draft = (tmp_path / "annotations" / f"{DOC0}.yaml").read_text()
    assert "The key was Bearer ***" in draft
    for secret in (SECRET_KEY, *URL_SECRETS):
        assert secret not in draft + result.stdout + result.stderr, secret


def test_a_server_that_never_answers_stops_the_run_after_five_failures_in_a_row(answers):
    """Every request times out: after five failed in a row, the others fail at once, unasked."""
    with ChatServer(answers) as server:
        client = ChatClient(
            transport=llm.OpenAITransport(address=server.base_url, model="m", timeout=0.2),
            model="m",
            retry=RetryPolicy(timeout=0.2, max_retries=0),
        )
        for doc in list(answers)[:5]:
            server.faults[doc] = ["hang:5"] * 10

        async def ask_all():
            errors = []
            for doc in list(answers)[:5] * 2:  # ten requests, one after another
                try:
                    await client.complete([{"role": "user", "content": f"Readout {doc}:"}])
                except llm.LLMError as exc:
                    errors.append(str(exc))
            await client.aclose()
            return errors

        errors = asyncio.run(ask_all())
        assert len(errors) == 10 and server.total == 5
        assert all(e.startswith("not asked: the server failed 5 requests in a row") for e in errors[5:])
