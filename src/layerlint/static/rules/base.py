"""What every rule is: a code, a readable name, a severity, its documentation (the docstring), how its
findings are fixed (`FixSpec`) and the cases that the test suite runs, in the manner of Fixit's
`Valid`/`Invalid` and bugbear's eval files.

In a case, `# expect: LL001` ends each line a rule must report. A `# run: EXPR on SHAPE` line says how
the runtime tests build and call the model, so verdicts are checked against the real framework:
`# run: FeatureExtractor() on (2, 28, 28, 1)`. An `Invalid` case also says what `check --fix
--unsafe-fixes` makes of it: the whole fixed program (`fixed=`, built and run too), or why there is
no automatic fix (`no_fix=`). Whether a rule fixes anything is derived from its cases (`fixable`).
"""

from __future__ import annotations

import abc
import ast
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable

from layerlint import frameworks
from layerlint.diagnostics import Applicability, Diagnostic, Fix, Severity, Span
from layerlint.static.facts import Instance, ModuleFacts

EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")



@dataclass(frozen=True)
class FixSpec:
    """How a rule's findings are fixed: the builder, by its name in `FIX_BUILDERS`, and what the fix
    is (ruff's meaning: a safe fix keeps valid code's behaviour; an unsafe one changes it). A name,
    not an import, so the analysis never depends on the fixer: `layerlint.fix.builders` registers its
    builders here when it is imported (`layerlint.api` imports it)."""

    builder: str
    applicability: Applicability


# (text, applicability, *facts) -> Fix | None, by name; filled by `layerlint.fix.builders`.
FixBuilder = Callable[..., "Fix | None"]
FIX_BUILDERS: dict[str, FixBuilder] = {}


class Valid(str):
    """A program the rule must not report (its `# expect:` comments name what other rules report).
    A case *is* its program text, so whatever reads the examples as programs (the docs build, the
    framework runs) reads it unchanged."""

    @property
    def source(self) -> str:
        return str(self)


class Invalid(str):
    """A program the rule must report on each `# expect:` line, with its expected fix: `fixed`, the
    whole program after `check --fix --unsafe-fixes`, or `no_fix`, why there is none (one of the
    two). `fixed_shape`: the output shape of the fixed model, where a crash fix must give the
    corrected model's."""

    fixed: str | None
    no_fix: str | None
    fixed_shape: tuple[int, ...] | None

    def __new__(cls, source: str, *, fixed: str | None = None, no_fix: str | None = None,
                fixed_shape: tuple[int, ...] | None = None) -> Invalid:
        if (fixed is None) == (no_fix is None):
            raise ValueError("an Invalid case names either its fixed program (fixed=) or why it has none (no_fix=)")
        case = super().__new__(cls, source)
        case.fixed, case.no_fix, case.fixed_shape = fixed, no_fix, fixed_shape
        return case

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:  # copy and pickle keep the expectations
        return (str(self),), {"fixed": self.fixed, "no_fix": self.no_fix, "fixed_shape": self.fixed_shape}

    @property
    def source(self) -> str:
        return str(self)


@dataclass
class RuleContext:
    """What a rule needs besides the facts: the file's path and lines, to make character spans."""

    path: str
    text: str
    lines: list[str]
    fixes: bool = True  # build fixes (libcst, slow): off when nobody will look at them

    def fix(self, rule: Rule | type[Rule], *facts: Any, builder: str | None = None) -> Fix | None:
        """The rule's fix for a finding made of `facts`, when fixes are wanted and the rule has one;
        `builder` names another rule's way of fixing, applied with this rule's applicability."""
        spec = rule.fix
        if not self.fixes or spec is None:
            return None
        return FIX_BUILDERS[builder or spec.builder](self.text, spec.applicability, *facts)

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        return Span(self.path, line, self._column(line, getattr(node, "col_offset", 0)),
                    end_line, self._column(end_line, getattr(node, "end_col_offset", None) or 0))

    def _column(self, line: int, byte_offset: int) -> int:
        """`ast` counts columns in UTF-8 bytes; people and editors count characters. `lines` must be
        split as the parser splits (`source.split_lines`), or every line after a form feed or U+2028
        in a comment is off."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():  # bytes are characters: no encoding (a finding may have thousands of spans)
            return min(byte_offset, len(text)) + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


class Rule(abc.ABC):
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    enabled_by_default: ClassVar[bool] = True
    fix: ClassVar[FixSpec | None] = None  # how its findings are fixed; None: no automatic fix
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    @abc.abstractmethod
    def check(self, facts: ModuleFacts, context: RuleContext) -> Iterable[Diagnostic]:
        """Judges the module's facts; each rule module defines it."""

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().split("\n", 1)[0]

    @classmethod
    def fixable(cls) -> bool:
        """Whether any of its cases is fixed: derived, as Fixit derives AUTOFIX, so that it cannot
        drift from what the fixer does (a test holds it to `fix`)."""
        return any(case.fixed is not None for case in cls.INVALID)


def expected_codes(source: str) -> dict[int, list[str]]:
    """Line number -> codes named by `# expect:` comments in an example."""
    found: dict[int, list[str]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found[number] = [code.strip() for code in match.group(1).split(",")]
    return found


def framework_name(instance: Instance) -> str:
    return frameworks.display(instance.framework)


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def split_names(label: str, count: int) -> list[str]:
    """`self.bn` -> `self.bn`, `self.bn_2`: the names the fix gives each call site (the first keeps
    the original, so checkpoints stay loadable)."""
    base = label.replace("[i]", "").rstrip("]")
    return [base] + [f"{base}_{index}" for index in range(2, count + 1)]
