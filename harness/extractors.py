"""What an extractor is and how ``--model NAME`` finds one (:mod:`harness.running` drives it).

An extractor is any object with a ``name`` and one of two methods:

* ``extract(doc: Document) -> Prediction | dict`` — synchronous, one document at a time;
* ``async aextract(doc: Document) -> Prediction | dict`` — asynchronous; the harness runs
  up to ``concurrency`` documents at once (the extractor's own ``concurrency`` attribute,
  default 8), which is what a client of a model server needs.

It may also have ``description`` (one line, shown by ``harness models``) and ``stats()``
returning a JSON-able dict of counters (requests, cache hits, tokens) for the run record.

An extractor only ever sees a :class:`Document`: the public fields of a gold record, never
the answers. A factory that declares a parameter ``context`` is given the run's
:class:`RunContext` (which dataset and split the run scores), so that an oracle or a
few-shot prompt reads the same data as the run.

``--model NAME`` is resolved in this order:

1. an entry point ``NAME`` in the group ``policybench.extractors`` of any installed
   package; the built-in baselines are registered there by this package itself, exactly
   as a plugin registers, so the harness knows no extractor by name;
2. ``path/to/file.py:attr``: the factory ``attr`` of a Python file;
3. ``package.module:attr``: an import path, with the current folder importable (as
   ``python -m`` would have it). This imports and runs that module's code.

The factory is called with the ``-M key=value`` arguments as keyword arguments (values are
strings; the factory converts them). Whatever goes wrong while resolving or building — an
import error, a syntax error, a constructor that raises — is a :class:`ResolveError` of one
line.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from .errors import HarnessError, one_line
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


class ResolveError(HarnessError):
    """``--model`` named nothing that can be built; the message says why, in one line."""


@dataclass(frozen=True)
class RunContext:
    """What a run is about, for extractors that need it: the split's gold records, loaded
    once by the harness (an oracle reads its answers, a few-shot prompt its worked examples;
    an honest extractor never looks), and the dataset's name for messages. No gold where
    there is none (a draft of a new readout)."""

    gold: tuple[GoldRecord, ...] = ()
    dataset: str = ""


# ---------------------------------------------------------------------------- resolving

SELF_DISTRIBUTION = "policybench"


@dataclass(frozen=True)
class ExtractorSpec:
    """A way to build an extractor: where it came from and the factory to call."""

    name: str
    source: str  # "built-in", "plugin (<dist>)", "file" or "import path"
    target: str  # "module:attr" or "file.py:attr", for the run record
    load: Callable[[], Callable[..., Any]]

    def factory(self) -> Callable[..., Any]:
        """The factory, loaded; any failure is a :class:`ResolveError` naming the target."""
        try:
            factory = self.load()
        except HarnessError:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise ResolveError(f"cannot load {self.target}: {describe_failure(exc)}") from None
        if not callable(factory):
            raise ResolveError(f"{self.target} is not callable (a class or function that makes an extractor)")
        return factory

    def description(self) -> str:
        try:
            factory = self.factory()
        except HarnessError as exc:  # a broken plugin should not break the listing
            return f"(cannot be loaded: {exc})"
        text = getattr(factory, "description", None) or inspect.getdoc(factory) or ""
        return one_line(text.strip().splitlines()[0]) if isinstance(text, str) and text.strip() else ""


def _entry_point_specs() -> dict[str, ExtractorSpec]:
    specs = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "?"
        source = "built-in" if dist == SELF_DISTRIBUTION else f"plugin ({dist})"
        spec = ExtractorSpec(ep.name, source, ep.value, ep.load)
        # Our own entry points win a name clash, then the first installed package.
        if ep.name not in specs or source == "built-in":
            specs[ep.name] = spec
    return specs


def available() -> list[ExtractorSpec]:
    """Every extractor ``--model`` can name without a path, built-ins first."""
    specs = _entry_point_specs().values()
    return sorted(specs, key=lambda s: (s.source != "built-in", s.name))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _attribute(module: Any, attr: str, where: str) -> Callable[..., Any]:
    value = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise ResolveError(f"{where} has no attribute {attr!r}") from None
    return value


def _file_spec(name: str, file: str, attr: str) -> ExtractorSpec:
    path = Path(file).expanduser()

    def load() -> Callable[..., Any]:
        if not path.is_file():
            raise ResolveError(f"{file}: no such file")
        module_name = f"_policybench_model_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ResolveError(f"{file}: cannot be imported as Python")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses and pickling look modules up here
        spec.loader.exec_module(module)
        return _attribute(module, attr, file)

    return ExtractorSpec(name, "file", f"{file}:{attr}", load)


def _import_spec(name: str, module_name: str, attr: str) -> ExtractorSpec:
    def load() -> Callable[..., Any]:
        # The folder the user is in is importable, as it is for `python -m`.
        if "" not in sys.path and str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise ResolveError(f"cannot import {module_name!r}: {one_line(exc)}") from None
        return _attribute(module, attr, repr(module_name))

    return ExtractorSpec(name, "import path", name, load)


def find(name: str) -> ExtractorSpec:
    """Resolve ``--model NAME``: an entry point, then ``file.py:attr``, then ``module:attr``."""
    specs = _entry_point_specs()
    if name in specs:
        return specs[name]
    if ":" in name:
        target, _, attr = name.rpartition(":")
        if not target or not all(_IDENTIFIER.fullmatch(p) for p in attr.split(".")):
            raise ResolveError(f"--model {name!r}: expected package.module:attr or path/to/file.py:attr")
        if target.endswith(".py") or "/" in target or "\\" in target:
            return _file_spec(name, target, attr)
        if not all(_IDENTIFIER.fullmatch(p) for p in target.split(".")):
            raise ResolveError(f"--model {name!r}: {target!r} is not a module name (package.module)")
        return _import_spec(name, target, attr)
    known = ", ".join(s.name for s in available()) or "none"
    raise ResolveError(f"unknown model {name!r}; known: {known} (or give package.module:attr or path/to/file.py:attr)")


def _takes_context(factory: Callable[..., Any]) -> bool:
    try:
        return "context" in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


def build_extractor(spec: ExtractorSpec, args: Mapping[str, str], context: RunContext | None = None) -> Any:
    """Call the spec's factory with the ``-M`` arguments (and the run context, if it takes
    one) and check the result. Anything the factory raises becomes a :class:`ResolveError`."""
    factory = spec.factory()
    kwargs: dict[str, Any] = dict(args)
    if "context" in kwargs:
        raise ResolveError("-M context=...: 'context' is set by the harness, not by -M")
    if context is not None and _takes_context(factory):
        kwargs["context"] = context
    try:
        extractor = factory(**kwargs)
    except HarnessError:
        raise
    except TypeError as exc:
        raise ResolveError(f"model {spec.name!r} does not take these arguments: {one_line(exc)}") from None
    except ValueError as exc:
        raise ResolveError(f"model {spec.name!r}: {one_line(exc)}") from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ResolveError(f"model {spec.name!r} failed to start: {describe_failure(exc)}") from None
    if not (hasattr(extractor, "extract") or hasattr(extractor, "aextract")):
        raise ResolveError(f"{spec.target} did not make an extractor (no extract or aextract method)")
    if not isinstance(getattr(extractor, "name", None), str) or not extractor.name:
        raise ResolveError(f"{spec.target} made an extractor without a name")
    return extractor


# ------------------------------------------------------------------------- failures


class ReplyError(ValueError):
    """A model's reply that holds no prediction; ``reply`` (the raw text) goes into the run
    record, so that a reader sees what the model said."""

    def __init__(self, message: str, reply: str) -> None:
        super().__init__(message)
        self.reply = reply


def describe_failure(exc: BaseException) -> str:
    """What went wrong in an extractor, in one line: a bad prediction by its first field,
    anything else by its type and message."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        return one_line(f"invalid prediction: {where}: {first['msg']}")
    if isinstance(exc, SystemExit):
        return f"the extractor called sys.exit({exc.code!r})"
    if isinstance(exc, ReplyError):  # the extractor's own words about a model's reply
        return one_line(str(exc))
    if isinstance(exc, asyncio.CancelledError):
        return "the extractor's task was cancelled"
    text = str(exc).strip()
    return one_line(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
