"""`harness draft`, and the path a maintainer takes to add a document, on a readout written
for this test (constructed; it is not one of the seeds)."""

from __future__ import annotations

import shutil

from harness.build import build
from harness.dataset import load_gold

from conftest import ANNOTATIONS, SEED_COUNT, SEEDS, run_harness

READOUT = (
    " date 2024-03-06 On the afternoon of March 5, Wang Jianguo, secretary of the municipal party committee and"
    " mayor, chaired a meeting of the municipal government. The meeting studied flood prevention for the coming"
    " season. The meeting stressed that it is necessary to repair river embankments before the rainy season; it is"
    " necessary to train rescue teams in every district. The meeting required that reservoirs be inspected weekly"
    " and that warnings reach every village within one hour. The city has made great progress in recent years.\n"
)
DOC = "900_constructed_city"


def project(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(ANNOTATIONS, tmp_path / "annotations", ignore=shutil.ignore_patterns("annotator_b", "*.md", "*.py"))
    (tmp_path / "seeds" / f"{DOC}.txt").write_text(READOUT, encoding="utf-8")
    return tmp_path


def test_a_draft_is_refused_until_reviewed_then_joins_the_dataset(tmp_path, gold):
    root = project(tmp_path)
    result = run_harness("draft", f"seeds/{DOC}.txt", cwd=root)
    assert result.returncode == 0, result.stderr
    path = root / "annotations" / f"{DOC}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[5] == "draft: true"
    assert "value: '2024-03-05'" in text and "basis: header" in text and "name: Wang Jianguo" in text
    assert "- train rescue teams in every district" in text  # the extractor's own quote, as evidence

    result = run_harness("validate", cwd=root)
    assert result.returncode == 2
    assert f"annotations/{DOC}.yaml:6: draft: this annotation is a draft" in result.stderr

    # The review: the mark deleted, a title given, a sixth unit added, the summary rewritten.
    text = text.replace("draft: true\n", "").replace("  title: null\n  aliases", "  title: Mayor\n  aliases")
    text = (
        text[: text.index("summary:")]
        + (
            "summary: On 5 March 2024 mayor Wang Jianguo chaired a meeting of the municipal government on flood"
            " prevention for the coming season. It called for repairing river embankments before the rainy season,"
            " training rescue teams in every district, inspecting reservoirs weekly and warning every village within"
            " one hour.\n"
        )
        + text[text.index("summary_units:") :]
    )
    unit = "- text: Studied flood prevention for the coming season.\n  evidence:\n"
    text += unit + "  - flood prevention for the coming season\n"
    path.write_text(text, encoding="utf-8")
    result = run_harness("validate", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"All {SEED_COUNT + 1} documents are valid."

    build(root / "seeds", root / "annotations", root / "dataset")
    grown = load_gold(root / "dataset")
    assert len(grown.records) == SEED_COUNT + 1 and DOC in grown.by_id()
    assert grown.sha256 != gold.sha256  # a new document, a new dataset version


def test_the_dataset_version_changes_with_the_new_document(tmp_path, gold):
    root = project(tmp_path)
    (root / "seeds" / f"{DOC}.txt").unlink()
    build(root / "seeds", root / "annotations", root / "same")
    assert load_gold(root / "same").sha256 == gold.sha256  # the five seeds: the committed version


def test_draft_never_overwrites_an_annotation(tmp_path):
    root = project(tmp_path)
    result = run_harness("draft", "seeds/000_a426189bb560bcb6.txt", cwd=root)
    assert result.returncode == 2
    assert result.stderr.startswith("harness draft: annotations/000_a426189bb560bcb6.yaml: already exists")


def test_the_title_is_guessed_as_the_gold_has_it(gold):
    from harness.draft import guess_title

    for record in gold.records:
        assert guess_title(record.text) == record.title, record.doc_id


def test_drafts_of_the_seeds_need_a_person_only_where_the_text_gives_no_year(tmp_path, gold):
    """A draft is a good start: with the draft mark removed, every draft of a seed validates
    (its summary carries its own units, its quotes resolve, its lengths hold), except a
    date whose year the text does not give, which a person must work out (GUIDELINES §2)."""
    root = tmp_path
    shutil.copytree(SEEDS, root / "seeds")
    (root / "annotations").mkdir()
    for record in gold.records:
        result = run_harness("draft", f"seeds/{record.doc_id}.txt", cwd=root)
        assert result.returncode == 0, result.stderr
        path = root / "annotations" / f"{record.doc_id}.yaml"
        path.write_text(path.read_text().replace("draft: true\n", ""))
    result = run_harness("validate", cwd=root)
    problems = [line for line in result.stderr.splitlines() if ": " in line and "problem(s)" not in line]
    yearless = {r.doc_id for r in gold.records if r.meeting_date_basis == "context"}
    assert problems, "a year-less seed needs a person"
    for line in problems:
        assert "meeting_date.value: invalid date 'TODO'" in line and any(d in line for d in yearless), line
