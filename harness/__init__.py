"""PolicyBench: a benchmark and harness for extracting from and summarising policy texts."""

from importlib.metadata import PackageNotFoundError, version

from .dataset import Gold, load_gold
from .schema import GoldRecord, Prediction

try:
    __version__ = version("policybench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["Gold", "GoldRecord", "Prediction", "__version__", "load_gold"]
