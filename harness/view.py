"""``harness view``: one self-contained HTML page to look at runs.

    harness view results/rules.json [results/lead.json ...] [-o report.html]

The page needs no network and no other file: its style is inline, its chart is SVG. It has

* a chart of every headline score of each run, mean and 95 % interval, on an axis from 0 to
  1 with each mean printed, and the human row (a run whose source is ``human``) drawn as the
  ceiling where it is among the runs;
* a table of each run's scores per document;
* with two runs, their paired comparison per score, over the documents both scored;
* a filter of the document sections: all, only those a run failed on or could not use a
  field of, only those with a miss;
* a section per document: each run's meeting date and presider beside the gold, marked right
  or wrong (a publication date given for the meeting date is named as such); a failed
  document's error and raw reply, and the fields a run could not use; the source text with
  the gold's evidence marked; each run's matched directive pairs with their similarity,
  verdict and reason, and the gold and predicted directives left unpaired; and the
  summaries, with the gold units each carried and the facts each stated wrongly.

Everything that comes from a prediction or a record is escaped; the page runs no script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .compare import compare_runs
from .dataset import DatasetRef
from .errors import HarnessError
from .matching import SummaryVerdict
from .metrics import HEADLINE, LABELS, OVERALL, Matching, Pair
from .records import DocumentResult, RunRecord
from .schema import GoldRecord, Reference

# The filter is three radio inputs placed before the document sections, so that a CSS sibling
# selector (``~``) can hide the sections a choice leaves out: no script needed.
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafafa}
header,section{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
td.l,th.l{text-align:left}.hit{background:#e6f4ea}.miss{background:#fdecea}.none{color:#888}
.text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:10px;max-height:420px;overflow:auto}
mark{background:#fff2a8}.cols{display:flex;gap:16px}.cols>div{flex:1;background:#fff;border:1px solid #ddd;padding:8px}
nav a{margin-right:10px}.legend span{margin-right:14px}
.facts td{text-align:left}.trap{font-weight:bold}
.problems{background:#fff;border:1px solid #d93025;padding:4px 10px;margin:8px 0}
pre.reply{white-space:pre-wrap;word-break:break-all;background:#f3f3f3;border:1px solid #ddd;padding:8px;
max-height:300px;overflow:auto}
ol.units li,ol.unmatched li{padding:1px 4px;margin:1px 0}
input.show{position:absolute;opacity:0}
.filter label{display:inline-block;margin:0 8px 4px 0;padding:2px 10px;border:1px solid #aaa;border-radius:12px;
cursor:pointer;background:#fff}
#show-all:checked~#documents label[for=show-all],#show-failed:checked~#documents label[for=show-failed],
#show-miss:checked~#documents label[for=show-miss]{background:#1d2330;color:#fff}
#show-failed:checked~section.doc:not(.doc-failed),#show-miss:checked~section.doc:not(.doc-miss){display:none}
#show-failed:checked~header nav a:not(.doc-failed),#show-miss:checked~header nav a:not(.doc-miss){display:none}
section.empty{display:none}
#show-failed:checked~section.empty.doc-failed,#show-miss:checked~section.empty.doc-miss{display:block}
"""
COLOURS = ("#3367d6", "#e8710a", "#188038", "#a142f4", "#d93025", "#12a4af")
#: The chart's axis: a tick and a gridline at each of these scores.
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _gold_for(record: RunRecord) -> dict[str, GoldRecord]:
    source = record.dataset.source
    try:
        gold = DatasetRef.of_record(source, record.dataset.config, record.dataset.split).load()
    except HarnessError as exc:
        raise HarnessError(f"cannot show the documents of {record.run_id}: {exc}") from None
    if gold.sha256 != record.dataset.sha256:
        raise HarnessError(f"{record.run_id}: the dataset at {source} is not the version the run scored")
    return gold.by_id()


# ------------------------------------------------------------------------------ the chart


def _axis(left: int, scale: float, top: int, bottom: int) -> list[str]:
    """Gridlines and tick labels at :data:`TICKS`, and the axis line under the bars."""
    parts = []
    for tick in TICKS:
        x = left + tick * scale
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="#e2e2e2" '
            'shape-rendering="crispEdges"/>'
        )
        label = "0" if tick == 0 else f"{tick:.1f}"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle">{label}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{left + scale:.1f}" y1="{bottom}" y2="{bottom}" stroke="#666"/>')
    return parts


