"""The evaluation corpus: discovery and the comment conventions every case follows.

Each file under `eval/cases/` is one small, self-contained model program that re-creates the
pattern of a public report. Its comments say:

    # source: <repo>#<number> — <what the thread is about>    (at least one, in the header)
    # expect-none                                            (optional: a negative case)
    # run: EXPR on SHAPE[; SHAPE]                             (how to build and call it)
    ...  # expect: LL002                                      (on the line layerlint must report)
    # expect-raise                                           (optional: the run must raise even
                                                               though no LL001/LL006 is expected,
                                                               e.g. Keras 3 refusing new state)

Shapes are NHWC for Keras, NCHW for PyTorch, as in `tests/example_runner.py`.

A case that needs several modules (a factory or a block class imported from another module of the
project) is a package: a folder with an `__init__.py`, the case itself in `model.py`, and its helper
modules named with a leading underscore (`_norms.py`), which are not cases. `model.py` imports them
relatively (`from ._norms import make_norm`); score.py checks it with the package's parent folder as
the project root, confirm.py imports it as a module of that package.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from layerlint.static.rules.base import expected_codes

EVAL_DIR = Path(__file__).resolve().parent
CASES_DIR = EVAL_DIR / "cases"
ROOT = EVAL_DIR.parent

RUN = re.compile(r"^#\s*run:\s*(?P<expr>.+?)\s+on\s+(?P<shapes>.+)$", re.MULTILINE)
SOURCE = re.compile(r"^#\s*source:\s*(?P<text>\S.*)$", re.MULTILINE)
EXPECT_RAISE = re.compile(r"^#\s*expect-raise\b", re.MULTILINE)
EXPECT_NONE = re.compile(r"^#\s*expect-none\b", re.MULTILINE)
CRASH_CODES = frozenset({"LL001", "LL006"})


@dataclass
class Case:
    path: Path
    text: str
    expected: dict[int, list[str]] = field(default_factory=dict)  # line -> codes
    runs: list[tuple[str, list[tuple[int, ...]]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    expect_raise: bool = False
    expect_none: bool = False

    @property
    def name(self) -> str:
        return self.path.relative_to(CASES_DIR).as_posix()

    @property
    def framework(self) -> str:
        if re.search(r"^\s*(import torch|from torch)", self.text, re.MULTILINE):
            return "torch"
        if re.search(r"^\s*(import tf_keras|from tf_keras)", self.text, re.MULTILINE):
            return "tf_keras"
        return "keras"

    @property
    def package(self) -> Path | None:
        """The folder of a multi-module case (it holds an `__init__.py`), None for a single file."""
        folder = self.path.parent
        return folder if folder != CASES_DIR and (folder / "__init__.py").is_file() else None

    @property
    def codes(self) -> set[str]:
        return {code for codes in self.expected.values() for code in codes}

    @property
    def negative(self) -> bool:
        return not self.expected

    @property
    def crash_expected(self) -> bool:
        return bool(self.codes & CRASH_CODES) or self.expect_raise

    def expected_pairs(self) -> set[tuple[int, str]]:
        return {(line, code) for line, codes in self.expected.items() for code in codes}


def parse_runs(text: str) -> list[tuple[str, list[tuple[int, ...]]]]:
    runs = []
    for match in RUN.finditer(text):
        shapes = [tuple(ast.literal_eval(part.strip())) for part in match.group("shapes").split(";")]
        runs.append((match.group("expr"), shapes))
    return runs


def load(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    return Case(path=path, text=text, expected=expected_codes(text), runs=parse_runs(text),
                sources=[m.group("text").strip() for m in SOURCE.finditer(text)],
                expect_raise=bool(EXPECT_RAISE.search(text)), expect_none=bool(EXPECT_NONE.search(text)))


def all_cases(root: Path = CASES_DIR) -> list[Case]:
    return [load(path) for path in sorted(root.rglob("*.py")) if not path.name.startswith("_")]
