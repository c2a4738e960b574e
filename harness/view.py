"""``harness view``: one self-contained HTML page to look at runs.

    harness view results/rules.json [results/lead.json ...] [-o report.html]

The page needs no network and no other file: its style is inline, its chart is SVG. It has

* a chart of every headline score of each run, mean and 95 % interval, with the human row
  (a run whose source is ``human``) drawn as the ceiling where it is among the runs;
* a table of each run's scores per document;
* with two runs, their paired comparison per score, over the documents both scored;
* a section per document: the source text with the gold's evidence marked, the gold and the
  predicted directives side by side with each matched pair's similarity, verdict and reason
  (and what stayed unmatched), and the summaries side by side.

Everything that comes from a prediction or a record is escaped; the page runs no script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from .dataset import bundled, load_gold
from .errors import HarnessError
from .metrics import HEADLINE, LABELS, OVERALL
from .records import RunRecord
from .report import compare_runs
from .schema import GoldRecord

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafafa}
header,section{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
td.l,th.l{text-align:left}.hit{background:#e6f4ea}.miss{background:#fdecea}.none{color:#888}
.text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:10px;max-height:420px;overflow:auto}
mark{background:#fff2a8}.cols{display:flex;gap:16px}.cols>div{flex:1;background:#fff;border:1px solid #ddd;padding:8px}
nav a{margin-right:10px}.legend span{margin-right:14px}
"""
COLOURS = ("#3367d6", "#e8710a", "#188038", "#a142f4", "#d93025", "#12a4af")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _gold_for(record: RunRecord) -> dict[str, GoldRecord]:
    source = record.dataset.source
    path = bundled() if source == "bundled" else source
    try:
        gold = load_gold(path, record.dataset.split, record.dataset.config)
    except HarnessError as exc:
        raise HarnessError(f"cannot show the documents of {record.run_id}: {exc}") from None
    if gold.sha256 != record.dataset.sha256:
        raise HarnessError(f"{record.run_id}: the dataset at {source} is not the version the run scored")
    return gold.by_id()


def chart(runs: Sequence[RunRecord]) -> str:
    """An SVG bar chart: one group of bars per headline score, a whisker for the interval."""
    # A score that applied to no document of some run (no directive with evidence) is not drawn.
    scores = [s for s in HEADLINE if all(s in r.aggregates for r in runs)]
    human = next((r for r in runs if r.model.source == "human"), None)
    shown = [r for r in runs if r is not human]
    width, row, left = 760, 18 * max(1, len(shown)) + 14, 150
    height = row * len(scores) + 30
    parts = [
        f'<svg role="img" aria-label="scores" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    scale = width - left - 20
    for i, name in enumerate(scores):
        y0 = 10 + i * row
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
                f'<line x1="{left + agg.ci_low * scale:.1f}" x2="{left + agg.ci_high * scale:.1f}" y1="{y + 6}" '
                f'y2="{y + 6}" stroke="#222" stroke-width="1.5"/>'
            )
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


def _marked_text(gold: GoldRecord) -> str:
    spans = sorted(
        {(s.start, s.end) for d in gold.directives for s in d.evidence}
        | {(s.start, s.end) for s in gold.meeting_date_evidence}
        | {(s.start, s.end) for s in (gold.presider.evidence if gold.presider else [])}
    )
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


def _directive_rows(run: RunRecord, doc_id: str, gold: GoldRecord) -> str:
    document = next(d for d in run.documents if d.doc_id == doc_id)
    predicted = document.prediction.directive_texts
    golds = [d.text for d in gold.directives]
    rows, seen_p, seen_g = [], set(), set()
    for p, g, similarity, hit, reason, *_ in sorted(document.pairs, key=lambda pair: pair[1]):
        if g >= len(golds) or p >= len(predicted):
            raise HarnessError(f"{document.doc_id}: a matched pair points past the directives; the record is not sound")
        seen_p.add(p)
        seen_g.add(g)
        rows.append(
            f'<tr class="{"hit" if hit else "miss"}"><td class="l">{_e(golds[g])}</td><td class="l">{_e(predicted[p])}'
            f'</td><td>{similarity:.2f}</td><td class="l">{"hit" if hit else "miss"}: {_e(reason)}</td></tr>'
        )
    rows += [
        f'<tr><td class="l">{_e(text)}</td><td class="l none">(no prediction matched)</td><td></td><td></td></tr>'
        for g, text in enumerate(golds)
        if g not in seen_g
    ]
    rows += [
        f'<tr><td class="l none">(no gold directive)</td><td class="l">{_e(text)}</td><td></td><td></td></tr>'
        for p, text in enumerate(predicted)
        if p not in seen_p
    ]
    return (
        f"<h4>{_e(run.model.name)}: directives</h4><table><tr><th class='l'>gold</th><th class='l'>predicted</th>"
        f"<th>similarity</th><th class='l'>verdict</th></tr>{''.join(rows)}</table>"
    )


def _document(doc_id: str, runs: Sequence[RunRecord], gold: GoldRecord) -> str:
    summaries = "".join(
        f"<div><b>{_e(r.model.name)}</b><p>{_e(next(d for d in r.documents if d.doc_id == doc_id).prediction.summary)}"
        "</p></div>"
        for r in runs
        if any(d.doc_id == doc_id for d in r.documents)
    )
    directives = "".join(_directive_rows(r, doc_id, gold) for r in runs if any(d.doc_id == doc_id for d in r.documents))
    units = "".join(f"<li>{_e(u.text)}</li>" for u in gold.summary_units)
    return (
        f'<section id="doc-{_e(doc_id)}"><h2>{_e(doc_id)}</h2>'
        f"<p>Gold: meeting on {_e(gold.meeting_date)}; presider {_e(gold.presider.name if gold.presider else '—')}."
        "</p><h3>Source text, gold evidence marked</h3>"
        f'<div class="text">{_marked_text(gold)}</div><h3>Directives</h3>{directives}'
        f'<h3>Summaries</h3><div class="cols"><div><b>gold</b><p>{_e(gold.summary)}</p><b>units</b><ul>{units}</ul>'
        f"</div>{summaries}</div></section>"
    )


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
    doc_ids = [d.doc_id for d in runs[0].documents]
    nav = "".join(f'<a href="#doc-{_e(d)}">{_e(d)}</a>' for d in doc_ids)
    per_run = "".join(f"<h3>{_e(r.model.name)}</h3>{_scores_table(r)}" for r in runs)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>PolicyBench report: {_e(names)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>PolicyBench report</h1><p>Runs: {_e(names)}. Dataset version "
        f"<code>{_e(runs[0].dataset.sha256[:12])}</code> ({_e(runs[0].dataset.config)}, "
        f"{runs[0].dataset.documents} documents).</p><nav>{nav}</nav></header>"
        f"<section><h2>Scores</h2>{chart(runs)}</section>"
        f"<section><h2>Per document</h2>{per_run}</section>{comparison}"
        + "".join(_document(d, runs, gold[d]) for d in doc_ids if d in gold)
        + "</body></html>\n"
    )


def write_report(runs: Sequence[RunRecord], out: Path) -> Path:
    from .files import write_atomic

    write_atomic(out, render(runs).encode("utf-8"))
    return out