def chart(runs: Sequence[RunRecord]) -> str:
    """An SVG bar chart: one group of bars per headline score on an axis from 0 to 1, each bar
    with its mean printed and a whisker for its interval."""
    # A score that applied to no document of some run (no directive with evidence) is not drawn.
    scores = [s for s in HEADLINE if all(s in r.aggregates for r in runs)]
    human = next((r for r in runs if r.model.source == "human"), None)
    shown = [r for r in runs if r is not human]
    # the right margin leaves room for the value printed after a bar or whisker that reaches 1
    width, row, left, top = 760, 18 * max(1, len(shown)) + 14, 150, 10
    scale = width - left - 60
    bottom = top + row * len(scores)
    parts = [
        f'<svg role="img" aria-label="scores" width="{width}" height="{bottom + 22}" '
        'xmlns="http://www.w3.org/2000/svg">',
        *_axis(left, scale, top - 4, bottom),
    ]
    for i, name in enumerate(scores):
        y0 = top + i * row
        parts.append(f'<text x="0" y="{y0 + 12}" font-size="12">{_e(LABELS[name])}</text>')
        for j, run in enumerate(shown):
            agg = run.aggregates[name]
            y = y0 + j * 18
            colour = COLOURS[j % len(COLOURS)]
            parts.append(
                f'<rect x="{left}" y="{y}" width="{agg.mean * scale:.1f}" height="12" fill="{colour}">'
                f"<title>{_e(run.model.name)}: {agg.mean:.3f} [{agg.ci_low:.3f}, {agg.ci_high:.3f}]</title></rect>"
            )
            parts.append(
                f'<line class="whisker" x1="{left + agg.ci_low * scale:.1f}" x2="{left + agg.ci_high * scale:.1f}" '
                f'y1="{y + 6}" y2="{y + 6}" stroke="#222" stroke-width="1.5"/>'
            )
            # printed past both the bar and its whisker, so neither hides it
            x = left + max(agg.mean, agg.ci_high) * scale + 4
            parts.append(f'<text class="value" x="{x:.1f}" y="{y + 10}" font-size="10">{agg.mean:.3f}</text>')
        if human is not None:
            x = left + human.aggregates[name].mean * scale
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0 - 2}" y2="{y0 + row - 12}" stroke="#000" '
                f'stroke-dasharray="3,2"><title>human: {human.aggregates[name].mean:.3f}</title></line>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span><svg width="10" height="10"><rect width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/></svg> '
        f"{_e(r.model.name)}</span>"
        for j, r in enumerate(shown)
    )
    if human is not None:
        legend += f"<span>dashed line: {_e(human.model.name)} (human ceiling)</span>"
    return "".join(parts) + f'<div class="legend">{legend}</div>'


# -------------------------------------------------------------------------- run tables


def _scores_table(run: RunRecord) -> str:
    head = "".join(f"<th>{_e(LABELS[s])}</th>" for s in HEADLINE)
    rows = "".join(
        f'<tr><td class="l"><a href="#doc-{_e(d.doc_id)}">{_e(d.doc_id)}</a></td>'
        + "".join(f"<td>{d.scores[s]:.3f}</td>" if s in d.scores else "<td>n/a</td>" for s in HEADLINE)
        + f'<td class="l">{_e(d.error or "")}</td></tr>'
        for d in run.documents
    )
    return f'<table><tr><th class="l">document</th>{head}<th class="l">error</th></tr>{rows}</table>'


