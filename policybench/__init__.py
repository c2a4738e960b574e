"""PolicyBench for other frameworks. The benchmark itself is the ``harness`` package.

``policybench`` is the name other frameworks look us up by:

* inspect_ai: ``inspect eval policybench/policybench --model openai/...`` (the task is in
  :mod:`policybench._inspect`, registered through the ``inspect_ai`` entry point; install
  with ``pip install 'policybench[inspect]'``).
"""
