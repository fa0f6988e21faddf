"""Translations: every N_() template has a zh_CN translation with the same placeholders, the committed
.pot/.mo match the code, `--lang` picks the catalog (with fallback to English), a language is added
without code change, and translated rule pages track the English docstrings they came from."""

from __future__ import annotations

import gettext
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint import i18n
from layerlint.cli import main
from layerlint.static.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"
LOCALE = ROOT / "src" / "layerlint" / "locale"
ZH_PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "layerlint.po"
ZH_MO = ZH_PO.with_suffix(".mo")

# The Chinese headings of a rule page, one per English heading, the same on every page.
ZH_HEADINGS = {
    "## What it does": "## 作用",
    "## Why is this bad?": "## 为什么有问题？",
    "## Known problems": "## 已知局限",
    "## Example": "## 示例",
    "## Use instead": "## 应改为",
    "## Fix safety": "## 修复安全性",
}


def _load_tool():
    spec = importlib.util.spec_from_file_location("layerlint_i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(autouse=True)
def _no_leaked_language():
    """`check --lang` sets the process-wide language; later tests expect English."""
    yield
    i18n.set_language(None)


def zh_entries() -> dict[str, tool.Entry]:
    _, entries, _ = tool.parse_catalog(ZH_PO.read_text(encoding="utf-8"))
    return {e.msgid: e for e in entries if not e.obsolete}


# --------------------------------------------------------------------------- catalogs


def test_every_n_call_has_one_string_literal():
    entries, problems = tool.extract()
    assert problems == []
    assert len(entries) > 50  # a sanity floor: the rules, reports, tracer and fixer all have messages


def test_every_template_has_a_zh_cn_translation_with_the_same_placeholders():
    entries, _ = tool.extract()
    translated = zh_entries()
    catalog = gettext.GNUTranslations(ZH_MO.open("rb"))
    for entry in entries:
        assert entry.msgid in translated, f"not in zh_CN/layerlint.po: {entry.msgid!r}"
        zh = translated[entry.msgid]
        assert zh.msgstr and not zh.fuzzy, f"untranslated: {entry.msgid!r}"
        assert tool.placeholders(zh.msgstr) == tool.placeholders(entry.msgid), (entry.msgid, zh.msgstr)
        assert catalog.gettext(entry.msgid) == zh.msgstr
        assert zh.msgstr.format(**{name: "X" for name in tool.placeholders(entry.msgid)})


def test_severity_labels_are_in_the_catalog():
    from layerlint.diagnostics import Severity

    assert [i18n.translate(s.label, "zh") for s in Severity] == ["信息", "警告", "错误"]


def test_committed_pot_is_up_to_date(tmp_path):
    fresh = tmp_path / "layerlint.pot"
    assert tool.write_pot(fresh) == []
    committed = (LOCALE / "layerlint.pot").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, "run `python scripts/i18n.py extract update compile`"


def test_committed_mo_files_are_compiled_from_the_po_files():
    for po in tool.po_files():
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} missing: run `python scripts/i18n.py compile`"
        assert mo.read_bytes() == tool.compile_po(po), f"{mo} out of date: run `python scripts/i18n.py compile`"
        parsed = gettext.GNUTranslations(mo.open("rb"))
        _, entries, _ = tool.parse_catalog(po.read_text(encoding="utf-8"))
        for entry in entries:
            if entry.msgstr and not entry.fuzzy and not entry.obsolete:
                assert parsed.gettext(entry.msgid) == entry.msgstr


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_mo_writer_agrees_with_gnu_msgfmt(tmp_path):
    reference = tmp_path / "reference.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(reference), str(ZH_PO)], check=True)
    ours = gettext.GNUTranslations(ZH_MO.open("rb"))
    theirs = gettext.GNUTranslations(reference.open("rb"))
    assert ours._catalog == theirs._catalog


def test_po_files_are_in_canonical_form():
    """`update` rewrites the .po files; a hand edit that it would reformat shows up as churn."""
    for po in tool.po_files():
        text = po.read_text(encoding="utf-8")
        header, entries, comments = tool.parse_catalog(text)
        assert tool.format_catalog(entries, header, comments) == text


def test_check_command_finds_nothing_to_do():
    assert tool.catalog_problems() == []


# --------------------------------------------------------------------------- language selection


