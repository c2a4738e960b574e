"""`harness validate` rejects each kind of bad annotation with one exact line.

Each case starts from a small valid annotation of a synthetic seed written here, breaks one
thing, and asserts the full message, including the file and the line of the field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.annotations import validate_corpus

from conftest import CONSTRUCTED_COUNT, ROOT, SEED_COUNT, run_harness

SEED = (
    " date 2024-01-10 On January 9, Governor Wang Wu presided over the executive meeting of the"
    " provincial government. The meeting stressed: It is necessary to expand investment."
    " It is necessary to expand investment in rural roads and help small firms.\n"
)
SUMMARY = (
    "Held on 9 January 2024, the executive meeting of the provincial government was presided over by Governor"
    " Wang Wu. It was an executive meeting of the provincial government. The meeting stressed expanding"
    " investment. It called for investment in rural roads. It called for help for small firms, and for steady"
    " work in every county across the province this year."
)
GOOD = f"""\
doc_id: "100_test"
title: null
publication_date: 2024-01-10
meeting_date:
  value: 2024-01-09
  basis: header
  evidence:
    - "On January 9"
presider:
  name: Wang Wu
  title: Governor
  aliases: []
  evidence:
    - "Governor Wang Wu presided over"
directives:
  - text: Expand investment in rural roads.
    evidence:
      - "in rural roads"
  - text: Help small firms.
    evidence:
      - "help small firms"
summary: {SUMMARY}
summary_units:
  - text: The meeting was held on 9 January 2024.
    evidence: ["On January 9"]
  - text: Governor Wang Wu presided.
    evidence: ["Governor Wang Wu presided over"]
  - text: It was an executive meeting of the provincial government.
    evidence: ["the executive meeting of the provincial government"]
  - text: It stressed expanding investment.
    evidence: ["The meeting stressed"]
  - text: It called for investment in rural roads.
    evidence: ["expand investment in rural roads"]
  - text: It called for help for small firms.
    evidence: ["help small firms"]
