import sys

from layerlint.cli import main

sys.exit(main())