def _comparison(a: RunRecord, b: RunRecord) -> str:
    comparison = compare_runs(a, b)
    rows = "".join(
        f'<tr><td class="l">{_e(name)}</td><td>{comparison.means_a[name]:.3f}</td><td>{comparison.means_b[name]:.3f}'
        f"</td><td>{d.mean:+.3f}</td><td>[{d.low:+.3f}, {d.high:+.3f}]</td><td>{d.p_value:.3f}</td></tr>"
        for name, d in comparison.differences.items()
    )
    per_doc = "".join(
        f'<tr><td class="l">{_e(doc)}</td><td>{a.per_doc_scores()[doc][OVERALL]:.3f}</td>'
        f"<td>{b.per_doc_scores()[doc][OVERALL]:.3f}</td>"
        f"<td>{a.per_doc_scores()[doc][OVERALL] - b.per_doc_scores()[doc][OVERALL]:+.3f}</td></tr>"
        for doc in sorted(set(a.per_doc_scores()) & set(b.per_doc_scores()))
    )
    return (
        f"<p>A: {_e(a.model.name)}; B: {_e(b.model.name)}; over the {comparison.documents} documents both "
        "scored; paired bootstrap 95 % interval; exact sign-flip p.</p>"
        f'<table><tr><th class="l">score</th><th>A</th><th>B</th><th>A − B</th><th>95% CI</th><th>p</th></tr>{rows}'
        f'</table><table><tr><th class="l">document</th><th>A overall</th><th>B overall</th><th>A − B</th></tr>'
        f"{per_doc}</table>"
    )


# ------------------------------------------------------------------- one run, one document


@dataclass(frozen=True)
class _Answer:
    """One run's answer to one document, with the verdicts the page shows of it."""

    run: RunRecord
    doc: DocumentResult
    gold: GoldRecord
    reference: Reference

    def unusable(self, field: str) -> str | None:
        """Why the prediction's ``field`` could not be used, or None when it was used. The
        record names whole fields only; an unknown key that looks like a path into one
        (``presider.alt``) is not that field."""
        return self.doc.unusable.get(field)

    def right(self, score: str) -> bool:
        """Whether the record scored this document's ``score`` (date, presider) as right."""
        return self.doc.scores.get(score, 0.0) == 1.0

    @cached_property
    def units(self) -> SummaryVerdict:
        """The summary's verdict, recomputed by the matcher from the record's prediction (the
        record keeps only its score): which gold units it carried, the facts it stated wrongly."""
        return Pair(self.doc.prediction, self.reference, Matching(self.run.threshold)).summary_verdict

    @property
    def unit_marks(self) -> tuple[bool, ...] | None:
        """Which units the summary carried, or None where the page cannot say: a model judge
        decided them (the record keeps no per-unit verdicts), the summary was unusable, or the
        recomputed verdict does not give the recorded score (a record of another version)."""
        recorded = self.doc.scores.get("summary_unit_recall")
        if self.doc.judged or self.unusable("summary") is not None or recorded is None:
            return None
        return self.units.carried if abs(self.units.score - recorded) < 1e-9 else None

    @property
    def hit_golds(self) -> set[int]:
        """The gold directives a predicted one hit."""
        return {pair[1] for pair in self.doc.pairs if pair[3]}

    @property
    def failed(self) -> bool:
        """The run failed on the document, or could not use a field of its prediction."""
        return bool(self.doc.error or self.doc.unusable)

    @property
    def missed(self) -> bool:
        """A date or presider wrong, a gold directive not hit, a unit not carried or a fact
        stated wrongly (a judged summary: its score short of 1, the only verdict kept)."""
        marks = self.unit_marks
        summary_short = (
            not all(marks) or bool(self.units.errors)
            if marks is not None
            else self.doc.scores.get("summary_unit_recall", 1.0) < 1.0
        )
        return (
            not self.right("date_accuracy")
            or not self.right("presider_accuracy")
            or len(self.hit_golds) < len(self.gold.directives)
            or summary_short
        )


def _mark(right: bool) -> str:
    return "✓ right" if right else "✗ wrong"


def _answer_cell(answer: _Answer, field: str, score: str) -> str:
    """A run's answer for ``field`` (the meeting date or the presider), marked right or wrong
    by its ``score``; a publication date given as the meeting date is named: it is the trap
    the benchmark sets."""
    reason = answer.unusable(field)
    if reason is not None:
        return f'<td class="miss">✗ unusable: {_e(reason)}</td>'
    predicted = getattr(answer.doc.prediction, field)
    right = answer.right(score)
    shown = _e(predicted) if predicted else '<span class="none">(none given)</span>'
    trap = ""
    if field == "meeting_date" and not right and predicted and predicted == answer.gold.publication_date:
        trap = ' <span class="trap">(the publication date, not the meeting date)</span>'
    return f'<td class="{"hit" if right else "miss"}">{shown} — {_mark(right)}{trap}</td>'


