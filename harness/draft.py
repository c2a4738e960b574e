"""Draft the annotation of a new readout from an extractor's answer, for a person to finish.

``harness draft path/to/readout.txt [--model rules] [--out annotations/ID.yaml]`` runs an
extractor on the text and writes an annotation in the project's format, every value backed
by a quote found in the text:

* the meeting date, with the "On October 7" quote it rests on, the header's quote when the
  year comes from it, and a basis (``explicit`` when the sentence names the year, ``header``
  when a ``date`` header gives it, ``context`` otherwise, with a note to complete);
* the presider, with the sentence that names them;
* each directive, with the source clause most like it (unique, or with its occurrence);
* the summary, and summary units drawn from the date, the presider and the first
  directives, each with its evidence.

The file starts with ``draft: true``: ``harness validate`` refuses it until a person has
checked every value against annotations/GUIDELINES.md and deleted that line. A draft saves
the typing, not the reading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .annotations import MAX_SEED_BYTES, annotation_folder, publication_header
from .errors import HarnessError, one_line
from .extractors import Document, RunContext, build_extractor, find
from .files import read_text, write_atomic
from .grounding import find_quote
from .matching import carries_unit, same_directive
from .running import run_extractor
from .schema import SUMMARY_MAX_WORDS, Prediction

_MONTHS = "January February March April May June July August September October November December".split()
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_CLAUSE = re.compile(r"[^.;!?\n]+")
MAX_DRAFT_UNITS = 12


def _quote(text: str, quote: str) -> str | dict[str, Any]:
    """The quote as an annotation writes it: plain when it occurs once, with its
    occurrence (the first) when it occurs more often."""
    return quote if text.count(quote) == 1 else {"quote": quote, "occurrence": 1}


def _date_evidence(text: str, iso: str) -> tuple[list[Any], str, str | None]:
    year, month, day = iso.split("-")
    name = _MONTHS[int(month) - 1]
    pattern = re.compile(rf"\b(?:{name} {int(day)}|{int(day)} {name})\b(?:,? {year})?")
    match = pattern.search(text)
    if not match:
        return [], "context", "TODO: no sentence of the text names this day; say where the date comes from."
    evidence: list[Any] = [_quote(text, match.group(0))]
    if year in match.group(0):
        return evidence, "explicit", None
    header = publication_header(text)
    if header and header[:4] == year:
        header_quote = re.match(r"\s*(date \d{4}-\d{2}-\d{2})", text)
        if header_quote:
            evidence.insert(0, _quote(text, header_quote.group(1)))
        return evidence, "header", None
    return evidence, "context", f"TODO: the text gives no year for {name} {int(day)}; say how {year} was worked out."


def _presider_evidence(text: str, name: str) -> list[Any]:
    for sentence in _SENTENCE.findall(text):
        if name in sentence:
            return [_quote(text, sentence.strip())]
    return []


def _best_clause(text: str, directive: str) -> str | None:
    clauses = [c.strip() for c in _CLAUSE.findall(text) if len(c.split()) >= 3]
    if not clauses:
        return None
    return max(clauses, key=lambda c: (same_directive(c, directive, 0.0).similarity, -len(c)))


_DAY = re.compile(rf"\bOn (?:the (?:morning|afternoon|evening) of )?(?:{'|'.join(_MONTHS)}) \d{{1,2}}\b")


def guess_title(text: str) -> str | None:
    """The headline, when the readout opens with one: a first line (after a ``date`` header
    line of its own) of at most 40 words that does not end a sentence, with more text after it."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines and re.fullmatch(r"date \d{4}-\d{2}-\d{2}", lines[0]):
        lines = lines[1:]
    if len(lines) < 2:
        return None
    first = lines[0]
    return first if len(first.split()) <= 40 and not first.endswith((".", "。", "!", "?", '"', "”")) else None


def _summary_units(text: str, summary: str, room: int) -> list[dict[str, Any]]:
    """Units made of the summary's own clauses (at most 15 words each), so that the draft's
    summary carries every unit it lists; each with the source clause most like it."""
    units = []
    for clause in re.split(r"[.;:]|,\s+(?:and\s+)?", summary):
        words = clause.split()
        if len(words) < 3 or len(units) >= room:
            continue
        unit = " ".join(words[:15]).rstrip(",;:") + "."
        best = _best_clause(text, unit)
        units.append({"text": unit[0].upper() + unit[1:], "evidence": [_quote(text, best)] if best else ["TODO"]})
    return units


