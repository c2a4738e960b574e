"""Build the Hugging Face dataset from seeds + annotations, and load it back.

The built dataset is a folder (``dataset/`` in the repository):

* ``data/test.parquet``: one :class:`~harness.schema.GoldRecord` per row, in ``doc_id``
  order, with the column types of :func:`features` written into the file;
* ``README.md``: the dataset card, whose YAML header declares the config, the split and
  every feature's type (generated from the same :func:`features`);
* ``prediction.schema.json``: the JSON Schema of a prediction record.

Why Parquet and not JSON Lines: ``datasets`` reads JSON through pyarrow, which turns
``"2022-12-17"`` into a timestamp before the declared string type is applied, so the
value comes back as ``"2022-12-17 00:00:00"``. Parquet carries its types and nothing is
inferred. The dataset *version* does not depend on the file format: it is the SHA-256 of
the records' canonical JSON Lines form (:func:`content_hash`).

``load_gold`` reads a built dataset (a local folder or a Hub id) through ``datasets``, the
same way a user does, and is what every scoring path uses.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import ValidationError

from .annotations import Problem, validate_corpus
from .files import write_atomic
from .schema import GoldRecord, Prediction, Reference

if TYPE_CHECKING:
    from datasets import Features

SPLIT = "test"
DATA_FILE = f"data/{SPLIT}.parquet"
CARD_TEMPLATE = Path(__file__).with_name("templates") / "dataset_card.md"
PREDICTION_SCHEMA_FILE = "prediction.schema.json"


@functools.cache
def features() -> Features:
    """The column types of the dataset, in the order of :class:`~harness.schema.GoldRecord`."""
    from datasets import Features, List, Value  # heavy; only building and checking need it

    spans = List({"quote": Value("string"), "start": Value("int64"), "end": Value("int64")})
    return Features(
        {
            "doc_id": Value("string"),
            "text": Value("string"),
            "title": Value("string"),
            "publication_date": Value("string"),
            "meeting_date": Value("string"),
            "meeting_date_basis": Value("string"),
            "meeting_date_evidence": spans,
            "meeting_date_note": Value("string"),
            "presider": {
                "name": Value("string"),
                "title": Value("string"),
                "aliases": List(Value("string")),
                "evidence": spans,
                "note": Value("string"),
            },
            "directives": List({"text": Value("string"), "evidence": spans, "note": Value("string")}),
            "summary": Value("string"),
            "extra_summaries": List(Value("string")),
        }
    )


class InvalidAnnotations(Exception):
    """The annotations do not validate; ``problems`` says why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the annotations")
        self.problems = problems


class DatasetError(Exception):
    """A dataset could not be read (a missing folder, a bad split, a malformed row)."""


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


# ----------------------------------------------------------------------------- writing


def serialise(records: Iterable[GoldRecord]) -> bytes:
    """The canonical JSON Lines form of a split: field order as in the model, UTF-8."""
    lines = (json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in records)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def content_hash(records: Iterable[GoldRecord]) -> str:
    """The dataset version a run record names: SHA-256 of :func:`serialise`."""
    return hashlib.sha256(serialise(records)).hexdigest()


def to_parquet(records: list[GoldRecord]) -> bytes:
    """The split as Parquet with the column types of :func:`features`."""
    table = pa.Table.from_pylist([r.model_dump(mode="json") for r in records], schema=features().arrow_schema)
    sink = pa.BufferOutputStream()
    # Row groups of a few hundred rows let a reader stream a large split in small pieces.
    pq.write_table(table, sink, compression="zstd", row_group_size=256)
    return sink.getvalue().to_pybytes()


