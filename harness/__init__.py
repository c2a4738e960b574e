"""PolicyBench: a benchmark and harness for extracting from and summarising policy texts.

The stable Python API (see README, "Python API"): :func:`load_gold`, :func:`prompt`,
:func:`read_completion` (field by field) and :func:`prediction_from_completion` (strict),
:func:`score_document`, :func:`score_predictions`, and the records they pass around,
:class:`GoldRecord`, :class:`Prediction` and :class:`Reading`.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import (
    Reading,
    Scores,
    load_gold,
    prediction_from_completion,
    prompt,
    read_completion,
    score_document,
    score_predictions,
)
from .dataset import Gold
from .errors import HarnessError
from .schema import GoldRecord, Prediction

try:
    __version__ = version("policybench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Gold",
    "GoldRecord",
    "HarnessError",
    "Prediction",
    "Reading",
    "Scores",
    "__version__",
    "load_gold",
    "prediction_from_completion",
    "prompt",
    "read_completion",
    "score_document",
    "score_predictions",
]
