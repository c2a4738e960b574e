"""Build the Hugging Face dataset folder from ``seeds/`` and ``annotations/``.

The built dataset is a folder (``dataset/`` in the repository):

* ``data/test.parquet``: one :class:`~harness.schema.GoldRecord` per row, in ``doc_id``
  order, with the column types of :func:`features` written into the file;
* ``README.md``: the dataset card, whose YAML header declares the config, the split and
  every feature's type (generated from the same :func:`features`);
* ``prediction.schema.json``: the JSON Schema of a prediction record.

Why Parquet and not JSON Lines: ``datasets`` reads JSON through pyarrow, which turns
``"2022-12-17"`` into a timestamp before the declared string type is applied, so the
value comes back as ``"2022-12-17 00:00:00"``. Parquet carries its types and nothing is
inferred.

:func:`features` is derived from :class:`~harness.schema.GoldRecord` itself, so a field
added to the model appears in the Parquet schema and the card without another edit.
"""

from __future__ import annotations

import functools
import json
import os
import re
import statistics
import types
import typing
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from .annotations import validate_dataset
from .contrast import check, variants
from .croissant import croissant
from .dataset import SPLIT, content_hash
from .errors import HarnessError
from .files import read_bytes, write_atomic
from .schema import GoldRecord, Prediction

if TYPE_CHECKING:
    from datasets import Features

DATA_FILE = f"data/{SPLIT}.parquet"
CONTRAST_FILE = "data/contrast.parquet"
CONSTRUCTED_FILE = "data/constructed.parquet"
ALL_FILE = "data/all.parquet"
CARD_TEMPLATE = Path(__file__).with_name("templates") / "dataset_card.md"
PREDICTION_SCHEMA_FILE = "prediction.schema.json"
CROISSANT_FILE = "croissant.json"


class InvalidAnnotations(HarnessError):
    """The annotations do not validate; ``problems`` holds one line per problem."""


