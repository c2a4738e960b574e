"""Writes are atomic, YAML is loaded safely, and a failing run still says what happened."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness import files
from harness.annotations import check_annotation


def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "record.json"
    target.write_bytes(b"old")

    def crash(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


@pytest.mark.slow
def test_sigkill_while_writing_never_leaves_a_torn_file(tmp_path):
    target = tmp_path / "data.bin"
    writer = textwrap.dedent(
        f"""
        from pathlib import Path
        from harness.files import write_atomic
        target = Path({str(target)!r})
        i = 0
        while True:
            write_atomic(target, bytes([65 + i % 2]) * 4_000_000)
            i += 1
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", writer])
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = target.read_bytes()
    assert len(data) == 4_000_000 and data in (b"A" * 4_000_000, b"B" * 4_000_000)


def test_yaml_tags_that_would_run_code_are_refused(tmp_path):
    source = '!!python/object/apply:os.system ["echo pwned"]\n'
    record, problems = check_annotation("evil.yaml", source, "text", "evil")
    assert record is None
    assert len(problems) == 1 and str(problems[0]).startswith("evil.yaml:1: invalid YAML: ")


def test_nothing_in_the_harness_unpickles():
    import harness

    for path in Path(harness.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "pickle" not in text and "yaml.load(" not in text, path.name
