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

from harness.dataset import load_references
from harness.evaluate import evaluate, score_file
from harness.judge import JUDGED_SCORES, _int_in_range, make_judge, parse_same_as, parse_stated
from harness.judge_agreement import cohen_kappa
from harness.leaderboard import classify, load_results, render
from harness.matching import Matcher
from harness.metrics import DEFAULT_THRESHOLD
from harness.records import RecordError, read_record, write_record

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
    # 19 gold: P = 3/4, R = 3/19, F1 = 2PR/(P+R) = (18/76) / (69/76) = 6/23.
    assert len(record.directives) == 19
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
        # what judging cost is recorded: the requests, and the server's usage of each
        # (100 prompt and 20 completion tokens) added up
        assert judged.judge_stats["requests"] == 5
        assert (judged.judge_stats["prompt_tokens"], judged.judge_stats["completion_tokens"]) == (500, 100)
        doc = judged.documents[0]
        assert doc.scores["directive_f1"] == pytest.approx(6 / 23)
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
        # every document was judged (the four without a prediction had nothing to ask), and
        # the record says which scores the judge decided
        assert [d.judged for d in judged.documents] == [True] * 5 and judged.judge_fallbacks == []
        assert judged.judged_scores == [
            "directive_precision", "directive_recall", "directive_f1", "directive_soft_f1", "summary_unit_recall", "overall"
        ]  # fmt: skip

        again = score_file(preds, str(DATASET), judge=make_judge("llm", judge_args(server, tmp_path)))
        assert server.total == sent  # every verdict came from the cache
        assert again.per_doc_scores() == judged.per_doc_scores()

    plain = score_file(preds, str(DATASET))
    assert plain.matcher == Matcher(DEFAULT_THRESHOLD).settings()  # without --judge, the deterministic matcher
    assert plain.judged_scores == [] and not any(d.judged for d in plain.documents)


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
    assert record.documents[0].judged is False and record.judge_fallbacks == [DOC0]
    assert all(d.judged for d in record.documents[1:])


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
        (["--judge", "llm", "-J", "model=m", "-J", "timeout=soon"], "harness score: -J timeout: expected a number from 0.1 to 3600, got 'soon'"),
    ],
)  # fmt: skip
def test_bad_judge_options(args, message, tmp_path):
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"doc_id": DOC0}) + "\n")
    result = run_harness("score", preds, "--dataset", DATASET, *args)
    assert result.returncode == 2 and result.stderr.startswith(message), result.stderr


# ------------------------------------------------------- agreement on independent judged pairs

# Judged pairs written for these tests (constructed, not any annotator's): the independent
# format, with id, doc_id and note. The rule judge says "same" when b equals a ignoring case.
DIRECTIVE_PAIRS = [
    {"id": "t-1", "doc_id": DOC0, "a": "Expand exports.", "b": "expand exports.", "label": "same", "kind": "reworded", "note": "constructed"},  # judged same
    {"id": "t-2", "doc_id": DOC0, "a": "Build new roads in the county.", "b": "Build more roads.", "label": "same", "kind": "reworded", "note": "constructed"},  # judged different
    {"id": "t-3", "doc_id": DOC0, "a": "Protect the wetlands.", "b": "PROTECT THE WETLANDS.", "label": "same", "kind": "quote", "note": "constructed"},  # judged same
    {"id": "t-4", "doc_id": DOC0, "a": "Expand exports.", "b": "Reduce exports.", "label": "different", "kind": "reversal", "note": "constructed"},  # judged different
    {"id": "t-5", "doc_id": DOC0, "a": "Raise wages.", "b": "Cut wages.", "label": "different", "kind": "reversal", "note": "constructed"},  # judged different
    {"id": "t-6", "doc_id": DOC0, "a": "Open the port.", "b": "open the port.", "label": "different", "kind": "copy", "note": "constructed"},  # judged same
    {"id": "t-7", "doc_id": DOC0, "a": "Plant trees.", "b": "Water the trees.", "label": "different", "kind": "copy", "note": "constructed"},  # judged different
]  # fmt: skip
DOC1 = "001_4943538ee7176661"


