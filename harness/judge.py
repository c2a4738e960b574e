"""An optional model judge: a language model decides directive pairs and summary units.

The default judge of PolicyBench is deterministic (:mod:`harness.matching`). With ``--judge
llm -J model=... -J base_url=...``, a language model behind any OpenAI-compatible server
decides instead, through the harness's chat client (:mod:`harness.llm`: retries, a hard
time limit per attempt, a cache of accepted verdicts):

* **directives**: for each predicted directive, one request shows the document's numbered
  gold directives and asks which one the prediction states (or none); the assignment then
  maximises the number of judged matches, one to one;
* **summary units**: for each document, one request shows the numbered units and the
  predicted summary and asks which units it states.

Requests are sent at temperature 0 with the pinned prompts in ``harness/prompts/``; the run
record names the judge, its model and settings and the SHA-256 of the prompts. A document
the judge cannot decide (the server fails, the reply is unusable twice) is scored with the
deterministic matcher: one document's failure is never the run's, but it is never silent
either. The record marks each document ``judged`` or not, lists the scores a judge decides
(:data:`JUDGED_SCORES`), and its notes say why a document fell back; ``harness eval/score
--judge`` exits 3 when any document fell back, and the leaderboard ranks a judged run only
beside runs of the same judge, never beside the matcher's.

A summary is cut to its first :data:`~harness.schema.SUMMARY_WORD_LIMIT` words before the
judge reads it, as before any scoring.

How far a judge agrees with people is measured by :mod:`harness.judge_agreement`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any, Protocol

from .errors import HarnessError, one_line
from .llm import ChatClient, LLMError, OpenAITransport, ResponseCache, RetryPolicy, parse_json_object, setting
from .metrics import OVERALL, SCORE_NAMES
from .redact import scrub
from .schema import SUMMARY_WORD_LIMIT, Prediction, Reference, truncate_words

PROMPTS = Path(__file__).with_name("prompts")
DIRECTIVE_PROMPT = PROMPTS / "judge_directive.txt"
UNITS_PROMPT = PROMPTS / "judge_units.txt"
SYSTEM = "You are a careful judge of meeting readouts. You answer with one JSON object and nothing else."

#: The scores a model judge decides in a judged run: the directive scores that rest on matched
#: pairs, summary unit recall, and ``overall``, which includes them. ``directive_grounded`` is
#: not among them: it checks predicted quotes against the document, whoever judges the pairs.
#: The record of a judged run lists them.
JUDGED_SCORES: tuple[str, ...] = (
    "directive_precision",
    "directive_recall",
    "directive_f1",
    "directive_soft_f1",
    "summary_unit_recall",
    OVERALL,
)
assert set(JUDGED_SCORES) <= set(SCORE_NAMES), "a judged score the metrics do not have"


@dataclass(frozen=True)
class DocumentVerdicts:
    """What the judge decided for one document.

    ``links[i]`` is the gold directive (index) predicted directive ``i`` states, or None;
    ``units[k]`` whether the summary states unit ``k``.
    """

    links: tuple[int | None, ...]
    units: tuple[bool, ...]


class Judge(Protocol):
    """Decides directive pairs and summary units for whole documents."""

    def settings(self) -> dict[str, Any]: ...

    async def decide(self, prediction: Prediction, reference: Reference) -> DocumentVerdicts: ...

    async def same(self, candidate: str, gold: str) -> bool: ...

    async def stated(self, summary: str, units: Sequence[str]) -> tuple[bool, ...]: ...

    async def aclose(self) -> None: ...


def prompt_hash() -> str:
    """SHA-256 of the two prompt files, in order: what a record names as the judge's prompt."""
    digest = hashlib.sha256()
    for path in (DIRECTIVE_PROMPT, UNITS_PROMPT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def shown(value: object) -> str:
    """A value of a reply, short, for a message; never the thousands of digits of a huge
    integer (which ``str`` refuses past Python's conversion limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
    return one_line(json.dumps(value) if value is None or isinstance(value, bool | float) else value, 40)


def _int_in_range(value: object, low: int, high: int) -> int:
    """``value`` when it is an integer (not a bool, not a float) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"expected a number from {low} to {high}, got {shown(value)}")
    return value


def parse_same_as(reply: str, n_gold: int) -> int | None:
    """The gold index a directive verdict names (``{"same_as": N}``), None for 0."""
    number = _int_in_range(parse_json_object(reply).get("same_as"), 0, n_gold)
    return number - 1 if number else None


def parse_stated(reply: str, n_units: int) -> tuple[bool, ...]:
    """The per-unit verdicts of ``{"stated": [...]}``, one boolean per unit."""
    stated = parse_json_object(reply).get("stated")
    if not isinstance(stated, list) or len(stated) != n_units or not all(isinstance(x, bool) for x in stated):
        raise ValueError(f"expected a list of {n_units} true/false values")
    return tuple(stated)


