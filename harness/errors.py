"""The one error type for everything a user can get wrong, and how it is printed.

Every boundary of the harness — a file, a run record, a dataset, a plugin, a model server,
a command-line option — turns what it cannot accept into a :class:`HarnessError` whose
lines each name the file, line or field at fault. The CLI catches this type (and
interrupts) and nothing else it expects: any other exception is a bug in the harness.

A message is always printed on one line per problem: :func:`one_line` folds whatever an
outside library or a hostile input put into it (newlines, control characters, megabytes
of text) into a short single line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_MESSAGE_CHARS = 400
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` as a single printable line of at most ``limit`` characters."""
    folded = _CONTROL.sub(" ", str(text)).strip()
    return folded if len(folded) <= limit else folded[: limit - 3] + "..."


class HarnessError(Exception):
    """Input the harness cannot accept. ``problems`` holds one line per problem.

    Raise it with one message, or with several (an annotation with three mistakes):
    ``HarnessError("a.jsonl:3: doc_id: missing required field")``.
    """

    def __init__(self, *problems: str) -> None:
        lines = [one_line(p) for p in problems] or ["invalid input"]
        super().__init__(lines[0])
        self.problems: list[str] = lines

    @classmethod
    def of(cls, problems: Sequence[object]) -> HarnessError:
        return cls(*(str(p) for p in problems))


def describe_os_error(path: object, exc: OSError) -> str:
    """``path: what went wrong``, in words, for any error the operating system gives."""
    reasons = {
        "FileNotFoundError": "no such file",
        "IsADirectoryError": "is a folder, not a file",
        "NotADirectoryError": "a part of the path is a file, not a folder",
        "PermissionError": "permission denied",
        "FileExistsError": "already exists",
    }
    reason = reasons.get(type(exc).__name__)
    if reason is None:
        errno_names = {
            28: "no space left on the device",
            36: "the file name is too long",
            40: "too many symbolic links (a loop?)",
            30: "read-only file system",
        }
        reason = errno_names.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return one_line(f"{path}: {reason}")
