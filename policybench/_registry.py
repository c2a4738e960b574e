"""Loaded by inspect_ai through its entry point: registers the ``policybench`` task."""

from policybench._inspect import policybench  # noqa: F401
