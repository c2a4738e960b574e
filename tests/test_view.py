"""`harness view`: the HTML report, opened in a real headless browser (Debian's Chromium).

.ci/run installs Chromium when it is missing; elsewhere the browser tests are skipped
without one (and fail in CI, where CI=true, rather than skip).

Each part of a document's section (date and presider, summary units, failures, directives),
the chart and the filter is checked three ways: in the HTML file, in the DOM Chromium built
from it (--dump-dom), and on a screenshot (its colours, decoded with zlib: no imaging
library). The filter is CSS, which --dump-dom cannot show: a probe in a test copy of the page
reads the layout, and two screenshots show the two choices differ as they should.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from conftest import ROOT, run_harness

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOC0 = "000_a426189bb560bcb6"
HOSTILE = "<script>document.title='pwned'</script> \"quoted\" & <b>bold</b>"


def browser(url: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium on this machine")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    return subprocess.run([CHROMIUM, *flags, *args, url], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("view")
    predictions = tmp / "hostile.jsonl"
    predictions.write_text(
        json.dumps({"doc_id": DOC0, "directives": [HOSTILE, "Expand exports."], "summary": HOSTILE}) + "\n"
    )
    assert (
        run_harness("score", predictions, "--name", "hostile <i>name</i>", "-o", tmp / "hostile.json").returncode == 0
    )
    out = tmp / "report.html"
    result = run_harness(
        "view", ROOT / "results" / "rules.json", tmp / "hostile.json", ROOT / "results" / "annotator-b.json", "-o", out
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_page_needs_no_network_and_runs_no_script(report):
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert html.escape(HOSTILE, quote=True) in page
    assert "hostile &lt;i&gt;name&lt;/i&gt;" in page
    # none of these runs failed: that choice of the filter says so rather than show nothing
    assert '<section class="empty doc-failed"><p>No document failed or had an unusable field.</p></section>' in page


def test_the_browser_shows_scores_documents_and_pairs(report, tmp_path):
    dom = browser(report.as_uri(), tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    text = dom.stdout
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert title.startswith("PolicyBench report: rules, hostile") and "pwned" not in title
    assert len(re.findall(r"<script", text)) == 0  # the hostile prediction stayed text
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in text
    for doc_id in ("000_a426189bb560bcb6", "004_90b535bf10fac4a6"):
        assert f'id="doc-{doc_id}"' in text
    assert "dashed line: second annotator (human ceiling)" in text
    assert "Paired comparison" in text  # two runs besides the human row
    assert "hit: same" in text and "Gold directives no prediction was paired with (" in text
    assert text.count("<mark>") > 50  # the gold's evidence marked in the source texts


def test_a_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    result = browser(report.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1200,1400")
    assert result.returncode == 0, result.stderr[-500:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_view_refuses_what_it_cannot_show(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = run_harness("view", bad, "-o", tmp_path / "r.html")
    assert result.returncode == 2 and result.stderr.startswith(f"harness view: {bad}:")
    result = run_harness("view", ROOT / "results" / "rules.json", "-o", tmp_path)
    assert result.returncode == 2 and "is a folder" in result.stderr


# ---------------------------------------------------------- what the report shows of answers
#
# One run of a predictions file written here, with an answer of each kind a reader looks for;
# what a predictions file cannot say (a failure, its raw reply, an unusable field, a judged
# document) is set on the record before `harness view` reads it back (and validates it).

CLEAN = DOC0  # the gold's own answers: nothing wrong
JUDGED = "001_4943538ee7176661"  # the gold's answers, its units decided by a model judge
FAILED = "002_8982f7aa523ccc91"  # the extractor failed: an error and a raw reply
TRAP = "003_24193c0774f0a70f"  # met on 2022-10-07, published on 2022-10-08
UNUSABLE = "004_90b535bf10fac4a6"  # a date that could not be used, one invented directive
INVENTED = "Build a space elevator in Shenyang by 2025."
TRAP_SUMMARY = (
    "On 8 October 2022 the provincial government's Party group held an enlarged meeting on epidemic "
    "prevention, economic stability and safety, and asked the province to prevent major accidents and help "
    "people in need."
)
ERROR = "LLMError: the reply is not JSON <b>(line 1)</b>"
REPLY = 'Sure! <script>alert("pwned")</script>\n{"meeting_date": "2023-05-22", & more'
UNUSABLE_REASON = "'10 Sept.' is not a date in YYYY-MM-DD form <i>sic</i>"
HIT, MISS = (230, 244, 234), (253, 236, 234)  # the page's .hit and .miss backgrounds


def _trap_prediction(gold) -> dict:
    record = gold.by_id()[TRAP]
    return {
        "doc_id": TRAP,
        "meeting_date": record.publication_date,  # the trap: the publication date
        "presider": "Hao Peng",  # Liaoning's party secretary, not this meeting's presider
        "directives": [record.directives[1].text, INVENTED],  # one exact, one invented
        "summary": TRAP_SUMMARY,  # carries some units, states the date wrongly
    }


def _with(record, doc_id: str, **fields):
    documents = [d.model_copy(update=fields) if d.doc_id == doc_id else d for d in record.documents]
    return record.model_copy(update={"documents": documents})


@pytest.fixture(scope="module")
def answered(tmp_path_factory, gold):
    """The record of the run described above and the report `harness view` made of it."""
    from harness.evaluate import score_file
    from harness.judge import JUDGED_SCORES
    from harness.records import write_record

    from conftest import answer_of

    tmp = tmp_path_factory.mktemp("answers")
    by_id = gold.by_id()
    unusable = answer_of(by_id[UNUSABLE]) | {"meeting_date": None}
    unusable["directives"] = [*unusable["directives"], INVENTED]
    lines = [
        {"doc_id": CLEAN, **answer_of(by_id[CLEAN])},
        {"doc_id": JUDGED, **answer_of(by_id[JUDGED])},
        {"doc_id": FAILED},
        _trap_prediction(gold),
        {"doc_id": UNUSABLE, **unusable},
    ]
    predictions = tmp / "answers.jsonl"
    predictions.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    record = score_file(predictions, name="answers")
    record = _with(record, FAILED, error=ERROR, reply=REPLY)
    record = _with(record, UNUSABLE, unusable={"meeting_date": UNUSABLE_REASON})
    record = _with(record, JUDGED, judged=True)
    record = record.model_copy(
        update={
            "failed_documents": 1,
            "judged_scores": list(JUDGED_SCORES),
            "matcher": {"judge": {"model": "test"}, "fallback": record.matcher},
        }
    )
    path = tmp / "answers.json"
    write_record(record, path)
    out = tmp / "answers.html"
    result = run_harness("view", path, "-o", out)
    assert result.returncode == 0, result.stderr
    return record, out


# ---------------------------------------------------------------------- reading the HTML

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class Node:
    """An element of a page: its tag, attributes and children (elements and strings)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """Every element below this one with the tag and class given, in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found

    def by_id(self, element_id: str) -> Node:
        found = [n for n in self.all() if n.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with the id {element_id!r}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


# ------------------------------------------------- the checks, for the file and for the DOM


def check_dates_and_presiders(page: Node, gold) -> None:
    trap = page.by_id(f"doc-{TRAP}-facts")
    date_row, presider_row = trap.all("tr")[1:]
    gold_cell, predicted = date_row.all("td")[1:]
    assert gold_cell.text == "2022-10-07 (published 2022-10-08)"
    assert predicted.classes == ["miss"]
    assert predicted.text == "2022-10-08 — ✗ wrong (the publication date, not the meeting date)"
    gold_cell, predicted = presider_row.all("td")[1:]
    assert gold_cell.text == "Li Lecheng" and predicted.classes == ["miss"]
    assert predicted.text == "Hao Peng — ✗ wrong"
    clean = page.by_id(f"doc-{CLEAN}-facts")
    record = gold.by_id()[CLEAN]
    cells = [row.all("td")[2] for row in clean.all("tr")[1:]]
    assert [c.classes for c in cells] == [["hit"], ["hit"]]
    assert [c.text for c in cells] == [f"{record.meeting_date} — ✓ right", f"{record.presider.name} — ✓ right"]
    unusable = page.by_id(f"doc-{UNUSABLE}-facts").all("tr")[1].all("td")[2]
    assert unusable.classes == ["miss"] and unusable.text == f"✗ unusable: {UNUSABLE_REASON}"


def _summary_column(page: Node, doc_id: str) -> Node:
    """The run's column of a document's summaries (the first is the gold's)."""
    return [c for c in page.by_id(f"doc-{doc_id}-summaries").children if isinstance(c, Node)][1]


def check_units(page: Node, gold, record) -> None:
    from harness.metrics import Matching, Pair
    from harness.schema import Prediction, Reference

    reference = Reference.from_gold(gold.by_id()[TRAP])
    expected = Pair(Prediction(**_trap_prediction(gold)), reference, Matching(record.threshold)).summary_verdict
    assert any(expected.carried) and not all(expected.carried)  # the case is worth showing
    column = _summary_column(page, TRAP)
    units = column.all("ol", "units")[0].all("li")
    assert [u.classes for u in units] == [["hit" if c else "miss"] for c in expected.carried]
    texts = [u.text for u in gold.by_id()[TRAP].summary_units]
    assert [u.text for u in units] == [
        f"{'✓ carried' if c else '✗ not carried'}: {t}" for c, t in zip(expected.carried, texts, strict=True)
    ]
    assert f"{sum(expected.carried)} of {len(texts)} units carried" in column.text
    assert [e.text for e in column.all("ul", "errors")[0].all("li")] == list(expected.errors)
    assert expected.errors == ("date: 8 October (the meeting was on 7 October)",)
    # a judged document: no per-unit marks, and it says why
    judged = _summary_column(page, JUDGED)
    assert not judged.all("ol", "units")
    assert "A model judge decided which units this summary carries" in judged.all("p", "units-note")[0].text
    assert [u.classes for u in _summary_column(page, CLEAN).all("ol", "units")[0].all("li")] == [["hit"]] * len(
        gold.by_id()[CLEAN].summary_units
    )


def check_problems(page: Node) -> None:
    failed = page.by_id(f"doc-{FAILED}-problems")
    assert failed.all("span", "error")[0].text == ERROR
    (reply,) = failed.all("pre", "reply")
    assert reply.text == REPLY and not reply.all()  # the reply stayed text: no element inside
    unusable = page.by_id(f"doc-{UNUSABLE}-problems")
    assert [li.text for li in unusable.all("ul", "unusable")[0].all("li")] == [f"meeting_date: {UNUSABLE_REASON}"]
    assert not [n for n in page.all() if n.attrs.get("id") == f"doc-{CLEAN}-problems"]


def check_directives(page: Node, gold, record) -> None:
    golds = [d.text for d in gold.by_id()[TRAP].directives]
    pairs = next(d for d in record.documents if d.doc_id == TRAP).pairs
    assert [(p, g, hit) for p, g, _, hit, *_ in sorted(pairs, key=lambda x: x[1])] == [(1, 0, False), (0, 1, True)]
    trap = page.by_id(f"doc-{TRAP}-directives")
    rows = trap.all("table", "pairs")[0].all("tr")[1:]
    assert [r.classes for r in rows] == [["miss"], ["hit"]]  # the invented one was paired, and missed
    miss_reason = next(p[4] for p in pairs if not p[3])
    assert [c.text for c in rows[0].all("td")] == [f"1. {golds[0]}", f"2. {INVENTED}", "0.00", f"miss: {miss_reason}"]
    assert [c.text for c in rows[1].all("td")] == [f"2. {golds[1]}", f"1. {golds[1]}", "1.00", "hit: same"]
    # the gold directives no pair holds are listed, not drawn as rows of 0.00
    unpaired = trap.all("ol", "gold")[0].all("li")
    assert [li.text for li in unpaired] == golds[2:]
    assert [li.attrs["value"] for li in unpaired] == [str(i) for i in range(3, len(golds) + 1)]
    assert not trap.all("ol", "predicted") and "(none)" in trap.text
    # a prediction no pair holds: the invented directive beside the full gold list
    extra = page.by_id(f"doc-{UNUSABLE}-directives")
    assert [li.text for li in extra.all("ol", "predicted")[0].all("li")] == [INVENTED]
    assert not extra.all("ol", "gold")
    assert all(r.classes == ["hit"] for r in extra.all("table", "pairs")[0].all("tr")[1:])


def check_chart(page: Node, record) -> None:
    from harness.metrics import HEADLINE

    svg = page.by_id("scores").all("svg")[0]
    assert [t.text for t in svg.all("text", "tick")] == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    grid = svg.all("line", "grid")
    assert len(grid) == 6
    xs = [float(line.attrs["x1"]) for line in grid]
    assert xs == sorted(xs) and len(set(xs)) == 6
    scores = [s for s in HEADLINE if s in record.aggregates]
    assert [t.text for t in svg.all("text", "value")] == [f"{record.aggregates[s].mean:.3f}" for s in scores]
    whiskers = svg.all("line", "whisker")
    assert len(whiskers) == len(scores)
    left, right = xs[0], xs[-1]
    for line, score in zip(whiskers, scores, strict=True):
        aggregate = record.aggregates[score]
        expected = (left + aggregate.ci_low * (right - left), left + aggregate.ci_high * (right - left))
        assert (float(line.attrs["x1"]), float(line.attrs["x2"])) == pytest.approx(expected, abs=0.11)


def check_filter(page: Node) -> None:
    sections = {s.attrs["id"][4:]: s.classes for s in page.all("section", "doc")}
    assert sections == {
        CLEAN: ["doc", "doc-clean"],
        JUDGED: ["doc", "doc-clean"],
        FAILED: ["doc", "doc-failed", "doc-miss"],
        TRAP: ["doc", "doc-miss"],
        UNUSABLE: ["doc", "doc-failed", "doc-miss"],
    }
    radios = [n for n in page.all("input") if n.attrs.get("type") == "radio"]
    assert [(r.attrs["id"], r.attrs["name"], "checked" in r.attrs) for r in radios] == [
        ("show-all", "show", True),
        ("show-failed", "show", False),
        ("show-miss", "show", False),
    ]
    labels = page.by_id("documents").all("label")
    assert [(lb.attrs["for"], lb.text) for lb in labels] == [
        ("show-all", "all documents (5)"),
        ("show-failed", "only failed or with unusable fields (2)"),
        ("show-miss", "only with a miss (3)"),
    ]
    assert not page.all("script")
    assert not page.all("section", "empty")  # "no document failed" is for a report without one


def test_dates_and_presiders_beside_the_gold_marked_with_the_publication_date_trap(answered, gold):
    check_dates_and_presiders(parse(answered[1].read_text(encoding="utf-8")), gold)


def test_summary_units_marked_as_the_matcher_decides_and_judged_ones_not(answered, gold):
    check_units(parse(answered[1].read_text(encoding="utf-8")), gold, answered[0])


def test_a_failed_document_shows_its_error_raw_reply_and_unusable_fields(answered):
    page = answered[1].read_text(encoding="utf-8")
    check_problems(parse(page))
    assert f'<pre class="reply">{html.escape(REPLY, quote=True)}</pre>' in page


def test_directive_pairs_then_the_unpaired_listed_on_each_side(answered, gold):
    check_directives(parse(answered[1].read_text(encoding="utf-8")), gold, answered[0])


def test_the_chart_has_an_axis_gridlines_printed_values_and_whiskers(answered):
    check_chart(parse(answered[1].read_text(encoding="utf-8")), answered[0])


def test_the_filter_is_radio_inputs_and_css_over_classed_sections(answered):
    page = answered[1].read_text(encoding="utf-8")
    check_filter(parse(page))
    assert "#show-failed:checked~section.doc:not(.doc-failed)" in page and "<script" not in page


def test_an_unknown_key_shaped_like_a_field_path_marks_no_field(gold, tmp_path):
    from harness.evaluate import score_file
    from harness.records import write_record

    from conftest import answer_of

    record = gold.records[0]
    line = {"doc_id": record.doc_id, **answer_of(record), "presider.alt": "x", "summary[0]": "y"}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    run = score_file(path, skip_invalid=True)
    assert set(run.documents[0].unusable) == {"presider.alt", "summary[0]"}
    assert run.documents[0].scores["presider_accuracy"] == 1.0
    write_record(run, tmp_path / "r.json")
    assert run_harness("view", tmp_path / "r.json", "-o", tmp_path / "r.html").returncode == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "✗ unusable" not in page  # neither the presider nor the summary was
    assert "presider.alt" in page and "summary[0]" in page  # the keys are listed as found


def test_everything_from_the_record_stays_escaped(answered):
    page = answered[1].read_text(encoding="utf-8")
    for hostile in (ERROR, REPLY, UNUSABLE_REASON):
        assert html.escape(hostile, quote=True) in page
    assert "<script" not in page and "<b>(line 1)</b>" not in page and "<i>sic</i>" not in page


# ------------------------------------------------------------------ the same, in Chromium


def test_chromium_renders_every_section(answered, gold, tmp_path):
    dom = browser(answered[1].as_uri(), tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    page = parse(dom.stdout)
    check_dates_and_presiders(page, gold)
    check_units(page, gold, answered[0])
    check_problems(page)
    check_directives(page, gold, answered[0])
    check_chart(page, answered[0])
    check_filter(page)  # and no script element: the hostile reply stayed text


def colours(png: bytes) -> dict[tuple[int, int, int], int]:
    """How many pixels of each colour a PNG of Chromium's has (8-bit RGB or RGBA, not
    interlaced), decoded with zlib and numpy: no imaging library needed."""
    import numpy as np

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data, head = 8, [], None
    while at < len(png):
        (size,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + size]
        at += 12 + size
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data.append(body)
    width, height, depth, colour_type, _, _, interlace = head
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, head
    bpp = 3 if colour_type == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(data))
    rows = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum along each channel
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + prior
        else:  # Average or Paeth: byte by byte
            out, up = bytearray(line.tobytes()), prior.tobytes()
            for x in range(stride):
                a = out[x - bpp] if x >= bpp else 0
                if kind == 3:
                    out[x] = (out[x] + ((a + up[x]) >> 1)) & 255
                else:
                    b, c = up[x], (up[x - bpp] if x >= bpp else 0)
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    out[x] = (out[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            row = np.frombuffer(bytes(out), np.uint8)
        rows[y] = prior = row
    pixels = rows.reshape(height * width, bpp)[:, :3]
    values, counts = np.unique(pixels, axis=0, return_counts=True)
    return {tuple(int(v) for v in value): int(n) for value, n in zip(values, counts, strict=True)}


def screenshot(page: str, tmp_path, name: str, size: str = "1100,700") -> dict[tuple[int, int, int], int]:
    """The colours of Chromium's screenshot of ``page`` (written to ``tmp_path/name.html``)."""
    source, shot = tmp_path / f"{name}.html", tmp_path / f"{name}.png"
    source.write_text(page, encoding="utf-8")
    result = browser(
        source.as_uri(), tmp_path, f"--screenshot={shot}", f"--window-size={size}", "--force-color-profile=srgb"
    )
    assert result.returncode == 0, result.stderr[-500:]
    return colours(shot.read_bytes())


def pinned(page: str, element_id: str) -> str:
    """A copy of the page with one element pinned to the top of the window. Headless
    Chromium's --screenshot does not draw a page scrolled to a #fragment (it shows blank),
    so a test copy adds this one style rule instead; the element's own layout is the page's."""
    rule = (
        f'<style>[id="{element_id}"]{{position:fixed;top:0;left:0;right:0;z-index:9;max-height:100vh;'
        "overflow:hidden;background:#fafafa}</style>"
    )
    return page.replace("</head>", rule + "</head>", 1)


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("scores", [(51, 103, 214), (226, 226, 226)]),  # the bars, the gridlines
        (f"doc-{TRAP}-facts", [MISS]),  # both wrong
        (f"doc-{TRAP}-summaries", [HIT, MISS]),
        (f"doc-{FAILED}-problems", [(217, 48, 37), (243, 243, 243)]),  # the red frame, the reply's box
        (f"doc-{TRAP}-directives", [HIT, MISS]),
        ("documents", [(29, 35, 48)]),  # the filter, its checked choice dark
    ],
)
def test_a_screenshot_of_each_section(answered, tmp_path, element, expected):
    shown = screenshot(pinned(answered[1].read_text(encoding="utf-8"), element), tmp_path, "section")
    assert len(shown) > 20  # not blank: text is drawn in many shades
    for colour in expected:
        assert shown.get(colour, 0) > 100, f"{colour} is not on the screenshot of #{element}"


def with_choice(page: str, choice: str) -> str:
    """A copy of the page as it is once the reader clicked the filter's ``choice``."""
    page = page.replace('id="show-all" checked>', 'id="show-all">', 1)
    return page.replace(f'id="{choice}">', f'id="{choice}" checked>', 1)


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        ("show-all", {CLEAN, JUDGED, FAILED, TRAP, UNUSABLE}),
        ("show-failed", {FAILED, UNUSABLE}),
        ("show-miss", {FAILED, TRAP, UNUSABLE}),
    ],
)
def test_the_filter_hides_documents_in_chromium(answered, tmp_path, choice, shown):
    """Layout says what CSS hid, and --dump-dom cannot: a probe added to a test copy (the
    report itself runs no script) writes down which document sections have a box."""
    probe = (
        "<script>for (const s of document.querySelectorAll('section.doc')) "
        "s.dataset.shown = s.getClientRects().length ? 'yes' : 'no';</script>"
    )
    page = with_choice(answered[1].read_text(encoding="utf-8"), choice).replace("</body>", probe + "</body>")
    source = tmp_path / "filtered.html"
    source.write_text(page, encoding="utf-8")
    dom = browser(source.as_uri(), tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    sections = parse(dom.stdout).all("section", "doc")
    assert {s.attrs["id"][4:]: s.attrs["data-shown"] for s in sections} == {
        s.attrs["id"][4:]: "yes" if s.attrs["id"][4:] in shown else "no" for s in sections
    }


def test_the_filter_on_a_screenshot(answered, tmp_path):
    """Below the filter, all documents begin with the clean one (its answers all green);
    only failed ones begin with the failure (red marks, the red frame)."""
    page = answered[1].read_text(encoding="utf-8")
    top = "<style>header,#scores,section:not([id]){display:none}</style>"  # the documents first
    every = screenshot(with_choice(page, "show-all").replace("</head>", top + "</head>"), tmp_path, "all", "1100,600")
    failed = screenshot(
        with_choice(page, "show-failed").replace("</head>", top + "</head>"), tmp_path, "failed", "1100,600"
    )
    assert every.get(HIT, 0) > 100 and every.get(MISS, 0) == 0
    assert failed.get(MISS, 0) > 100 and failed.get((217, 48, 37), 0) > 100