def _facts(doc_id: str, answers: Sequence[_Answer], gold: GoldRecord) -> str:
    """The meeting date and presider: the gold, then each run's answer marked right or wrong."""
    # the publication date, where it is not the meeting date: the answer a careless reader gives
    published = (
        f' <span class="none">(published {_e(gold.publication_date)})</span>'
        if gold.publication_date and gold.publication_date != gold.meeting_date
        else ""
    )
    presider = _e(gold.presider.name) if gold.presider else '<span class="none">(no presider)</span>'
    head = "".join(f'<th class="l">{_e(a.run.model.name)}</th>' for a in answers)
    return (
        f'<table class="facts" id="doc-{_e(doc_id)}-facts"><tr><th class="l">field</th><th class="l">gold</th>{head}'
        f"</tr><tr><td>meeting date</td><td>{_e(gold.meeting_date)}{published}</td>"
        + "".join(_answer_cell(a, "meeting_date", "date_accuracy") for a in answers)
        + f"</tr><tr><td>presider</td><td>{presider}</td>"
        + "".join(_answer_cell(a, "presider", "presider_accuracy") for a in answers)
        + "</tr></table>"
    )


def _problems(doc_id: str, answers: Sequence[_Answer]) -> str:
    """What went wrong in getting an answer: a run's error and raw reply, and the fields it
    could not use (scored 0). Empty when every run answered in full."""
    blocks = []
    for a in answers:
        if a.doc.error:
            reply = (
                f'<p>Its raw reply:</p><pre class="reply">{_e(a.doc.reply)}</pre>'
                if a.doc.reply is not None
                else '<p class="none">(no raw reply kept)</p>'
            )
            blocks.append(
                f'<p><b>{_e(a.run.model.name)}</b> failed: <span class="error">{_e(a.doc.error)}</span></p>{reply}'
            )
        if a.doc.unusable:
            items = "".join(f"<li>{_e(field)}: {_e(reason)}</li>" for field, reason in a.doc.unusable.items())
            blocks.append(
                f"<p><b>{_e(a.run.model.name)}</b>: fields that could not be used, scored 0:</p>"
                f'<ul class="unusable">{items}</ul>'
            )
    if not blocks:
        return ""
    return f'<div class="problems" id="doc-{_e(doc_id)}-problems"><h3>Problems</h3>{"".join(blocks)}</div>'


def _marked_text(gold: GoldRecord) -> str:
    spans = sorted({(s.start, s.end) for _, s in gold.evidence_spans()})
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlapping quotes: mark the rest of the later one
            start = at
        if start >= end:
            continue
        out.append(_e(gold.text[at:start]) + f"<mark>{_e(gold.text[start:end])}</mark>")
        at = end
    out.append(_e(gold.text[at:]))
    return "".join(out)


def _unmatched(title: str, css: str, texts: Sequence[str], indices: Sequence[int]) -> str:
    """A numbered list of directives no pair holds (numbered as in their own list, from 1)."""
    if not indices:
        return f'<div><b>{title}</b><p class="none">(none)</p></div>'
    items = "".join(f'<li value="{i + 1}">{_e(texts[i])}</li>' for i in indices)
    return f'<div><b>{title} ({len(indices)})</b><ol class="unmatched {css}">{items}</ol></div>'


