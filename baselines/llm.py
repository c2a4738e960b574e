"""llm: a language model behind any OpenAI-compatible chat-completions server.

    harness eval --model llm -M model=gpt-4o-mini
    harness eval --model llm -M model=qwen2.5-7b-instruct -M base_url=http://localhost:8000/v1

The key is read from the environment variable named by ``api_key_env`` (default
``OPENAI_API_KEY``) and is never written anywhere. Arguments (``-M key=value``):

``model`` (required), ``base_url`` (default ``$OPENAI_BASE_URL`` or OpenAI's), ``fewshot``
(k worked examples from the gold of other documents of the run's dataset, default 0),
``concurrency`` (default 8), ``temperature`` and ``max_tokens`` (the benchmark's request,
:data:`harness.api.GENERATION`: 0 and 4096), ``seed`` (1234, sent for servers that sample
even at temperature 0), ``timeout`` (seconds, 60), ``retries`` (4,
for 429/5xx/time-outs), ``backoff`` (first wait in seconds, 1, doubling; a ``Retry-After``
header wins), ``validation_retries`` (1: a reply that is not a valid prediction is sent back
once with the error), ``cache_dir`` (``.cache/llm``; ``none`` to switch the cache off).

The request is the benchmark's one request (docs/FORMAT.md, "The request"): the harness's
prompt (``harness.prompt``, ``harness/prompts/extract.txt``), the settings and seed of
:data:`harness.api.GENERATION`, and the answer asked for as structured output with
:func:`harness.api.answer_schema`; a server without structured output is asked in plain
text and the JSON is taken from the reply.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness import prompt
from harness.api import GENERATION, answer_schema
from harness.extractors import Document, ReplyError, RunContext
from harness.llm import ChatClient, OpenAITransport, ResponseCache, RetryPolicy, parse_json_object, setting
from harness.schema import Prediction


class LLMExtractor:
    """An LLM behind an OpenAI-compatible server, asked for the prediction as JSON."""

    name = "llm"

    def __init__(
        self,
        model: str = "",
        base_url: str = "",
        api_key_env: str = "OPENAI_API_KEY",
        fewshot: str | int = 0,
        concurrency: str | int = 8,
        temperature: str | float = GENERATION.temperature,
        max_tokens: str | int = GENERATION.max_tokens,
        seed: str | int = GENERATION.seed,
        timeout: str | float = 60.0,
        retries: str | int = 4,
        backoff: str | float = 1.0,
        validation_retries: str | int = 1,
        cache_dir: str = ".cache/llm",
        context: RunContext | None = None,
    ) -> None:
        if not model:
            raise ValueError("say which model to ask: -M model=NAME")
        self.concurrency = setting("concurrency", concurrency)
        self.fewshot = setting("fewshot", fewshot)
        self.validation_retries = setting("validation_retries", validation_retries)
        if self.fewshot and not (context and context.gold):
            raise ValueError("fewshot needs the run's gold for its worked examples; run it through the harness")
        self.examples = list(context.gold) if self.fewshot and context else []
        self.client = ChatClient(
            transport=OpenAITransport(
                address=base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
                model=model,
                api_key=os.environ.get(api_key_env, ""),
                timeout=setting("timeout", timeout),
            ),
            model=model,
            cache=None if cache_dir.lower() == "none" else ResponseCache(Path(cache_dir)),
            retry=RetryPolicy(
                timeout=setting("timeout", timeout), max_retries=setting("retries", retries),
                backoff=setting("backoff", backoff),
            ),
            params={
                **GENERATION.as_body(),
                "temperature": setting("temperature", temperature),
                "max_tokens": setting("max_tokens", max_tokens),
                "seed": setting("seed", seed),
            },
        )  # fmt: skip
        self.invalid_replies = 0
        # Made once: generating it costs a few milliseconds, paid by every request otherwise.
        self.schema = answer_schema()

    def messages(self, doc: Document) -> list[dict[str, str]]:
        """The harness's prompt (:func:`harness.prompt`), with k worked examples from *other*
        documents."""
        return prompt(doc, [r for r in self.examples if r.doc_id != doc.doc_id][: self.fewshot])

    async def aextract(self, doc: Document) -> Prediction | dict[str, Any]:
        """The prediction in the model's reply. A reply that is still invalid after the
        retries is handed to the harness as it is, which scores its usable fields (a bad
        date costs the date only); one with no JSON object at all fails the document."""
        messages = self.messages(doc)
        attempt = 0
        while True:
            attempt += 1
            reply = await self.client.complete(messages, self.schema, accept=lambda text: _parse(text, doc))
            try:
                return _parse(reply, doc)
            except ValueError as exc:
                self.invalid_replies += 1
                problem = str(exc)
            if attempt > self.validation_retries:
                try:
                    return parse_json_object(reply)
                except ValueError:
                    raise ReplyError(f"invalid reply after {attempt} attempt(s): {problem}", reply) from None
            # Show the model its reply and what is wrong with it, and ask once more.
            messages = [
                *messages,
                {"role": "assistant", "content": reply},
                {"role": "user", "content": f"That reply is not valid ({problem}). Answer with the JSON object only."},
            ]

    async def aclose(self) -> None:
        await self.client.aclose()

    def stats(self) -> dict[str, Any]:
        return {**self.client.counters.as_dict(), "invalid_replies": self.invalid_replies}


def _parse(reply: str, doc: Document) -> Prediction:
    """The prediction in a reply; ``ValueError`` saying what is wrong when there is none."""
    try:
        return Prediction.model_validate({**parse_json_object(reply), "doc_id": doc.doc_id})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(str(p) for p in first['loc']) or 'reply'}: {first['msg']}") from None


EXTRACTOR = LLMExtractor