def first_words(units, indices) -> str:
    """What the rule judge takes as stating each unit: its first three words."""
    return " ".join(" ".join(units[i].split()[:3]) for i in indices)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def agreement_args(server, tmp_path, *files, concurrency=None):
    args = ["judge-agreement", *files, "--dataset", DATASET, "--judge", "llm", "-J", "model=m",
            "-J", f"base_url={server.base_url}", "-J", f"cache_dir={tmp_path / 'c'}", "-J", "backoff=0.01"]  # fmt: skip
    return [*args, "-J", f"concurrency={concurrency}"] if concurrency else args


def test_judge_agreement_on_independent_directive_and_summary_pairs_by_hand(tmp_path, gold):
    units0 = [u.text for u in gold.records[0].summary_units]  # 11 units
    units1 = [u.text for u in gold.records[1].summary_units]  # 10 units
    assert gold.records[1].doc_id == DOC1 and (len(units0), len(units1)) == (11, 10)
    copy = " ".join(["lorem"] * 100) + " " + first_words(units0, range(11))
    summaries = [  # constructed candidates; the rule judge's score is in the comment
        {"id": "s-a", "doc_id": DOC0, "summary": first_words(units0, range(8)), "label": "faithful", "kind": "honest", "note": "constructed"},  # 8/11
        {"id": "s-b", "doc_id": DOC1, "summary": first_words(units1, range(3)), "label": "faithful", "kind": "honest", "note": "constructed"},  # 3/10
        {"id": "s-c", "doc_id": DOC0, "summary": first_words(units0, range(2)), "label": "unfaithful", "kind": "wrong-date", "note": "constructed"},  # 2/11
        # all eleven units, but after 100 words: cut to 100 words, it states none (0/11)
        {"id": "s-d", "doc_id": DOC0, "summary": copy, "label": "degenerate", "kind": "copy", "note": "constructed"},
        {"id": "s-e", "doc_id": DOC1, "summary": first_words(units1, range(10)), "label": "unfaithful", "kind": "wrong-date", "note": "constructed"},  # 10/10
    ]  # fmt: skip
    pairs = write_jsonl(tmp_path / "directives.jsonl", DIRECTIVE_PAIRS)
    cands = write_jsonl(tmp_path / "summaries.jsonl", summaries)
    with ChatServer({}, replier=rule_judge) as server:
        result = run_harness(*agreement_args(server, tmp_path, "--pairs", pairs, "--summaries", cands))
        assert result.returncode == 0, result.stderr
        # the copy was cut to its first 100 words before the judge saw it
        asked = [b["messages"][-1]["content"] for b in server.bodies if "Facts:" in b["messages"][-1]["content"]]
        cut = next(p for p in asked if "lorem" in p).split("Summary: ", 1)[1].split("\n", 1)[0]
        assert cut == " ".join(["lorem"] * 100)
        as_json = run_harness(*agreement_args(server, tmp_path, "--pairs", pairs, "--summaries", cands), "--json")
    text = " ".join(result.stdout.split())
    # Directives: same 3 (t-1, t-3 judged same: 2/3), different 4 (t-4, t-5, t-7 judged
    # different: 3/4). Accuracy 5/7 = 0.714; balanced (2/3 + 3/4) / 2 = 17/24 = 0.708. The judge
    # says "same" 3/7 and so do the labels: p_e = 9/49 + 16/49 = 25/49, p_o = 35/49, kappa =
    # (35/49 - 25/49) / (24/49) = 10/24 = 0.417.
    assert (
        "Pairs: 7; accuracy 0.714; Cohen's kappa 0.417; balanced accuracy 0.708 "
        "(same judged same 2/3, different judged different 3/4)"
    ) in text
    # Summaries: faithful s-a 8/11 >= 0.5, s-b 3/10 < 0.5: 1/2; the rest s-c 2/11, s-d 0 below,
    # s-e 1.0 not: 2/3. Balanced (1/2 + 2/3) / 2 = 7/12 = 0.583.
    assert "each cut to its first 100 words" in text and "at the threshold 0.5 of that score" in text
    assert "balanced accuracy 0.583 (faithful at or above 1/2, the rest below 2/3)" in text

    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    d, s = data["directive_pairs"], data["summary_pairs"]
    assert (d["pairs"], d["judged"], d["failed"]) == (7, 7, [])
    assert d["accuracy"] == pytest.approx(5 / 7) and d["balanced_accuracy"] == pytest.approx(17 / 24)
    assert d["kappa"] == pytest.approx(10 / 24)
    assert d["by_kind"] == [
        {"kind": "copy", "label": "different", "agreed": 1, "n": 2},
        {"kind": "quote", "label": "same", "agreed": 1, "n": 1},
        {"kind": "reversal", "label": "different", "agreed": 2, "n": 2},
        {"kind": "reworded", "label": "same", "agreed": 1, "n": 2},
    ]
    assert [v["judged"] for v in d["verdicts"]] == [
        "same",
        "different",
        "same",
        "different",
        "different",
        "same",
        "different",
    ]
    assert (s["word_limit"], s["threshold"]) == (100, 0.5)
    assert s["balanced_accuracy"] == pytest.approx(7 / 12)
    assert [(x["id"], x["score"]) for x in s["scores"]] == [
        ("s-a", pytest.approx(8 / 11)), ("s-b", pytest.approx(3 / 10)), ("s-c", pytest.approx(2 / 11)),
        ("s-d", 0.0), ("s-e", 1.0),
    ]  # fmt: skip
    by_kind = {(k["kind"], k["label"]): (k["mean_score"], k["at_or_above_threshold"], k["n"]) for k in s["by_kind"]}
    assert by_kind == {
        ("copy", "degenerate"): (0.0, 0, 1),
        ("honest", "faithful"): (pytest.approx((8 / 11 + 3 / 10) / 2), 1, 2),  # 113/220
        ("wrong-date", "unfaithful"): (pytest.approx((2 / 11 + 1) / 2), 1, 2),  # 13/22
    }
    assert data["judge"]["model"] == "m"