@dataclass
class LLMJudge:
    """A model behind an OpenAI-compatible server as the judge (see the module doc)."""

    model: str
    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    cache_dir: str = ".cache/judge"
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    concurrency: int = 8
    validation_retries: int = 1
    client: ChatClient = field(init=False)

    def __post_init__(self) -> None:
        if not self.model:
            raise HarnessError("--judge llm: say which model judges: -J model=NAME")
        self.client = ChatClient(
            transport=OpenAITransport(
                address=self.base_url, model=self.model, api_key=os.environ.get(self.api_key_env, ""),
                timeout=self.timeout,
            ),
            model=self.model,
            cache=None if self.cache_dir.lower() == "none" else ResponseCache(Path(self.cache_dir)),
            retry=RetryPolicy(timeout=self.timeout, max_retries=self.retries, backoff=self.backoff),
            params={"temperature": 0.0, "max_tokens": 256},
        )  # fmt: skip
        self._gate = asyncio.Semaphore(self.concurrency)
        self._directive = Template(DIRECTIVE_PROMPT.read_text(encoding="utf-8"))
        self._units = Template(UNITS_PROMPT.read_text(encoding="utf-8"))

    def stats(self) -> dict[str, Any]:
        """What judging cost: requests, cache hits, retries, prompt and completion tokens."""
        return self.client.counters.as_dict()

    def settings(self) -> dict[str, Any]:
        return {
            "name": "llm",
            "model": self.model,
            "base_url": scrub(self.base_url),
            "temperature": 0.0,
            "prompt_sha256": prompt_hash(),
        }

    async def _ask(self, prompt: str, parse: Any) -> Any:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
        for attempt in range(self.validation_retries + 1):
            async with self._gate:
                reply = await self.client.complete(messages, accept=parse)
            try:
                return parse(reply)
            except ValueError as exc:
                if attempt == self.validation_retries:
                    raise LLMError(f"the judge's reply is unusable ({one_line(exc, 120)})") from None
                messages = [
                    *messages,
                    {"role": "assistant", "content": reply},
                    {"role": "user", "content": f"That reply is not valid ({exc}). Answer with the JSON object only."},
                ]
        raise AssertionError("unreachable")

    async def link(self, candidate: str, golds: Sequence[str]) -> int | None:
        prompt = self._directive.substitute(golds=_numbered(golds), candidate=candidate)
        return await self._ask(prompt, lambda reply: parse_same_as(reply, len(golds)))

    async def same(self, candidate: str, gold: str) -> bool:
        return await self.link(candidate, [gold]) == 0

    async def stated(self, summary: str, units: Sequence[str]) -> tuple[bool, ...]:
        """Which of ``units`` the summary states, read as scoring reads it: its first
        :data:`SUMMARY_WORD_LIMIT` words. An empty summary states none (nothing is asked)."""
        summary = truncate_words(summary, SUMMARY_WORD_LIMIT)
        if not units:
            return ()
        if not summary:
            return (False,) * len(units)
        prompt = self._units.substitute(units=_numbered(units), summary=summary)
        return await self._ask(prompt, lambda reply: parse_stated(reply, len(units)))

    async def decide(self, prediction: Prediction, reference: Reference) -> DocumentVerdicts:
        links: tuple[int | None, ...] = ()
        # a predicted directive is its text, or an item with a text and its evidence quotes
        predicted = [d if isinstance(d, str) else d.text for d in prediction.directives]
        if predicted and reference.directives:
            links = tuple(await asyncio.gather(*(self.link(p, reference.directives) for p in predicted)))
        return DocumentVerdicts(links, await self.stated(prediction.summary, reference.units))

    async def aclose(self) -> None:
        await self.client.aclose()


def make_judge(name: str, args: Mapping[str, str]) -> Judge:
    """The judge ``--judge NAME`` names, built with the ``-J key=value`` arguments."""
    if name != "llm":
        raise HarnessError(
            f"--judge {name!r}: the judges are 'llm' (or leave --judge out for the deterministic matcher)"
        )
    known = {"model", "base_url", "api_key_env", "cache_dir", "timeout", "retries", "backoff", "concurrency"}
    if unknown := sorted(set(args) - known):
        raise HarnessError(f"-J {unknown[0]}: not an argument of the llm judge (known: {', '.join(sorted(known))})")
    try:
        return LLMJudge(
            model=args.get("model", ""),
            base_url=args.get("base_url") or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
            api_key_env=args.get("api_key_env", "OPENAI_API_KEY"),
            cache_dir=args.get("cache_dir", ".cache/judge"),
            timeout=setting("timeout", args.get("timeout", 60), "-J"),
            retries=setting("retries", args.get("retries", 4), "-J"),
            backoff=setting("backoff", args.get("backoff", 1.0), "-J"),
            concurrency=setting("concurrency", args.get("concurrency", 8), "-J"),
        )
    except ValueError as exc:
        raise HarnessError(f"--judge llm: {one_line(exc)}") from None


def ask_judge(
    judge: Judge, predictions: Mapping[str, Prediction], references: Sequence[Reference]
) -> tuple[dict[str, DocumentVerdicts], list[str]]:
    """The judge's verdicts for every document it could decide, and a note for each it could not."""

    async def run() -> list[DocumentVerdicts | BaseException]:
        try:
            return await asyncio.gather(
                *(judge.decide(predictions.get(r.doc_id) or Prediction.empty(r.doc_id), r) for r in references),
                return_exceptions=True,
            )
        finally:
            await judge.aclose()

    verdicts, notes = {}, []
    for reference, result in zip(references, asyncio.run(run()), strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, KeyboardInterrupt | asyncio.CancelledError):
                raise result
            reason = str(result) if isinstance(result, HarnessError) else f"{type(result).__name__}: {result}"
            reason = one_line(scrub(reason), 200)
            notes.append(f"{reference.doc_id}: the judge failed ({reason}); scored with the deterministic matcher")
        else:
            verdicts[reference.doc_id] = result
    return verdicts, notes