def _directives(answer: _Answer) -> str:
    """A run's directive pairs, each with its similarity, verdict and reason (a pair that is
    not a hit is a miss: the assignment paired them, the matcher did not accept it), then the
    gold and the predicted directives that no pair holds."""
    document = answer.doc
    predicted = document.prediction.directive_texts
    golds = [d.text for d in answer.gold.directives]
    rows = []
    for p, g, similarity, hit, reason, *_ in sorted(document.pairs, key=lambda pair: pair[1]):
        if g >= len(golds) or p >= len(predicted):
            raise HarnessError(f"{document.doc_id}: a matched pair points past the directives; the record is not sound")
        verdict = "hit" if hit else "miss"
        rows.append(
            f'<tr class="{verdict}"><td class="l">{g + 1}. {_e(golds[g])}</td><td class="l">{p + 1}. {_e(predicted[p])}'
            f'</td><td>{similarity:.2f}</td><td class="l">{verdict}: {_e(reason)}</td></tr>'
        )
    paired_g = {pair[1] for pair in document.pairs}
    paired_p = {pair[0] for pair in document.pairs}
    table = (
        f"<table class='pairs'><tr><th class='l'>gold</th><th class='l'>predicted</th><th>similarity</th>"
        f"<th class='l'>verdict</th></tr>{''.join(rows)}</table>"
        if rows
        else '<p class="none">(no pairs: one side has no directive)</p>'
    )
    lists = _unmatched(
        "Gold directives no prediction was paired with",
        "gold",
        golds,
        [g for g in range(len(golds)) if g not in paired_g],
    ) + _unmatched(
        "Predicted directives paired with no gold directive",
        "predicted",
        predicted,
        [p for p in range(len(predicted)) if p not in paired_p],
    )
    reason = answer.unusable("directives")
    note = (
        f'<p class="miss">The directives could not be used ({_e(reason)}); scored 0.</p>' if reason is not None else ""
    )
    name = _e(answer.run.model.name)
    return f'<div class="run-directives"><h4>{name}: directives</h4>{note}{table}<div class="cols">{lists}</div></div>'


def _unit_list(answer: _Answer) -> str:
    """The gold units marked as this run's summary carried them, or why they are not marked."""
    units = answer.gold.summary_units
    score = answer.doc.scores.get("summary_unit_recall")
    said = f"summary units: {score:.3f}" if score is not None else ""
    marks = answer.unit_marks
    if marks is None:
        reason = answer.unusable("summary")
        if reason is not None:
            why = f"The summary could not be used ({_e(reason)}); scored 0."
        elif answer.doc.judged:
            why = "A model judge decided which units this summary carries; the record keeps no per-unit verdicts."
        else:
            why = "The units cannot be marked: the matcher's verdicts today do not give the recorded score."
        return f'<p class="units-note">{why} {said}</p>'
    items = "".join(
        f'<li class="hit">✓ carried: {_e(unit.text)}</li>'
        if carried
        else f'<li class="miss">✗ not carried: {_e(unit.text)}</li>'
        for unit, carried in zip(units, marks, strict=True)
    )
    return f'<p>{said}: {sum(marks)} of {len(marks)} units carried</p><ol class="units">{items}</ol>'


def _errors(answer: _Answer) -> str:
    """The facts the summary states wrongly (each halves its unit score)."""
    if answer.unusable("summary") is not None:
        return ""
    if not answer.units.errors:
        return '<p class="none">No fact stated wrongly.</p>'
    items = "".join(f"<li>{_e(e)}</li>" for e in answer.units.errors)
    return f'<p>Stated wrongly (each halves the unit score):</p><ul class="errors">{items}</ul>'


def _summaries(doc_id: str, answers: Sequence[_Answer], gold: GoldRecord) -> str:
    units = "".join(f"<li>{_e(u.text)}</li>" for u in gold.summary_units)
    runs = "".join(
        f"<div><b>{_e(a.run.model.name)}</b><p>{_e(a.doc.prediction.summary)}</p>{_unit_list(a)}{_errors(a)}</div>"
        for a in answers
    )
    return (
        f'<div class="cols" id="doc-{_e(doc_id)}-summaries"><div><b>gold</b><p>{_e(gold.summary)}</p><b>units</b>'
        f"<ol>{units}</ol></div>{runs}</div>"
    )


def _document(doc_id: str, answers: Sequence[_Answer], gold: GoldRecord) -> str:
    """A document's section, with the classes the filter selects on (:func:`_classes`)."""
    directives = "".join(_directives(a) for a in answers)
    return (
        f'<section id="doc-{_e(doc_id)}" class="doc {_classes(answers)}"><h2>{_e(doc_id)}</h2>'
        f"<h3>Meeting date and presider</h3>{_facts(doc_id, answers, gold)}{_problems(doc_id, answers)}"
        f'<h3>Source text, gold evidence marked</h3><div class="text">{_marked_text(gold)}</div>'
        f'<h3>Directives</h3><div class="directives" id="doc-{_e(doc_id)}-directives">{directives}</div>'
        f"<h3>Summaries</h3>{_summaries(doc_id, answers, gold)}</section>"
    )


