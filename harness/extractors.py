"""What an extractor is, how ``--model NAME`` finds one, and how a run drives it.

An extractor is any object with a ``name`` and one of two methods:

* ``extract(doc: Document) -> Prediction | dict`` — synchronous, one document at a time;
* ``async aextract(doc: Document) -> Prediction | dict`` — asynchronous; the harness runs
  up to ``concurrency`` documents at once (the extractor's own ``concurrency`` attribute,
  default 8), which is what a client of a model server needs.

It may also have ``description`` (one line, shown by ``harness models``) and ``stats()``
returning a JSON-able dict of counters (requests, cache hits, tokens) for the run record.

An extractor only ever sees a :class:`Document`: the public fields of a gold record, never
the answers.

``--model NAME`` is resolved in this order:

1. a built-in: a module ``baselines/NAME.py`` whose ``EXTRACTOR`` is a factory (usually a
   class);
2. a plugin: an entry point ``NAME`` in the group ``policybench.extractors`` of any
   installed package, pointing at a factory;
3. an import path ``package.module:attr`` naming a factory. This imports and runs that
   code, as ``python -c "import package.module"`` would.

The factory is called with the ``-M key=value`` arguments as keyword arguments (values are
strings; the factory converts them).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from .schema import GoldRecord, Prediction

ENTRY_POINT_GROUP = "policybench.extractors"
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class Document:
    """What an extractor is given: a document's public fields."""

    doc_id: str
    text: str
    title: str | None = None
    publication_date: str | None = None

    @classmethod
    def from_gold(cls, record: GoldRecord) -> Document:
        return cls(record.doc_id, record.text, record.title, record.publication_date)


@runtime_checkable
class Extractor(Protocol):
    """A synchronous extractor (an asynchronous one has ``aextract`` instead)."""

    name: str

    def extract(self, doc: Document) -> Prediction | Mapping[str, Any]: ...


class ResolveError(Exception):
    """``--model`` named nothing that can be built; the message says why, in one line."""


# ---------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class ExtractorSpec:
    """A way to build an extractor: where it came from and the factory to call."""

    name: str
    source: str  # "built-in", "plugin <dist>", or "import path"
    target: str  # "module:attr", for the run record
    load: Callable[[], Callable[..., Any]]

    def description(self) -> str:
        try:
            factory = self.load()
        except Exception as exc:  # a broken plugin should not break the listing
            return f"(cannot be loaded: {type(exc).__name__}: {exc})"
        text = getattr(factory, "description", None) or inspect.getdoc(factory) or ""
        return text.strip().splitlines()[0] if text.strip() else ""


def _builtin_specs() -> dict[str, ExtractorSpec]:
    try:
        import baselines
    except ImportError:
        return {}
    specs = {}
    for info in pkgutil.iter_modules(baselines.__path__):
        if info.name.startswith("_"):
            continue
        module_name = f"baselines.{info.name}"

        def load(module_name: str = module_name) -> Callable[..., Any]:
            module = importlib.import_module(module_name)
            if not hasattr(module, "EXTRACTOR"):
                raise ResolveError(f"{module_name} defines no EXTRACTOR")
            return module.EXTRACTOR

        specs[info.name] = ExtractorSpec(info.name, "built-in", f"{module_name}:EXTRACTOR", load)
    return specs


def _plugin_specs() -> dict[str, ExtractorSpec]:
    specs = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "?"
        specs.setdefault(ep.name, ExtractorSpec(ep.name, f"plugin ({dist})", ep.value, ep.load))
    return specs


def available() -> list[ExtractorSpec]:
    """Every extractor ``--model`` can name without an import path, built-ins first."""
    builtins = _builtin_specs()
    plugins = {k: v for k, v in _plugin_specs().items() if k not in builtins}
    return [*sorted(builtins.values(), key=lambda s: s.name), *sorted(plugins.values(), key=lambda s: s.name)]


