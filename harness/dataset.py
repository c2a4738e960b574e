"""Load a built PolicyBench dataset: the gold records of a split, and the dataset version.

``load_gold`` reads a built dataset (a local folder or a Hugging Face Hub id). A folder as
``harness build`` writes it — a card whose ``configs`` name Parquet files inside the
folder — is read directly with pyarrow, sparing the import of ``datasets``; anything else
goes through ``datasets.load_dataset``, the way a user loads it. Every row is validated as a
:class:`~harness.schema.GoldRecord`, and every problem is a :class:`DatasetError` of one
line.

The dataset *version* a run names is :func:`content_hash`: the SHA-256 of the records'
canonical JSON Lines form, whatever the file format they were read from.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import HarnessError, one_line
from .files import MiB, read_text
from .schema import GoldRecord, Reference

SPLIT = "test"
DEFAULT_CONFIG = "default"
#: Beyond any real card; a bigger README is not a dataset card.
MAX_CARD_BYTES = 4 * MiB
MAX_DATA_FILE_BYTES = 2048 * MiB


#: Where the package keeps its own copy of the built dataset (a non-editable install).
_BUNDLED = Path(__file__).with_name("_bundled")
#: The repository's dataset, beside the package (a source checkout or an editable install).
_REPOSITORY = Path(__file__).resolve().parent.parent / "dataset"


def bundled(name: str = "dataset") -> Path:
    """The bundled copy of a file or folder of the benchmark: ``dataset`` (the built
    dataset) or ``pairs.jsonl`` (the judged directive pairs).

    A non-editable install has them in the package (``harness/_bundled/``); a source
    checkout and an editable install read the repository's own (``dataset/``,
    ``calibration/pairs.jsonl``). So the default dataset is always a folder on this machine,
    never a name on the Hugging Face Hub.
    """
    packaged = _BUNDLED / name
    if packaged.exists():
        return packaged
    repository = {"dataset": _REPOSITORY, "pairs.jsonl": _REPOSITORY.parent / "calibration" / "pairs.jsonl"}[name]
    if repository.exists():
        return repository
    raise HarnessError(f"this installation of policybench has no bundled {name}; give it explicitly (--dataset PATH)")


class DatasetError(HarnessError):
    """A dataset could not be read (a missing folder, a bad card or split, a malformed row)."""


#: What a run record says of the dataset when none was named: the copy the package ships.
BUNDLED = "bundled"


@dataclass(frozen=True)
class DatasetRef:
    """Which data a run reads, resolved once: where from (a folder, a Hugging Face Hub id,
    or ``None`` for the copy the package ships), the configuration and the split. Records
    store :attr:`label`; :meth:`of_record` reads it back."""

    source: str | None = None
    config: str = DEFAULT_CONFIG
    split: str = SPLIT

    @property
    def location(self) -> str:
        """Where to read it from: the folder or Hub id, or the bundled folder."""
        return str(bundled()) if self.source is None else self.source

    @property
    def label(self) -> str:
        """What a record says of its source: the name given, or ``bundled``."""
        return BUNDLED if self.source is None else self.source

    @property
    def folder(self) -> Path | None:
        """The local folder it is read from, if any (outputs must stay out of it)."""
        path = Path(self.location)
        return path if path.is_dir() else None

    @classmethod
    def of_record(cls, source: str, config: str, split: str) -> DatasetRef:
        """The dataset a record names (its ``dataset.source``, ``config`` and ``split``)."""
        return cls(None if source == BUNDLED else source, config, split)

    def load(self) -> Gold:
        return load_gold(self.location, self.split, self.config)

    def stream(self) -> ReferenceStream:
        return ReferenceStream(self.location, self.split, self.config)


def serialise(records: Iterable[GoldRecord]) -> bytes:
    """The canonical JSON Lines form of a split: field order as in the model, UTF-8."""
    lines = (json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in records)
    return "".join(line + "\n" for line in lines).encode("utf-8")


class ContentHash:
    """The dataset version, fed one record at a time: SHA-256 of :func:`serialise`."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def update(self, record: GoldRecord) -> None:
        self._sha.update(serialise([record]))

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def content_hash(records: Iterable[GoldRecord]) -> str:
    """The dataset version of ``records`` (see :class:`ContentHash`)."""
    digest = ContentHash()
    for record in records:
        digest.update(record)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Split:
    source: str  # the folder or Hub id it was loaded from
    split: str
    sha256: str  # the dataset version: see content_hash


