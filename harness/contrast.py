"""The counterfactual contrast set: each seed changed in a known way, with its gold changed in step.

A system that read the text answers the variant as it answers the original; one that
remembered the original (these readouts are public) or leans on brittle patterns does not.
Every variant is generated from a seed and its gold by a rule below — no hand edits — and
every evidence quote is resolved again in the changed text (:func:`check`):

* ``rename``: the presider renamed, everywhere in the text, to an invented name
  (:data:`INVENTED_NAMES`; no seed names them); the gold's name follows, the
  given-name-first alias follows, and aliases in other scripts, which name the real person,
  are dropped;
* ``date``: the meeting moved to the last day of the previous month — across a month
  boundary, and across a year from January — with the publication header moved by as many
  days, so the year's basis (header, explicit or context) stays right; the body's date, the
  gold date and the dates in the gold summaries follow;
* ``order``: the paragraphs that carry directives put in reverse order (the opening
  paragraph, with the header, stays first); the gold's directives follow, in their new
  order of appearance;
* ``format``: the body's "On December 17" written "On 17 December"; the gold does not
  change (only the date's evidence quote).

A document whose text gives a variant nothing to change (one paragraph of directives for
``order``), or that a rule cannot change consistently, has no such variant. The contrast
split holds the originals too, so that one run scores both; :func:`harness.scoring.consistency`
is the share of documents a system gets right on the original and on every variant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from .schema import SEPARATOR, GoldRecord

#: Invented presiders: not in any seed, not (to the project's knowledge) office holders.
INVENTED_NAMES = ("Lin Weiming", "Guo Shanli", "Tan Yuming", "Xu Changhe", "Feng Qiaolan")
_MONTHS = "January February March April May June July August September October November December".split()


def _occurrence(text: str, quote: str, start: int) -> int:
    return text.count(quote, 0, start)


def _find(text: str, quote: str, occurrence: int) -> int:
    at = -1
    for _ in range(occurrence + 1):
        at = text.find(quote, at + 1)
        if at == -1:
            raise ValueError(f"quote not found in the changed text: {quote[:60]!r}")
    return at


def _rebuild(record: GoldRecord, text: str, change: Callable[[str], str], doc_id: str, **fields: Any) -> GoldRecord:
    """``record`` with ``text``, every string passed through ``change`` and every evidence
    span found again (the same occurrence of the changed quote)."""
    old = record.text

    def spans(items: list[dict]) -> list[dict]:
        out = []
        for span in items:
            quote = change(span["quote"])
            start = _find(text, quote, _occurrence(old, span["quote"], span["start"]))
            out.append({"quote": quote, "start": start, "end": start + len(quote)})
        return out

    data = record.model_dump(mode="json")
    data.update(doc_id=doc_id, text=text)
    data["title"] = change(data["title"]) if data["title"] else None
    data["meeting_date_evidence"] = spans(data["meeting_date_evidence"])
    data["meeting_date_note"] = change(data["meeting_date_note"]) if data["meeting_date_note"] else None
    if data["presider"]:
        presider = data["presider"]
        presider["name"] = change(presider["name"])
        presider["title"] = change(presider["title"]) if presider["title"] else None
        presider["evidence"] = spans(presider["evidence"])
    for d in data["directives"]:
        d["text"], d["evidence"] = change(d["text"]), spans(d["evidence"])
    data["summary"] = change(data["summary"])
    data["extra_summaries"] = [change(s) for s in data["extra_summaries"]]
    for u in data["summary_units"]:
        u["text"], u["evidence"] = change(u["text"]), spans(u["evidence"])
    data.update(fields)
    return GoldRecord.model_validate(data)


def rename(record: GoldRecord, new_name: str) -> GoldRecord | None:
    if record.presider is None or record.presider.name not in record.text:
        return None
    old_name = record.presider.name
    first, last = new_name.split(" ", 1)
    swaps = {old_name: new_name}
    for alias in record.presider.aliases:
        if alias.isascii() and alias.split() == list(reversed(old_name.split())):
            swaps[alias] = f"{last} {first}"

    def change(s: str) -> str:
        for a, b in swaps.items():
            s = s.replace(a, b)
        return s

    aliases = [swaps[a] for a in record.presider.aliases if a in swaps]
    renamed = _rebuild(record, change(record.text), change, record.doc_id + SEPARATOR + "rename")
    presider = renamed.presider.model_copy(update={"aliases": aliases, "note": None}) if renamed.presider else None
    return renamed.model_copy(update={"presider": presider})


def _date_forms(day: dt.date) -> list[tuple[str, str]]:
    """Ways a date is written in the seeds and the gold, as (pattern, format) pairs."""
    month = _MONTHS[day.month - 1]
    return [
        (f"{day.isoformat()}", "{iso}"),
        (f"{month} {day.day}, {day.year}", "{month} {d}, {y}"),
        (f"{day.day} {month} {day.year}", "{d} {month} {y}"),
        (f"{month} {day.day}", "{month} {d}"),
        (f"{day.day} {month}", "{d} {month}"),
    ]


def _render(fmt: str, day: dt.date) -> str:
    return fmt.format(iso=day.isoformat(), month=_MONTHS[day.month - 1], d=day.day, y=day.year)


def move_date(record: GoldRecord) -> GoldRecord | None:
    meeting = dt.date.fromisoformat(record.meeting_date)
    moved = meeting.replace(day=1) - dt.timedelta(days=1)  # the last day of the previous month
    delta = moved - meeting
    published = dt.date.fromisoformat(record.publication_date) if record.publication_date else None
    swaps: list[tuple[str, str]] = []
    for old_day, new_day in ((meeting, moved), *([(published, published + delta)] if published else [])):
        for pattern, fmt in _date_forms(old_day):
            swaps.append((pattern, _render(fmt, new_day)))
    words = re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p, _ in swaps))
    table = dict(swaps)

    def change(s: str) -> str:
        return words.sub(lambda m: table[m.group(0)], s)

    text = change(record.text)
    if text == record.text:
        return None
    return _rebuild(
        record,
        text,
        change,
        record.doc_id + SEPARATOR + "date",
        meeting_date=moved.isoformat(),
        publication_date=(published + delta).isoformat() if published else None,
    )


def reorder(record: GoldRecord) -> GoldRecord | None:
    lines = record.text.split("\n")
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1

    def line_of(offset: int) -> int:
        return max(i for i, start in enumerate(starts) if start <= offset)

    carrying = sorted({line_of(s.start) for d in record.directives for s in d.evidence} - {0})
    if len(carrying) < 2:
        return None
    new_lines = list(lines)
    for i, j in zip(carrying, reversed(carrying), strict=True):
        new_lines[i] = lines[j]
    text = "\n".join(new_lines)
    moved = _rebuild(record, text, lambda s: s, record.doc_id + SEPARATOR + "order")
    directives = sorted(moved.directives, key=lambda d: min(s.start for s in d.evidence))
    return moved.model_copy(update={"directives": directives})


def reformat(record: GoldRecord) -> GoldRecord | None:
    meeting = dt.date.fromisoformat(record.meeting_date)
    month = _MONTHS[meeting.month - 1]
    old, new = f"On {month} {meeting.day}", f"On {meeting.day} {month}"
    if old not in record.text:
        return None
    return _rebuild(
        record, record.text.replace(old, new), lambda s: s.replace(old, new), record.doc_id + SEPARATOR + "format"
    )


def variants(records: Sequence[GoldRecord]) -> list[GoldRecord]:
    """The contrast split: each document followed by its variants, in document order.

    A rule that cannot change a document consistently — a date written in a form it does
    not rewrite ("April 18th", "the 26th"), so that a quote would no longer be found — makes
    no variant of it, rather than a wrong one: every variant kept passes :func:`check`.
    """
    makers: list[Callable[[GoldRecord, int], GoldRecord | None]] = [
        lambda r, i: rename(r, INVENTED_NAMES[i % len(INVENTED_NAMES)]),
        lambda r, i: move_date(r),
        lambda r, i: reorder(r),
        lambda r, i: reformat(r),
    ]
    out: list[GoldRecord] = []
    for i, record in enumerate(records):
        out.append(record)
        for make in makers:
            try:
                made = make(record, i)
            except ValueError:  # a quote not found again, or a gold value no longer valid
                continue
            if made is not None and not check(made):
                out.append(made)
    return out


def check(record: GoldRecord) -> list[str]:
    """What is wrong with a variant: every span must be its quote, dates must be ordered."""
    problems = []
    for _, span in record.evidence_spans():
        if record.text[span.start : span.end] != span.quote:
            problems.append(f"{record.doc_id}: span {span.start}-{span.end} is not its quote {span.quote[:40]!r}")
    if record.publication_date and record.meeting_date > record.publication_date:
        problems.append(f"{record.doc_id}: meeting after publication")
    if not problems:
        # the variant's gold, given as an answer, must earn everything, as the original's does
        # (its summary carrying every unit, each directive its own): a rule that changed a
        # value in one place and not in another made a wrong gold
        from .matching import carries_unit, same_directive

        for unit in record.summary_units:
            if not carries_unit(record.summary, unit.text).hit:
                problems.append(f"{record.doc_id}: the summary no longer carries {unit.text[:40]!r}")
        for d in record.directives:
            if not same_directive(d.text, d.text).hit and same_directive(d.text, d.text).reason != "no content words":
                problems.append(f"{record.doc_id}: directive {d.text[:40]!r} is not itself")
    return problems
