"""What a trace recorded: one `CallRecord` per layer call, grouped into `LayerInstance`s, and the
`TraceReport` that carries them with the diagnostics judged from them.

This module imports no deep-learning framework; the framework-specific parts live in `hooks`.
"""

from __future__ import annotations

import json
import linecache
import os
import re
from dataclasses import dataclass, field
from typing import Any

from layerlint.catalog import LayerTraits
from layerlint.diagnostics import Diagnostic, Severity, Span, Text
from layerlint.i18n import N_


@dataclass(eq=False, slots=True)
class CallRecord:
    """One call of one layer instance, as seen on the way in (and marked on the way out). Slotted:
    a hook makes one per module call, and a slotted record is quicker to make and smaller."""

    obj: Any  # the layer / module object
    framework: str  # "keras", "tf_keras" or "torch"
    parent: "CallRecord | None"  # the enclosing layer call in the same thread, if any
    seq: int  # global order of the calls, per process
    shapes: tuple  # shape of each tensor input (tuple of int|None), in argument order
    dtypes: tuple  # dtype name of each tensor input
    training: bool | None  # the training flag the call ran with, where the framework has one
    frame: tuple | None  # (filename, lineno, code, lasti) of the user frame that made the call
    graph_inputs: tuple = ()  # names of the producing layers, for a call made by a functional graph
    unlocated: bool = False  # made by a functional node whose builder line was not recorded
    error: BaseException | None = None  # the exception that propagated out of this call
    # PyTorch: per tensor input (as `shapes`), the recorded call whose output it was, or None (the
    # model input, or the result of an operation that is not a module, e.g. `a + b`); () elsewhere
    sources: tuple = ()
    finished: bool = False
    _span: Span | None = field(default=None, repr=False)

    @property
    def site(self) -> Span | None:
        """The user source location of the call (the innermost frame outside frameworks/layerlint)."""
        if self._span is None and self.frame is not None:
            self._span = _span_of(*self.frame)
        return self._span

    @property
    def raised(self) -> bool:
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        site = self.site
        return {
            "shapes": [list(s) if s is not None else None for s in self.shapes],
            "dtypes": list(self.dtypes),
            "training": self.training,
            "site": None if site is None else {"path": site.path, "line": site.line, "column": site.column},
            "graph_inputs": list(self.graph_inputs),
            "raised": None if self.error is None else error_text(self.error),
        }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(error: BaseException) -> str:
    """`Type: message`, without the terminal colour codes Keras puts in its messages."""
    return f"{type(error).__name__}: {_ANSI.sub('', str(error)).strip()}"


def _display_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        return filename
    return filename if relative.startswith("..") else relative


def _column(filename: str, code: Any, lasti: int, lineno: int) -> int:
    """1-based character column of the instruction at `lasti` (the call expression)."""
    try:
        positions = list(code.co_positions())
        _, _, byte_col, _ = positions[lasti // 2]
    except (AttributeError, IndexError, TypeError):
        return 1
    if byte_col is None:
        return 1
    text = linecache.getline(filename, lineno)
    if not text:
        return byte_col + 1
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1


def _span_of(filename: str, lineno: int, code: Any, lasti: int) -> Span:
    return Span(_display_path(filename), lineno, _column(filename, code, lasti, lineno))


@dataclass(eq=False, slots=True)
class LayerInstance:
    """One layer object seen during the trace, with every call it received (slotted, as records are)."""

    obj: Any
    class_name: str
    framework: str
    path: str | None  # attribute path from the traced model, e.g. "encoder.blocks[2].norm"; "" = the model
    name: str | None  # the framework's own layer name (Keras), when there is one
    traits: LayerTraits | None = None  # catalog traits, or traits inferred from the live object
    from_catalog: bool = True  # False: the class is not in the catalog; judged from the live object
    composite: bool = False  # contains sub-layers (Model, Sequential, user Layer/Module)
    feature_axis: int = -1
    calls: list[CallRecord] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other attribute paths to the same object

    @property
    def display(self) -> str:
        if self.path:
            return self.path
        if self.path == "":
            return f"<{self.class_name} (traced model)>"
        return f"<{self.class_name} {self.name or hex(id(self.obj))}>"

    def feature_of(self, call: CallRecord) -> int | None:
        """The size of the feature axis of the call's first tensor input."""
        if not call.shapes or call.shapes[0] is None:
            return None
        shape = call.shapes[0]
        axis = self.feature_axis
        if self.framework == "torch" and axis == 1 and self.conv_rank and len(shape) == self.conv_rank + 1:
            axis = 0  # an unbatched (C, L...) input to a conv layer
        try:
            return shape[axis]
        except IndexError:
            return None

    conv_rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "aliases": list(self.aliases),
            "name": self.name,
            "class": self.class_name,
            "framework": self.framework,
            "from_catalog": self.from_catalog,
            "composite": self.composite,
            "category": self.traits.category if self.traits else None,
            "calls": [call.to_dict() for call in self.calls],
        }