def test_judge_agreement_reads_the_calibration_format_too(tmp_path):
    # the calibration file's format: no id, no doc_id; the same verdicts, named by line
    rows = [{k: v for k, v in r.items() if k in ("a", "b", "label", "kind")} for r in DIRECTIVE_PAIRS]
    pairs = write_jsonl(tmp_path / "pairs.jsonl", rows)
    with ChatServer({}, replier=rule_judge) as server:
        result = run_harness(*agreement_args(server, tmp_path, "--pairs", pairs), "--json")
    assert result.returncode == 0, result.stderr
    d = json.loads(result.stdout)["directive_pairs"]
    assert d["accuracy"] == pytest.approx(5 / 7) and d["kappa"] == pytest.approx(10 / 24)
    assert [v["id"] for v in d["verdicts"]][:2] == ["line 1", "line 2"]
    assert json.loads(result.stdout)["summary_pairs"] is None


@pytest.mark.parametrize("dead", ["unusable", "refused"])
def test_a_judge_that_never_answers_is_stopped_after_five_pairs(tmp_path, dead):
    rows = [
        {"id": f"p-{i}", "a": f"Build road {i}.", "b": f"Build road {i}.", "label": "same", "kind": "k"}
        for i in range(1, 21)
    ]
    pairs = write_jsonl(tmp_path / "pairs.jsonl", rows)
    with ChatServer({}, replier=lambda body: "no JSON here") as server:
        if dead == "refused":  # nothing listens on the port any more
            server.__exit__()
        args = agreement_args(server, tmp_path, "--pairs", pairs, concurrency=1)
        result = run_harness(*args, "-J", "retries=0")
        asked = server.total
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(
        "harness judge-agreement: the judge failed on 5 pairs in a row (p-1, p-2, p-3, p-4, p-5), "
        "so it was stopped after 5 of 20 pairs; the last failure: "
    )
    # one at a time: five pairs asked, each twice (the reply, then once more after "not valid")
    assert asked == (10 if dead == "unusable" else 0)