@pytest.mark.parametrize("lang, expected", [
    ("zh", ("zh", "zh_CN")),
    ("zh_CN", ("zh_CN", "zh")),
    ("zh-CN", ("zh_CN", "zh")),
    ("zh-cn", ("zh_CN", "zh")),
    ("zh_Hans", ("zh_Hans", "zh_CN", "zh")),
    ("zh-Hans-CN", ("zh_CN", "zh_Hans", "zh")),
    ("zh_CN.UTF-8", ("zh_CN", "zh")),
    ("zh_TW", ("zh_TW", "zh")),
    ("pt_BR.UTF-8@euro", ("pt_BR", "pt")),
    ("en_US", ()),
    ("C", ()),
    ("POSIX", ()),
])
def test_language_candidates(lang, expected):
    assert i18n.language_candidates(lang) == expected


@pytest.mark.parametrize("lang", ["zh", "zh_CN", "zh-CN", "zh_Hans", "zh-Hans", "zh_CN.UTF-8"])
def test_chinese_spellings_select_the_zh_cn_catalog(lang):
    assert i18n.catalog_language(lang) == "zh_CN"
    assert i18n.translate("All checks passed.", lang) == "所有检查均已通过。"


@pytest.mark.parametrize("lang", ["zh_TW", "zh_Hant", "fr", "en", "C"])
def test_other_languages_fall_back_to_english(lang):
    assert i18n.catalog_language(lang) is None
    assert i18n.translate("All checks passed.", lang) == "All checks passed."


def test_environment_language_list(monkeypatch):
    for variable in ("LAYERLINT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANGUAGE", "fr:zh_CN:en")
    assert i18n.translate("help: {help}") == "建议：{help}"  # no fr catalog: the next language in the list
    monkeypatch.setenv("LAYERLINT_LANG", "en")
    assert i18n.translate("help: {help}") == "help: {help}"


@pytest.mark.parametrize("lang", ["zh", "zh_CN", "zh-CN", "zh_Hans"])
def test_check_lang_zh_prints_chinese(capsys, lang):
    code = main(["check", "--no-cache", "--no-progress", "--lang", lang, str(ARTICLE)])
    out = capsys.readouterr().out
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{ARTICLE}:19:13: LL001 [错误] `self.batchnorm`（BatchNormalization）")
    assert "已在第 16 行的调用中按 6 个特征构建，但在此处收到 16 个特征" in first
    assert "expected axis -1 of input shape to have value 6" in first  # the framework's error stays verbatim
    assert f"{ARTICLE}:16:13: 首次调用：按 6 个特征构建 `self.batchnorm`" in out
    assert f"{ARTICLE}:10:26: `self.batchnorm` 在此处创建" in out
    assert "  建议：为每个调用处创建各自的 BatchNormalization 实例，例如 `self.batchnorm` 和 `self.batchnorm_2`" in out
    assert "发现 1 个问题（1 个错误）。" in out


def test_check_lang_fr_falls_back_to_english(capsys):
    code = main(["check", "--no-cache", "--no-progress", "--lang", "fr", str(ARTICLE)])
    out = capsys.readouterr().out
    assert code == 1
    assert "LL001 [error] `self.batchnorm` (BatchNormalization) is built for 6 features" in out
    assert "Found 1 finding(s) (1 error(s))." in out


def test_json_format_translates_messages(capsys):
    import json

    main(["check", "--no-cache", "--no-progress", "--format", "json", "--lang", "zh", str(ARTICLE)])
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["severity"] == "error"  # machine-readable fields stay stable
    assert finding["help"].startswith("为每个调用处创建各自的")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LAYERLINT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LAYERLINT_LOCALE_DIR")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def test_command_line_and_environment_variable_end_to_end():
    args = [sys.executable, "-m", "layerlint", "check", "--no-cache", "--no-progress", str(ARTICLE)]
    by_option = subprocess.run(args[:4] + ["--lang", "zh-CN"] + args[4:], capture_output=True, text=True,
                               env=_clean_env())
    by_variable = subprocess.run(args, capture_output=True, text=True, env=_clean_env(LAYERLINT_LANG="zh_Hans"))
    by_locale = subprocess.run(args, capture_output=True, text=True, env=_clean_env(LANG="zh_CN.UTF-8"))
    for run in (by_option, by_variable, by_locale):
        assert run.returncode == 1, run.stderr
        assert "LL001 [错误]" in run.stdout and "发现 1 个问题" in run.stdout


