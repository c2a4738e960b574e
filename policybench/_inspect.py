"""The inspect_ai task ``policybench/policybench``.

    pip install 'policybench[inspect]'
    inspect eval policybench/policybench --model openai/gpt-4o-mini
    inspect eval policybench/policybench -T config=contrast --model ...

Each document of the bundled dataset (or ``-T dataset=PATH``) is one sample whose input is
the harness's own prompt (:func:`harness.prompt`); the scorer reads the model's completion
with :func:`harness.read_completion` (field by field) and scores it with
:func:`harness.score_document`, so every score is the one ``harness score`` gives for the
same completion. A completion that holds no valid prediction is scored as an empty
prediction, with the reason as the score's explanation.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import Score, Target, mean, scorer, stderr
from inspect_ai.solver import TaskState, generate

import harness
from harness.dataset import bundled, load_gold
from harness.metrics import ALWAYS
from harness.schema import Prediction

_ROLES: dict[str, Any] = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}


def _messages(record: harness.GoldRecord) -> list[Any]:
    return [_ROLES[m["role"]](content=m["content"]) for m in harness.prompt(record)]


@scorer(metrics={name: [mean(), stderr()] for name in ALWAYS})
def policybench_scorer(gold: dict[str, harness.GoldRecord]):  # noqa: ANN201 (inspect's scorer protocol)
    """Every PolicyBench score of a completion, as ``harness score`` computes it."""

    async def score(state: TaskState, target: Target) -> Score:
        record = gold[str(state.sample_id)]
        explanation = "a valid prediction"
        try:
            reading = harness.read_completion(record.doc_id, state.output.completion)
        except harness.HarnessError as error:
            reading, explanation = harness.Reading(Prediction.empty(record.doc_id)), "; ".join(error.problems)
        if reading.unusable:
            explanation = "scored 0 on what could not be used: " + "; ".join(
                f"{k}: {v}" for k, v in reading.unusable.items()
            )
        scores = harness.score_document(reading.prediction, record, unusable=reading.unusable)
        values = {k: v for k, v in scores.items() if k in ALWAYS}
        prediction = reading.prediction
        return Score(value=values, answer=prediction.model_dump_json(), explanation=explanation)

    return score


def _framework_error(message: str) -> Exception:
    try:
        from inspect_ai._util.error import PrerequisiteError
    except ImportError:  # a later inspect without it: still one line, as our own error
        return harness.HarnessError(message)
    return PrerequisiteError(message)


@task
def policybench(dataset: str | None = None, config: str = "default", split: str = "test") -> Task:
    """PolicyBench: the meeting date, the presider, the directives and a summary of each readout."""
    try:
        records = load_gold(dataset or bundled(), split, config).records
    except harness.HarnessError as error:
        # inspect prints a PrerequisiteError as its message alone, without a traceback
        raise _framework_error(f"policybench: {'; '.join(error.problems)}") from None
    samples = [Sample(id=r.doc_id, input=_messages(r), target=r.doc_id) for r in records]
    return Task(
        dataset=MemoryDataset(samples, name=f"policybench-{config}"),
        solver=generate(),
        scorer=policybench_scorer({r.doc_id: r for r in records}),
        config=GenerateConfig(temperature=0.0),
    )
