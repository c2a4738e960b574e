"""`harness view`: the HTML report, opened in a real headless browser (Debian's Chromium).

.ci/run installs Chromium when it is missing; elsewhere the browser tests are skipped
without one (and fail in CI, where CI=true, rather than skip).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

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
    assert "hit: same" in text and "(no prediction matched)" in text
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