def same_content(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds what ``data`` holds.

    Parquet files are compared by table, not by bytes: pyarrow writes its own version into
    the file, so the same rows written by another pyarrow differ in a few bytes.
    """
    if not path.is_file():
        return False
    if path.suffix != ".parquet":
        return path.read_bytes() == data
    return pq.read_table(path).equals(pq.read_table(pa.BufferReader(data)), check_metadata=True)


def _yaml_feature(name: str, feature: object) -> dict:
    """One entry of the card's ``dataset_info.features`` list, in the Hub's YAML form."""
    from datasets import List, Value

    if isinstance(feature, Value):
        return {"name": name, "dtype": feature.dtype}
    if isinstance(feature, dict):
        return {"name": name, "struct": [_yaml_feature(k, v) for k, v in feature.items()]}
    if isinstance(feature, List):
        inner = feature.feature
        if isinstance(inner, Value):
            return {"name": name, "list": inner.dtype}
        return {"name": name, "list": [_yaml_feature(k, v) for k, v in inner.items()]}
    raise TypeError(f"no YAML form for feature {name}: {feature!r}")


def features_yaml() -> str:
    """The ``features:`` block of the dataset card, indented to sit under ``dataset_info:``."""
    block = yaml.safe_dump([_yaml_feature(k, v) for k, v in features().items()], sort_keys=False)
    return "".join(f"  {line}\n" for line in block.splitlines())


def render_card(records: list[GoldRecord]) -> str:
    """The dataset card, with the statistics of this build filled in."""
    directive_counts = [len(r.directives) for r in records]
    words = [len(r.text.split()) for r in records]
    dates = sorted(r.meeting_date for r in records)
    bases = {b: sum(r.meeting_date_basis == b for r in records) for b in ("explicit", "header", "context")}
    rows = "\n".join(
        f"| `{r.doc_id}` | {r.meeting_date} ({r.meeting_date_basis}) | "
        f"{r.presider.name if r.presider else '—'} | {len(r.directives)} | {len(r.text.split())} |"
        for r in records
    )
    return Template(CARD_TEMPLATE.read_text(encoding="utf-8")).substitute(
        num_rows=len(records),
        data_file=DATA_FILE,
        features=features_yaml().rstrip("\n"),
        sha256=content_hash(records),
        num_directives=sum(directive_counts),
        directives_min=min(directive_counts),
        directives_max=max(directive_counts),
        words_median=int(statistics.median(words)),
        date_first=dates[0],
        date_last=dates[-1],
        basis_explicit=bases["explicit"],
        basis_header=bases["header"],
        basis_context=bases["context"],
        document_rows=rows,
    )


def prediction_schema() -> str:
    """The JSON Schema of a prediction record, for validating outside Python."""
    schema = Prediction.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "policybench/prediction.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def build_outputs(seeds_dir: Path, annotations_dir: Path) -> dict[str, bytes]:
    """Every file ``harness build`` writes, by path relative to the output folder.

    Raises :class:`InvalidAnnotations` when any annotation has a problem.
    """
    records, problems = validate_corpus(seeds_dir, annotations_dir)
    if problems:
        raise InvalidAnnotations(problems)
    return {
        DATA_FILE: to_parquet(records),
        "README.md": render_card(records).encode("utf-8"),
        PREDICTION_SCHEMA_FILE: prediction_schema().encode("utf-8"),
    }


def build(seeds_dir: Path, annotations_dir: Path, out_dir: Path) -> list[Path]:
    """Validate, then write the files of the dataset folder that changed; return those."""
    written = []
    for rel, data in build_outputs(seeds_dir, annotations_dir).items():
        if not same_content(out_dir / rel, data):
            write_atomic(out_dir / rel, data)
            written.append(out_dir / rel)
    return written


# ----------------------------------------------------------------------------- reading


def _local_parquet_files(folder: Path, split: str) -> list[Path] | None:
    """The Parquet files of ``split`` named by the card's default config, or None if the
    folder is laid out otherwise (then ``datasets`` reads it)."""
    card = (folder / "README.md").read_text(encoding="utf-8")
    parts = card.split("---\n")
    if not card.startswith("---\n") or len(parts) < 3:
        return None
    header = yaml.safe_load(parts[1]) or {}
    configs = [c for c in header.get("configs", []) if c.get("config_name", "default") == "default"]
    if not configs or not isinstance(configs[0].get("data_files"), list):
        return None
    entries = configs[0]["data_files"]
    patterns = [e["path"] for e in entries if isinstance(e, dict) and e.get("split") == split]
    if not patterns:
        splits = ", ".join(sorted({str(e.get("split")) for e in entries if isinstance(e, dict)}))
        raise DatasetError(f"{folder}: no split {split!r} (the card declares: {splits})")
    paths = sorted(p for pattern in patterns for p in folder.glob(pattern))
    return paths if paths and all(p.suffix == ".parquet" for p in paths) else None


def _iter_rows(source: str, split: str) -> Iterator[dict]:
    local = Path(source)
    if local.exists():
        if not (local / "README.md").is_file():
            raise DatasetError(f"{source}: not a dataset folder (no README.md with a dataset card)")
        files = _local_parquet_files(local, split)
        if files is not None:
            # The layout harness build writes: read it directly, sparing the import of
            # datasets, a few hundred rows at a time.
            for path in files:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=256):
                    yield from batch.to_pylist()
            return
    yield from _rows_via_datasets(source, split)


def iter_gold(source: str | os.PathLike[str] = "dataset", split: str = SPLIT) -> Iterator[GoldRecord]:
    """The gold records of a split one by one, each validated (see :func:`load_gold`)."""
    source = str(source)
    for i, row in enumerate(_iter_rows(source, split)):
        try:
            yield GoldRecord.model_validate(row)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DatasetError(f"{source}: split {split} row {i}: not a gold record: {where}: {first['msg']}") from None


def _rows_via_datasets(source: str, split: str) -> list[dict]:
    from datasets import load_dataset

    local = Path(source)
    try:
        return list(load_dataset(source, split=split))
    except (ValueError, KeyError) as exc:
        raise DatasetError(f"{source}: cannot load split {split!r}: {str(exc).splitlines()[0]}") from None
    except Exception as exc:  # the Hub client raises many kinds; all mean "cannot load"
        if local.exists():
            raise DatasetError(f"{source}: cannot load: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
        raise DatasetError(
            f"{source}: no such folder, and no Hugging Face Hub dataset of that name could be loaded "
            f"({type(exc).__name__})"
        ) from None


def load_gold(source: str | os.PathLike[str] = "dataset", split: str = SPLIT) -> Gold:
    """Load one split of the benchmark as gold records.

    ``source`` is a local dataset folder or a Hugging Face Hub id. A folder as ``harness
    build`` writes it (a card whose default config names Parquet files) is read directly
    with pyarrow; anything else goes through ``datasets.load_dataset``. The tests check that
    both give the same rows. Raises :class:`DatasetError` with a one-line reason.
    """
    records = tuple(iter_gold(source, split))
    return Gold(source=str(source), split=split, records=records, sha256=content_hash(records))


@dataclass(frozen=True)
class References(_Split):
    """A split reduced to what scoring needs, with the same content hash as :class:`Gold`."""

    references: tuple[Reference, ...]


def load_references(source: str | os.PathLike[str] = "dataset", split: str = SPLIT) -> References:
    """Like :func:`load_gold`, but keeps only the scoring fields of each record.

    Every record is still validated and hashed, one at a time, so memory stays small on
    large splits (10,000 documents: about a tenth of the full records).
    """
    hasher = hashlib.sha256()
    references = []
    for record in iter_gold(source, split):
        hasher.update(serialise([record]))
        references.append(Reference.from_gold(record))
    return References(source=str(source), split=split, sha256=hasher.hexdigest(), references=tuple(references))