def _classes(answers: Sequence[_Answer]) -> str:
    """``doc-failed`` when some run failed on the document or could not use a field of it,
    ``doc-miss`` when some answer has a miss, else ``doc-clean``. (Not ``miss``: that class
    colours a cell, and would colour the whole section.)"""
    classes = []
    if any(a.failed for a in answers):
        classes.append("doc-failed")
    if any(a.missed for a in answers):
        classes.append("doc-miss")
    return " ".join(classes) or "doc-clean"


# ------------------------------------------------------------------------------- filter


def _filter(classes: dict[str, str]) -> tuple[str, str]:
    """The filter's radio inputs (to stand before every document section: the CSS hides
    sections through the ``~`` selector) and its labels, with how many documents each shows."""
    failed = sum("doc-failed" in c.split() for c in classes.values())
    missed = sum("doc-miss" in c.split() for c in classes.values())
    inputs = (
        '<input class="show" type="radio" name="show" id="show-all" checked>'
        '<input class="show" type="radio" name="show" id="show-failed">'
        '<input class="show" type="radio" name="show" id="show-miss">'
    )
    labels = (
        '<section id="documents"><h2>Documents</h2><p class="filter">Show: '
        f'<label for="show-all">all documents ({len(classes)})</label>'
        f'<label for="show-failed">only failed or with unusable fields ({failed})</label>'
        f'<label for="show-miss">only with a miss ({missed})</label></p>'
        '<p class="none">A miss: a date or presider wrong, a gold directive not hit, a summary unit not carried '
        "or a fact stated wrongly.</p></section>"
    )
    # a choice that hides every section says so, instead of showing nothing
    if not failed:
        labels += '<section class="empty doc-failed"><p>No document failed or had an unusable field.</p></section>'
    if not missed:
        labels += '<section class="empty doc-miss"><p>No document has a miss.</p></section>'
    return inputs, labels


def render(runs: Sequence[RunRecord]) -> str:
    """The report of ``runs`` as one HTML page."""
    if not runs:
        raise HarnessError("give at least one run record")
    versions = {r.dataset.sha256 for r in runs}
    if len(versions) > 1:
        raise HarnessError("the runs are of different dataset versions; view them separately")
    gold = _gold_for(runs[0])
    names = ", ".join(r.model.name for r in runs)
    comparable = [r for r in runs if r.model.source != "human"]
    comparison = (
        f"<section><h2>Paired comparison</h2>{_comparison(comparable[0], comparable[1])}</section>"
        if len(comparable) == 2
        else ""
    )
    doc_ids = [d.doc_id for d in runs[0].documents if d.doc_id in gold]
    answers = {doc_id: _answers(doc_id, runs, gold[doc_id]) for doc_id in doc_ids}
    classes = {doc_id: _classes(a) for doc_id, a in answers.items()}
    inputs, labels = _filter(classes)
    nav = "".join(f'<a class="{classes[d]}" href="#doc-{_e(d)}">{_e(d)}</a>' for d in doc_ids)
    per_run = "".join(f"<h3>{_e(r.model.name)}</h3>{_scores_table(r)}" for r in runs)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>PolicyBench report: {_e(names)}</title><style>{STYLE}</style></head><body>{inputs}"
        f"<header><h1>PolicyBench report</h1><p>Runs: {_e(names)}. Dataset version "
        f"<code>{_e(runs[0].dataset.sha256[:12])}</code> ({_e(runs[0].dataset.config)}, "
        f"{runs[0].dataset.documents} documents).</p><nav>{nav}</nav></header>"
        f'<section id="scores"><h2>Scores</h2>{chart(runs)}</section>'
        f"<section><h2>Per document</h2>{per_run}</section>{comparison}{labels}"
        + "".join(_document(d, answers[d], gold[d]) for d in doc_ids)
        + "</body></html>\n"
    )


def _answers(doc_id: str, runs: Sequence[RunRecord], gold: GoldRecord) -> list[_Answer]:
    """Each run's answer to the document, for the runs that have one."""
    reference = Reference.from_gold(gold)
    return [
        _Answer(run, document, gold, reference)
        for run in runs
        for document in run.documents
        if document.doc_id == doc_id
    ]


def write_report(runs: Sequence[RunRecord], out: Path) -> Path:
    from .files import write_atomic

    write_atomic(out, render(runs).encode("utf-8"))
    return out