def find(name: str) -> ExtractorSpec:
    """Resolve ``--model NAME``: built-in, then plugin, then ``module:attr``."""
    for specs in (_builtin_specs(), _plugin_specs()):
        if name in specs:
            return specs[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")

        def load() -> Callable[..., Any]:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise ResolveError(f"cannot import {module_name!r}: {exc}") from None
            try:
                return getattr(module, attr)
            except AttributeError:
                raise ResolveError(f"{module_name!r} has no attribute {attr!r}") from None

        return ExtractorSpec(name, "import path", name, load)
    known = ", ".join(s.name for s in available()) or "none"
    raise ResolveError(f"unknown model {name!r}; known: {known} (or give an import path package.module:attr)")


def build_extractor(spec: ExtractorSpec, args: Mapping[str, str]) -> Any:
    """Call the spec's factory with the ``-M`` arguments and check the result."""
    factory = spec.load()
    try:
        extractor = factory(**args)
    except TypeError as exc:
        raise ResolveError(f"model {spec.name!r} does not take these arguments: {exc}") from None
    except ValueError as exc:
        raise ResolveError(f"model {spec.name!r}: {exc}") from None
    if not (hasattr(extractor, "extract") or hasattr(extractor, "aextract")):
        raise ResolveError(f"{spec.target} did not make an extractor (no extract or aextract method)")
    if not getattr(extractor, "name", None):
        raise ResolveError(f"{spec.target} made an extractor without a name")
    return extractor


# ------------------------------------------------------------------------------ running


@dataclass
class Outcome:
    """What came of running an extractor on one document."""

    doc_id: str
    prediction: Prediction
    error: str | None = None
    latency_s: float | None = 0.0  # None when nothing was run (a predictions file)


@dataclass
class RunOutput:
    outcomes: list[Outcome]
    stats: dict[str, Any] = field(default_factory=dict)


def _to_prediction(doc: Document, raw: Any) -> Prediction:
    if isinstance(raw, Prediction):
        prediction = raw
    elif isinstance(raw, Mapping):
        prediction = Prediction.model_validate({"doc_id": doc.doc_id, **raw})
    else:
        raise TypeError(f"extractor returned {type(raw).__name__}, expected a Prediction or a dict")
    if prediction.doc_id != doc.doc_id:
        raise ValueError(f"extractor answered for {prediction.doc_id!r} when asked about {doc.doc_id!r}")
    return prediction


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        return f"invalid prediction: {where}: {first['msg']}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _run_one_sync(extractor: Any, doc: Document) -> Outcome:
    start = time.perf_counter()
    try:
        prediction, error = _to_prediction(doc, extractor.extract(doc)), None
    except Exception as exc:  # one document's failure must not end the run
        prediction, error = Prediction.empty(doc.doc_id), _describe(exc)
    return Outcome(doc.doc_id, prediction, error, time.perf_counter() - start)


async def _run_async(
    extractor: Any, docs: list[Document], concurrency: int, done: Callable[[Outcome], None]
) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(doc: Document) -> Outcome:
        async with gate:
            start = time.perf_counter()
            try:
                prediction, error = _to_prediction(doc, await extractor.aextract(doc)), None
            except Exception as exc:
                prediction, error = Prediction.empty(doc.doc_id), _describe(exc)
            outcome = Outcome(doc.doc_id, prediction, error, time.perf_counter() - start)
            done(outcome)
            return outcome

    try:
        return list(await asyncio.gather(*(one(d) for d in docs)))
    finally:
        aclose = getattr(extractor, "aclose", None)
        if aclose is not None:
            await aclose()


def run_extractor(
    extractor: Any, docs: Iterable[Document], progress: Callable[[Outcome], None] | None = None
) -> RunOutput:
    """Run an extractor over documents, in order; a failure becomes that document's error.

    A failed document gets an empty prediction (scored 0) and its error message.
    ``progress`` is called after each document.
    """
    docs = list(docs)
    done = progress or (lambda _outcome: None)
    if hasattr(extractor, "aextract"):
        concurrency = int(getattr(extractor, "concurrency", DEFAULT_CONCURRENCY) or 1)
        outcomes = asyncio.run(_run_async(extractor, docs, concurrency, done))
    else:
        outcomes = []
        for doc in docs:
            outcomes.append(_run_one_sync(extractor, doc))
            done(outcomes[-1])
    stats_fn = getattr(extractor, "stats", None)
    return RunOutput(outcomes, dict(stats_fn()) if callable(stats_fn) else {})
