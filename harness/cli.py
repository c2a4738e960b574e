"""The ``harness`` command line: a thin layer over functions another program can call.

Exit codes: 0 success, 2 bad input or usage, 3 the run finished but some documents failed,
1 an internal error (a bug: please report it), 130 interrupted. Every bad-input error is a
:class:`~harness.errors.HarnessError`, printed as one line per problem naming the file,
line or field at fault; the CLI catches nothing else it expects.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from . import __version__
from .errors import HarnessError, one_line
from .metrics import DEFAULT_THRESHOLD
from .scoring import DEFAULT_BOOTSTRAP_SAMPLES, DEFAULT_SEED

if TYPE_CHECKING:  # rich is imported where a table is drawn: it costs start-up time
    from rich.table import Table

#: 3: the run finished and its record is written, but some documents failed (see the record).
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_DOCUMENTS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _console(stderr: bool = False):  # rich is imported only when something is printed with it
    from rich.console import Console

    # No colour codes of its own: everything printed passes through _SafeStream, which lets no
    # control character through (an ANSI escape in a document id must not reach the terminal).
    return Console(
        file=sys.stderr if stderr else sys.stdout, color_system=None, highlight=False, markup=False, soft_wrap=False
    )


class _SafeStream(io.TextIOBase):
    """What the CLI prints, made safe: every known secret and URL credential scrubbed
    (:func:`harness.redact.scrub`), every control character but newline and tab dropped."""

    _CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from .redact import scrub

        try:
            self.stream.write(self._CONTROL.sub("", scrub(text)))
        except BrokenPipeError:
            self._closed_by_reader()
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._closed_by_reader()

    def _closed_by_reader(self) -> None:
        # `harness ... | head`: the reader has gone, which is a normal end; whatever is still
        # to be printed goes nowhere (and Python's own flush at exit finds nothing to fail on)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of source texts (default: seeds)")
    parser.add_argument(
        "--annotations", type=Path, default=Path("annotations"), help="folder of gold YAML files (default: annotations)"
    )


def _check_dirs(*dirs: Path) -> None:
    for d in dirs:
        if not d.is_dir():
            raise HarnessError(f"{d}: no such folder (run from the repository root, or pass the path)")


def cmd_validate(args: argparse.Namespace) -> int:
    from .annotations import validate_dataset

    _check_dirs(args.seeds, args.annotations)
    records, constructed, problems = validate_dataset(args.seeds, args.annotations, require_units=not args.no_units)
    valid = len(records) + len(constructed)
    for problem in problems:
        print(one_line(problem), file=sys.stderr)  # a file name with a newline stays on its line
    if problems:
        print(f"{len(problems)} problem(s); {valid} document(s) valid", file=sys.stderr)
        return EXIT_BAD_INPUT
    split = f" ({len(records)} real, {len(constructed)} constructed)" if constructed else ""
    print(f"All {valid} documents are valid{split}.")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .build import InvalidAnnotations, build, build_outputs, check_output_folder, stale_outputs

    _check_dirs(args.seeds, args.annotations)
    check_output_folder(args.out)
    try:
        if args.check:
            stale = stale_outputs(build_outputs(args.seeds, args.annotations, args.out), args.out)
            for rel in stale:
                print(f"{args.out / rel}: out of date; run `harness build`", file=sys.stderr)
            if not stale:
                print(f"{args.out} is up to date.")
            return EXIT_BAD_INPUT if stale else EXIT_OK
        written = build(args.seeds, args.annotations, args.out)
    except InvalidAnnotations as exc:
        for problem in exc.problems:
            print(one_line(problem), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing written", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Built {args.out}: {len(written)} file(s) written.")
    return EXIT_OK


def _model_args(pairs: list[str], flag: str = "-M") -> dict[str, str]:
    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise HarnessError(f"{flag} {pair!r}: expected key=value")
        args[key.strip()] = value
    return args


def _settings(args: argparse.Namespace):
    from .evaluate import Settings

    return Settings(threshold=args.threshold, seed=args.seed, bootstrap_samples=args.bootstrap, workers=args.workers)


def _finish(record, output: Path | None, per_doc: bool) -> int:
    """Save the run record, then report it. The record is written first: a reader that goes
    away (``| head``) or a full disk on standard output must not lose a finished run."""
    from .records import write_record_safely

    path = output or Path("runs") / f"{record.run_id}.json"
    written, problem = write_record_safely(record, path, exclusive=output is None)
    try:
        _report(record, per_doc)
        if problem:
            print(f"harness: cannot write the run record ({problem}); it is kept at {written}", file=sys.stderr)
        else:
            _console().print(f"Run record: {written}", soft_wrap=True)
    except OSError as exc:
        # standard output cannot be written (a full disk): the record is saved all the same
        with contextlib.suppress(OSError):
            print(f"harness: cannot print the results ({exc.strerror}); the run record is {written}", file=sys.stderr)
    if problem:
        return EXIT_BAD_INPUT
    code = EXIT_DOCUMENTS_FAILED if record.failed_documents else EXIT_OK
    if record.judged and record.judge_fallbacks:
        code = EXIT_DOCUMENTS_FAILED
    return code


def _report(record, per_doc: bool) -> None:
    from .metrics import HEADLINE, LABELS
    from .report import documents_table, scores_table

    out = _console()
    out.print(scores_table(record))
    if per_doc:
        out.print(documents_table(record))
    for origin, aggregates in record.origins.items():
        parts = ", ".join(f"{LABELS[k]} {aggregates[k].mean:.3f}" for k in HEADLINE if k in aggregates)
        out.print(f"{origin} documents only: {parts}", soft_wrap=True)
    if record.consistency:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in record.consistency.items())
        out.print(f"Consistency (right on a seed and on every variant of it): {parts}", soft_wrap=True)
    for who, stats in (("Extractor", record.extractor_stats), ("Judge", record.judge_stats)):
        if stats:
            counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in stats.items())
            out.print(f"{who}: {counts}")
    # Plain prints: a note is one line whatever the terminal's width.
    for note in record.notes:
        print(f"note: {one_line(note)}", file=sys.stderr)
    if record.failed_documents:
        print(
            f"{record.failed_documents} of {record.dataset.documents} document(s) failed; scored as empty",
            file=sys.stderr,
        )
    if record.judged:
        fallbacks, total = len(record.judge_fallbacks), record.dataset.documents
        judged = f"Judged by the model judge: {total - fallbacks} of {total} document(s)"
        if fallbacks:
            print(
                f"{judged}; {fallbacks} fell back to the deterministic matcher (see the notes), so this run's "
                f"{', '.join(record.judged_scores)} mix the judge's verdicts with the matcher's",
                file=sys.stderr,
            )
        else:
            out.print(f"{judged}; 0 fell back to the deterministic matcher", soft_wrap=True)


def _check_output(output: Path | None, inputs: Sequence[Path] = (), dataset: str | None = "") -> None:
    """Refuse an unusable ``-o`` before a long run, not after it: not a regular file, one of
    the run's ``inputs``, or inside the dataset folder it reads (``dataset``: the ``--dataset``
    given, None for the bundled one, ``""`` for none)."""
    from .dataset import DatasetRef
    from .files import check_writable_target

    if output is None:
        return
    folder = DatasetRef(dataset).folder if dataset != "" else None
    check_writable_target(output, inputs, [folder] if folder else [])


def _judge(args: argparse.Namespace):
    if args.judge is None:
        if args.judge_arg:
            raise HarnessError("-J is for the model judge: give --judge llm too")
        return None
    from .judge import make_judge

    return make_judge(args.judge, _model_args(args.judge_arg, "-J"))


def cmd_eval(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .evaluate import evaluate
    from .progress import ProgressLines, progress_interval

    settings = _settings(args)
    model_args = _model_args(args.model_arg)
    judge = _judge(args)
    _check_output(args.output, dataset=args.dataset)
    interval = progress_interval()
    label = one_line(args.name or args.model, 40)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),  # a log file gets no bar, and no blank line either
    )
    failed = 0
    task = None
    # Off a terminal there is no bar: plain progress lines instead, with the extractor's tokens.
    lines: ProgressLines | None = None
    read_stats: Callable[[], Mapping[str, object]] = dict

    def watch_stats(read: Callable[[], Mapping[str, object]]) -> None:
        nonlocal read_stats
        read_stats = read

    def on_start(total: int) -> None:
        nonlocal task, lines
        progress.start()
        task = progress.add_task(label, total=total)
        if not sys.stderr.isatty():
            lines = ProgressLines(total, interval, lambda: read_stats())

    def on_done(outcome) -> None:
        nonlocal failed
        failed += outcome.error is not None
        progress.update(task, advance=1, description=f"{label} ({failed} failed)" if failed else label)
        if lines is not None:
            lines.update(outcome.error is not None)

    try:
        record = evaluate(
            args.model,
            model_args,
            dataset=args.dataset,
            split=args.split,
            doc_ids=args.doc,
            limit=args.limit,
            config=args.config,
            settings=settings,
            progress=on_done,
            on_start=on_start,
            judge=judge,
            name=args.name,
            watch_stats=watch_stats,
        )
    finally:
        if task is not None:
            progress.stop()
    return _finish(record, args.output, args.per_doc)


def cmd_score(args: argparse.Namespace) -> int:
    from .evaluate import score_file

    settings = _settings(args)
    judge = _judge(args)
    path = args.completions or args.predictions
    _check_output(args.output, [path], dataset=args.dataset)
    record = score_file(
        path,
        dataset=args.dataset,
        split=args.split,
        settings=settings,
        name=args.name,
        judge=judge,
        human=args.human,
        config=args.config,
        completions=args.completions is not None,
        skip_invalid=args.skip_invalid,
    )
    return _finish(record, args.output, args.per_doc)


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_runs, smallest_p_value
    from .records import read_record
    from .report import comparison_table

    if not 0.0 < args.alpha < 1.0:
        raise HarnessError(f"--alpha must be between 0 and 1, got {args.alpha}")
    comparison = compare_runs(read_record(args.run_a), read_record(args.run_b))
    out = _console()
    out.print(comparison_table(comparison, args.alpha))
    for note in comparison.notes:
        out.print(note)
    floor = smallest_p_value(comparison.documents)
    if floor >= args.alpha:
        out.print(
            f"With {comparison.documents} documents the smallest possible p-value is {floor:.3f}, "
            f"so no difference can reach p < {args.alpha}; read the intervals."
        )
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from rich.table import Table

    from .extractors import available

    table = Table(title="extractors for --model", title_justify="left")
    for column in ("name", "from", "description"):
        table.add_column(column)
    for spec in available():
        table.add_row(one_line(spec.name, 40), spec.source, spec.description())
    out = _console()
    out.print(table)
    out.print("Or give package.module:attr, or path/to/file.py:attr.")
    return EXIT_OK


def cmd_view(args: argparse.Namespace) -> int:
    from .dataset import DatasetRef
    from .files import check_writable_target
    from .records import read_record
    from .view import write_report

    check_writable_target(args.output)
    runs = [read_record(p) for p in args.runs]
    # the report must not replace a record it shows, nor a file of a dataset it reads
    folders = [DatasetRef.of_record(r.dataset.source, r.dataset.config, r.dataset.split).folder for r in runs]
    check_writable_target(args.output, args.runs, [f for f in folders if f])
    out = write_report(runs, args.output)
    print(f"Report: {out}")
    return EXIT_OK


def cmd_draft(args: argparse.Namespace) -> int:
    from .draft import draft_file

    target, _ = draft_file(args.readout, args.model, _model_args(args.model_arg), args.out)
    print(f"Draft written: {target}. Review it against annotations/GUIDELINES.md, delete `draft: true`,")
    print("then `harness validate` and `harness build`.")
    return EXIT_OK


def cmd_agree(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from .agreement import agree

    _check_dirs(args.seeds, args.dir_a, args.dir_b)
    result = agree(args.dir_a, args.dir_b, args.seeds, partial=args.partial)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return EXIT_OK

    def cell(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    table = Table(title=f"B = {args.dir_b} against A = {args.dir_a}", title_justify="left")
    columns = ["doc", "date", "presider", "dirs A/B", "dir P", "dir R", "dir F1", "ROUGE-L", "units"]
    for column in columns:
        table.add_column(column, justify="left" if column == "doc" else "right")
    for d in result.documents:
        table.add_row(
            d.doc_id[:12], cell(d.date_agrees), cell(d.presider_agrees), f"{d.directives_a}/{d.directives_b}",
            cell(d.directive_precision), cell(d.directive_recall), cell(d.directive_f1), cell(d.summary_rougeL),
            cell(d.unit_recall_b),
        )  # fmt: skip
    t = result.total()
    table.add_row(
        "total", cell(t["date_agreement"]), cell(t["presider_agreement"]), f"{t['directives_a']}/{t['directives_b']}",
        cell(t["directive_precision"]), cell(t["directive_recall"]), cell(t["directive_f1"]),
        cell(t["summary_rougeL"]), cell(t["unit_recall_b"]), style="bold",
    )  # fmt: skip
    _console().print(table)
    return EXIT_OK


def _kind_table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], numbers_right: bool = True) -> Table:
    """A rich table of results by kind and label: the two text columns left, the rest right
    when ``numbers_right``."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if numbers_right and column not in ("kind", "label") else "left")
    for row in rows:
        table.add_row(*row)
    return table


