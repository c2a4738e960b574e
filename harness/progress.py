"""A run's progress off a terminal (a log file, CI, nohup, a batch scheduler): plain lines on
standard error at intervals, where a terminal gets a progress bar (``harness eval``)."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Mapping

from .errors import HarnessError, one_line

#: Seconds between two progress lines of ``harness eval`` when standard error is not a
#: terminal (a log file, CI, nohup, a batch scheduler); the environment variable
#: :data:`PROGRESS_ENV` sets it, 0 meaning a line after every document.
PROGRESS_SECONDS = 30.0
PROGRESS_ENV = "POLICYBENCH_PROGRESS_SECONDS"


def progress_interval() -> float:
    """The seconds between two progress lines: :data:`PROGRESS_ENV`, or :data:`PROGRESS_SECONDS`.

    Anything but a number of seconds, 0 or more, is a one-line :class:`HarnessError`.
    """
    text = os.environ.get(PROGRESS_ENV, "").strip()
    if not text:
        return PROGRESS_SECONDS
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):  # no sign, no exponent, no nan or inf
        raise HarnessError(
            f"{PROGRESS_ENV}: give a number of seconds, 0 or more (0: a line per document); got {one_line(text, 40)!r}"
        )
    return float(text)


def _duration(seconds: float) -> str:
    """A duration for a progress line: ``45s``, ``1m 12s``, ``2h 05m``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def _tokens(stats: Mapping[str, object]) -> int | None:
    """Prompt and completion tokens together, as an extractor's ``stats()`` counts them so
    far; None when it counts neither."""
    counts = [stats.get(key) for key in ("prompt_tokens", "completion_tokens")]
    whole = [n for n in counts if isinstance(n, int) and not isinstance(n, bool) and n >= 0]
    return sum(whole) if whole else None


class ProgressLines:
    """A run's progress as plain lines on standard error, for a log rather than a terminal.

    A line every ``interval`` seconds (``progress: 40/200 documents, 2 failed, 51,230 tokens,
    1m 12s elapsed, ETA 4m 48s``; tokens when the extractor counts them) and, once a line has
    been printed, a last one when every document is done. A run shorter than the interval
    prints none: the summary that follows it says as much.
    """

    def __init__(
        self,
        total: int,
        interval: float,
        stats: Callable[[], Mapping[str, object]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.interval, self.stats, self.clock = total, interval, stats, clock
        self.started = self.last = clock()
        self.done = self.failed = 0
        self.printed = False

    def update(self, failed: bool) -> None:
        """Count one more document, ``failed`` or not, and print a line if one is due."""
        self.done += 1
        self.failed += failed
        now = self.clock()
        finished = self.done >= self.total
        if now - self.last < self.interval and not (finished and self.printed):
            return
        self.last, self.printed = now, True
        print(self.line(now - self.started), file=sys.stderr, flush=True)

    def line(self, elapsed: float) -> str:
        """The progress line after ``elapsed`` seconds."""
        parts = [f"{self.done}/{self.total} documents", f"{self.failed} failed"]
        tokens = _tokens(self.stats())
        if tokens is not None:
            parts.append(f"{tokens:,} tokens")
        parts.append(f"{_duration(elapsed)} elapsed")
        if 0 < self.done < self.total:
            parts.append(f"ETA {_duration(elapsed / self.done * (self.total - self.done))}")
        return "progress: " + ", ".join(parts)
