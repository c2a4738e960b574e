"""PolicyBench: a benchmark and harness for extracting from and summarising policy texts.

The stable Python API (see README, "Python API"): :func:`load_gold`, :func:`prompt`,
:func:`prediction_from_completion`, :func:`score_document`, :func:`score_predictions`,
and the records they pass around, :class:`GoldRecord` and :class:`Prediction`.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import Scores, load_gold, prediction_from_completion, prompt, score_document, score_predictions
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
    "Scores",
    "__version__",
    "load_gold",
    "prediction_from_completion",
    "prompt",
    "score_document",
    "score_predictions",
]
