"""The message shape LL002 and LL003 have in common: a reuse that runs and shares state."""

from __future__ import annotations

from layerlint.diagnostics import Applicability, Diagnostic, Related, Severity, Text
from layerlint.fix.builders import split_instance_fix
from layerlint.i18n import N_
from layerlint.static.rules.base import RuleContext
from layerlint.static.verdicts import Shared


def shared_state_diagnostic(code: str, name: str, severity: Severity, shared: Shared, context: RuleContext,
                            template: str, help_template: str) -> Diagnostic:
    """Splitting a silently shared instance changes parameters and checkpoints: an unsafe fix."""
    instance = shared.primary.instance
    sites = list({id(event.site()): event.site() for event in shared.events}.values())  # distinct, in order
    in_loop = len(sites) == 1
    spans = [context.span(site) for site in sites]
    one_line = len({span.line for span in spans}) < len(spans)
    lines = ", ".join(f"{span.line}:{span.column}" if one_line else str(span.line) for span in spans)
    traits = instance.traits
    state = (N_("running statistics and normalization parameters") if traits and traits.statistics
             else N_("normalization parameters (scale and offset)") if traits and traits.normalizes
             else N_("trainable weights"))
    args = {"label": instance.name(), "cls": instance.class_name, "lines": lines, "state": Text(state),
            "count": len(sites), "how": Text(N_("in a loop") if in_loop else N_("at lines {lines}"), {"lines": lines})}
    primary = shared.primary.site()
    related = [Related(context.span(site), Text(N_("also called here"))) for site in sites if site is not primary]
    if in_loop and shared.primary.loop is not None:
        related.append(Related(context.span(shared.primary.loop), Text(N_("the loop that repeats the call"))))
    related.append(Related(context.span(instance.node), Text(N_("`{label}` is created here"), args)))
    return Diagnostic(code=code, name=name, severity=severity, span=context.span(primary),
                      message=Text(template, args), help=Text(help_template, args), related=tuple(related),
                      fix=split_instance_fix(context.text, list(shared.events), Applicability.UNSAFE)
                      if context.fixes else None)