def _feature(annotation: Any) -> Any:
    """The ``datasets`` feature of one field type of a pydantic model."""
    from datasets import List, Value

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _feature(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no feature for the union {annotation!r}")
        return _feature(inner[0])  # a nullable column: Arrow columns all take nulls
    if origin is list:
        return List(_feature(typing.get_args(annotation)[0]))
    if origin is typing.Literal or annotation is str:
        return Value("string")
    if annotation is int:
        return Value("int64")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {name: _feature(f.annotation) for name, f in annotation.model_fields.items()}
    raise TypeError(f"no feature for the type {annotation!r}")


@functools.cache
def features() -> Features:
    """The column types of the dataset, derived from :class:`~harness.schema.GoldRecord`."""
    from datasets import Features

    return Features(_feature(GoldRecord))


def to_parquet(records: list[GoldRecord]) -> bytes:
    """The split as Parquet with the column types of :func:`features`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    if path.suffix != ".parquet":
        return read_bytes(path, len(data) + 1) == data if path.stat().st_size == len(data) else False
    try:
        # One thread: pyarrow's reader pool, left running at exit next to datasets' imports,
        # aborted the process now and then ("terminate called without an active exception").
        ours = pq.read_table(pa.BufferReader(data), use_threads=False)
        return pq.read_table(path, use_threads=False).equals(ours, check_metadata=True)
    except (pa.ArrowException, OSError):
        return False


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


def configs_yaml(constructed: bool) -> tuple[str, str]:
    """The card's ``configs`` and ``dataset_info`` blocks: ``default`` (the seeds),
    ``constructed`` and ``all`` when there are constructed readouts, and ``contrast``."""
    names = [("default", DATA_FILE)]
    if constructed:
        names += [("constructed", CONSTRUCTED_FILE), ("all", ALL_FILE)]
    names.append(("contrast", CONTRAST_FILE))
    configs = "".join(
        f"- config_name: {name}\n  data_files:\n  - split: {SPLIT}\n    path: {path}\n" for name, path in names
    )
    info = "".join(f"- config_name: {name}\n  features:\n{features_yaml()}" for name, _ in names)
    return configs.rstrip("\n"), info.rstrip("\n")


#: Where the build finds the baselines' runs on the ``all`` configuration for the power table.
RESULTS_ALL = Path(__file__).resolve().parent.parent / "results" / "all"


def power_section(records: list[GoldRecord], constructed: list[GoldRecord]) -> str:
    """The card's power table (:func:`harness.power.power_table`), from the baselines' runs in
    ``results/all/`` on exactly this data; a sentence saying why when there are none."""
    from .power import PAIRS, power_table
    from .records import read_record

    everything = sorted([*records, *constructed], key=lambda r: r.doc_id)
    version = content_hash(everything)
    runs = {}
    for name in {m for pair in PAIRS for m in pair}:
        path = RESULTS_ALL / f"{name}.json"
        if path.is_file():
            record = read_record(path)
            if record.dataset.sha256 == version:
                runs[name] = record
    sizes = {"real readouts": len(records), "constructed": len(constructed), "all": len(everything)}
    table = power_table(runs, sizes) if constructed else ""
    return table or "(No runs of the built-in baselines on this version of the `all` configuration in `results/all/`.)"


_CUE_WORDS = re.compile(
    r"\b(?:it is (?:necessary|required|essential|important) (?:to|that)|we (?:must|should|will|need to)|"
    r"(?:must|should|need to|needs to)|called (?:on|for)|requested|required|urged|"
    r"emphasi[sz](?:ed|ing) (?:the need to|that)|strive to|efforts will be made to)\b",
    re.IGNORECASE,
)


def difficulty(records: list[GoldRecord]) -> dict[str, str]:
    """How hard a set of readouts is to read, in the measures the card compares: length,
    directives per 1,000 words, words per sentence, cue phrases ("must", "it is necessary
    to", ...) per 1,000 words, the share of directives stated in a sentence with such a cue,
    and directives per sentence that states one."""
    words = sum(len(r.text.split()) for r in records)
    sentences, cued, total, per = [], 0, 0, []
    for r in records:
        bounds = [0, *(m.end() for m in re.finditer(r"[.!?](?:\s+|$)|\n", r.text)), len(r.text)]
        sentences += [len(r.text[a:b].split()) for a, b in zip(bounds, bounds[1:], strict=False) if r.text[a:b].strip()]
        counts: dict[int, int] = {}
        for d in r.directives:
            at = d.evidence[0].start
            a = max(b for b in bounds if b <= at)
            b = min((x for x in bounds if x > at), default=len(r.text))
            total += 1
            cued += bool(_CUE_WORDS.search(r.text[a:b]))
            counts[a] = counts.get(a, 0) + 1
        per += counts.values()
    return {
        "documents": str(len(records)),
        "median length (words)": str(int(statistics.median(len(r.text.split()) for r in records))),
        "directives per document": f"{min(map(len, (r.directives for r in records)))} to "
        f"{max(map(len, (r.directives for r in records)))}",
        "directives per 1,000 words": f"{1000 * sum(len(r.directives) for r in records) / words:.1f}",
        "words per sentence": f"{statistics.mean(sentences):.1f}",
        "cue phrases per 1,000 words": f"{1000 * sum(len(_CUE_WORDS.findall(r.text)) for r in records) / words:.1f}",
        "directives in a sentence with a cue phrase": f"{cued / max(total, 1):.0%}",
        "directives per sentence that states one": f"{statistics.mean(per):.2f}" if per else "—",
    }


def comparison_table(records: list[GoldRecord], constructed: list[GoldRecord]) -> str:
    """The card's table of :func:`difficulty` for the real and the constructed readouts."""
    if not constructed:
        return "(No constructed readouts in this build.)"
    real, made = difficulty(records), difficulty(constructed)
    rows = "\n".join(f"| {k} | {real[k]} | {made[k]} |" for k in real)
    return "| measure | real readouts | constructed |\n|---|---|---|\n" + rows


def render_card(
    records: list[GoldRecord], contrast: list[GoldRecord] | None = None, constructed: list[GoldRecord] | None = None
) -> str:
    """The dataset card, with the statistics of this build filled in."""
    configs, info = configs_yaml(bool(constructed))
    power = power_section(records, constructed or [])
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
        contrast_file=CONTRAST_FILE,
        contrast_rows=len(contrast or []),
        contrast_variants=max(0, len(contrast or []) - len(records)),
        configs=configs,
        dataset_info=info,
        power=power,
        comparison=comparison_table(records, constructed or []),
        constructed_rows=len(constructed or []),
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


def build_outputs(seeds_dir: Path, annotations_dir: Path, out_dir: Path | None = None) -> dict[str, bytes]:
    """Every file ``harness build`` writes, by path relative to the output folder.

    The seeds with the annotations of ``annotations_dir``; and, when ``constructed/`` stands
    beside the seeds folder and ``annotations_dir/constructed/`` exists, the constructed
    readouts with their annotations (every row marked ``origin: constructed``). Raises
    :class:`InvalidAnnotations` when any annotation has a problem.

    With ``out_dir``, the Croissant description gives the SHA-256 of the files as they will
    be there after the build: a Parquet file whose rows did not change is kept, bytes and all
    (another pyarrow writes the same rows in other bytes), and is described as it is.
    """
    records, constructed, problems = validate_dataset(seeds_dir, annotations_dir)
    if problems:
        raise InvalidAnnotations.of(problems)
    contrast = variants([*records, *constructed])
    if problems := [p for r in contrast for p in check(r)]:
        raise InvalidAnnotations(*problems)
    outputs = {
        DATA_FILE: to_parquet(records),
        CONTRAST_FILE: to_parquet(contrast),
        "README.md": render_card(records, contrast, constructed).encode("utf-8"),
        PREDICTION_SCHEMA_FILE: prediction_schema().encode("utf-8"),
    }
    configs = {"default": DATA_FILE}
    if constructed:
        outputs[CONSTRUCTED_FILE] = to_parquet(constructed)
        outputs[ALL_FILE] = to_parquet(sorted([*records, *constructed], key=lambda r: r.doc_id))
        configs |= {"constructed": CONSTRUCTED_FILE, "all": ALL_FILE}
    configs["contrast"] = CONTRAST_FILE
    parquet = {path: data for path, data in outputs.items() if path.endswith(".parquet")}
    if out_dir is not None:
        kept = [path for path, data in parquet.items() if same_content(out_dir / path, data)]
        parquet |= {path: read_bytes(out_dir / path, 1 << 30) for path in kept}
    outputs[CROISSANT_FILE] = croissant(parquet, configs, content_hash(records), len(records)).encode("utf-8")
    return outputs


def check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder that is not a dataset folder, before anything is written.

    An empty path, a file, or a folder whose ``README.md`` is not a dataset card (the
    repository root, say) would have its files replaced.
    """
    if str(out_dir) in ("", "."):
        raise HarnessError(f"{str(out_dir)!r}: give the dataset folder by name (e.g. --out dataset)")
    if out_dir.exists() and not out_dir.is_dir():
        raise HarnessError(f"{out_dir}: not a folder")
    card = out_dir / "README.md"
    if card.exists() or card.is_symlink():
        head = read_bytes(card, 64 << 20, "dataset card")[:4]
        if not card.is_file() or head != b"---\n":
            raise HarnessError(f"{card}: exists and is not a dataset card; refusing to overwrite it")


def stale_outputs(outputs: dict[str, bytes], out_dir: Path) -> list[str]:
    """The files of ``outputs`` whose content differs from what ``out_dir`` holds."""
    return [rel for rel, data in outputs.items() if not same_content(out_dir / rel, data)]


def build(seeds_dir: Path, annotations_dir: Path, out_dir: Path) -> list[Path]:
    """Validate, then write the files of the dataset folder that changed; return those.

    All or nothing: every changed file is first written beside its place under a temporary
    name, and only when all are written are they renamed into place, one after another. A
    build that fails half-way (a full disk, a killed process) leaves the old dataset whole,
    never new data under the old card and version.
    """
    check_output_folder(out_dir)
    outputs = build_outputs(seeds_dir, annotations_dir, out_dir)
    stale = stale_outputs(outputs, out_dir)
    for rel in stale:
        if (out_dir / rel).is_dir() and not (out_dir / rel).is_symlink():
            raise HarnessError(f"{out_dir / rel}: is a folder where the build writes a file; move it away")
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in stale:
            final = out_dir / rel
            temporary = final.with_name(f".{final.name}.building")
            write_atomic(temporary, outputs[rel])
            staged.append((temporary, final))
        for temporary, final in staged:
            os.replace(temporary, final)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [out_dir / rel for rel in stale]
