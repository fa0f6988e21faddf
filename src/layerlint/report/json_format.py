"""`--format json`: one object per finding, the shape of `Diagnostic.to_dict`."""

from __future__ import annotations

import json
from typing import Sequence

from layerlint.diagnostics import Diagnostic


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    return json.dumps([d.to_dict(lang) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
