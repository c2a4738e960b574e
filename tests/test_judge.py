"""The optional model judge, end to end against a real HTTP server on 127.0.0.1.

The server's "model" judges by a rule written here (a directive is the same as a gold one
when their words are equal ignoring case; a summary states a unit when it contains the
unit's first three words), so every verdict, score and agreement figure the tests expect is
worked out by hand from that rule.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from llm_server import ChatServer

from harness.evaluate import evaluate, score_file
from harness.judge import cohen_kappa, make_judge

from conftest import DATASET, ROOT, run_harness

pytestmark = pytest.mark.slow
DOC0 = "000_a426189bb560bcb6"


def rule_judge(body: dict) -> str | None:
    prompt = body["messages"][-1]["content"]
    if "Candidate:" in prompt:
        golds = re.findall(r"^(\d+)\. (.*)$", prompt.split("Gold directives:")[1].split("Candidate:")[0], re.M)
        candidate = prompt.split("Candidate: ", 1)[1].split("\n", 1)[0].strip()
        same = [int(n) for n, text in golds if text.strip().lower() == candidate.lower()]
        return json.dumps({"same_as": same[0] if same else 0})
    if "Facts:" in prompt:
        units = re.findall(r"^\d+\. (.*)$", prompt.split("Facts:")[1].split("Summary:")[0], re.M)
        summary = prompt.split("Summary: ", 1)[1].lower()
        return json.dumps({"stated": [" ".join(u.lower().split()[:3]) in summary for u in units]})
    return None


def judge_args(server, tmp_path, **extra) -> dict[str, str]:
    return {"model": "judge-model", "base_url": server.base_url, "cache_dir": str(tmp_path / "judge"),
            "backoff": "0.01", **extra}  # fmt: skip


def test_a_run_judged_by_a_model(tmp_path, gold):
    record = gold.records[0]
    units = [u.text for u in record.summary_units]
    # Directives: the gold's first two verbatim (the judge links them), one upper-cased (linked
    # too: the rule ignores case), one invented (linked to nothing). 3 hits of 4 predicted and
    # 20 gold: P = 3/4, R = 3/20, F1 = 2PR/(P+R) = 0.25.
    directives = [
        record.directives[0].text,
        record.directives[1].text,
        record.directives[2].text.upper(),
        "Plant trees.",
    ]
    # Summary: the first three words of the first two units, so the rule says 2 of 11 stated.
    summary = " ".join(" ".join(u.split()[:3]) for u in units[:2])
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"doc_id": DOC0, "directives": directives, "summary": summary}) + "\n")
    with ChatServer({}, replier=rule_judge) as server:
        judged = score_file(preds, str(DATASET), judge=make_judge("llm", judge_args(server, tmp_path)))
        sent = server.total
        # one request per predicted directive and one for the units; the four documents
        # without a prediction have nothing to ask about
        assert sent == 4 + 1
        doc = judged.documents[0]
        assert doc.scores["directive_f1"] == pytest.approx(0.25)
        assert doc.scores["summary_unit_recall"] == pytest.approx(2 / len(units))
        assert [(p[0], p[1], p[3], p[4]) for p in doc.pairs if p[3]] == [
            (0, 0, True, "judge: same"), (1, 1, True, "judge: same"), (2, 2, True, "judge: same")
        ]  # fmt: skip
        prompts = (ROOT / "harness" / "prompts" / "judge_directive.txt").read_bytes()
        prompts += (ROOT / "harness" / "prompts" / "judge_units.txt").read_bytes()
        assert judged.matcher["judge"] == {
            "name": "llm", "model": "judge-model", "base_url": server.base_url, "temperature": 0.0,
            "prompt_sha256": hashlib.sha256(prompts).hexdigest(),
        }  # fmt: skip
        assert all(body["temperature"] == 0.0 for body in server.bodies)

        again = score_file(preds, str(DATASET), judge=make_judge("llm", judge_args(server, tmp_path)))
        assert server.total == sent  # every verdict came from the cache
        assert again.per_doc_scores() == judged.per_doc_scores()

    plain = score_file(preds, str(DATASET))
    assert plain.matcher["name"] == "content-coverage"  # without --judge, the deterministic matcher


def test_a_document_the_judge_cannot_decide_falls_back_to_the_matcher(tmp_path, gold):
    with ChatServer({}, replier=lambda body: "no JSON here") as server:
        record = evaluate(
            "null", dataset=str(DATASET), doc_ids=[DOC0],
            judge=make_judge("llm", judge_args(server, tmp_path, retries="0")),
        )  # fmt: skip
        # the null prediction has no directives and no summary: nothing to ask
        assert server.total == 0 and record.notes == []
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"doc_id": DOC0, "summary": gold.records[0].summary}) + "\n")
    with ChatServer({}, replier=lambda body: "no JSON here") as server:
        record = score_file(preds, str(DATASET), judge=make_judge("llm", judge_args(server, tmp_path, retries="0")))
    assert record.notes[-1].startswith(f"{DOC0}: the judge failed (the judge's reply is unusable")
    assert record.notes[-1].endswith("scored with the deterministic matcher")
    assert record.documents[0].scores["summary_unit_recall"] == 1.0  # the gold summary, by the matcher


def test_judge_agreement_by_hand(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"a": "Expand exports.", "b": "expand exports.", "label": "same", "kind": "t"},  # judge: same
        {"a": "Expand imports.", "b": "Expand imports.", "label": "same", "kind": "t"},  # judge: same
        {"a": "Expand exports.", "b": "EXPAND EXPORTS.", "label": "different", "kind": "u"},  # judge: same
        {"a": "Expand exports.", "b": "Reduce exports.", "label": "different", "kind": "u"},  # judge: different
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with ChatServer({}, replier=rule_judge) as server:
        result = run_harness(
            "judge-agreement", "--pairs", pairs, "--judge", "llm", "-J", "model=m", "-J", f"base_url={server.base_url}",
            "-J", f"cache_dir={tmp_path / 'c'}",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # agreement 3 of 4; the judge says yes 3/4, the labels 1/2: p_e = 3/8 + 1/8 = 1/2,
    # kappa = (3/4 - 1/2) / (1/2) = 1/2
    assert "Pairs: 4; accuracy 0.750; Cohen's kappa 0.500" in " ".join(result.stdout.split())
    assert "1/2 (50%)" in result.stdout and "2/2 (100%)" in result.stdout


def test_cohen_kappa_by_hand():
    assert cohen_kappa([(True, True), (False, False)]) == 1.0
    assert cohen_kappa([(True, False), (False, True)]) == -1.0
    assert cohen_kappa([(True, True), (True, False)]) == 0.0  # always yes: no better than chance


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--judge", "llm"], "harness score: --judge llm: say which model judges: -J model=NAME"),
        (["-J", "model=m"], "harness score: -J is for the model judge: give --judge llm too"),
        (["--judge", "llm", "-J", "model=m", "-J", "colour=red"], "harness score: -J colour: not an argument of the llm judge"),
        (["--judge", "llm", "-J", "model=m", "-J", "timeout=soon"], "harness score: --judge llm: could not convert string to float: 'soon'"),
    ],
)  # fmt: skip
def test_bad_judge_options(args, message, tmp_path):
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"doc_id": DOC0}) + "\n")
    result = run_harness("score", preds, "--dataset", DATASET, *args)
    assert result.returncode == 2 and result.stderr.startswith(message), result.stderr
