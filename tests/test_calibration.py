"""The directive threshold is the calibrated one, from pairs drawn from the seeds."""

from __future__ import annotations

import importlib.util
import sys

from harness.metrics import DEFAULT_THRESHOLD

from conftest import ROOT


def _calibration_module():
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "calibration" / "calibrate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_calibration_gives_the_default_threshold():
    calibrate = _calibration_module()
    result = calibrate.calibrate(calibrate.load_pairs())
    assert result.threshold == DEFAULT_THRESHOLD
    assert f"Threshold: {DEFAULT_THRESHOLD}" in (ROOT / "calibration" / "README.md").read_text()


def test_pairs_are_judged_drawn_from_the_seeds_and_enough(gold):
    pairs = _calibration_module().load_pairs()
    assert len(pairs) >= 40
    by_id = gold.by_id()
    labels = {p["label"] for p in pairs}
    assert labels == {"same", "different"}
    for p in pairs:
        gold_texts = [d.text for d in by_id[p["doc_id"]].directives]
        assert p["a"] in gold_texts, p["id"]
        if p["label"] == "different":
            assert p["b"] != p["a"]
        if p["kind"] == "source-words":
            assert p["b"] in by_id[p["doc_id"]].text


def test_threshold_by_hand_on_a_toy_set():
    calibrate = _calibration_module()
    pairs = [
        {"id": 1, "a": "aa bb cc dd", "b": "aa bb cc dd", "label": "same", "kind": "t"},  # 1.0
        {"id": 2, "a": "aa bb cc dd", "b": "aa bb xx yy", "label": "same", "kind": "t"},  # 0.5
        {"id": 3, "a": "aa bb cc dd", "b": "aa xx yy zz", "label": "different", "kind": "t"},  # 0.25
        {"id": 4, "a": "aa bb cc dd", "b": "ww xx yy zz", "label": "different", "kind": "t"},  # 0.0
    ]
    # midpoints 0.125, 0.375, 0.75; only 0.375 separates the classes, and rounding it to
    # 0.38 changes no judgement
    result = calibrate.calibrate(pairs)
    assert result.threshold == 0.38
    assert (result.balanced_accuracy, result.accuracy) == (1.0, 1.0)
