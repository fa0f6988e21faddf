"""The documentation site: generated from the code (rules, catalog, API), built with `mkdocs --strict`;
every rule page carries the rule's own tested examples."""

from __future__ import annotations

import html
import importlib.machinery
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint.static.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DATA = ROOT / "src" / "layerlint" / "catalog" / "data"


def _load_builder():
    path = ROOT / "scripts" / "build-docs"
    loader = importlib.machinery.SourceFileLoader("layerlint_build_docs", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    return builder.generate(out) / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build-docs"), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def page_text(path: Path) -> str:
    """The visible text of a built page: tags (syntax highlighting included) removed."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_page_has_the_docstring_and_every_tested_example(sources, rule):
    page = (sources / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
    assert page.startswith(builder.GENERATED_NOTE)
    assert f"# {rule.code} {rule.name}" in page
    for line in rule.documentation().splitlines()[1:]:
        assert line in page
    assert rule.INVALID and rule.VALID
    for example in rule.INVALID + rule.VALID:
        assert example.rstrip() in page
    reported = re.findall(rf"^example\.py:\d+:\d+: {rule.code} \[(\w+)\]", page, re.MULTILINE)  # what layerlint reports
    assert len(reported) >= len(rule.INVALID)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_chinese_rule_page(sources, rule):
    from layerlint.i18n import rule_documentation, translate

    page = (sources / "zh" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
    assert rule_documentation(rule, "zh_CN").split("\n", 2)[2].strip() in page
    for example in rule.INVALID + rule.VALID:
        assert example.rstrip() in page
    labels = {translate(label, "zh_CN") for label in ("error", "warning", "info")}
    reported = re.findall(rf"^example\.py:\d+:\d+: {rule.code} \[(\w+)\]", page, re.MULTILINE)
    assert len(reported) >= len(rule.INVALID) and set(reported) <= labels


def test_catalog_tables_list_every_class(sources):
    for path in sorted(CATALOG_DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        page = (sources / "catalog" / f"{path.stem}.md").read_text(encoding="utf-8")
        assert "| class | category | weights | statistics | sizing | pins | variants |" in page
        for name, entry in data["classes"].items():
            assert re.search(rf"^\| `{re.escape(name)}`.*\| `{re.escape(entry['category'])}` \|", page, re.MULTILINE), name
        for name in data.get("unprobed", {}):
            assert f"`{name}`" in page


def test_api_page_comes_from_the_docstrings(sources):
    import inspect

    import layerlint
    import layerlint.testing
    from layerlint import runtime

    page = (sources / "api.md").read_text(encoding="utf-8")
    for name, obj in [("layerlint.check_source", layerlint.check_source), ("layerlint.check_paths", layerlint.check_paths),
                      ("layerlint.trace", runtime.trace), ("layerlint.tracing", runtime.tracing),
                      ("layerlint.testing.assert_no_unsafe_reuse", layerlint.testing.assert_no_unsafe_reuse)]:
        assert f"### `{name}`" in page
        assert inspect.getdoc(obj).splitlines()[0] in page
    assert "### `layerlint.Diagnostic`" in page and "| `code` |" in page and "| `severity` |" in page


def test_strict_build_writes_every_page(site):
    built = site / "site"
    for rule in ALL_RULES:
        # rules/LL001.html: the address SARIF's helpUri and the language server link to.
        text = page_text(built / "rules" / f"{rule.code}.html")
        for example in rule.INVALID + rule.VALID:
            for line in example.splitlines():
                assert html.unescape(line.strip()) in text, (rule.code, line)
        assert (built / "zh" / "rules" / f"{rule.code}.html").is_file()
    for page in ("index.html", "api.html", "translations.html", "zh/index.html", "rules/index.html",
                 "catalog/keras.html", "catalog/tf_keras.html", "catalog/torch.html"):
        assert (built / page).is_file(), page
    assert "Getting started" in page_text(built / "index.html")
    assert not list(built.rglob("*.md")), "every page is rendered"


def test_strict_build_fails_on_a_broken_link(site):
    source = site / "src"
    (source / "docs" / "index.md").write_text("[gone](no-such-page.md)\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                          str(source / "mkdocs.yml"), "--site-dir", str(site / "broken")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "no-such-page.md" in run.stdout + run.stderr
