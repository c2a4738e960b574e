"""The ``harness`` command line: a thin layer over functions another program can call.

Exit codes: 0 success, 2 bad input or usage, 1 an internal error (a bug: please report it).
Every bad-input error is printed as one line naming the file, line or field at fault.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .annotations import validate_corpus
from .corpus import InvalidAnnotations, build_outputs, same_content, write_atomic

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of source texts (default: seeds)")
    parser.add_argument(
        "--annotations", type=Path, default=Path("annotations"), help="folder of gold YAML files (default: annotations)"
    )


def _check_dirs(*dirs: Path) -> None:
    for d in dirs:
        if not d.is_dir():
            raise UsageError(f"{d}: no such folder (run from the repository root, or pass the path)")


def cmd_validate(args: argparse.Namespace) -> int:
    _check_dirs(args.seeds, args.annotations)
    records, problems = validate_corpus(args.seeds, args.annotations)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s); {len(records)} document(s) valid", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"All {len(records)} documents are valid.")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    _check_dirs(args.seeds, args.annotations)
    try:
        outputs = build_outputs(args.seeds, args.annotations)
    except InvalidAnnotations as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing written", file=sys.stderr)
        return EXIT_BAD_INPUT
    stale = [rel for rel, data in outputs.items() if not same_content(args.out / rel, data)]
    if args.check:
        for rel in stale:
            print(f"{args.out / rel}: out of date; run `harness build`", file=sys.stderr)
        if not stale:
            print(f"{args.out} is up to date.")
        return EXIT_BAD_INPUT if stale else EXIT_OK
    for rel in stale:
        write_atomic(args.out / rel, outputs[rel])
    print(f"Built {args.out}: {len(stale)} file(s) written, {len(outputs) - len(stale)} unchanged.")
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="PolicyBench: validate and build the gold data, run and score extractors.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check every annotation against its seed document")
    _paths(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="build the Hugging Face dataset folder from seeds and annotations")
    _paths(p)
    p.add_argument("--out", type=Path, default=Path("dataset"), help="output folder (default: dataset)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 2 if the folder is out of date")
    p.set_defaults(func=cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except UsageError as exc:
        print(f"harness {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