def test_a_pair_the_judge_fails_on_is_named_and_left_out(tmp_path):
    pairs = write_jsonl(tmp_path / "pairs.jsonl", DIRECTIVE_PAIRS[:4])

    def flaky(body):  # never an answer about t-2's candidate
        return "no JSON" if "Candidate: Build more roads." in body["messages"][-1]["content"] else rule_judge(body)

    with ChatServer({}, replier=flaky) as server:
        result = run_harness(*agreement_args(server, tmp_path, "--pairs", pairs), "-J", "retries=0")
    assert result.returncode == 3
    assert result.stderr == (
        "harness judge-agreement: the judge failed on 1 of 4 pairs (t-2); the figures leave them out\n"
    )
    # t-1, t-3 right (same), t-4 right (different): 3 of 3, kappa 1
    assert "Pairs: 3; accuracy 1.000; Cohen's kappa 1.000; balanced accuracy 1.000" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("name", "rows", "message"),
    [
        ("pairs", [{"a": "x", "b": "y", "label": "maybe", "kind": "k"}], "{f}:1: label: expected 'same' or 'different', got maybe"),
        ("pairs", [{"a": "x", "b": "y", "label": "same"}], "{f}:1: kind: expected a non-empty string"),
        ("pairs", [{"id": "x", "a": "x", "b": "y", "label": "same", "kind": "k"}] * 2, "{f}:2: id: 'x' appears twice (first on line 1)"),
        ("pairs", [{"doc_id": DOC0, "summary": "s", "label": "faithful", "kind": "k"}], "{f}:1: a summary pair, not a directive pair: give this file with --summaries"),
        ("summaries", [{"doc_id": "nope", "summary": "s", "label": "faithful", "kind": "k"}], "{f}:1: doc_id: 'nope' is not a document of the test split of"),
        ("summaries", [{"doc_id": DOC0, "summary": "s", "label": "same", "kind": "k"}], "{f}:1: label: expected 'faithful' or 'unfaithful' or 'degenerate', got same"),
        ("summaries", [{"a": "x", "b": "y", "label": "same", "kind": "k"}], "{f}:1: a directive pair, not a summary pair: give this file with --pairs"),
    ],
)  # fmt: skip
def test_bad_judged_pair_files_are_one_line(tmp_path, name, rows, message):
    path = write_jsonl(tmp_path / f"{name}.jsonl", rows)
    result = run_harness("judge-agreement", f"--{name}", path, "--dataset", DATASET, "--judge", "llm", "-J", "model=m",
                         "-J", "base_url=http://127.0.0.1:9/v1")  # fmt: skip
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("harness judge-agreement: " + message.format(f=path)), result.stderr


# ------------------------------------------------------------ a judge that fails is never silent

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "reply", ["999", "true", "-1", "NaN", "1.0", '"1"', "null", "1e999", HUGE, "-" + HUGE],
    ids=["999", "true", "-1", "NaN", "1.0", "string", "null", "1e999", "5000-digits", "-5000-digits"],
)  # fmt: skip
def test_unusable_verdicts_are_refused(reply):
    with pytest.raises(ValueError):
        parse_same_as('{"same_as": ' + reply + "}", 3)
    with pytest.raises(ValueError):
        parse_stated('{"stated": ' + reply + "}", 1)  # not a list
    if reply != "true":  # a list of one true is a valid verdict on one unit
        with pytest.raises(ValueError):
            parse_stated('{"stated": [true, ' + reply + "]}", 2)


