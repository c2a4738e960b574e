"""Hostile input and faults: every case is one line naming the file or field, exit 2, no
traceback, no hang, no lost or overwritten file.

Each test is a case an adversarial user reported (or a group of them). The CLI is called
in-process where the process boundary is not the point; reads of endless devices run in a
subprocess with a memory cap and a generous time-out, so a regression fails instead of
taking the machine down. Nothing here writes outside its temporary folder: non-regular
targets are FIFOs made in that folder, never a device.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.errors import HarnessError
from harness.files import write_atomic

from conftest import ANNOTATIONS, DATASET, ROOT, SEED_COUNT, SEEDS

DOC0 = "000_a426189bb560bcb6"


def cli(capsys, *args: str) -> tuple[int, str, list[str]]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err.splitlines()


def one_error(capsys, *args: str) -> str:
    code, _, err = cli(capsys, *args)
    assert code == 2, err
    assert len(err) == 1, err
    return err[0]


@pytest.fixture
def record(tmp_path, capsys) -> Path:
    """A real run record of the null baseline."""
    path = tmp_path / "null.json"
    assert cli(capsys, "eval", "--model", "null", "--dataset", DATASET, "-o", path)[0] == 0
    return path


def edit(src: Path, dst: Path, change) -> Path:
    data = json.loads(src.read_text())
    change(data)
    dst.write_text(json.dumps(data))
    return dst


# ---------------------------------------------------------------- endless and odd files


ENDLESS = [
    (["score", "/dev/zero", "--dataset", str(DATASET)], "/dev/zero", "a predictions file"),
    (["score", "/dev/urandom", "--dataset", str(DATASET)], "/dev/urandom", "a predictions file"),
    (["compare", "/dev/zero", "/dev/zero"], "/dev/zero", "a run record"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "device", "what"), ENDLESS, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_endless_devices_are_refused_not_read(args, device, what):
    # A subprocess with 2 GB of address space: a reader that slurps /dev/zero dies, not the machine.
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        f"from harness.cli import main; raise SystemExit(main({args!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"harness {args[0]}: {device}: not a regular file (a device, pipe or socket); give {what}"
    ]


def test_seed_annotation_card_and_data_file_that_are_symlinks_to_a_device(tmp_path, capsys):
    for rel in ("seeds", "annotations"):
        shutil.copytree(ROOT / rel, tmp_path / rel)
    seed = tmp_path / "seeds" / f"{DOC0}.txt"
    seed.unlink()
    seed.symlink_to("/dev/zero")
    code, _, err = cli(capsys, "validate", "--seeds", tmp_path / "seeds", "--annotations", tmp_path / "annotations")
    assert code == 2 and err[0] == f"{seed}: not a regular file (a device, pipe or socket); give a seed document"

    folder = shutil.copytree(DATASET, tmp_path / "ds")
    (folder / "data" / "test.parquet").unlink()
    (folder / "data" / "test.parquet").symlink_to("/dev/zero")
    message = one_error(capsys, "eval", "--model", "null", "--dataset", folder)
    assert message.endswith("points outside the dataset folder") or "not a regular file" in message
    (folder / "README.md").unlink()
    (folder / "README.md").symlink_to("/dev/zero")
    assert one_error(capsys, "eval", "--model", "null", "--dataset", folder) == (
        f"harness eval: {folder}: not a dataset folder (no README.md with a dataset card)"
    )


@pytest.mark.slow
def test_fifo_symlink_loop_and_path_under_a_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe")
    Path("loop1").symlink_to("loop2")
    Path("loop2").symlink_to("loop1")
    Path("afile").write_text("x")
    assert one_error(capsys, "score", "pipe", "--dataset", DATASET) == (
        "harness score: pipe: not a regular file (a device, pipe or socket); give a predictions file"
    )
    assert one_error(capsys, "score", "loop1", "--dataset", DATASET) == (
        "harness score: loop1: too many symbolic links (a loop?)"
    )
    assert one_error(capsys, "score", "afile/p.jsonl", "--dataset", DATASET) == (
        "harness score: afile/p.jsonl: a part of the path is a file, not a folder"
    )
    assert (
        one_error(capsys, "compare", "afile", "afile")
        == "harness compare: afile: not valid JSON: Invalid JSON: expected value at line 1 column 1"
    )


def test_folders_where_files_belong(tmp_path, capsys):
    for rel in ("seeds", "annotations"):
        shutil.copytree(ROOT / rel, tmp_path / rel)
    ann = tmp_path / "annotations" / f"{DOC0}.yaml"
    ann.unlink()
    ann.mkdir()
    code, _, err = cli(capsys, "validate", "--seeds", tmp_path / "seeds", "--annotations", tmp_path / "annotations")
    assert code == 2 and err == [f"{ann}: is a folder, not an annotation file", "1 problem(s); 4 document(s) valid"]
    assert one_error(capsys, "score", tmp_path, "--dataset", DATASET) == (
        f"harness score: {tmp_path}: is a folder, not a predictions file"
    )


# --------------------------------------------------------------------------- writing


def test_a_non_regular_target_is_never_replaced(tmp_path, capsys):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for target in (fifo, link):
        with pytest.raises(HarnessError, match="not a regular file"):
            write_atomic(target, b"data")
        assert one_error(capsys, "eval", "--model", "null", "--dataset", DATASET, "-o", target) == (
            f"harness eval: {target}: not a regular file; the harness only writes regular files"
        )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.path.islink(link)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link"]  # no temporary left behind


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("", "'.': not a file name"),
        ("{tmp}", "{tmp}: is a folder; give a file name"),
        ("{tmp}/afile/r.json", "{tmp}/afile/r.json: a part of the path is a file, not a folder"),
        ("{tmp}/" + "n" * 300 + ".json", "{tmp}/" + "n" * 300 + ".json: the file name is too long"),
    ],
)
def test_unusable_output_paths_are_refused_before_the_run(output, message, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    output, message = output.format(tmp=tmp_path), message.format(tmp=tmp_path)
    assert (
        one_error(capsys, "eval", "--model", "null", "--dataset", DATASET, "-o", output) == f"harness eval: {message}"
    )


def test_a_record_that_cannot_be_written_at_the_end_is_kept_elsewhere(tmp_path, capsys, monkeypatch):
    import tempfile

    import harness.records

    def full_disk(path, data, durable=True):
        raise HarnessError(f"{path}: no space left on the device")

    monkeypatch.setattr(harness.records, "write_atomic", full_disk)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "kept"))
    (tmp_path / "kept").mkdir()
    target = tmp_path / "out.json"
    code, _, err = cli(capsys, "eval", "--model", "null", "--dataset", DATASET, "-o", target)
    assert code == 2 and len(err) == 1
    (kept,) = (tmp_path / "kept").iterdir()
    assert err[0] == (
        f"harness: cannot write the run record ({target}: no space left on the device); it is kept at {kept}"
    )
    assert json.loads(kept.read_text())["model"]["name"] == "null"


def test_two_runs_in_the_same_second_keep_both_records(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import harness.evaluate

    frozen = harness.evaluate.utc_now()
    monkeypatch.setattr(harness.evaluate, "utc_now", lambda: frozen)
    for _ in range(2):
        assert cli(capsys, "eval", "--model", "null", "--dataset", DATASET)[0] == 0
    records = sorted((tmp_path / "runs").iterdir())
    assert len(records) == 2 and records[0].name != records[1].name


def test_build_never_writes_over_a_folder_that_is_not_a_dataset(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    for rel in ("seeds", "annotations"):
        shutil.copytree(ROOT / rel, project / rel)
    readme = project / "README.md"
    readme.write_text("# My project\n")
    monkeypatch.chdir(project)
    assert (
        one_error(capsys, "build", "--out", "")
        == "harness build: '.': give the dataset folder by name (e.g. --out dataset)"
    )
    assert (
        one_error(capsys, "build", "--out", ".")
        == "harness build: '.': give the dataset folder by name (e.g. --out dataset)"
    )
    assert one_error(capsys, "build", "--out", project) == (
        f"harness build: {readme}: exists and is not a dataset card; refusing to overwrite it"
    )
    assert readme.read_text() == "# My project\n"


@pytest.mark.slow
def test_build_refuses_a_folder_where_a_dataset_file_goes(tmp_path, capsys):
    out = shutil.copytree(DATASET, tmp_path / "dataset")
    (out / "data" / "test.parquet").unlink()
    (out / "data" / "test.parquet").mkdir()
    before = sorted(p.name for p in (out / "data").iterdir())
    line = one_error(capsys, "build", "--seeds", ROOT / "seeds", "--annotations", ROOT / "annotations", "--out", out)
    assert (
        line
        == f"harness build: {out / 'data' / 'test.parquet'}: is a folder where the build writes a file; move it away"
    )
    assert sorted(p.name for p in (out / "data").iterdir()) == before  # nothing staged, nothing replaced


# ---------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed must be between 0 and 9223372036854775807, got -1"),
        (["--bootstrap", "1000000000"], "--bootstrap must be between 1 and 1,000,000, got 1000000000"),
        (["--bootstrap", "0"], "--bootstrap must be between 1 and 1,000,000, got 0"),
        (["--threshold", "nan"], "--threshold must be between 0 and 1, got nan"),
        (["--workers", "0"], "--workers must be between 1 and 256, got 0"),
    ],
)
def test_out_of_range_options(args, message, capsys):
    assert one_error(capsys, "eval", "--model", "null", "--dataset", DATASET, *args) == f"harness eval: {message}"


def test_argparse_errors_are_one_line(capsys):
    assert one_error(capsys, "eval", "--model", "null", "--seed", "x") == (
        "harness eval: argument --seed: invalid int value: 'x' (see harness eval --help)"
    )
    assert one_error(capsys, "frobnicate").startswith("harness: argument COMMAND: invalid choice: 'frobnicate'")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (":", "--model ':': expected package.module:attr or path/to/file.py:attr"),
        (".foo:bar", "--model '.foo:bar': '.foo' is not a module name (package.module)"),
        ("mod:", "--model 'mod:': expected package.module:attr or path/to/file.py:attr"),
        ("./missing.py:X", "./missing.py: no such file"),
        ("no_such_module_xyz:X", "cannot import 'no_such_module_xyz': No module named 'no_such_module_xyz'"),
    ],
)
def test_model_names_that_name_nothing(model, message, capsys):
    assert one_error(capsys, "eval", "--model", model, "--dataset", DATASET) == f"harness eval: {message}"


# ---------------------------------------------------------------------------- plugins

PLUGINS = textwrap.dedent(
    """
    import asyncio, sys

    class Boom:
        name = "boom"
        def __init__(self):
            raise RuntimeError("constructor\\nexploded")

    class Exits:
        name = "exits"
        def __init__(self):
            sys.exit(3)

    class BadStats:
        name = "bad-stats"
        def extract(self, doc):
            return {}
        def stats(self):
            raise KeyError("nope")

    class Cancels:
        name = "cancels"
        async def aextract(self, doc):
            raise asyncio.CancelledError()

    class CallsExit:
        name = "calls-exit"
        def extract(self, doc):
            sys.exit("bye")
    """
)


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    (tmp_path / "hostile_plugins.py").write_text(PLUGINS)
    (tmp_path / "broken_syntax.py").write_text("def broken(:\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in ("hostile_plugins", "broken_syntax"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("hostile_plugins:Boom", "model 'hostile_plugins:Boom' failed to start: RuntimeError: constructor exploded"),
        ("hostile_plugins:Exits", "model 'hostile_plugins:Exits' failed to start: the extractor called sys.exit(3)"),
        ("broken_syntax:X", "cannot load broken_syntax:X: SyntaxError: invalid syntax (broken_syntax.py, line 1)"),
        (
            "./broken_syntax.py:X",
            "cannot load ./broken_syntax.py:X: SyntaxError: invalid syntax (broken_syntax.py, line 1)",
        ),
    ],
)
def test_plugins_that_cannot_start(model, message, plugins, capsys):
    assert one_error(capsys, "eval", "--model", model, "--dataset", DATASET) == f"harness eval: {message}"


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("hostile_plugins:Cancels", "the extractor's task was cancelled"),
        ("hostile_plugins:CallsExit", "the extractor called sys.exit('bye')"),
    ],
)
def test_plugins_that_fail_every_document_still_give_a_record(model, error, plugins, capsys):
    code, _, err = cli(capsys, "eval", "--model", model, "--dataset", DATASET, "-o", plugins / "r.json")
    assert code == 3
    assert err[-1] == "5 of 5 document(s) failed; scored as empty"
    assert {d["error"] for d in json.loads((plugins / "r.json").read_text())["documents"]} == {error}


def test_a_plugin_whose_stats_fail_is_noted(plugins, capsys):
    code, _, err = cli(capsys, "eval", "--model", "./hostile_plugins.py:BadStats", "--dataset", DATASET, "-o", "r.json")
    assert code == 0
    assert err == ["note: the extractor's stats() failed: KeyError: 'nope'"]


# ---------------------------------------------------------------------------- datasets


def _dataset(tmp_path: Path, card: str | bytes | None = None) -> Path:
    folder = shutil.copytree(DATASET, tmp_path / "ds")
    if card is not None:
        (folder / "README.md").write_bytes(card.encode() if isinstance(card, str) else card)
    return folder


def _card(data_files: str) -> str:
    return f"---\nconfigs:\n- config_name: default\n  data_files:\n{data_files}---\n"


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("---\nconfigs: [\n---\n", "{ds}/README.md:3: invalid YAML in the card header: expected the node content, but found '<stream end>'"),
        (b"---\n\xff\n---\n", "{ds}/README.md:2: not valid UTF-8 (byte 0xff at column 1)"),
        ("no header\n", "{ds}/README.md: no YAML header between --- lines; not a dataset card"),
        ("---\n- a list\n---\n", "{ds}/README.md: the card header is not a mapping of fields"),
        ("---\nconfigs: 5\n---\n", "{ds}/README.md: configs: expected a list of mappings"),
        ("---\nconfigs: [{config_name: other}]\n---\n", "{ds}/README.md: no config 'default' (the card declares: other)"),
        (_card("    5\n"), "{ds}/README.md: configs[default].data_files: expected a list of {{split, path}} mappings"),
        (_card("  - split: test\n    path: /etc/passwd\n"), "{ds}/README.md: data file '/etc/passwd': must be a relative path inside the folder"),
        (_card("  - split: test\n    path: ../x.parquet\n"), "{ds}/README.md: data file '../x.parquet': must be a relative path inside the folder"),
        (_card("  - split: test\n    path: [a]\n"), "{ds}/README.md: data file ['a']: must be a relative path inside the folder"),
        (_card("  - split: train\n    path: data/test.parquet\n"), "{ds}: no split 'test' (the card declares: train)"),
        (_card("  - split: test\n    path: data/none.parquet\n"), "{ds}/README.md: split 'test': no file matches data/none.parquet"),
        ("---\na: &a [x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n---\n", "{ds}/README.md:2: the card header: anchor &a is not allowed in annotations"),
        ("---\nx: " + "[" * 20000 + "]" * 20000 + "\n---\n", "{ds}/README.md:2: the card header: nested more than 32 levels deep"),
    ],
)  # fmt: skip
def test_bad_dataset_cards(card, message, tmp_path, capsys):
    folder = _dataset(tmp_path, card)
    assert one_error(capsys, "eval", "--model", "null", "--dataset", folder) == "harness eval: " + message.format(
        ds=folder
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.write_bytes(d.read_bytes()[:1000]), "not a readable Parquet file"),
        (lambda d: d.write_bytes(os.urandom(3000)), "not a readable Parquet file"),
        (lambda d: _rows(d, lambda t: t.slice(0, 0)), "split 'test' has no rows"),
        (lambda d: _rows(d, lambda t: _concat(t, t.slice(0, 1))), f"split test row 5: doc_id '{DOC0}' appears twice"),
    ],
)
def test_bad_dataset_data(change, message, tmp_path, capsys):
    folder = _dataset(tmp_path)
    change(folder / "data" / "test.parquet")
    error = one_error(capsys, "eval", "--model", "null", "--dataset", folder)
    assert error.startswith(f"harness eval: {folder}") and message in error


def _rows(path: Path, change) -> None:
    import pyarrow.parquet as pq

    pq.write_table(change(pq.read_table(path)), path)


def _concat(*tables):
    import pyarrow as pa

    return pa.concat_tables(tables)


def test_a_missing_local_path_is_never_taken_for_a_hub_id(capsys):
    assert one_error(capsys, "eval", "--model", "null", "--dataset", "./no/such/folder") == (
        "harness eval: ./no/such/folder: no such folder"
    )


# ------------------------------------------------------------------- records and compare


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(bootstrap_samples=0), "bootstrap_samples: Input should be greater than or equal to 1"),
        (lambda d: d.update(bootstrap_samples=-3), "bootstrap_samples: Input should be greater than or equal to 1"),
        (lambda d: d.update(seed=-1), "seed: Input should be greater than or equal to 0"),
        (lambda d: d["aggregates"].pop("overall"), "record: aggregates lacks the score 'overall'"),
        (lambda d: d["documents"][0]["scores"].pop("directive_f1"), "documents.0: scores lacks the score 'directive_f1'"),
        (lambda d: d["documents"][0]["scores"].update(overall=float("nan")), "documents.0.scores.overall: Input should be a finite number"),
        (lambda d: d["documents"][0]["scores"].update(overall=7.5), "documents.0.scores.overall: Input should be less than or equal to 1"),
        (lambda d: d["documents"][0]["scores"].update(overall="0.5"), "documents.0.scores.overall: Input should be a valid number"),
        (lambda d: d["documents"][0]["scores"].update(overall=True), "documents.0.scores.overall: Input should be a valid number"),
        (lambda d: d["aggregates"]["overall"].update(mean=0.9), "aggregates.overall: ci_low <= mean <= ci_high does not hold"),
        (lambda d: d.update(documents=[]), "record: documents: a run record has at least one document"),
    ],
)  # fmt: skip
def test_compare_refuses_records_that_are_not_sound(change, message, record, tmp_path, capsys):
    bad = edit(record, tmp_path / "bad.json", change)
    error = one_error(capsys, "compare", record, bad)
    assert error.startswith(f"harness compare: {bad}: {message}"), error
    assert error.endswith("not a run record of this harness")


def test_compare_on_different_document_sets_reports_shared_means(tmp_path, capsys, gold):
    lines = [
        json.dumps({"doc_id": r.doc_id, "meeting_date": r.meeting_date, "summary": r.summary}) for r in gold.records
    ]
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "two.jsonl").write_text("\n".join(lines[:2]) + "\n")
    assert cli(capsys, "score", tmp_path / "all.jsonl", "--dataset", DATASET, "-o", tmp_path / "a.json")[0] == 0
    assert (
        cli(capsys, "eval", "--model", "null", "--dataset", DATASET, "--limit", "2", "-o", tmp_path / "b.json")[0] == 0
    )
    code, out, _ = cli(capsys, "compare", tmp_path / "a.json", tmp_path / "b.json")
    assert code == 0
    row = next(line for line in out.splitlines() if line.strip("│ ").startswith("date_accuracy"))
    # Over the two shared documents A has both dates right (the header is the meeting date in
    # 000 and 001) and B none: A 1.000, B 0.000, A − B +1.000. Over all five A would be 1.000 too,
    # so check a score where the two sets differ: the summary of A is perfect on both shared docs.
    assert "1.000" in row and "0.000" in row and "+1.000" in row
    assert "Compared on the 2 documents both runs scored (A has 5, B has 2)" in " ".join(out.split())


# ---------------------------------------------------------------------------- leaderboard


@pytest.fixture
def board(tmp_path, record):
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(record, results / "null.json")
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n\nafter\n")
    return results, readme


def leaderboard(capsys, results, readme):
    return cli(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)


def test_leaderboard_escapes_what_records_say(board, capsys):
    results, readme = board
    edit(
        results / "null.json",
        results / "evil.json",
        lambda d: d["model"].update(name="evil\n<!-- leaderboard:end -->\n| x |"),
    )
    assert leaderboard(capsys, results, readme)[0] == 0
    text = readme.read_text()
    assert text.count("<!-- leaderboard:end -->") == 1 and text.endswith("\nafter\n")
    assert "| evil &lt;\\!-- leaderboard:end --&gt; \\| x \\| (built-in) |" in text
    assert leaderboard(capsys, results, readme)[0] == 0  # and it can be rewritten
    assert readme.read_text() == text


def test_leaderboard_lists_incomplete_runs_apart_and_leaves_out_other_versions(board, capsys):
    results, readme = board

    def one_doc(d):
        d["documents"] = d["documents"][:1]
        d["dataset"]["documents"] = 1
        d["model"]["name"] = "partial"

    edit(results / "null.json", results / "partial.json", one_doc)
    edit(
        results / "null.json",
        results / "fake.json",
        lambda d: (d["dataset"].update(sha256="f" * 64), d["model"].update(name="fake")),
    )
    assert leaderboard(capsys, results, readme)[0] == 0
    text = readme.read_text()
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in table[1:]] == ["| null (built-in)"]
    assert f"Not ranked, incomplete: partial (1 of {SEED_COUNT} documents)." in text
    assert "Left out, run on another dataset version or directive matcher: fake." in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(started_at="2999-01-01T00:00:00+00:00"), "started_at 2999-01-01T00:00:00+00:00 is in the future"),
        (lambda d: d["aggregates"]["overall"].update(mean=7.5, ci_high=7.5), "aggregates.overall.mean: Input should be less than or equal to 1"),
        (lambda d: d["aggregates"].pop("date_accuracy"), "aggregates lacks the score 'date_accuracy'"),
    ],
)  # fmt: skip
def test_leaderboard_refuses_unsound_records(change, message, board, capsys):
    results, readme = board
    before = readme.read_text()
    edit(results / "null.json", results / "bad.json", change)
    error = one_error(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert message in error
    assert readme.read_text() == before


def test_leaderboard_without_results_or_with_a_bad_readme(board, tmp_path, capsys):
    results, readme = board
    assert one_error(
        capsys, "leaderboard", "--results", tmp_path / "none", "--readme", readme, "--dataset", DATASET
    ) == (f"harness leaderboard: {tmp_path / 'none'}: no such folder of run records")
    readme.write_bytes(b"\xff\xfe")
    assert one_error(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET) == (
        f"harness leaderboard: {readme}:1: not valid UTF-8 (byte 0xff at column 1)"
    )
    readme.write_text("no markers")
    assert one_error(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET) == (
        f"harness leaderboard: {readme}: expected one <!-- leaderboard:start --> and one "
        "<!-- leaderboard:end --> marker, in that order"
    )


def test_the_cli_catches_only_the_user_error_type():
    """Reading the CLI: no broad except other than the one for internal errors."""
    source = (ROOT / "harness" / "cli.py").read_text()
    handlers = [line.strip() for line in source.splitlines() if line.strip().startswith("except")]
    assert handlers == [
        "except BrokenPipeError:",  # _SafeStream.write: the reader went away, a normal end
        "except BrokenPipeError:",  # _SafeStream.flush
        "except InvalidAnnotations as exc:",  # a HarnessError: build adds a count of the problems
        "except OSError as exc:",  # _finish: stdout cannot be written; the record is saved
        "except SystemExit as exc:  # --help, --version, or a usage error already printed",
        "except HarnessError as exc:",
        "except KeyboardInterrupt:",
        "except Exception as exc:",
    ]


def test_seeds_and_annotations_are_untouched():
    assert (SEEDS / f"{DOC0}.txt").is_file() and (ANNOTATIONS / f"{DOC0}.yaml").is_file()


# ------------------------------------------------- outputs never replace their inputs


def _dataset_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "ds"
    shutil.copytree(DATASET, copy)
    return copy


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_output_that_is_an_input_or_inside_the_dataset_is_refused(tmp_path, capsys, record):
    ds = _dataset_copy(tmp_path)
    before = _snapshot(ds)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"doc_id": DOC0}) + "\n")
    cases = [
        (["eval", "--model", "null", "--dataset", ds, "-o", ds / "data" / "test.parquet"], "is inside the dataset"),
        (["eval", "--model", "null", "--dataset", ds, "-o", ds / "README.md"], "is inside the dataset"),
        (["score", predictions, "--dataset", ds, "-o", predictions], "is an input of this run"),
        (["score", predictions, "--dataset", ds, "-o", ds / "new.json"], "is inside the dataset"),
        (["view", record, "-o", record], "is an input of this run"),
    ]
    for args, message in cases:
        line = one_error(capsys, *args)
        assert message in line and "write the output elsewhere" in line, line
    assert _snapshot(ds) == before
    assert predictions.read_text() == json.dumps({"doc_id": DOC0}) + "\n"
    json.loads(record.read_text())  # the record is still a record


def test_view_refuses_to_write_into_the_dataset_its_runs_read(tmp_path, capsys):
    ds = _dataset_copy(tmp_path)
    run = tmp_path / "run.json"
    assert cli(capsys, "eval", "--model", "null", "--dataset", ds, "-o", run)[0] == 0
    before = _snapshot(ds)
    assert "is inside the dataset" in one_error(capsys, "view", run, "-o", ds / "README.md")
    assert _snapshot(ds) == before


def test_the_default_dataset_is_protected_too(tmp_path, capsys):
    from harness.dataset import bundled

    target = bundled() / "README.md"
    before = target.read_bytes()
    assert "is inside the dataset" in one_error(capsys, "eval", "--model", "null", "-o", target)
    assert target.read_bytes() == before


@pytest.mark.slow
def test_a_build_that_fails_half_way_leaves_the_old_dataset_whole(tmp_path, capsys, monkeypatch):
    from harness import build as build_module

    ds = _dataset_copy(tmp_path)
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("annotator_b"))
    path = annotations / f"{DOC0}.yaml"
    # the presider's name spelt with two spaces: both Parquet files and the card change
    path.write_text(path.read_text().replace("name: Hao Peng", "name: Hao  Peng", 1))
    before = _snapshot(ds)
    calls = []
    real = build_module.write_atomic

    def failing(target, data, *args, **kwargs):
        calls.append(target)
        if len(calls) == 2:
            raise HarnessError(f"{target}: no space left on the device")
        return real(target, data, *args, **kwargs)

    monkeypatch.setattr(build_module, "write_atomic", failing)
    code, _, err = cli(capsys, "build", "--seeds", SEEDS, "--annotations", annotations, "--out", ds)
    assert code == 2 and "no space left" in err[0]
    assert len(calls) == 2  # it failed after writing one file of several
    assert _snapshot(ds) == before  # nothing moved into place, nothing left behind


@pytest.mark.slow
def test_a_finished_run_keeps_its_record_when_the_reader_goes_away_or_the_disk_is_full(tmp_path):
    harness = Path(sys.executable).with_name("harness")
    command = [str(harness), "eval", "--model", "rules", "--dataset", str(DATASET)]
    for i, shell in enumerate(
        ["{cmd} -o r0.json | head -1", "{cmd} -o r1.json | true", "{cmd} -o r2.json > /dev/full"]
    ):
        line = shell.format(cmd=" ".join(command))
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {line}"], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (line, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr
        record = json.loads((tmp_path / f"r{i}.json").read_text())
        assert record["dataset"]["documents"] == SEED_COUNT and not record["failed_documents"]
    assert "the run record is r2.json" in done.stderr  # said, on one line, when stdout is full


def test_a_record_whose_means_are_not_its_documents_is_refused_everywhere(board, tmp_path, capsys):
    results, readme = board

    def forge(d):
        d["aggregates"]["overall"] = {"mean": 0.99, "ci_low": 0.98, "ci_high": 1.0}

    edit(results / "null.json", results / "forged.json", forge)
    line = one_error(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert "aggregates.overall.mean is 0.990000, the documents' scores give 0.000000" in line, line
    assert "forged.json" in line
    assert "aggregates.overall.mean" in one_error(capsys, "compare", results / "forged.json", results / "null.json")


def test_a_record_whose_document_scores_were_edited_is_refused_by_the_leaderboard(board, capsys):
    results, readme = board

    def forge(d):  # every score of every document, and the means, raised together
        for document in d["documents"]:
            document["scores"] = dict.fromkeys(document["scores"], 1.0)
        for aggregate in d["aggregates"].values():
            aggregate.update(mean=1.0, ci_low=1.0, ci_high=1.0)

    edit(results / "null.json", results / "forged.json", forge)
    line = one_error(capsys, "leaderboard", "--results", results, "--readme", readme, "--dataset", DATASET)
    assert "the scores in the record are not what its prediction scores" in line, line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "llm", "-M", "model=m", "-M", "concurrency=0"],
            "-M concurrency: expected a whole number from 1 to 256, got '0'",
        ),
        (
            ["--model", "llm", "-M", "model=m", "-M", "timeout=inf"],
            "-M timeout: expected a number from 0.1 to 3600, got 'inf'",
        ),
        (
            ["--model", "llm", "-M", "model=m", "-M", "timeout=nan"],
            "-M timeout: expected a number from 0.1 to 3600, got 'nan'",
        ),
        (
            ["--model", "llm", "-M", "model=m", "-M", "retries=" + "9" * 5000],
            "-M retries: expected a whole number from 0 to 20, got '" + "9" * 37 + "...'",
        ),
        (
            ["--model", "llm", "-M", "model=m", "-M", "seed=-1"],
            "-M seed: expected a whole number from 0 to 2,147,483,647, got '-1'",
        ),
        (
            ["--model", "null", "--judge", "llm", "-J", "model=j", "-J", "concurrency=0"],
            "-J concurrency: expected a whole number from 1 to 256, got '0'",
        ),
        (
            ["--model", "null", "--judge", "llm", "-J", "model=j", "-J", "timeout=inf"],
            "-J timeout: expected a number from 0.1 to 3600, got 'inf'",
        ),
    ],
)
def test_model_client_settings_that_would_hang_a_run_are_refused(args, message, capsys):
    assert one_error(capsys, "eval", "--dataset", DATASET, *args) == f"harness eval: {message}"


# ---------------------------------------------------------------------------- injection


def test_a_model_name_cannot_put_a_link_or_an_image_into_the_leaderboard(board, capsys):
    results, readme = board
    name = "[click me](https://evil.example/x) ![px](https://evil.example/p.png) *bold* `code`"
    edit(results / "null.json", results / "evil.json", lambda d: d["model"].update(name=name))
    assert leaderboard(capsys, results, readme)[0] == 0
    text = readme.read_text()
    row = next(line for line in text.splitlines() if "click me" in line)
    assert "](" not in row and "![" not in row and "://" not in row and "`" not in row.split("|")[1]
    assert "\\[click me\\]" in row and "\\*bold\\*" in row


def test_a_file_name_with_a_newline_cannot_fake_a_line_of_validate(tmp_path, capsys):
    seeds, annotations = tmp_path / "seeds", tmp_path / "annotations"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("annotator_b", "*.md", "*.py"))
    evil = "x\nAll 5 documents are valid.\ny"
    (annotations / f"{evil}.yaml").write_text("doc_id: nothing\n")
    code, out, err = cli(capsys, "validate", "--seeds", seeds, "--annotations", annotations)
    assert code == 2 and "All 5 documents are valid." not in out
    assert not any(line.strip() == "All 5 documents are valid." for line in err)


def test_a_readout_name_with_a_newline_cannot_write_yaml_into_a_draft(tmp_path, capsys):
    readout = tmp_path / "x\nmeeting_date: 1999-01-01\n.txt"
    readout.write_text((SEEDS / f"{DOC0}.txt").read_text())
    out = tmp_path / "draft.yaml"
    code, _, err = cli(capsys, "draft", readout, "--out", out)
    assert code == 0, err
    text = out.read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("x\\nmeeting_date" in line for line in header)  # the name, on its one line
    data = yaml.safe_load(text)
    assert data["meeting_date"]["value"] != "1999-01-01" and data["doc_id"] == readout.stem


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"doc_id": "\x1b[31mred\x1b[0m\x07"}) + "\n")
    code, out, err = cli(capsys, "score", predictions, "--dataset", DATASET, "-o", tmp_path / "r.json")
    assert code == 2
    assert not any(ch in out + "".join(err) for ch in "\x1b\x07")


# ---------------------------------------------------------------- the API's own boundary


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h, g: h.score_predictions([], []), "score_predictions: no gold records to score against"),
        (lambda h, g: h.score_predictions([], g, samples=0), "samples must be a whole number from 1 to 1,000,000, got 0"),
        (lambda h, g: h.score_predictions([], g, samples=-5), "samples must be a whole number from 1 to 1,000,000, got -5"),
        (lambda h, g: h.score_predictions([], g, seed=-1), "seed must be a whole number of at least 0, got -1"),
        (lambda h, g: h.score_predictions([], g, threshold=-1), "threshold must be a number from 0 to 1, got -1"),
        (lambda h, g: h.score_predictions([], g, threshold=float("nan")), "threshold must be a number from 0 to 1, got nan"),
        (lambda h, g: h.score_document(h.Prediction(doc_id=g.records[1].doc_id), g.records[0]),
         "001_4943538ee7176661: a prediction of another document than 000_a426189bb560bcb6; not scored"),
    ],
)  # fmt: skip
def test_the_python_api_refuses_what_no_run_could_mean(call, message):
    import harness

    with pytest.raises(HarnessError) as caught:
        call(harness, harness.load_gold(str(DATASET)))
    assert caught.value.problems == [message]


@pytest.mark.slow
def test_a_5000_digit_number_in_an_annotation_is_one_line(tmp_path, capsys):
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("annotator_b", "*.md", "*.py"))
    path = annotations / f"{DOC0}.yaml"
    path.write_text(path.read_text().replace("title: null", "title: " + "9" * 5000, 1))
    code, _, err = cli(capsys, "validate", "--seeds", SEEDS, "--annotations", annotations)
    assert code == 2 and err[0] == f"{path}:3: a number of 5,000 characters; no field takes one"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(bootstrap_samples=10**12), "bootstrap_samples: Input should be less than or equal to 1000000"),
        (lambda d: d["documents"][0].update(pairs=[[5, 0, 0.5, True, "same", "text"]]), "documents.0: pairs[0]: predicted directive 5 does not exist (0 predicted)"),
    ],
)  # fmt: skip
def test_records_that_would_hang_or_crash_compare_and_view(change, message, record, tmp_path, capsys):
    bad = edit(record, tmp_path / "bad.json", change)
    for command in (["compare", bad, record], ["view", bad, "-o", tmp_path / "v.html"]):
        assert one_error(capsys, *command).endswith(f"{message}; not a run record of this harness")


def test_view_refuses_a_pair_past_the_gold_directives(tmp_path, capsys):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"doc_id": DOC0, "directives": ["Expand exports."]}) + "\n")
    run = tmp_path / "r.json"
    assert cli(capsys, "score", predictions, "--dataset", DATASET, "-o", run)[0] == 0
    bad = edit(
        run, tmp_path / "bad.json", lambda d: d["documents"][0].update(pairs=[[0, 999, 0.5, True, "same", "text"]])
    )
    line = one_error(capsys, "view", bad, "-o", tmp_path / "v.html")
    assert line.endswith(f"{DOC0}: a matched pair points past the directives; the record is not sound")
