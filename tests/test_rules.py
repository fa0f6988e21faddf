"""Every rule's embedded examples: INVALID ones report exactly the `# expect:` lines, VALID ones
nothing unexpected; and every rule is documented under the fixed headings."""

from __future__ import annotations

import pytest

from layerlint.static.checker import Selection, check_source
from layerlint.static.rules import ALL_RULES
from layerlint.static.rules.base import Invalid, Valid, expected_codes

EXAMPLES = [
    pytest.param(rule, case.source, id=f"{rule.code}-{kind}-{index}")
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(examples)
]


def findings_by_line(source: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for diagnostic in check_source(source, "example.py", Selection(select=("ALL",))):
        found.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    return found


@pytest.mark.parametrize("rule, source", EXAMPLES)
def test_example_reports_exactly_what_it_expects(rule, source):
    assert findings_by_line(source) == expected_codes(source)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_each_rule_has_valid_and_invalid_examples(rule):
    assert rule.VALID and rule.INVALID
    assert all(isinstance(case, Valid) for case in rule.VALID) and all(isinstance(c, Invalid) for c in rule.INVALID)
    assert all(rule.code in sum(expected_codes(s).values(), []) for s in rule.INVALID)
    assert all(rule.code not in sum(expected_codes(s).values(), []) for s in rule.VALID)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_documentation_has_the_fixed_headings(rule):
    doc = rule.documentation()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in doc, heading


def test_codes_and_names_are_unique():
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