def test_usable_verdicts_and_the_message_for_a_huge_number():
    assert parse_same_as('{"same_as": 0}', 3) is None and parse_same_as('{"same_as": 3}', 3) == 2
    assert parse_stated('{"stated": [true, false]}', 2) == (True, False)
    with pytest.raises(ValueError, match="expected a list of 2 true/false values"):
        parse_stated('{"stated": [true]}', 2)
    with pytest.raises(ValueError, match=r"expected a number from 0 to 3, got a number of about 5001 digits"):
        _int_in_range(10**5000, 0, 3)  # never str() of it: past Python's limit that raises
    with pytest.raises(ValueError, match="got true"):
        _int_in_range(True, 0, 3)


@pytest.mark.parametrize(
    "reply",
    ['{"same_as": 999, "stated": 999}', '{"same_as": true, "stated": true}', '{"same_as": -1, "stated": -1}',
     '{"same_as": NaN, "stated": [NaN]}', '{"same_as": ' + HUGE + ', "stated": ' + HUGE + "}", "no answer"],
    ids=["999", "true", "-1", "NaN", "5000-digits", "no-answer"],
)  # fmt: skip
def test_a_failing_judge_in_score_exits_3_and_says_how_many_fell_back(tmp_path, gold, reply):
    record = gold.records[0]
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        json.dumps({"doc_id": DOC0, "directives": [record.directives[0].text], "summary": record.summary}) + "\n"
    )
    out = tmp_path / "run.json"
    with ChatServer({}, replier=lambda body: reply) as server:
        result = run_harness("score", preds, "--dataset", DATASET, "--judge", "llm", "-J", "model=m", "-J", f"base_url={server.base_url}",
                             "-J", f"cache_dir={tmp_path / 'c'}", "-J", "retries=0", "-o", out)  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert (
        "Judged by the model judge: 4 of 5 document(s); 1 fell back to the deterministic matcher (see the notes)"
        in result.stderr
    )
    assert f"note: {DOC0}: the judge failed (the judge's reply is unusable" in result.stderr
    assert "Traceback" not in result.stderr
    run = read_record(out)
    assert [d.judged for d in run.documents] == [False, True, True, True, True]
    assert run.judge_fallbacks == [DOC0] and run.judged_scores == list(JUDGED_SCORES)