# --------------------------------------------------------------------------- a new language, no code change


TINY_PO = '''\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: xx\\n"

msgid "error"
msgstr "ERR"

msgid "All checks passed."
msgstr "xx: all good"

msgid "`{label}` is created here"
msgstr "xx: {label} born here"

#, fuzzy
msgid "help"
msgstr "xx: fuzzy entries are not compiled"
'''


def test_a_new_language_needs_no_code_change(tmp_path, monkeypatch, capsys):
    messages = tmp_path / "xx" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "layerlint.po").write_text(TINY_PO, encoding="utf-8")
    (messages / "layerlint.mo").write_bytes(tool.compile_po(messages / "layerlint.po"))
    (tmp_path / "xx" / "rules").mkdir()
    (tmp_path / "xx" / "rules" / "LL001.md").write_text("<!-- source-sha256: " + "0" * 64 + " -->\nxx doc\n",
                                                      encoding="utf-8")

    assert i18n.translate("All checks passed.", "xx") == "All checks passed."  # not yet on the path
    monkeypatch.setenv(i18n.LOCALE_DIR_VARIABLE, str(tmp_path))
    assert i18n.translate("All checks passed.", "xx-XX") == "xx: all good"
    assert i18n.translate("help", "xx") == "help"  # fuzzy: left out of the .mo
    assert i18n.translate("All checks passed.", "zh") == "所有检查均已通过。"  # the packaged ones still work
    assert i18n.rule_documentation(ALL_RULES[0], "xx") == "xx doc"
    assert i18n.rule_documentation(ALL_RULES[1], "xx") == ALL_RULES[1].documentation()

    run = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--no-progress",
                          "--lang", "xx", str(ARTICLE)], capture_output=True, text=True,
                         env=_clean_env(LAYERLINT_LOCALE_DIR=str(tmp_path)))
    assert "LL001 [ERR]" in run.stdout
    assert "xx: self.batchnorm born here" in run.stdout
    assert "is built for 6 features" in run.stdout  # untranslated messages stay English


def test_add_locale_dir(tmp_path):
    messages = tmp_path / "yy" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "layerlint.mo").write_bytes(tool.mo_bytes({"help": "yy-help"}, {"Content-Type": "text/plain; charset=UTF-8"}))
    i18n.add_locale_dir(tmp_path)
    try:
        assert i18n.translate("help", "yy") == "yy-help"
    finally:
        i18n._extra_dirs.remove(tmp_path)


# --------------------------------------------------------------------------- rule documentation


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_zh_cn_rule_page_matches_the_english_documentation(rule):
    path = LOCALE / "zh_CN" / "rules" / f"{rule.code}.md"
    assert path.is_file(), f"run `python scripts/i18n.py rule-page zh_CN {rule.code}` and translate it"
    english = rule.documentation()
    recorded, body = i18n.translated_rule_page(rule.code, "zh_CN")
    assert recorded == i18n.source_hash(english), (
        f"the English documentation of {rule.code} changed since {path.name} was translated: update the "
        f"translation, then `python scripts/i18n.py rule-page zh_CN {rule.code}` records the new hash")
    assert tool.headings(body) == [ZH_HEADINGS[h] for h in tool.headings(english)]
    assert tool.code_blocks(body) == tool.code_blocks(english)
    assert tool.inline_code(body) == tool.inline_code(english)
    summary = i18n.rule_summary(rule, "zh")
    assert summary and any("\u4e00" <= ch <= "\u9fff" for ch in summary)


def test_rule_documentation_falls_back_to_english():
    rule = ALL_RULES[0]
    assert i18n.rule_documentation(rule, "fr") == rule.documentation()
    assert i18n.rule_documentation(rule, "en") == rule.documentation()
    assert i18n.rule_documentation(rule, "zh").startswith("被复用的层实例")


def test_changed_docstring_is_detected(tmp_path, monkeypatch):
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    assert tool.rule_page_problems(copy) == []
    rule = ALL_RULES[0]
    monkeypatch.setattr(rule, "__doc__", rule.__doc__ + "\n    One more sentence.\n")
    problems = tool.rule_page_problems(copy)
    assert len(problems) == 1 and f"documentation of {rule.code} changed" in problems[0]
