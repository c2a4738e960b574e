"""PolicyBench for other frameworks. The benchmark itself is the ``harness`` package.

``policybench`` is the name other frameworks look us up by:

* inspect_ai: ``inspect eval policybench/policybench --model openai/...`` (the task is in
  :mod:`policybench._inspect`, registered through the ``inspect_ai`` entry point; install
  with ``pip install 'policybench[inspect]'``).
* lm-evaluation-harness: ``lm_eval --tasks policybench --include_path
  "$(python -m policybench.lm_eval_path)" ...`` (the task folder is :data:`LM_EVAL_TASKS`;
  install with ``pip install 'policybench[lm-eval]'``).
"""

from pathlib import Path

#: The lm-evaluation-harness task folder (``--include_path``): tasks ``policybench`` and
#: ``policybench_contrast``.
LM_EVAL_TASKS = Path(__file__).parent / "lm_eval_tasks"
