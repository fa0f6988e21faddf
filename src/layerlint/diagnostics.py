"""The one diagnostic model shared by the static checker, the tracer, the fixer and every report.

It imports no deep-learning framework, so `layerlint check` works with none installed. Text is
kept as a template plus arguments (`Text`) and rendered at report time, so one finding can be shown
in any language for which a translation catalog exists.
"""

from __future__ import annotations

import enum
import string
from dataclasses import dataclass, field
from typing import Any, Mapping

from layerlint.i18n import translate


class Severity(enum.IntEnum):
    """Ordered so that `max()` of several severities gives the most serious one."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Confidence(enum.Enum):
    """How the verdict was reached: measured at runtime beats inferred from source."""

    HIGH = "high"  # sizes known on both sides, or observed at runtime
    INFERENCE = "inference"  # some fact was inferred (unknown sizes, a custom layer's contents)


class Applicability(enum.Enum):
    """Ruff's meaning: a safe fix keeps valid code's behaviour; an unsafe one changes it."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Text:
    """A translatable message: `template` is the gettext msgid, `args` fill its `{placeholders}`."""

    template: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        args = {key: value.render(lang) if isinstance(value, Text) else value for key, value in self.args.items()}
        return translate(self.template, lang).format(**args)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True, order=True)
class Span:
    """A place in a file. Lines are 1-based; columns are 1-based *characters* (not UTF-8 bytes)."""

    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    cell: int | None = None  # notebook cell number, when the file is a notebook

    def location(self) -> str:
        if self.cell is not None:  # ruff's notebook style
            return f"{self.path}:cell {self.cell}:{self.line}:{self.column}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Related:
    """Another place that explains the finding: the other call site, the line creating the layer."""

    span: Span
    message: Text


@dataclass(frozen=True)
class Edit:
    """Replace the text between two character offsets of the file (end exclusive)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    title: Text
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    code: str  # stable, e.g. "LL001"; never reused for another meaning
    name: str  # readable symbol, e.g. "reuse-shape-mismatch"
    severity: Severity
    span: Span
    message: Text
    help: Text | None = None
    related: tuple[Related, ...] = ()
    confidence: Confidence = Confidence.HIGH
    fix: Fix | None = None
    origin: str = "static"  # "static" or "runtime"
    # The reused instance as its origin names it (`self.norm` in the source, `encoder.norm` in a trace)
    # and its class: what `allow-shared` matches, for the findings of both origins.
    layer: str | None = None
    layer_class: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.column, self.code)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON shape of a finding; every machine-readable format starts from it."""

        def span_dict(span: Span) -> dict[str, Any]:
            out = {"path": span.path, "line": span.line, "column": span.column,
                   "end_line": span.end_line, "end_column": span.end_column}
            if span.cell is not None:
                out["cell"] = span.cell
            return out

        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "confidence": self.confidence.value,
            "origin": self.origin,
            "layer": self.layer,
            "layer_class": self.layer_class,
            "message": self.message.render(lang),
            "help": self.help.render(lang) if self.help else None,
            "location": span_dict(self.span),
            "related": [{"location": span_dict(r.span), "message": r.message.render(lang)}
                        for r in self.related],
            "fix": None if self.fix is None else {
                "title": self.fix.title.render(lang),
                "applicability": self.fix.applicability.value,
                "edits": [{"start": e.start, "end": e.end, "replacement": e.replacement}
                          for e in self.fix.edits],
            },
        }


def _text_record(text: Text | None) -> Any:
    if text is None:
        return None
    return {"t": text.template, "a": {k: _text_record(v) if isinstance(v, Text) else v for k, v in text.args.items()}}


def _text_from(record: Any) -> Text | None:
    if record is None:
        return None
    return Text(record["t"], {k: _text_from(v) if isinstance(v, dict) else v for k, v in record["a"].items()})


def to_record(diagnostic: Diagnostic) -> dict[str, Any]:
    """A JSON-able, language-neutral form that `from_record` turns back into the same Diagnostic
    (what the cache stores; `to_dict` is the rendered form for users)."""
    fix = diagnostic.fix
    return {
        "code": diagnostic.code, "name": diagnostic.name, "severity": diagnostic.severity.value,
        "span": list(vars(diagnostic.span).values()), "message": _text_record(diagnostic.message),
        "help": _text_record(diagnostic.help), "confidence": diagnostic.confidence.value,
        "origin": diagnostic.origin,
        "related": [[list(vars(r.span).values()), _text_record(r.message)] for r in diagnostic.related],
        "fix": None if fix is None else [_text_record(fix.title), fix.applicability.value,
                                         [[e.start, e.end, e.replacement] for e in fix.edits]],
        "layer": diagnostic.layer, "layer_class": diagnostic.layer_class,
    }


def from_record(record: dict[str, Any]) -> Diagnostic:
    fix = record["fix"]
    return Diagnostic(
        code=record["code"], name=record["name"], severity=Severity(record["severity"]),
        span=Span(*record["span"]), message=_text_from(record["message"]),  # type: ignore[arg-type]
        help=_text_from(record["help"]), confidence=Confidence(record["confidence"]), origin=record["origin"],
        related=tuple(Related(Span(*span), _text_from(message)) for span, message in record["related"]),  # type: ignore[arg-type]
        fix=None if fix is None else Fix(_text_from(fix[0]), Applicability(fix[1]),  # type: ignore[arg-type]
                                         tuple(Edit(*edit) for edit in fix[2])),
        layer=record.get("layer"), layer_class=record.get("layer_class"),
    )


def renders_safely(diagnostic: Diagnostic) -> bool:
    """Whether every text of a finding renders with plain `{name}` fields its arguments fill: a
    record read back from the cache (a file anyone can edit) must neither crash the report nor
    blow it up (`{x:>300000000}`)."""
    texts = [diagnostic.message, diagnostic.help, *(r.message for r in diagnostic.related)]
    if diagnostic.fix is not None:
        texts.append(diagnostic.fix.title)
    return all(text is None or _plain_template(text) for text in texts)


def _plain_template(text: Text) -> bool:
    if not isinstance(text, Text) or not isinstance(text.template, str):
        return False
    try:
        fields = list(string.Formatter().parse(text.template))
    except ValueError:
        return False
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if spec or conversion or name not in text.args:
            return False
    return all(_plain_template(v) for v in text.args.values() if isinstance(v, Text))


def could_not_check(diagnostic: Diagnostic) -> bool:
    """LL9xx diagnostics say a file could not be checked; they drive exit code 2."""
    return diagnostic.code.startswith("LL9")
