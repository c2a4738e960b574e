"""The dataset's Croissant 1.1 description (``dataset/croissant.json``), written by the build.

Croissant (MLCommons) describes a dataset for tools that load it: its files with their
SHA-256, and for each configuration a record set naming every field and its type. Its
Responsible-AI fields (``rai:``) say how the texts were made and annotated, and what they
must not be used for. ``tests/test_croissant.py`` validates it with ``mlcroissant`` and reads
its records offline, comparing them with the dataset's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

#: The flat fields every record set names, with their Croissant types; the nested ones
#: (presider, directives, summary units, evidence) are in the Parquet files and the card.
FIELDS = (
    ("doc_id", "sc:Text", "file name of the source document without .txt"),
    ("origin", "sc:Text", "seed (a real readout) or constructed (written for the benchmark, never published)"),
    ("text", "sc:Text", "the source document, verbatim; every offset indexes it"),
    ("title", "sc:Text", "the headline, where there is one"),
    ("publication_date", "sc:Text", "YYYY-MM-DD of the date header, where there is one"),
    ("meeting_date", "sc:Text", "YYYY-MM-DD, the day the meeting was held"),
    ("meeting_date_basis", "sc:Text", "explicit, header or context: where the year came from"),
    ("summary", "sc:Text", "a 40-80 word reference summary written by the annotator"),
)

RAI = {
    "rai:dataCollection": (
        "Five English machine translations of readouts of Liaoning provincial party and government meetings "
        "(2020-2023), kept byte for byte (origin 'seed'); and readouts written for the benchmark in the same "
        "style and never published (origin 'constructed'), each to a design naming its province or city, kind "
        "of meeting, date form and traps (design notes in constructed/DESIGN-*.tsv)."
    ),
    "rai:dataCollectionType": ["Manual Human Curation", "Others"],
    "rai:dataAnnotationProtocol": (
        "Every value by the written guidelines (annotations/GUIDELINES.md): the meeting date with where its year "
        "comes from, the presider, every directive with exact evidence quotes resolved to character offsets, a "
        "summary and 6-12 summary units. A second annotator annotated the seeds and part of the constructed "
        "readouts independently; disagreements are adjudicated in annotations/ADJUDICATION.md."
    ),
    "rai:dataAnnotationAnalysis": "Agreement per field with harness agree; published in the dataset card.",
    "rai:dataUseCases": (
        "Evaluating systems that extract the meeting date, presider and directives from, and summarise, policy "
        "meeting readouts. Not for training models that are then evaluated on it."
    ),
    "rai:dataLimitations": (
        "Small: the real-text split has five documents; constructed readouts test reading, not exposure to real "
        "readouts, and are not claims about what any real meeting decided. Machine-translated English only."
    ),
    "rai:dataBiases": (
        "All seeds come from one province (Liaoning) and one genre of official readout; the constructed split "
        "widens provinces and kinds of meeting but is written by a few writers in that genre's style."
    ),
    "rai:personalSensitiveInformation": (
        "Names and offices of public officials as stated in official readouts; constructed readouts mostly use "
        "invented names. No private persons."
    ),
    "rai:dataSocialImpact": (
        "Measures how well systems read government policy texts; must not be used to attribute statements or "
        "decisions to real officials on the basis of constructed readouts."
    ),
}


def _record_set(name: str, file_id: str) -> dict:
    return {
        "@type": "cr:RecordSet",
        "@id": name,
        "name": name,
        "description": f"The rows of the {name!r} configuration.",
        "key": {"@id": f"{name}/doc_id"},
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"{name}/{field}",
                "name": field,
                "description": description,
                "dataType": data_type,
                "source": {"fileObject": {"@id": file_id}, "extract": {"column": field}},
            }
            for field, data_type, description in FIELDS
        ],
    }


def croissant(files: Mapping[str, bytes], configs: Mapping[str, str], version: str, documents: int) -> str:
    """The Croissant JSON-LD of a dataset folder: ``files`` are its Parquet files by relative
    path (for their SHA-256), ``configs`` maps each configuration to its file."""
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": path,
            "name": path,
            "contentUrl": path,
            "encodingFormat": "application/x-parquet",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for path, data in sorted(files.items())
    ]
    description = (
        "PolicyBench: English readouts of Chinese provincial party and government meetings, each with hand-written "
        "gold (meeting date, presider, directives with evidence quotes, summaries and summary units). "
        f"{documents} documents in the default configuration."
    )
    doc = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "PolicyBench",
        "description": description,
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "url": "https://huggingface.co/datasets/policybench",
        "version": "1.0.0",
        "datePublished": "2026-12-02",
        "citeAs": f"PolicyBench, dataset version {version}",
        "isLiveDataset": False,
        **RAI,
        "distribution": distribution,
        "recordSet": [_record_set(name, path) for name, path in configs.items()],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