def cmd_judge_agreement(args: argparse.Namespace) -> int:
    import json

    from .judge_agreement import load_pairs, load_summary_pairs, measure

    if args.judge is None:
        raise HarnessError("give the judge to measure: --judge llm -J model=... -J base_url=...")
    from .dataset import bundled

    pairs_file = args.pairs if args.pairs or args.summaries else bundled("pairs.jsonl")
    pairs = load_pairs(pairs_file) if pairs_file else []
    units: dict[str, tuple[str, ...]] = {}
    summaries = []
    if args.summaries:
        from .dataset import DatasetRef

        gold = DatasetRef(args.dataset, split=args.split).load()
        units = {r.doc_id: tuple(u.text for u in r.summary_units) for r in gold.records}
        dataset = f"the {gold.split} split of {args.dataset or 'the bundled dataset'}"
        summaries = load_summary_pairs(args.summaries, units, dataset)
    judge = _judge(args)
    settings = judge.settings()
    directives, summary = measure(judge, pairs, summaries, units)
    out = _console()
    if args.json:
        print(
            json.dumps(
                {
                    "judge": settings,
                    "directive_pairs": {"file": str(pairs_file), **directives.as_json()} if directives else None,
                    "summary_pairs": {"file": str(args.summaries), **summary.as_json()} if summary else None,
                },
                indent=2,
            )
        )
    if directives and not args.json:
        rows = [(k, lab, f"{agreed}/{n} ({agreed / n:.0%})") for (k, lab), (agreed, n) in directives.by_kind.items()]
        out.print(_kind_table(f"judge against {pairs_file}", ("kind", "label", "agreed"), rows, numbers_right=False))
        balanced = "—" if directives.balanced_accuracy is None else f"{directives.balanced_accuracy:.3f}"
        (same, n_same), (different, n_different) = directives.same, directives.different
        out.print(
            f"Pairs: {directives.n}; accuracy {directives.accuracy:.3f}; Cohen's kappa {directives.kappa:.3f}; "
            f"balanced accuracy {balanced} (same judged same {same}/{n_same}, "
            f"different judged different {different}/{n_different})",
            soft_wrap=True,
        )
    if summary and not args.json:
        columns = ("kind", "label", "n", "mean judged score", f">= {summary.threshold}")
        rows = [
            (k, lab, str(n), f"{mean:.3f}", f"{above}/{n}") for (k, lab), (mean, above, n) in summary.by_kind.items()
        ]
        out.print(_kind_table(f"judge against {args.summaries}", columns, rows))
        balanced = "—" if summary.balanced_accuracy is None else f"{summary.balanced_accuracy:.3f}"
        (kept, n_faithful), (refused, n_rest) = summary.faithful, summary.rest
        out.print(
            f"Summaries: {summary.n}, each cut to its first {summary.word_limit} words; a summary's judged score is "
            f"its unit recall as the judge decides its document's summary units. Faithful vs the rest at the "
            f"threshold {summary.threshold} of that score: balanced accuracy {balanced} "
            f"(faithful at or above {kept}/{n_faithful}, the rest below {refused}/{n_rest})",
            soft_wrap=True,
        )
    failed = [*(directives.failed if directives else ()), *(summary.failed if summary else ())]
    if failed:
        asked = (len(directives.verdicts) if directives else 0) + (len(summary.scores) if summary else 0)
        print(
            f"harness judge-agreement: the judge failed on {len(failed)} of {asked} pairs "
            f"({one_line(', '.join(failed), 200)}); the figures leave them out",
            file=sys.stderr,
        )
        return EXIT_DOCUMENTS_FAILED
    return EXIT_OK


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from .dataset import DatasetRef, load_references
    from .leaderboard import leaderboard_text, load_results, update_readme, verify_scores

    source = DatasetRef(args.dataset).location
    gold = load_references(source, args.split)
    verify_scores([r for r in load_results(args.results) if r.dataset.sha256 == gold.sha256], gold.references)
    everything = None
    if (args.results / "all").is_dir():
        every = load_references(source, args.split, "all")
        verify_scores([r for r in load_results(args.results / "all") if r.dataset.sha256 == every.sha256],
                      every.references)  # fmt: skip
        everything = every.sha256
    table = leaderboard_text(args.results, (gold.sha256, len(gold.references)), everything, DEFAULT_THRESHOLD)
    changed = update_readme(args.readme, table, check=args.check)
    if args.check:
        if changed:
            print(f"{args.readme}: the leaderboard is out of date; run `harness leaderboard`", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"{args.readme}: the leaderboard is up to date.")
        return EXIT_OK
    print(table)
    return EXIT_OK


