"""A chat client for language models behind a server, in three layers.

* **Transport** (:class:`Transport`): one method, ``send(messages, params) -> Reply``. It
  knows one server's protocol and nothing else: :class:`OpenAITransport` speaks the
  OpenAI chat-completions protocol through the official ``openai`` client (its own retries
  off, so that every attempt is counted here). A server of another kind is one small class.
  A transport says what went wrong by raising :class:`Retryable` (try again later),
  :class:`Rejected` (this request is refused, e.g. 400) or :class:`LLMError` (give up).
* **Retry policy** (:class:`RetryPolicy`): bounds each attempt by a hard time limit (a
  server that trickles one byte at a time cannot stretch it), and retries what is
  retryable with exponential back-off and random jitter, honouring ``Retry-After``.
* **Cache** (:class:`ResponseCache`): one JSON file per request, keyed by SHA-256 of
  (server, model, messages, parameters, answer schema). Only replies that the caller
  accepted are stored, so a bad reply is asked again on the next run; a corrupt entry is a
  miss, not a crash; a cache that cannot be written costs the cache, never the answer. Two
  runs sharing a cache take a lock per request, so a question is asked once.

:class:`ChatClient` puts them together and adds structured output: the answer's JSON
Schema is sent as ``response_format``; when a server refuses a request with it and accepts
the same request without it, the client stops asking for it. A refusal of both (a prompt
too long, say) fails that one request and changes nothing else.

The API key is handed to the transport; it is never part of a cache key, a counter or a
message, and server addresses are scrubbed of credentials before they are printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import HarnessError, one_line
from .files import MiB, read_bytes, write_atomic
from .redact import remember, remember_url, scrub

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}
REJECTED_STATUS = {400, 413, 422}
MAX_CACHE_ENTRY_BYTES = 64 * MiB

Messages = list[dict[str, str]]


class LLMError(HarnessError):
    """A request failed for good (after retries); the message is one safe line."""


class Retryable(Exception):
    """This attempt failed in a way another attempt may not (429, 5xx, a dropped line)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class Rejected(Exception):
    """The server refused this request as it stands (400, 413, 422)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Transport(Protocol):
    """Sends one chat request to one server; see the module doc."""

    #: Where requests go, for cache keys; may hold credentials, so never printed unscrubbed.
    address: str

    async def send(self, messages: Messages, params: dict[str, Any]) -> Reply: ...

    async def aclose(self) -> None: ...


# ------------------------------------------------------------------- OpenAI protocol


def _token_count(value: object) -> int:
    # Servers send odd usage: null, strings, negative numbers, floats. Count what is sane.
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12 else 0


def _server_reason(exc: Any) -> str:
    body = getattr(exc, "body", None)
    message = None
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else error
    if not message:
        message = getattr(exc, "message", "") or ""
    return one_line(scrub(str(message)), 160)


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, min(seconds, 3600.0)) if seconds is not None and seconds == seconds else None


@dataclass
class OpenAITransport:
    """Chat completions through the official ``openai`` client (``POST …/chat/completions``)."""

    address: str
    model: str
    api_key: str = ""
    timeout: float = 60.0

    def __post_init__(self) -> None:
        # Made now, before the run's clock starts: importing openai and building the client
        # take a third of a second, which would otherwise land on the first requests.
        import openai

        remember(self.api_key)
        remember_url(self.address)
        self._client = openai.AsyncOpenAI(
            base_url=self.address, api_key=self.api_key or "none", timeout=self.timeout, max_retries=0
        )
        # Touch the lazily loaded resource, so that its import is not paid by request one.
        self._client.chat.completions  # noqa: B018

    def _connect(self) -> Any:
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def send(self, messages: Messages, params: dict[str, Any]) -> Reply:
        import openai

        where = scrub(self.address)
        try:
            response = await self._connect().chat.completions.create(model=self.model, messages=messages, **params)
        except openai.APIStatusError as exc:
            status, reason = exc.status_code, _server_reason(exc)
            if status in RETRYABLE_STATUS:
                raise Retryable(f"the server answered {status}: {reason}", _retry_after(exc)) from None
            if status in REJECTED_STATUS:
                raise Rejected(status, reason) from None
            raise LLMError(f"the server at {where} answered {status}: {reason}") from None
        except openai.APITimeoutError:
            raise Retryable(f"no complete answer within {self.timeout:g} s") from None
        except openai.APIConnectionError as exc:
            cause = type(exc.__cause__).__name__ if exc.__cause__ else ""
            if cause in ("ConnectError", "ConnectTimeout"):
                raise Retryable(f"cannot connect to {where}") from None
            raise Retryable(f"the connection to {where} broke before the answer was complete ({cause})") from None
        except (openai.APIResponseValidationError, json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
            raise Retryable(
                f"the server at {where} did not answer with a chat completion ({type(exc).__name__})"
            ) from None
        return _reply(response, where)


def _reply(response: Any, where: str) -> Reply:
    """The text and usage of a chat completion, checked: servers send odd things with 200."""
    if isinstance(response, str | bytes):  # an HTML page or plain text instead of JSON
        raise Retryable(f"the server at {where} did not answer with a chat completion (it sent text)")
    error = getattr(response, "error", None) or (getattr(response, "model_extra", None) or {}).get("error")
    choices = getattr(response, "choices", None)
    if not choices:
        detail = f": {one_line(scrub(str(error)), 160)}" if error else ""
        raise LLMError(f"the server at {where} answered without any choice{detail}")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    # A server that echoes the key or a credential into its reply cannot put it into a
    # prediction, the cache or a record: the reply is scrubbed before anything keeps it.
    text = scrub(content) if isinstance(content, str) else ""
    usage = getattr(response, "usage", None)
    return Reply(
        text=text,
        prompt_tokens=_token_count(getattr(usage, "prompt_tokens", 0)),
        completion_tokens=_token_count(getattr(usage, "completion_tokens", 0)),
    )


# ------------------------------------------------------------------------ settings

#: The range each numeric setting of a model client may take (-M for an extractor, -J for
#: the judge): a zero concurrency or an endless time limit would hang a run.
SETTING_RANGES: dict[str, tuple[type, float, float]] = {
    "concurrency": (int, 1, 256),
    "timeout": (float, 0.1, 3600),
    "retries": (int, 0, 20),
    "backoff": (float, 0, 60),
    "temperature": (float, 0, 2),
    "max_tokens": (int, 1, 1_000_000),
    "seed": (int, 0, 2**31 - 1),
    "fewshot": (int, 0, 20),
    "validation_retries": (int, 0, 5),
}


def setting(name: str, value: object, flag: str = "-M") -> Any:
    """``value`` of the numeric setting ``name``, parsed and checked against
    :data:`SETTING_RANGES`; :class:`HarnessError` naming the flag and setting otherwise."""
    kind, low, high = SETTING_RANGES[name]
    try:
        number = kind(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or number != number or not low <= number <= high:
        shown = one_line(value, 40)
        bounds = f"from {low:,} to {high:,}" if kind is int else f"from {low:g} to {high:g}"
        raise HarnessError(f"{flag} {name}: expected {'a whole number' if kind is int else 'a number'} "
                           f"{bounds}, got {shown!r}")  # fmt: skip
    return number


# ------------------------------------------------------------------------ retrying


@dataclass
class Counters:
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    structured_output: bool | None = None
    cache_write_failures: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RetryPolicy:
    """How long one attempt may take, and how often and when to try again.

    The wait before retry ``k`` (1-based) is ``Retry-After`` when the server sent one, else
    ``backoff * 2**(k-1)``, capped at ``max_backoff``, times a random factor: in [0.5, 1.5)
    for back-off, in [1, 1.25) for ``Retry-After`` (never sooner than the server asked).
    The jitter keeps many clients that failed together from retrying together.
    """

    timeout: float = 60.0
    max_retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff) * self.rng.uniform(1.0, 1.25)
        return min(self.max_backoff, self.backoff * 2 ** (retry - 1)) * self.rng.uniform(0.5, 1.5)

    async def call(self, attempt: Callable[[], Awaitable[Reply]], counters: Counters) -> Reply:
        """``attempt()`` until it succeeds; :class:`LLMError` when the retries run out."""
        retry = 0
        while True:
            counters.requests += 1
            try:
                return await asyncio.wait_for(attempt(), self.timeout)
            except asyncio.TimeoutError:
                reason, wait = f"no complete answer within {self.timeout:g} s", None
            except Retryable as exc:
                reason, wait = exc.reason, exc.retry_after
            if retry >= self.max_retries:
                raise LLMError(f"{reason} (after {retry + 1} attempts)")
            retry += 1
            counters.retries += 1
            await asyncio.sleep(self.delay(retry, wait))


# -------------------------------------------------------------------------- caching


@dataclass
class ResponseCache:
    """Accepted chat replies on disk, one file per request key; see the module doc."""

    folder: Path
    #: How long to wait for another run that is asking the same question.
    lock_wait: float = 600.0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        """The cached reply text, or None when absent or unreadable (then it is asked again)."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            entry = json.loads(read_bytes(path, MAX_CACHE_ENTRY_BYTES, "cache entry"))
        except (HarnessError, ValueError, RecursionError):
            return None
        content = entry.get("content") if isinstance(entry, dict) else None
        return content if isinstance(content, str) else None

    def put(self, key: str, content: str, model: str) -> bool:
        """Store a reply; False (and nothing raised) when the cache cannot be written."""
        data = json.dumps({"content": content, "model": model}, ensure_ascii=False).encode("utf-8")
        try:
            # Atomic but not fsynced: an entry lost to a power cut is just asked again.
            write_atomic(self._path(key), data, durable=False)
        except (HarnessError, OSError):
            return False
        return True

    @contextlib.asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        """Hold the request ``key`` against other processes using this cache.

        Best effort: without ``fcntl`` (Windows), or when the lock file cannot be made, or
        after ``lock_wait`` seconds, the caller goes ahead unlocked — a question asked twice
        is a cost, not an error.
        """
        try:
            import fcntl
        except ImportError:
            yield
            return
        path = self._path(key).with_suffix(".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            yield
            return
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.lock_wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if loop.time() > deadline:
                        break
                    await asyncio.sleep(0.05)
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(fd)


def request_key(address: str, model: str, messages: Messages, params: dict[str, Any]) -> str:
    """SHA-256 of everything that determines a response (never the API key)."""
    blob = json.dumps(
        {"server": address.rstrip("/"), "model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- the client


@dataclass
class ChatClient:
    """A transport behind a retry policy and a cache, with structured output."""

    transport: Transport
    model: str
    cache: ResponseCache | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    params: dict[str, Any] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    #: After this many requests in a row that failed for good (retries spent), every further
    #: request fails at once with the last reason: a server that never answers stops a run of
    #: a thousand documents in minutes, not days.
    max_consecutive_failures: int = 5
    _failures: int = 0
    _last_failure: str = ""

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def _send(self, messages: Messages, params: dict[str, Any]) -> Reply:
        if self._failures >= self.max_consecutive_failures:
            raise LLMError(
                f"not asked: the server failed {self._failures} requests in a row (last: {self._last_failure})"
            )
        try:
            reply = await self.retry.call(lambda: self.transport.send(messages, params), self.counters)
        except LLMError as exc:
            self._failures += 1
            self._last_failure = one_line(str(exc), 160)
            raise
        self._failures = 0
        return reply

    async def complete(
        self,
        messages: Messages,
        json_schema: dict[str, Any] | None = None,
        accept: Callable[[str], object] | None = None,
    ) -> str:
        """The assistant's text for ``messages``, from the cache or the server.

        ``accept`` checks a reply (raising ``ValueError`` when it is unusable): only an
        accepted reply is cached, and a cached reply it refuses is asked again.
        """
        # The key names the request as the caller means it: with or without structured
        # output on the wire, the same question has the same key.
        key = request_key(self.transport.address, self.model, messages, {**self.params, "schema": json_schema})
        if self.cache is None:
            return await self._ask(messages, json_schema)
        if (text := self._cached(key, accept)) is not None:
            return text
        async with self.cache.lock(key):
            if (text := self._cached(key, accept)) is not None:  # another run just asked it
                return text
            text = await self._ask(messages, json_schema)
            if _accepted(text, accept) and not self.cache.put(key, text, self.model):
                self.counters.cache_write_failures += 1
            return text

    def _cached(self, key: str, accept: Callable[[str], object] | None) -> str | None:
        assert self.cache is not None
        text = self.cache.get(key)
        if text is None or not _accepted(text, accept):
            return None
        self.counters.cache_hits += 1
        return text

    async def _ask(self, messages: Messages, json_schema: dict[str, Any] | None) -> str:
        structured = json_schema is not None and self.counters.structured_output is not False
        params = dict(self.params)
        if structured:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json_schema, "strict": False},
            }
        try:
            reply = await self._send(messages, params)
            if structured:
                self.counters.structured_output = True
        except Rejected as refused:
            if not structured:
                raise LLMError(f"the server rejected the request ({refused})") from None
            plain = {k: v for k, v in params.items() if k != "response_format"}
            try:
                reply = await self._send(messages, plain)
            except Rejected as again:
                # Refused with and without structured output: the request itself is at fault.
                raise LLMError(f"the server rejected the request ({again})") from None
            if self.counters.structured_output is None:
                self.counters.structured_output = False  # this server does not do it: stop asking
        self.counters.prompt_tokens += reply.prompt_tokens
        self.counters.completion_tokens += reply.completion_tokens
        return reply.text


def _accepted(text: str, accept: Callable[[str], object] | None) -> bool:
    if accept is None:
        return True
    try:
        accept(text)
    except ValueError:
        return False
    return True


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
MAX_REPLY_CHARS = 1_000_000


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a reply: the whole text, a fenced block, or the outermost braces.

    Raises ``ValueError`` with a short reason when there is none.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the reply is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise ValueError(f"the reply has {len(text):,} characters, more than {MAX_REPLY_CHARS:,}")
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (json.JSONDecodeError, RecursionError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    raise ValueError("the reply holds no JSON object")
