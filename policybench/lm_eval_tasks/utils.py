"""The lm-evaluation-harness tasks ``policybench`` and ``policybench_contrast``.

    lm_eval --model local-chat-completions --model_args model=...,base_url=... \\
        --tasks policybench --include_path "$(python -m policybench.lm_eval_path)" --apply_chat_template

Each document is one request, the benchmark's (docs/FORMAT.md, "The request"): the messages
of :func:`harness.prompt` (the task's ``description`` names the column holding the system
message, which lm-eval sends as one under ``--apply_chat_template``) and the generation
settings of :data:`harness.api.GENERATION`, which ``python -m policybench.generate`` writes
into the task files. The gold answer is the target. The reply is read with
:func:`harness.read_completion` (field by field) and scored with
:func:`harness.score_document`, so each score is the one ``harness score`` gives for the
same completion; lm-eval aggregates each as a mean over documents. A reply that holds no
valid prediction scores as an empty prediction.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import datasets

import harness
from harness.api import gold_answer
from harness.dataset import bundled, load_gold
from harness.metrics import ALWAYS
from harness.schema import Prediction


@cache
def _gold(config: str, source: str | None) -> dict[str, harness.GoldRecord]:
    return {r.doc_id: r for r in load_gold(source or bundled(), "test", config).records}


def load(config: str = "default", dataset: str | None = None, **_: Any) -> datasets.DatasetDict:
    """The split as lm-eval reads it: ``doc_id``, ``text``, where its gold comes from, the
    system message of its prompt (``system``) and its gold answer (``target``)."""
    rows = [
        {
            "doc_id": r.doc_id,
            "text": r.text,
            "config": config,
            "source": dataset or "",
            "system": _system_and_user(r)[0],
            "target": gold_answer(r),
        }
        for r in _gold(config, dataset).values()
    ]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


def _system_and_user(record: harness.GoldRecord) -> tuple[str, str]:
    """The two messages of the harness's prompt for ``record``, system then user."""
    system, user = harness.prompt(record)
    return system["content"], user["content"]


def doc_to_text(doc: dict[str, Any]) -> str:
    """The user message of the harness's prompt (the system message is the ``system`` column)."""
    return _system_and_user(_record(doc))[1]


def _record(doc: dict[str, Any]) -> harness.GoldRecord:
    return _gold(doc["config"], doc["source"] or None)[doc["doc_id"]]


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, float]:
    """Every PolicyBench score of the document's completion."""
    record = _record(doc)
    try:
        reading = harness.read_completion(record.doc_id, results[0] or "")
    except harness.HarnessError:
        reading = harness.Reading(Prediction.empty(record.doc_id))
    scores = harness.score_document(reading.prediction, record, unusable=reading.unusable)
    # directive_grounded applies to some replies only; lm-eval needs every metric per sample
    return {k: v for k, v in scores.items() if k in ALWAYS}
