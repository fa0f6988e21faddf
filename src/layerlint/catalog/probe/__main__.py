"""`python -m layerlint.catalog.probe`: how the probe runs a Keras backend in a process of its own."""

import sys

from layerlint.catalog.probe.cli import main

sys.exit(main())
