"""`python -m layerlint.server`: the same as `layerlint server`."""

import argparse
import sys

from layerlint.server.cli import add_arguments, run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m layerlint.server")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