@dataclass(frozen=True)
class Gold(_Split):
    """A loaded split: its records in order and the content hash that identifies it."""

    records: tuple[GoldRecord, ...]

    def by_id(self) -> dict[str, GoldRecord]:
        return {r.doc_id: r for r in self.records}


@dataclass(frozen=True)
class References(_Split):
    """A split reduced to what scoring needs, with the same content hash as :class:`Gold`."""

    references: tuple[Reference, ...]


# ------------------------------------------------------------------------- the card


def card_header(folder: Path) -> dict[str, Any]:
    """The YAML header of ``folder/README.md`` (the dataset card), checked to be a mapping."""
    card_path = folder / "README.md"
    card = read_text(card_path, MAX_CARD_BYTES, "dataset card")
    parts = card.split("---\n", 2)
    if not card.startswith("---\n") or len(parts) < 3:
        raise DatasetError(f"{card_path}: no YAML header between --- lines; not a dataset card")
    from .annotations import YamlProblem, load_yaml

    # The same safe reader as annotations: no anchors or aliases (an alias bomb), no deep
    # nesting, no repeated keys.
    try:
        header, _ = load_yaml(parts[1])
    except YamlProblem as exc:
        line = f":{exc.line + 1}" if exc.line else ""
        raise DatasetError(f"{card_path}{line}: the card header: {exc.message}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 2}" if mark else ""
        raise DatasetError(
            f"{card_path}{line}: invalid YAML in the card header: {one_line(getattr(exc, 'problem', exc), 120)}"
        ) from None
    if not isinstance(header, dict):
        raise DatasetError(f"{card_path}: the card header is not a mapping of fields")
    return header


def _config_files(folder: Path, config: str, split: str) -> list[Path] | None:
    """The Parquet files of ``split`` that the card's ``configs`` entry ``config`` names.

    None when the card declares no ``configs`` (then ``datasets`` decides the layout).
    Paths must stay inside ``folder``: an absolute path or ``..`` is refused.
    """
    card_path = folder / "README.md"
    configs = card_header(folder).get("configs")
    if configs is None:
        return None
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        raise DatasetError(f"{card_path}: configs: expected a list of mappings")
    names = [str(c.get("config_name", DEFAULT_CONFIG)) for c in configs]
    if config not in names:
        raise DatasetError(f"{card_path}: no config {config!r} (the card declares: {', '.join(names)})")
    entries = configs[names.index(config)].get("data_files")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DatasetError(f"{card_path}: configs[{config}].data_files: expected a list of {{split, path}} mappings")
    patterns = [e.get("path") for e in entries if e.get("split") == split]
    if not patterns:
        splits = ", ".join(sorted({str(e.get("split")) for e in entries}))
        raise DatasetError(f"{folder}: no split {split!r} (the card declares: {splits})")
    paths: list[Path] = []
    root = folder.resolve()
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern or Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise DatasetError(f"{card_path}: data file {pattern!r}: must be a relative path inside the folder")
        for path in sorted(folder.glob(pattern)):
            if not path.resolve().is_relative_to(root):
                raise DatasetError(f"{card_path}: data file {path}: points outside the dataset folder")
            paths.append(path)
    if not paths:
        raise DatasetError(f"{card_path}: split {split!r}: no file matches {', '.join(map(str, patterns))}")
    if not all(p.suffix == ".parquet" for p in paths):
        return None
    return paths


def _parquet_rows(path: Path, columns: list[str] | None = None) -> Iterator[dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if not path.is_file():
            raise DatasetError(f"{path}: not a regular file")
        if path.stat().st_size > MAX_DATA_FILE_BYTES:
            raise DatasetError(f"{path}: larger than {MAX_DATA_FILE_BYTES:,} bytes")
        reader = pq.ParquetFile(path)
        for batch in reader.iter_batches(batch_size=256, columns=columns, use_threads=False):
            yield from batch.to_pylist()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not a readable Parquet file ({one_line(exc, 160)})") from None


def _rows_via_datasets(source: str, split: str, config: str) -> Iterator[dict]:
    from datasets import load_dataset

    local = Path(source)
    name = None if config == DEFAULT_CONFIG else config
    try:
        rows = load_dataset(source, name, split=split)
    except Exception as exc:  # datasets and the Hub client raise many kinds; all mean "cannot load"
        reason = one_line(f"{type(exc).__name__}: {exc}", 200)
        if local.exists():
            raise DatasetError(f"{source}: cannot load split {split!r}: {reason}") from None
        raise DatasetError(
            f"{source}: no such folder, and no Hugging Face Hub dataset of that name could be loaded "
            f"({type(exc).__name__})"
        ) from None
    yield from rows


def _iter_rows(source: str, split: str, config: str, columns: list[str] | None = None) -> Iterator[dict]:
    local = Path(source)
    if not local.exists() and source.startswith((".", "/", "~")):
        raise DatasetError(f"{source}: no such folder")
    if local.exists():
        if not local.is_dir():
            raise DatasetError(f"{source}: not a dataset folder")
        if not (local / "README.md").is_file():
            raise DatasetError(f"{source}: not a dataset folder (no README.md with a dataset card)")
        files = _config_files(local, config, split)
        if files is not None:
            for path in files:
                yield from _parquet_rows(path, columns)
            return
    yield from _rows_via_datasets(source, split, config)


def iter_gold(source: str | os.PathLike[str], split: str = SPLIT, config: str = DEFAULT_CONFIG) -> Iterator[GoldRecord]:
    """The gold records of a split one by one, each validated (see :func:`load_gold`).

    Document ids must be unique.
    """
    source = str(source)
    seen: set[str] = set()
    for i, row in enumerate(_iter_rows(source, split, config)):
        try:
            record = GoldRecord.model_validate(row)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            where = f"{loc}: " if loc else ""  # a check of the whole record has no field
            msg = one_line(first["msg"].removeprefix("Value error, "), 120)
            raise DatasetError(f"{source}: split {split} row {i}: not a gold record: {where}{msg}") from None
        if record.doc_id in seen:
            raise DatasetError(f"{source}: split {split} row {i}: doc_id {record.doc_id!r} appears twice")
        seen.add(record.doc_id)
        yield record
    if not seen:
        raise DatasetError(f"{source}: split {split!r} has no rows")


def load_gold(source: str | os.PathLike[str], split: str = SPLIT, config: str = DEFAULT_CONFIG) -> Gold:
    """Load one split of the benchmark as gold records, with its dataset version.

    ``source`` is a local dataset folder or a Hugging Face Hub id. Raises
    :class:`DatasetError` with a one-line reason.
    """
    records = tuple(iter_gold(source, split, config))
    return Gold(source=str(source), split=split, records=records, sha256=content_hash(records))


def load_references(source: str | os.PathLike[str], split: str = SPLIT, config: str = DEFAULT_CONFIG) -> References:
    """Like :func:`load_gold`, but keeps only the scoring fields of each record.

    Every record is still validated and hashed, one at a time, so memory stays small on
    large splits (10,000 documents: about a tenth of the full records).
    """
    digest = ContentHash()
    references = []
    for record in iter_gold(source, split, config):
        digest.update(record)
        references.append(Reference.from_gold(record))
    return References(source=str(source), split=split, sha256=digest.hexdigest(), references=tuple(references))


class ReferenceStream:
    """A split read for scoring one document at a time, so that memory does not grow with
    the number of documents: :meth:`doc_ids` reads the ids alone; iterating validates and
    hashes every record and yields its :class:`Reference`. After a full iteration,
    :attr:`sha256` is the dataset version (as :func:`load_gold` gives it) and :attr:`count`
    the number of documents."""

    def __init__(self, source: str | os.PathLike[str], split: str = SPLIT, config: str = DEFAULT_CONFIG) -> None:
        self.source, self.split, self.config = str(source), split, config
        self.sha256: str | None = None
        self.count = 0

    def doc_ids(self) -> list[str]:
        """The split's document ids in order (for a local Parquet split, only that column is read)."""
        ids = [str(row.get("doc_id")) for row in _iter_rows(self.source, self.split, self.config, ["doc_id"])]
        if not ids:
            raise DatasetError(f"{self.source}: split {self.split!r} has no rows")
        return ids

    def __iter__(self) -> Iterator[Reference]:
        digest, count = ContentHash(), 0
        for record in iter_gold(self.source, self.split, self.config):
            digest.update(record)
            count += 1
            yield Reference.from_gold(record)
        self.sha256, self.count = digest.hexdigest(), count
