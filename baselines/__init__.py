"""Built-in extractors of PolicyBench, one small file each.

``harness eval --model NAME`` finds ``baselines/NAME.py`` and calls its ``EXTRACTOR`` with
the ``-M key=value`` arguments. To add a baseline, copy one of these files, rename it and
its ``name``, and change ``extract``. The harness treats every file here alike.
"""
