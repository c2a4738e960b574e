"""Packaging step that pyproject.toml cannot express: ship the built dataset in the wheel.

The dataset lives at the top of the repository (``dataset/``, built from ``seeds/`` and
``annotations/`` by ``harness build``) and the judged directive pairs in ``calibration/``.
A non-editable install copies both into the package as ``harness/_bundled/``, so that
``harness eval --model rules`` works from any folder, offline; an editable install and a
source checkout read them where they are. See ``harness.dataset.bundled``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.egg_info import egg_info

ROOT = Path(__file__).resolve().parent
# Every file of the built dataset (its card, Croissant description, schema and the Parquet
# file of each configuration), and the judged pairs.
BUNDLE = {
    **{
        str(path.relative_to(ROOT)): str(path.relative_to(ROOT))
        for path in sorted((ROOT / "dataset").rglob("*"))
        if path.is_file() and path.suffix in (".md", ".json", ".parquet")
    },
    "calibration/pairs.jsonl": "pairs.jsonl",
}


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository's own files
            return
        target = Path(self.build_lib) / "harness" / "_bundled"
        for source, rel in BUNDLE.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / source, target / rel)


class EggInfoOutOfTree(egg_info):
    """Write the build's metadata under ``build/``, not beside the packages.

    A ``policybench.egg-info`` in the repository root is found first by tools run there
    (the current folder leads ``sys.path``) and hides the installed distribution's
    metadata: inspect_ai then cannot tell the task is installed and names it
    ``policybench`` instead of ``policybench/policybench``.
    """

    def initialize_options(self) -> None:
        super().initialize_options()
        self.egg_base = "build"
        (ROOT / "build").mkdir(exist_ok=True)


setup(cmdclass={"build_py": BuildWithData, "egg_info": EggInfoOutOfTree})