def test_a_judged_score_run_without_fallbacks_says_so_and_exits_0(tmp_path):
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"doc_id": DOC0, "directives": ["Plant trees."]}) + "\n")
    with ChatServer({}, replier=rule_judge) as server:
        result = run_harness("score", preds, "--dataset", DATASET, "--judge", "llm", "-J", "model=m", "-J", f"base_url={server.base_url}",
                             "-J", f"cache_dir={tmp_path / 'c'}", "-o", tmp_path / "run.json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Judged by the model judge: 5 of 5 document(s); 0 fell back to the deterministic matcher" in result.stdout


# ------------------------------------------------------------------ records and the leaderboard


def test_an_old_record_reads_as_unjudged_and_an_inconsistent_one_is_refused(tmp_path):
    old = read_record(ROOT / "results" / "null.json")  # written before the fields existed
    assert old.judged is False and old.judged_scores == [] and old.judge_fallbacks == []
    assert not any(d.judged for d in old.documents)
    data = json.loads((ROOT / "results" / "null.json").read_text())
    data["documents"][0]["judged"] = True
    (tmp_path / "a.json").write_text(json.dumps(data))
    with pytest.raises(RecordError, match="documents: a document is marked judged, but judged_scores is empty"):
        read_record(tmp_path / "a.json")
    data["judged_scores"] = ["overall"]
    (tmp_path / "b.json").write_text(json.dumps(data))
    with pytest.raises(
        RecordError, match="judged_scores: the record names judged scores but its matcher names no judge"
    ):
        read_record(tmp_path / "b.json")
    data["judged_scores"] = ["brilliance"]
    (tmp_path / "c.json").write_text(json.dumps(data))
    with pytest.raises(RecordError, match="judged_scores: 'brilliance' is not a score of this harness"):
        read_record(tmp_path / "c.json")


def test_the_leaderboard_never_ranks_a_judged_run_beside_an_unjudged_one(tmp_path, answers):
    preds = write_jsonl(tmp_path / "p.jsonl", [{"doc_id": d, **a} for d, a in answers.items()])
    results = tmp_path / "results"
    results.mkdir()
    write_record(score_file(preds, str(DATASET), name="plain-sys"), results / "plain.json")
    with ChatServer({}, replier=rule_judge) as server:
        judged = score_file(
            preds, str(DATASET), name="judged-sys", judge=make_judge("llm", judge_args(server, tmp_path))
        )
    assert all(d.judged for d in judged.documents)
    write_record(judged, results / "judged.json")
    data = json.loads((results / "judged.json").read_text())
    data["model"]["name"] = "partly-judged"
    data["documents"][2]["judged"] = False  # the judge fell back on one document
    (results / "partly.json").write_text(json.dumps(data))
    data["model"]["name"] = "old-judged"  # a judged run in a record from before judged_scores
    data.pop("judged_scores")
    for d in data["documents"]:
        d.pop("judged")
    (results / "old.json").write_text(json.dumps(data))

    gold = load_references(DATASET)
    board = classify(load_results(results), gold.sha256, len(gold.references), DEFAULT_THRESHOLD)
    assert [r.model.name for r in board.ranked] == ["plain-sys"]
    assert [[r.model.name for r in b.ranked] for b in board.judged] == [["judged-sys"]]
    text = render(board)
    tables = [block for block in text.split("\n\n") if block.startswith("| model |")]
    assert len(tables) == 2
    plain, judged_table = (t.splitlines() for t in tables)
    assert [row.split(" | ")[0] for row in plain[2:]] == ["| plain-sys (predictions file)"]
    assert [row.split(" | ")[0] for row in judged_table[2:]] == ["| judged-sys (predictions file)"]
    assert "judged" not in plain[0]  # no judged label on the matcher's scores
    assert judged_table[0] == (
        "| model | date | presider | directive F1 (judged) | summary units (judged) | directive soft F1 (judged) "
        "| directives grounded | summary ROUGE-L | overall (judged) | run |"
    )
    assert "Judged by a model (name llm, model judge-model, temperature 0.0; prompts `" in text
    assert (
        "Not ranked, incomplete or not wholly judged: partly-judged (the judge fell back to the matcher on 1 document(s))."
        in text
    )
    assert "Left out, judged by a model in a record that does not say what was judged: old-judged." in text
    assert "partly-judged (predictions" not in text and "old-judged (predictions" not in text  # in no table


def test_the_leaderboard_command_with_a_judged_run(tmp_path, answers):
    preds = write_jsonl(tmp_path / "p.jsonl", [{"doc_id": d, **a} for d, a in answers.items()])
    results = tmp_path / "results"
    results.mkdir()
    with ChatServer({}, replier=rule_judge) as server:
        judged = score_file(
            preds, str(DATASET), name="judged-sys", judge=make_judge("llm", judge_args(server, tmp_path))
        )
    write_record(judged, results / "judged.json")
    readme = tmp_path / "README.md"
    readme.write_text("<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n")
    result = run_harness("leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert result.returncode == 0, result.stderr
    lines = readme.read_text().splitlines()
    first, second = (i for i, line in enumerate(lines) if line.startswith("| model |"))
    assert "judged" not in lines[first] and "(judged)" in lines[second]
    assert not lines[first + 2].startswith("| ")  # the matcher's table is empty
    assert lines[second + 2].startswith("| judged-sys (predictions file) |")
