"""A chat-completions client for any OpenAI-compatible server, with a disk cache.

Built on the official ``openai`` client (its own retries switched off, so that every
attempt is counted here). It adds what a benchmark run needs:

* **retries** of 429, 5xx, time-outs and refused connections, with exponential back-off
  that honours a ``Retry-After`` header;
* **a response cache** on disk, one JSON file per request keyed by SHA-256 of (server,
  model, messages, parameters): a second run sends no request, and a run that was killed
  resumes where it stopped, because each answer is written (atomically) as it arrives;
* **structured output** when the server supports it (``response_format`` with a JSON
  Schema), and plain text otherwise: a server that rejects ``response_format`` is asked
  again without it, and the client remembers;
* **counters** for the run record: requests, cache hits, retries, tokens.

The API key is read by the caller and handed to the ``openai`` client; it is never part of
a cache key, a counter or an error message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import write_atomic

if TYPE_CHECKING:
    import openai

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


class LLMError(Exception):
    """A request failed for good (after retries); the message is one safe line."""


@dataclass
class Counters:
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    structured_output: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ResponseCache:
    """Chat responses on disk, one file per request key."""

    folder: Path

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        # Atomic but not fsynced: a cache entry lost to a power cut is just asked again.
        write_atomic(self._path(key), json.dumps(value, ensure_ascii=False).encode("utf-8"), durable=False)


def request_key(base_url: str, model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    """SHA-256 of everything that determines a response (never the API key)."""
    blob = json.dumps(
        {"server": base_url.rstrip("/"), "model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a reply: the whole text, a fenced block, or the outermost braces."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError("the reply holds no JSON object")


@dataclass
class ChatClient:
    """Sends chat-completion requests with retries and a cache; see the module doc."""

    model: str
    base_url: str
    api_key: str
    cache: ResponseCache | None = None
    timeout: float = 60.0
    max_retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    params: dict[str, Any] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        self._client: openai.AsyncOpenAI | None = None

    def _connect(self) -> openai.AsyncOpenAI:
        # Made on the first request, so that a run answered from the cache never imports
        # the openai client at all.
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                base_url=self.base_url, api_key=self.api_key or "none", timeout=self.timeout, max_retries=0
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def complete(self, messages: list[dict[str, str]], json_schema: dict[str, Any] | None = None) -> str:
        """The assistant's text for ``messages``, from the cache or the server.

        With ``json_schema``, structured output is asked for until the server refuses it.
        """
        structured = json_schema is not None and self.counters.structured_output is not False
        params = dict(self.params)
        if structured:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json_schema, "strict": False},
            }
        key = request_key(self.base_url, self.model, messages, params)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.counters.cache_hits += 1
            return hit["content"]
        import openai

        try:
            response = await self._send(messages, params)
        except openai.BadRequestError:
            if not structured:
                raise LLMError("the server rejected the request (400)") from None
            # Servers without structured output answer 400 to response_format: ask plainly.
            self.counters.structured_output = False
            return await self.complete(messages, json_schema=None)
        if structured:
            self.counters.structured_output = True
        content = response.choices[0].message.content or ""
        usage = response.usage
        if usage is not None:
            self.counters.prompt_tokens += usage.prompt_tokens or 0
            self.counters.completion_tokens += usage.completion_tokens or 0
        if self.cache is not None:
            self.cache.put(key, {"content": content, "model": self.model})
        return content

    async def _send(self, messages: list[dict[str, str]], params: dict[str, Any]) -> Any:
        import openai

        client = self._connect()
        attempt = 0
        while True:
            self.counters.requests += 1
            try:
                return await client.chat.completions.create(model=self.model, messages=messages, **params)
            except openai.APIStatusError as exc:
                if exc.status_code not in RETRYABLE_STATUS:
                    if exc.status_code == 400:
                        raise
                    raise LLMError(f"the server answered {exc.status_code}") from None
                reason, wait = f"the server answered {exc.status_code}", _retry_after(exc)
            except openai.APITimeoutError:
                reason, wait = f"no answer within {self.timeout:g} s", None
            except openai.APIConnectionError:
                reason, wait = f"cannot connect to {self.base_url}", None
            if attempt >= self.max_retries:
                raise LLMError(f"{reason} (after {attempt + 1} attempts)")
            attempt += 1
            self.counters.retries += 1
            delay = wait if wait is not None else min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            await asyncio.sleep(min(delay, self.max_backoff))