"""


def run(tmp_path: Path, annotation: str | None = GOOD, seed: str | None = SEED) -> tuple[Path, list[str]]:
    seeds, anns = tmp_path / "seeds", tmp_path / "annotations"
    seeds.mkdir(exist_ok=True)
    anns.mkdir(exist_ok=True)
    if seed is not None:
        (seeds / "100_test.txt").write_text(seed, encoding="utf-8")
    if annotation is not None:
        (anns / "100_test.yaml").write_text(annotation, encoding="utf-8")
    _, problems = validate_corpus(seeds, anns)
    return anns / "100_test.yaml", [str(p) for p in problems]


def broken(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_the_good_case_is_valid(tmp_path):
    records, problems = validate_corpus(*_dirs(tmp_path))
    assert problems == []
    (record,) = records
    assert record.meeting_date == "2024-01-09"
    start = SEED.index("in rural roads")
    assert record.directives[0].evidence[0].start == start
    assert record.directives[0].evidence[0].end == start + len("in rural roads")


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    run(tmp_path)
    return tmp_path / "seeds", tmp_path / "annotations"


# One edit of the good annotation, and the one line it must produce (after "FILE:").
SINGLE_EDITS = {
    "quote not in text": (
        '"in rural roads"', '"in rural lanes"',
        "18: directives[0].evidence[0]: quote not found in the text: 'in rural lanes'",
    ),
    "ambiguous quote": (
        '"in rural roads"', '"It is necessary to expand investment"',
        "18: directives[0].evidence[0]: quote occurs 2 times in the text; "
        "write it as {quote: ..., occurrence: N} to say which",
    ),
    "occurrence beyond the last": (
        '"in rural roads"', '{quote: "help small firms", occurrence: 2}',
        "18: directives[0].evidence[0]: occurrence 2 asked for, but the quote occurs 1 time(s)",
    ),
    "impossible month": (
        "value: 2024-01-09", "value: 2024-13-45", "5: meeting_date.value: invalid date '2024-13-45' (no such day)",
    ),
    "29 February of a common year": (
        "value: 2024-01-09", "value: 2023-02-29", "5: meeting_date.value: invalid date '2023-02-29' (no such day)",
    ),
    "malformed date": (
        "value: 2024-01-09", "value: 09/01/2024",
        "5: meeting_date.value: invalid date '09/01/2024' (expected YYYY-MM-DD)",
    ),
    "meeting after publication": (
        "value: 2024-01-09", "value: 2024-01-11",
        "5: meeting_date.value: meeting date 2024-01-11 is after the publication date 2024-01-10",
    ),
    "publication date is not the header": (
        "publication_date: 2024-01-10", "publication_date: 2024-01-12",
        "3: publication_date: is 2024-01-12, expected the header's 2024-01-10",
    ),
    "context basis without a note": (
        "basis: header", "basis: context",
        "4: meeting_date.note: basis 'context' needs a note saying how the year was inferred",
    ),
    "explicit basis without the year": (
        "basis: header", "basis: explicit",
        "7: meeting_date.evidence: basis 'explicit' but no quote contains the year 2024",
    ),
    "directive over 30 words": (
        "text: Help small firms.", "text: " + " ".join(["Expand"] * 31),
        "19: directives[1].text: 31 words; a directive has at most 30",
    ),
    "repeated directive": (
        "text: Help small firms.", "text: expand  investment in rural roads.",
        "19: directives[1].text: repeats directives[0]; merge them",
    ),
    "summary of 39 words": (
        f"summary: {SUMMARY}", "summary: " + " ".join(["w"] * 39), "22: summary: 39 words; a summary has 40 to 80",
    ),
    "summary of 81 words": (
        f"summary: {SUMMARY}", "summary: " + " ".join(["w"] * 81), "22: summary: 81 words; a summary has 40 to 80",
    ),
    "missing field": (f"summary: {SUMMARY}\n", "", "1: summary: missing required field"),
    "wrong type": ("aliases: []", "aliases: Wang", "12: presider.aliases: input should be a valid list"),
    "doc_id is not the file name": (
        'doc_id: "100_test"', 'doc_id: "101_test"',
        "1: doc_id: '101_test' does not match the file name '100_test'",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", SINGLE_EDITS)
def test_one_bad_edit_gives_one_exact_line(tmp_path, case):
    old, new, expected = SINGLE_EDITS[case]
    ann, problems = run(tmp_path, broken(old, new))
    assert problems == [f"{ann}:{expected}"]


def test_ambiguous_quote_with_occurrence_resolves_to_that_occurrence(tmp_path):
    quote = "It is necessary to expand investment"
    _, problems = run(tmp_path, broken('"in rural roads"', f'{{quote: "{quote}", occurrence: 2}}'))
    assert problems == []
    records, _ = validate_corpus(tmp_path / "seeds", tmp_path / "annotations")
    assert records[0].directives[0].evidence[0].start == SEED.rindex(quote)


def test_header_basis_needs_a_header(tmp_path):
    seed = SEED.replace(" date 2024-01-10 ", "")
    text = broken("publication_date: 2024-01-10", "publication_date: null")
    ann, problems = run(tmp_path, text, seed=seed)
    assert problems == [f"{ann}:6: meeting_date.basis: is 'header' but the text has no date header"]


def test_directive_of_exactly_30_words_is_fine(tmp_path):
    _, problems = run(tmp_path, broken("text: Help small firms.", "text: " + " ".join(["Help"] * 30)))
    assert problems == []


def test_summary_of_40_and_80_words_is_fine(tmp_path):
    core = SUMMARY.split(", and for steady")[0].split()  # the part that carries every unit
    forty = " ".join(core + ["w"] * (40 - len(core)))
    text = broken(f"summary: {SUMMARY}", f"summary: {forty}")
    text += "extra_summaries:\n  - " + " ".join(["w"] * 80) + "\n"
    assert run(tmp_path, text)[1] == []


def test_a_summary_that_does_not_carry_a_unit(tmp_path):
    ann, problems = run(tmp_path, broken("by Governor Wang Wu.", "by Governor Li Si."))
    assert problems == [
        f"{ann}:26: summary_units[1].text: the summary does not carry this unit (another name: 'Wang Wu' is missing)"
    ]


def test_unknown_key_top_level_and_nested(tmp_path):
    text = broken("title: null", "title: null\nsource: web").replace(
        "  title: Governor", "  title: Governor\n  rank: 3"
    )
    ann, problems = run(tmp_path, text)
    assert problems == [f"{ann}:3: source: unknown key", f"{ann}:13: presider.rank: unknown key"]


def test_yaml_that_is_not_a_mapping(tmp_path):
    ann, problems = run(tmp_path, "- just\n- a list\n")
    assert problems == [f"{ann}:1: expected a mapping of fields at the top level, got list"]


def test_empty_file(tmp_path):
    ann, problems = run(tmp_path, "")
    assert problems == [f"{ann}: expected a mapping of fields at the top level, got nothing"]


def test_invalid_yaml_names_the_line(tmp_path):
    ann, problems = run(tmp_path, broken("  basis: header", "  basis: [header"))
    assert len(problems) == 1
    assert problems[0].startswith(f"{ann}:7: invalid YAML: ")


def test_missing_annotation(tmp_path):
    seeds = tmp_path / "seeds"
    _, problems = run(tmp_path, annotation=None)
    expected = tmp_path / "annotations" / "100_test.yaml"
    assert problems == [f"{seeds / '100_test.txt'}: no annotation for this document (expected {expected})"]


def test_annotation_without_seed(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "200_other.txt").write_text("On May 1, nothing happened.\n")
    ann, problems = run(tmp_path, seed=None)
    assert problems[0] == f"{ann}: no seed document {tmp_path / 'seeds' / '100_test.txt'}"
    assert len(problems) == 2  # and 200_other.txt has no annotation


def test_every_problem_is_reported_at_once(tmp_path):
    text = broken('"in rural roads"', '"nowhere"').replace('"help small firms"', '"nor here"')
    text = text.replace("value: 2024-01-09", "value: 2024-02-30")
    ann, problems = run(tmp_path, text)
    assert problems == [
        f"{ann}:5: meeting_date.value: invalid date '2024-02-30' (no such day)",
        f"{ann}:18: directives[0].evidence[0]: quote not found in the text: 'nowhere'",
        f"{ann}:21: directives[1].evidence[0]: quote not found in the text: 'nor here'",
        f"{ann}:35: summary_units[5].evidence[0]: quote not found in the text: 'nor here'",
    ]


@pytest.mark.slow
def test_cli_validate_on_the_real_annotations():
    out = run_harness("validate", cwd=ROOT)
    assert out.returncode == 0, out.stderr
    split = f" ({SEED_COUNT} real, {CONSTRUCTED_COUNT} constructed)" if CONSTRUCTED_COUNT else ""
    assert out.stdout.strip() == f"All {SEED_COUNT + CONSTRUCTED_COUNT} documents are valid{split}."


def test_cli_validate_reports_problems_with_exit_code_2(tmp_path):
    run(tmp_path, broken('"in rural roads"', '"in rural lanes"'))
    out = run_harness("validate", "--seeds", "seeds", "--annotations", "annotations", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "annotations/100_test.yaml:18: directives[0].evidence[0]: quote not found in the text: 'in rural lanes'",
        "1 problem(s); 0 document(s) valid",
    ]
    assert "Traceback" not in out.stderr


def test_cli_validate_missing_folder(tmp_path):
    out = run_harness("validate", "--seeds", "nope", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == "harness validate: nope: no such folder (run from the repository root, or pass the path)\n"
