"""python -m b12logic: see cli.py."""

import sys

from b12logic.cli import main

sys.exit(main())