def draft(text: str, doc_id: str, prediction: Prediction, model: str, title: str | None = None) -> dict[str, Any]:
    """The draft annotation of ``text`` from ``prediction`` (see the module doc)."""
    header = publication_header(text)
    out: dict[str, Any] = {"draft": True, "doc_id": doc_id, "title": title, "publication_date": header}
    units: list[dict[str, Any]] = []
    if prediction.meeting_date:
        evidence, basis, note = _date_evidence(text, prediction.meeting_date)
        out["meeting_date"] = {"value": prediction.meeting_date, "basis": basis, "evidence": evidence or ["TODO"]}
        if note:
            out["meeting_date"]["note"] = note
        year, month, day = prediction.meeting_date.split("-")
        units.append({"text": f"Held on {int(day)} {_MONTHS[int(month) - 1]} {year}.", "evidence": evidence})
    else:
        day = _DAY.search(text)
        out["meeting_date"] = {
            "value": "TODO",
            "basis": "context",
            "evidence": [_quote(text, day.group(0))] if day else ["TODO"],
            "note": "TODO: the text gives the day but no year; work the year out from what the text names "
            "(GUIDELINES §2) and write the date as YYYY-MM-DD."
            if day
            else "TODO: find the day the meeting was held.",
        }
    if prediction.presider:
        evidence = _presider_evidence(text, prediction.presider)
        out["presider"] = {"name": prediction.presider, "title": None, "aliases": [], "evidence": evidence}
        units.append({"text": f"{prediction.presider} presided over it.", "evidence": evidence})
    else:
        out["presider"] = None
    directives = []
    for directive, quotes in zip(prediction.directive_texts, prediction.directive_quotes, strict=True):
        # The extractor's own quotes where it gave them and they are in the text, else the
        # clause most like the directive.
        found = [q for q in quotes if find_quote(q, text)]
        clause = None if found else _best_clause(text, directive)
        evidence = [_quote(text, text[slice(*find_quote(q, text))]) for q in found] if found else None
        directives.append({"text": directive, "evidence": evidence or ([_quote(text, clause)] if clause else ["TODO"])})
    out["directives"] = directives
    # The summary names the date and the presider its units state, and its other units are
    # its own clauses: a draft whose summary carries every unit it lists.
    opening = " ".join(u["text"] for u in units if not carries_unit(prediction.summary, u["text"]).hit).split()
    rest = prediction.summary.split()[: max(0, SUMMARY_MAX_WORDS - len(opening))]
    summary = " ".join([*opening, *rest])
    units += _summary_units(text, " ".join(rest), MAX_DRAFT_UNITS - len(units))
    out["summary"] = summary
    out["summary_units"] = [u for u in units if carries_unit(summary, u["text"]).hit]
    return out


class _PlainDumper(yaml.SafeDumper):
    """Writes a repeated value out in full: annotations allow no anchors or aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


HEADER = """\
# DRAFT annotation of {source}, written by `harness draft --model {model}`.
# Check every value against annotations/GUIDELINES.md: the date and its basis, the presider
# and their title, each directive (split, merge, reword; add what the extractor missed),
# the summary (40 to 80 words, carrying every unit) and the summary units (6 to 12 facts).
# Then delete the line `draft: true`: `harness validate` refuses the file until you do.
"""


def draft_file(
    readout: Path,
    model: str = "rules",
    model_args: Mapping[str, str] | None = None,
    out: Path | None = None,
) -> tuple[Path, str]:
    """Write the draft annotation of ``readout``; return where it went and its YAML."""
    text = read_text(readout, MAX_SEED_BYTES, "readout")
    doc_id = readout.stem
    target = out or annotation_folder(readout) / f"{doc_id}.yaml"
    if target.exists():
        raise HarnessError(f"{target}: already exists; a draft never replaces an annotation (give --out)")
    extractor = build_extractor(find(model), dict(model_args or {}), RunContext(dataset=str(readout)))
    # The inputs `harness eval` gives an extractor: the text, its headline and its header.
    title = guess_title(text)
    document = Document(doc_id=doc_id, text=text, title=title, publication_date=publication_header(text))
    outcome = run_extractor(extractor, [document]).outcomes[0]
    if outcome.error:
        raise HarnessError(f"{readout}: the extractor failed: {outcome.error}")
    body = yaml.dump(
        draft(text, doc_id, outcome.prediction, model, title),
        Dumper=_PlainDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    # one line each: a file or model name with a newline must not write YAML into the header
    content = HEADER.format(source=one_line(repr(readout.name)[1:-1]), model=one_line(model, 80)) + body
    write_atomic(target, content.encode("utf-8"))
    return target, content
