"""The inspect_ai task ``policybench/policybench``.

    pip install 'policybench[inspect]'
    inspect eval policybench/policybench --model openai/gpt-4o-mini
    inspect eval policybench/policybench -T config=contrast --model ...

Each document of the bundled dataset (or ``-T dataset=PATH``) is one sample whose input is
the harness's own prompt (:func:`harness.prompt`), sent with the benchmark's generation
settings and answer schema (:data:`harness.api.GENERATION`, :func:`harness.api.answer_schema`;
docs/FORMAT.md, "The request"); its target is the gold answer, so ``inspect view`` shows it
beside the reply. The scorer reads the model's completion with :func:`harness.read_completion`
(field by field) and scores it with :func:`harness.score_document`, so every score is the
one ``harness score`` gives for the same completion. A completion that holds no valid
prediction is scored as an empty prediction, with the reason as the score's explanation.
The log lists ``overall`` first; on the contrast set (``-T config=contrast``) the parts of
``overall`` and ``overall`` also report their consistency, as ``harness eval`` does.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
)
from inspect_ai.scorer import Metric, SampleScore, Score, Target, mean, metric, scorer, stderr
from inspect_ai.solver import TaskState, generate
from inspect_ai.util import JSONSchema

import harness
from harness.api import GENERATION, SCHEMA_NAME, answer_schema, gold_answer
from harness.dataset import bundled, load_gold
from harness.evaluate import CONTRAST
from harness.metrics import ALWAYS, OVERALL, OVERALL_PARTS
from harness.schema import Prediction
from harness.scoring import consistency as contrast_consistency

_ROLES: dict[str, Any] = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}
#: The scores of a sample, in the order the log lists them: ``overall`` first, the headline
#: a reader looks for, then the others in the order of the score table.
NAMES: tuple[str, ...] = (OVERALL, *(name for name in ALWAYS if name != OVERALL))
#: The scores whose consistency a contrast run reports: those ``harness eval`` reports it for.
CONSISTENT: tuple[str, ...] = (*OVERALL_PARTS, OVERALL)


def _messages(record: harness.GoldRecord) -> list[Any]:
    return [_ROLES[m["role"]](content=m["content"]) for m in harness.prompt(record)]


def _generate_config() -> GenerateConfig:
    """The benchmark's request: its generation settings and its answer schema, sent as
    ``response_format`` by inspect's OpenAI providers (``strict`` off, as the harness sends it)."""
    schema = ResponseSchema(name=SCHEMA_NAME, json_schema=JSONSchema.model_validate(answer_schema()), strict=False)
    return GenerateConfig(**GENERATION.as_body(), response_schema=schema)


@metric
def consistency() -> Metric:
    """The mean over seeds of the lowest score among a seed and its variants
    (:func:`harness.scoring.consistency`); a variant's sample id names its seed."""

    def compute(scores: list[SampleScore]) -> float:
        per_document = {str(s.sample_id): {"score": s.score.as_float()} for s in scores}
        return contrast_consistency(per_document, ["score"])["score"]

    return compute


def _metrics(config: str) -> dict[str, list[Metric]]:
    """Each score's mean and standard error and, on the contrast set, the consistency of the
    scores in :data:`CONSISTENT`."""
    extra = CONSISTENT if config == CONTRAST else ()
    return {name: [mean(), stderr(), *([consistency()] if name in extra else [])] for name in NAMES}


@scorer(metrics=_metrics("default"))
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
        values = {name: scores[name] for name in NAMES}
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
    samples = [Sample(id=r.doc_id, input=_messages(r), target=gold_answer(r)) for r in records]
    return Task(
        dataset=MemoryDataset(samples, name=f"policybench-{config}"),
        solver=generate(),
        scorer=policybench_scorer({r.doc_id: r for r in records}),
        metrics=_metrics(config),
        config=_generate_config(),
    )
