"""Progress off a terminal: plain lines on stderr while `harness eval` runs (CI, nohup, a log).

The run is a real `harness eval --model llm` in a subprocess whose stderr is a pipe (not a
terminal) against the chat server of llm_server.py; `POLICYBENCH_PROGRESS_SECONDS=0` asks for
a line after every document, so nothing here depends on timing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from llm_server import ChatServer

from harness.progress import PROGRESS_ENV, ProgressLines, _duration
from harness.records import read_record

from conftest import DATASET, ROOT, SEED_COUNT, run_harness

DOC0, DOC1, DOC2 = "000_a426189bb560bcb6", "001_4943538ee7176661", "002_8982f7aa523ccc91"
SECRET = "sk-test-policybench-progress-DO-NOT-LEAK"
#: What the test server reports for every chat completion it answers normally.
PROMPT_TOKENS, COMPLETION_TOKENS = 100, 20
LINE = re.compile(
    r"progress: (?P<done>\d+)/(?P<total>\d+) documents, (?P<failed>\d+) failed, (?P<tokens>[\d,]+) tokens, "
    r"(?P<elapsed>(\d+h )?(\d+m )?\d+s) elapsed(, ETA (\d+h )?(\d+m )?\d+s)?"
)


def eval_command(server: ChatServer, out, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "harness", "eval", "--model", "llm", "--dataset", str(DATASET), "-o", str(out),
        "-M", "model=test-model", "-M", f"base_url={server.base_url}", "-M", "cache_dir=none", *extra,
    ]  # fmt: skip


@pytest.mark.slow
def test_progress_lines_off_a_terminal_count_documents_failures_and_tokens(tmp_path, answers):
    assert DOC2 in answers  # the faults below are planted on real documents
    with ChatServer(answers) as server:
        # DOC0: two replies with no JSON object (asked once more, then failed), each with usage;
        # DOC1: refused with 401, no usage; DOC2: answered with usage the client cannot count.
        server.faults[DOC0] = ["invalid_json", "invalid_json"]
        server.faults[DOC1] = ["401"]
        server.faults[DOC2] = ["odd_usage"]
        env = {**os.environ, PROGRESS_ENV: "0", "OPENAI_API_KEY": SECRET}
        result = subprocess.run(
            eval_command(server, tmp_path / "run.json"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
    assert result.returncode == 3, result.stderr  # finished, with failed documents
    # Replies that carried usage: DOC0's two, and one for every document but DOC0, DOC1, DOC2.
    replies = 2 + (SEED_COUNT - 3)
    expected_tokens = replies * PROMPT_TOKENS + replies * COMPLETION_TOKENS

    lines = [line for line in result.stderr.splitlines() if line.startswith("progress:")]
    assert len(lines) == SEED_COUNT, result.stderr  # interval 0: a line per document
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines  # one line each, nothing but the counts (no ANSI code, no secret)
    assert "\x1b" not in result.stderr and SECRET not in result.stderr
    done = [int(m["done"]) for m in parsed]
    failed = [int(m["failed"]) for m in parsed]
    tokens = [int(m["tokens"].replace(",", "")) for m in parsed]
    assert done == list(range(1, SEED_COUNT + 1))
    assert {int(m["total"]) for m in parsed} == {SEED_COUNT}
    assert failed == sorted(failed) and failed[-1] == 2
    assert tokens == sorted(tokens) and tokens[-1] == expected_tokens
    assert "ETA" not in lines[-1] and all("ETA" in line for line in lines[:-1])
    assert lines[-1].startswith(f"progress: {SEED_COUNT}/{SEED_COUNT} documents, 2 failed, {expected_tokens:,} tokens")

    record = read_record(tmp_path / "run.json")
    assert record.failed_documents == 2
    assert record.usage is not None
    assert record.usage["prompt_tokens"] == replies * PROMPT_TOKENS
    assert record.usage["completion_tokens"] == replies * COMPLETION_TOKENS
    assert record.usage["cost"] is None  # no prices were given


def test_a_run_shorter_than_the_interval_prints_no_progress_line(tmp_path):
    out = tmp_path / "r.json"
    result = run_harness("eval", "--model", "null", "--dataset", DATASET, "-o", out, env={PROGRESS_ENV: "3600"})
    assert result.returncode == 0, result.stderr
    assert "progress:" not in result.stderr


def test_a_line_per_document_for_an_extractor_without_tokens(tmp_path):
    result = run_harness(
        "eval", "--model", "null", "--dataset", DATASET, "-o", tmp_path / "r.json", env={PROGRESS_ENV: "0"}
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("progress:")]
    assert [line.split(",")[0] for line in lines] == [
        f"progress: {n}/{SEED_COUNT} documents" for n in range(1, SEED_COUNT + 1)
    ]
    assert all("tokens" not in line for line in lines)  # the null extractor counts none
    assert read_record(tmp_path / "r.json").usage is None


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_interval_is_one_line_and_exit_2(tmp_path, value):
    result = run_harness(
        "eval", "--model", "null", "--dataset", DATASET, "-o", tmp_path / "r.json", env={PROGRESS_ENV: value}
    )
    assert result.returncode == 2 and result.stderr.splitlines() == [
        f"harness eval: {PROGRESS_ENV}: give a number of seconds, 0 or more (0: a line per document); got {value!r}"
    ]
    assert not (tmp_path / "r.json").exists()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lines_come_at_the_interval_and_at_the_end(capsys):
    clock = FakeClock()
    stats = {"prompt_tokens": 0, "completion_tokens": 0}
    lines = ProgressLines(total=4, interval=30, stats=lambda: stats, clock=clock)
    for seconds, failed in [(10, False), (35, True), (50, False), (80, False)]:
        clock.now = 1000.0 + seconds
        stats["prompt_tokens"] += 1000
        stats["completion_tokens"] += 230
        lines.update(failed)
    assert capsys.readouterr().err.splitlines() == [
        # 35 s: the first line is due; 50 s: not yet; 80 s: the last document, always said
        "progress: 2/4 documents, 1 failed, 2,460 tokens, 35s elapsed, ETA 35s",
        "progress: 4/4 documents, 1 failed, 4,920 tokens, 1m 20s elapsed",
    ]


def test_durations():
    assert [_duration(s) for s in (0, 0.4, 59.6, 72, 288, 3599, 3600, 7530)] == [
        "0s", "0s", "1m 00s", "1m 12s", "4m 48s", "59m 59s", "1h 00m", "2h 05m"
    ]  # fmt: skip
