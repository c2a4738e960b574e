"""Run the PolicyBench speed benchmarks and print a table of medians and ratios.

Every measurement runs here, in one process tree, and is compared with its floor measured
in the same run, so the ratios hold on a noisy machine where absolute times do not.

* P1 cold start: `harness eval --model rules` end to end, against
  `python -c "import datasets"` plus loading the five rows. Target <= 1.0x.
* P2 scale: `harness score` on N synthetic documents (benchmarks/synthetic.py), with 1 and
  2 worker processes: peak memory under 500 MB. Its floor, rouge-score called directly on
  the same directive and summary pairs (benchmarks/floor_rouge.py), takes about 12 minutes
  on 10,000 documents, so it runs only with --p2-floor (then: <= 1.2x on one process, < 1x
  with two).
* P4 streaming: `harness score` on 10,000 and 50,000 synthetic documents, one process:
  peak memory at most 400 MB at 50,000 (flat in the number of documents) and the time per
  document at 50,000 at most 1.2x that at 10,000 (linear). One run each by default: the
  50,000 point takes minutes.
* P3 LLM throughput: `--model llm` on 40 documents against a local server answering in
  200 ms at concurrency 8 (the extraction time in the run record), against ceil(40 / 8) x
  200 ms (target <= 1.25x) and against a bare HTTP client sending the same 40 requests to
  the same server at the same concurrency (target <= 1.1x): the test server's own work on
  each request (a thread and a connection each, the JSON) is no cost of the harness. Then
  the same run again from the cache: 0 requests, and end to end <= 1.2x the rules run on
  the same 40 documents.

    python benchmarks/run.py [--runs 5] [--docs 10000] [--only p1,p3] [--p2-floor]

Progress goes to stderr as each measurement runs; the table goes to stdout at the end.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the local chat-completions server of the tests
sys.path.insert(0, str(Path(__file__).parent))

from llm_server import ChatServer  # noqa: E402
from synthetic import make  # noqa: E402

PY = sys.executable
_RSS = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)


def timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of a command, measured by a small wrapper process."""
    out = subprocess.run([PY, "-c", _RSS, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    seconds, rss, code = out.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {code}")
    return float(seconds), int(rss)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def p1(runs: int, tmp: Path) -> list[tuple]:
    floor_cmd = [PY, "-c", "from datasets import load_dataset; load_dataset('dataset', split='test')[:]"]
    ours_cmd = [PY, "-m", "harness", "eval", "--model", "rules", "-o", str(tmp / "p1.json")]
    floor, ours = [], []
    for i in range(runs):
        progress(f"P1 run {i + 1}/{runs}")
        floor.append(timed(floor_cmd)[0])
        ours.append(timed(ours_cmd)[0])
    return [("P1 cold start: eval --model rules", median(ours), median(floor), 1.0)]


def p2(runs: int, floor_runs: int, docs: int, tmp: Path) -> list[tuple]:
    progress(f"P2 making {docs} synthetic documents")
    dataset, predictions = make(docs, tmp / "p2")
    floor = []
    for i in range(floor_runs):
        progress(f"P2 floor (rouge-score directly) run {i + 1}/{floor_runs}: minutes")
        floor_script = str(Path(__file__).with_name("floor_rouge.py"))
        done = subprocess.run([PY, floor_script, str(dataset), str(predictions)], capture_output=True, text=True)
        floor.append(float(done.stdout))
    rows = []
    for workers, target in ((1, 1.2), (2, 1.0)):
        cmd = [PY, "-m", "harness", "score", str(predictions), "--dataset", str(dataset), "--workers", str(workers),
               "-o", str(tmp / f"p2-{workers}.json")]  # fmt: skip
        results = []
        for i in range(runs):
            progress(f"P2 score, {workers} process(es), run {i + 1}/{runs}")
            results.append(timed(cmd))
        rows.append((f"P2 score {docs} docs, {workers} process(es)", median([t for t, _ in results]),
                     median(floor) if floor else None, target, max(r for _, r in results) / 1024))  # fmt: skip
    return rows


def p4(runs: int, sizes: list[int], tmp: Path) -> list[tuple]:
    """Seconds per 1,000 documents and peak memory of `harness score` at each size; the
    smallest size is the floor of the larger ones' time per document."""
    per_k, rows = {}, []
    for docs in sizes:
        progress(f"P4 making {docs} synthetic documents")
        dataset, predictions = make(docs, tmp / f"p4-{docs}")
        cmd = [
            PY,
            "-m",
            "harness",
            "score",
            str(predictions),
            "--dataset",
            str(dataset),
            "-o",
            str(tmp / f"p4-{docs}.json"),
        ]
        results = []
        for i in range(runs):
            progress(f"P4 score {docs} docs, run {i + 1}/{runs}")
            results.append(timed(cmd))
        per_k[docs] = median([t for t, _ in results]) / docs * 1000
        floor = per_k[sizes[0]] if docs != sizes[0] else None
        peak = max(r for _, r in results) / 1024
        rows.append((f"P4 score {docs} docs, s per 1,000 docs", per_k[docs], floor, 1.2, peak))
    return rows


def _bare_client(base_url: str, records: list) -> float:
    """Seconds for a bare HTTP client (httpx, no retries, no cache, no checks) to send the
    same 40 requests at concurrency 8: what the server itself takes, the fair floor."""
    import asyncio

    import httpx

    from harness.api import prompt

    async def run() -> float:
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:

            async def one(record: object) -> None:
                async with gate:
                    await client.post("/chat/completions", json={"model": "m", "messages": prompt(record)})

            start = time.perf_counter()
            await asyncio.gather(*(one(r) for r in records))
            return time.perf_counter() - start

    return asyncio.run(run())


def p3(runs: int, tmp: Path) -> list[tuple]:
    dataset, _ = make(40, tmp / "p3")
    from harness.dataset import load_gold

    records = list(load_gold(dataset).records)
    answers = {r.doc_id: {"meeting_date": r.meeting_date, "presider": None, "directives": [], "summary": r.summary}
               for r in records}  # fmt: skip
    floor = math.ceil(40 / 8) * 0.2
    extract, cached, rules, requests_cached, bare = [], [], [], [], []
    with ChatServer(answers, delay=0.2) as server:
        for i in range(runs):
            progress(f"P3 run {i + 1}/{runs}")
            bare.append(_bare_client(server.base_url, records))
            cache, out = tmp / f"cache{i}", tmp / f"p3-{i}.json"
            cmd = [PY, "-m", "harness", "eval", "--model", "llm", "--dataset", str(dataset), "-M", "model=m",
                   "-M", f"base_url={server.base_url}", "-M", "concurrency=8", "-M", f"cache_dir={cache}",
                   "-o", str(out)]  # fmt: skip
            timed(cmd)
            extract.append(json.loads(out.read_text())["extract_duration_s"])
            cached.append(timed(cmd)[0])
            requests_cached.append(json.loads(out.read_text())["extractor_stats"]["requests"])
            rules.append(timed([PY, "-m", "harness", "eval", "--model", "rules", "--dataset", str(dataset),
                                "-o", str(tmp / "rules40.json")])[0])  # fmt: skip
    assert requests_cached == [0] * runs, requests_cached
    return [
        ("P3 llm, 40 docs, 200 ms, concurrency 8 (extraction) vs ceil(40/8) x 200 ms", median(extract), floor, 1.25),
        ("P3 the same vs a bare HTTP client on the same server", median(extract), median(bare), 1.1),
        ("P3 llm from cache (0 requests) vs rules, end to end", median(cached), median(rules), 1.2),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--only", default="p1,p2,p3,p4", help="which measurements, comma-separated (default: all)")
    parser.add_argument("--p2-floor", action="store_true", help="also run the P2 floor (about 12 minutes a run)")
    parser.add_argument("--floor-runs", type=int, default=1, help="runs of the P2 floor with --p2-floor (default 1)")
    parser.add_argument("--p4-runs", type=int, default=1, help="runs of each P4 size (default 1: minutes each)")
    parser.add_argument(
        "--p4-sizes", default="10000,50000", help="P4's sizes, the first the floor (default 10000,50000)"
    )
    args = parser.parse_args()
    only = set(args.only.lower().split(","))
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        rows = []
        if "p1" in only:
            rows += p1(args.runs, tmp)
        if "p2" in only:
            rows += p2(args.runs, args.floor_runs if args.p2_floor else 0, args.docs, tmp)
        if "p3" in only:
            rows += p3(args.runs, tmp)
        if "p4" in only:
            rows += p4(args.p4_runs, [int(n) for n in args.p4_sizes.split(",")], tmp)
    packages = ", ".join(f"{p} {version(p)}" for p in ("datasets", "pyarrow", "rouge-score", "openai"))
    print(f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    print(f"Packages: {packages}")
    print(f"Medians of {args.runs} runs; ratio = measured / floor, measured in the same run.\n")
    print("| measurement | median s | floor s | ratio | target | met | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for name, ours, floor, target, *mem in rows:
        peak = f"{mem[0]:.0f}" if mem else ""
        limit = 400 if name.startswith("P4") else 500
        if floor is None:
            met = "yes" if mem and mem[0] < limit else "NO"
            print(f"| {name} | {ours:.3f} | not run | | < {limit} MB | {met} | {peak} |")
            continue
        ratio = ours / floor
        met = "yes" if ratio <= target and (not mem or mem[0] <= limit) else "NO"
        print(f"| {name} | {ours:.3f} | {floor:.3f} | {ratio:.2f} | <= {target} | {met} | {peak} |")


if __name__ == "__main__":
    t = time.perf_counter()
    main()
    print(f"\n(benchmark took {time.perf_counter() - t:.0f} s)")