def _judge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--judge", choices=["llm"], help="let a model judge decide directives and summary units")
    parser.add_argument(
        "-J", dest="judge_arg", action="append", default=[], metavar="KEY=VALUE", help="argument for the judge"
    )


def _scoring_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset", help="dataset folder or Hugging Face Hub id (default: the dataset this package ships)"
    )
    parser.add_argument("--split", default="test", help="split to score (default: test)")
    parser.add_argument(
        "--config", default="default", help="configuration: default, or contrast (the seeds and their variants)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"directive match threshold (default: {DEFAULT_THRESHOLD}, calibrated)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="bootstrap seed (default: 0)")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=DEFAULT_BOOTSTRAP_SAMPLES,
        help=f"bootstrap resamples (default: {DEFAULT_BOOTSTRAP_SAMPLES})",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes for scoring (default: 1)")
    parser.add_argument("--output", "-o", type=Path, help="run record path (default: runs/<run id>.json)")
    _judge_options(parser)
    parser.add_argument("--per-doc", action="store_true", help="also print each document's scores")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="harness",
        description="PolicyBench: validate and build the gold data, run and score extractors.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check every annotation against its seed document")
    _paths(p)
    p.add_argument(
        "--no-units", action="store_true", help="accept annotations without summary units (a second annotator's)"
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="build the Hugging Face dataset folder from seeds and annotations")
    _paths(p)
    p.add_argument("--out", type=Path, default=Path("dataset"), help="output folder (default: dataset)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 2 if the folder is out of date")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("eval", help="run an extractor on the dataset and score it")
    p.add_argument("--model", required=True, help="built-in or plugin name, or package.module:attr")
    p.add_argument(
        "-M",
        dest="model_arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="argument for the extractor (repeatable)",
    )
    p.add_argument("--limit", type=int, help="run only the first N documents")
    p.add_argument("--doc", action="append", default=[], metavar="ID", help="run only this document (repeatable)")
    p.add_argument(
        "--name", help="the run's name in records, leaderboard, compare and view (default: MODEL[:<-M model>])"
    )
    _scoring_options(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("score", help="score a predictions file, or a file of raw completions (JSON Lines)")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("predictions", type=Path, nargs="?", help="predictions file, one JSON object per line")
    given.add_argument(
        "--completions",
        type=Path,
        metavar="FILE",
        help='raw model replies, one {"doc_id": ..., "completion": ...} per line, read as inspect and lm-eval do',
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="skip lines that cannot be read and score a record's usable fields, with a warning (default: refuse)",
    )
    p.add_argument("--name", help="the system's name in the record and leaderboard (default: the file's stem)")
    p.add_argument("--human", action="store_true", help="the predictions are a person's: the leaderboard's human row")
    _scoring_options(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("compare", help="paired comparison of two run records")
    p.add_argument("run_a", type=Path)
    p.add_argument("run_b", type=Path)
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default: 0.05)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("leaderboard", help="write the table of results/ into the README")
    p.add_argument("--results", type=Path, default=Path("results"), help="folder of run records (default: results)")
    p.add_argument("--readme", type=Path, default=Path("README.md"), help="file with the markers (default: README.md)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 2 if the table is out of date")
    p.add_argument("--dataset", help="the dataset whose version is ranked (default: the bundled one)")
    p.add_argument("--split", default="test", help="its split (default: test)")
    p.set_defaults(func=cmd_leaderboard)

    p = sub.add_parser("view", help="write an HTML report of one or more run records")
    p.add_argument("runs", type=Path, nargs="+", help="run records (two: also their paired comparison)")
    p.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="the page (default: report.html)")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("draft", help="draft the annotation of a new readout, for a person to review")
    p.add_argument("readout", type=Path, help="the readout, a text file (its name without .txt is the doc_id)")
    p.add_argument("--model", default="rules", help="the extractor that drafts (default: rules)")
    p.add_argument("-M", dest="model_arg", action="append", default=[], metavar="KEY=VALUE", help="its arguments")
    p.add_argument("--out", type=Path, help="where to write (default: annotations/<doc_id>.yaml)")
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("agree", help="agreement of two annotation folders, field by field")
    p.add_argument("dir_a", type=Path, help="annotation folder A, the reference (e.g. annotations)")
    p.add_argument("dir_b", type=Path, help="annotation folder B (e.g. annotations/annotator_b)")
    p.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of source texts (default: seeds)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--partial", action="store_true", help="B annotates some of the documents: compare those (a second annotation)"
    )
    p.set_defaults(func=cmd_agree)

    p = sub.add_parser("judge-agreement", help="measure a model judge against judged directive and summary pairs")
    p.add_argument(
        "--pairs",
        type=Path,
        help="judged directive pairs, JSON Lines (default, when neither file is given: the bundled calibration pairs)",
    )
    p.add_argument("--summaries", type=Path, help="judged candidate summaries, JSON Lines")
    p.add_argument(
        "--dataset", help="the dataset whose summary units the summaries are judged on (default: the bundled one)"
    )
    p.add_argument("--split", default="test", help="its split (default: test)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _judge_options(p)
    p.set_defaults(func=cmd_judge_agreement)

    p = sub.add_parser("models", help="list the extractors --model can name")
    p.set_defaults(func=cmd_models)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``harness eval: argument --seed: ...``)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {one_line(message)} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def main(argv: Sequence[str] | None = None) -> int:
    from .redact import remember_environment

    # Every secret the process can know of, before anything is printed or written.
    remember_environment()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(stdout), _SafeStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None = None) -> int:
    # Retry chatter from the Hub client is noise here: a failure is reported as one line.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except HarnessError as exc:
        from .redact import scrub

        prefix = f"harness {args.command}: "
        for problem in exc.problems:
            print(prefix + scrub(problem), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        # A bug in the harness. Still one line; HARNESS_DEBUG=1 shows the traceback.
        if os.environ.get("HARNESS_DEBUG"):
            raise
        print(
            f"harness {args.command}: internal error: {one_line(f'{type(exc).__name__}: {exc}', 200)} "
            "(a bug; please report it; HARNESS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
