"""`layerlint server`: a Language Server Protocol server over stdio.

It publishes layerlint's findings as diagnostics while a Python file is edited, offers each
finding's fix and an "ignore this finding here" (`# noqa: CODE`) as quick fixes, and shows a layer
class's catalog verdict with the calls of a layer attribute on hover. Like `layerlint check`, it
parses the edited code and never imports or runs it.

Needs the `lsp` extra (pygls); everything but `server` and `client` imports without it.

    settings   what each document is checked with (`settings_for(path)`, editor settings)
    positions  character offsets <-> LSP positions in the negotiated encoding
    convert    findings -> LSP diagnostics, fixes -> workspace edits, `# noqa` edits
    hover      what the hover shows
    server     the pygls server: document state, scheduling, handlers
    client     a minimal synchronous LSP client over a subprocess's pipes (tests, benchmarks)
    cli        `layerlint server` (add_arguments, run)
"""

# The documentation page of a rule code; the one place the server links rules from.
RULE_DOCS_URL = "https://layerlint.readthedocs.io/en/latest/rules/{code}.html"
SOURCE = "layerlint"


def rule_docs_url(code: str) -> str:
    return RULE_DOCS_URL.format(code=code)
