"""``python -m harness`` runs the same command line as ``harness``."""

import sys

from .cli import main

sys.exit(main())
