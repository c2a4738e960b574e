"""Tokens and cost: `-M price_in= -M price_out=` in the run record's `usage` and on the leaderboard.

Runs go against the chat server of llm_server.py, which reports 100 prompt and 20
completion tokens for every completion it answers; the expected sums and costs are worked
out here from those numbers.
"""

from __future__ import annotations

import json
import shutil

import pytest
from llm_server import ChatServer

from harness.records import RecordError, read_record

from conftest import DATASET, ROOT, SEED_COUNT, run_harness

PROMPT_TOKENS, COMPLETION_TOKENS = 100, 20
PRICE_IN, PRICE_OUT = 2.5, 10.0
README = "# x\n\n<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n"


def llm_run(server: ChatServer, out, *extra: str):
    return run_harness(
        "eval", "--model", "llm", "--dataset", DATASET, "-o", out, "-M", "model=test-model",
        "-M", f"base_url={server.base_url}", "-M", "cache_dir=none", *extra,
    )  # fmt: skip


def leaderboard(results, readme) -> list[str]:
    result = run_harness("leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert result.returncode == 0, result.stderr
    return readme.read_text().splitlines()


@pytest.mark.slow
def test_the_cost_is_in_the_record_and_on_the_leaderboard(tmp_path, answers):
    results = tmp_path / "results"
    with ChatServer(answers) as server:
        result = llm_run(server, results / "llm.json", "-M", f"price_in={PRICE_IN}", "-M", f"price_out={PRICE_OUT}")
        assert result.returncode == 0, result.stderr  # the llm extractor never saw the prices
        assert server.total == SEED_COUNT
    prompt, completion = SEED_COUNT * PROMPT_TOKENS, SEED_COUNT * COMPLETION_TOKENS
    cost = prompt / 1e6 * PRICE_IN + completion / 1e6 * PRICE_OUT
    record = read_record(results / "llm.json")
    assert record.usage == {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "price_in": PRICE_IN,
        "price_out": PRICE_OUT,
        "cost": pytest.approx(cost, rel=1e-9),
    }
    assert "price_in" not in record.model.args and "price_out" not in record.model.args

    readme = tmp_path / "README.md"
    readme.write_text(README)
    shutil.copy(ROOT / "results" / "null.json", results / "null.json")  # a run without usage
    lines = leaderboard(results, readme)
    header = next(line for line in lines if line.startswith("| model |"))
    assert header.endswith("| tokens | cost | run |")
    row = next(line for line in lines if line.startswith("| llm:test-model "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-3] == f"{prompt + completion:,}"
    assert float(cells[-2]) == pytest.approx(cost, rel=0.05)  # shown to two significant digits
    null = next(line for line in lines if line.startswith("| null "))
    assert [c.strip() for c in null.strip("|").split("|")][-3:-1] == ["", ""]  # blank: the record has none
    assert any(line.startswith("`tokens`: the prompt and completion tokens") for line in lines)


def test_a_leaderboard_without_usage_has_no_tokens_or_cost_columns(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(ROOT / "results" / "null.json", results / "null.json")
    readme = tmp_path / "README.md"
    readme.write_text(README)
    lines = leaderboard(results, readme)
    assert next(line for line in lines if line.startswith("| model |")).endswith("| overall | run |")
    assert not any("tokens" in line for line in lines)


BAD = "give a price per million tokens, a number 0 or more; got"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["price_in=abc", "price_out=10"], f"-M price_in: {BAD} 'abc'"),
        (["price_in=-1", "price_out=10"], f"-M price_in: {BAD} '-1'"),
        (["price_in=2.5", "price_out=nan"], f"-M price_out: {BAD} 'nan'"),
        (["price_in=inf", "price_out=1"], f"-M price_in: {BAD} 'inf'"),
        (["price_in=2.5"], "-M price_in and -M price_out go together: give both (0 for a side that costs nothing)"),
    ],
)
def test_a_bad_price_is_one_line_and_exit_2(tmp_path, args, message):
    model_args = [part for arg in args for part in ("-M", arg)]
    result = run_harness("eval", "--model", "null", "--dataset", DATASET, "-o", tmp_path / "r.json", *model_args)
    assert (result.returncode, result.stderr.splitlines()) == (2, [f"harness eval: {message}"])
    assert not (tmp_path / "r.json").exists()


def test_prices_for_an_extractor_that_counts_no_tokens_give_no_cost(tmp_path):
    out = tmp_path / "r.json"
    result = run_harness(
        "eval", "--model", "null", "--dataset", DATASET, "-o", out, "-M", "price_in=0", "-M", "price_out=1"
    )
    assert result.returncode == 0, result.stderr
    usage = {"prompt_tokens": None, "completion_tokens": None, "price_in": 0.0, "price_out": 1.0, "cost": None}
    assert read_record(out).usage == usage
    assert "note: no cost: the extractor's stats() do not count prompt_tokens and completion_tokens" in result.stderr


def test_records_without_usage_still_load_and_bad_usage_is_refused(tmp_path):
    old = json.loads((ROOT / "results" / "null.json").read_text())
    assert "usage" not in old  # written before the field existed
    assert read_record(ROOT / "results" / "null.json").usage is None
    for bad in ({"cost": -1.0}, {"prompt_tokens": "500"}, {"prompt_tokens": True}):
        (tmp_path / "bad.json").write_text(json.dumps({**old, "usage": bad}))
        with pytest.raises(RecordError, match="usage"):
            read_record(tmp_path / "bad.json")