class TraceReport:
    """The result of one trace: instances, their calls, diagnostics and the forward pass's error."""

    def __init__(self) -> None:
        self.instances: list[LayerInstance] = []
        self.diagnostics: list[Diagnostic] = []
        self.error: BaseException | None = None
        self.passes: int = 0
        self.notices: list[Text] = []  # what the trace could not see, and why (translatable)
        self.hidden: list[Diagnostic] = []  # judged, but left out by the configuration or arguments

    @property
    def notes(self) -> list[str]:
        """The notices, rendered in the active language."""
        return [notice.render() for notice in self.notices]

    @property
    def calls(self) -> int:
        return sum(len(inst.calls) for inst in self.instances)

    @property
    def blind(self) -> bool:
        """True when the trace recorded no layer call at all: a clean result would mean nothing."""
        return not self.instances

    # -- queries ---------------------------------------------------------------------------------
    def instance(self, path: str) -> LayerInstance:
        """The instance at an attribute path (KeyError if the trace did not see it)."""
        for inst in self.instances:
            if inst.path == path:
                return inst
        raise KeyError(path)

    @property
    def findings(self) -> list[Diagnostic]:
        """Diagnostics of severity warning or error (the ones that fail a test or a CI run)."""
        return [d for d in self.diagnostics if d.severity >= Severity.WARNING]

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def __bool__(self) -> bool:  # a report is always truthy, even with no instances
        return True

    # -- rendering -------------------------------------------------------------------------------
    def render_text(self, lang: str | None = None) -> str:
        """`path:line:col: CODE [severity] message`, related notes indented, then `help:`."""
        from layerlint.report.text import render_one

        lines = [render_one(diag, lang) for diag in self.diagnostics]
        if self.error is not None:
            lines.append(f"forward pass raised {error_text(self.error)}")
        lines += [Text(N_("note: {text}"), {"text": notice}).render(lang) for notice in self.notices]
        return "\n".join(lines)

    def summary(self, lang: str | None = None) -> str:
        """One line: what was recorded and what was found, e.g. for the end of `layerlint trace`."""
        counts = {"instances": len(self.instances), "calls": self.calls, "findings": len(self.diagnostics)}
        if self.blind:
            template = N_("no layer call was recorded: nothing could be checked")
        elif self.diagnostics:
            template = N_("{instances} layer instances, {calls} calls recorded: {findings} finding(s)")
        elif self.notices:
            template = N_("{instances} layer instances, {calls} calls recorded: no unsafe reuse found "
                          "in what was recorded (see the notes)")
        else:
            template = N_("{instances} layer instances, {calls} calls recorded: no unsafe reuse found")
        return Text(template, counts).render(lang)

    def render_table(self) -> str:
        """One block per instance: path, class, framework, calls, and for each call its inputs,
        training flag and user call site."""
        header = ("instance", "class", "framework", "calls", "inputs (shape dtype)", "training", "call site")
        rows: list[tuple[str, ...]] = []
        for inst in self.instances:
            for index, call in enumerate(inst.calls):
                inputs = "; ".join(f"{_shape_text(s)} {d}" for s, d in zip(call.shapes, call.dtypes)) or "-"
                if call.raised:
                    inputs += "  (raised)"
                site = call.site.location() if call.site else "?"
                first = index == 0
                rows.append((inst.display if first else "", inst.class_name if first else "",
                             inst.framework if first else "", str(len(inst.calls)) if first else "",
                             inputs, "-" if call.training is None else str(call.training), site))
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
        out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
               "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        return "\n".join(out)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "diagnostics": [d.to_dict(lang) for d in self.diagnostics],
            "instances": [inst.to_dict() for inst in self.instances],
            "error": None if self.error is None else error_text(self.error),
            "passes": self.passes,
            "notes": [notice.render(lang) for notice in self.notices],
            "summary": self.summary(lang),
        }

    def to_json(self, lang: str | None = None) -> str:
        return json.dumps(self.to_dict(lang), indent=2)

    def __str__(self) -> str:
        text = self.render_text()
        if self.diagnostics or self.error is not None:
            return text
        return "\n".join(filter(None, [text, self.summary()]))

    def __repr__(self) -> str:
        return (f"<TraceReport {len(self.instances)} instances, "
                f"{len(self.diagnostics)} diagnostics{', raised' if self.error else ''}>")


def _shape_text(shape: tuple | None) -> str:
    if shape is None:
        return "?"
    return "(" + ",".join("None" if d is None else str(d) for d in shape) + ")"


class LayerReuseError(Exception):
    """The forward pass crashed because a reused layer was built for another feature size.

    Raised `from` the framework's original exception (kept in `__cause__` and `report.error`);
    `report` holds the full trace, its LL001 diagnostic first.
    """

    def __init__(self, report: TraceReport):
        self.report = report
        super().__init__(report.render_text())

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.report.diagnostics


class UnsafeReuseError(Exception):
    """Raised on request (`raise_on_error=True` of the callbacks) when a trace found unsafe reuse:
    a finding of warning or error severity. `report` holds the full trace."""

    def __init__(self, report: TraceReport):
        self.report = report
        super().__init__("unsafe layer reuse:\n" + report.render_text())
