#!/usr/bin/env python3
"""Translation tooling for layerlint: extract the N_() templates, merge, compile and check catalogs.

    python scripts/i18n.py extract        # src/layerlint/locale/layerlint.pot from every N_("...") call
    python scripts/i18n.py update         # merge the .pot into every <lang>/LC_MESSAGES/layerlint.po
    python scripts/i18n.py compile        # .po -> .mo (the .mo files are committed: users need nothing)
    python scripts/i18n.py check          # every message translated, same placeholders, rule pages current
    python scripts/i18n.py rule-page LANG CODE   # start (or refresh the hash of) a rule page to translate

Needs only the standard library. A new language: `mkdir -p src/layerlint/locale/fr/LC_MESSAGES`,
copy the .pot there as `layerlint.po`, translate, run `compile`; the code needs no change.
Rule documentation is translated as whole pages, `locale/<lang>/rules/<CODE>.md`, whose first line
`<!-- source-sha256: ... -->` is the hash of the English docstring they translate; `check` reports a
page whose docstring has changed since.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "layerlint"
LOCALE = PACKAGE / "locale"
DOMAIN = "layerlint"
POT = LOCALE / f"{DOMAIN}.pot"

HEADER = {
    "Project-Id-Version": "layerlint",
    "Report-Msgid-Bugs-To": "the layerlint issue tracker",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


# --------------------------------------------------------------------------- catalog model


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # "#." extracted comments
    translator_comments: list[str] = field(default_factory=list)  # "# " comments
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def placeholders(template: str) -> set[str]:
    """The `{names}` a str.format template uses (raises ValueError on unbalanced braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# --------------------------------------------------------------------------- extraction


def _severity_labels(package: Path) -> list[tuple[str, str]]:
    """`Severity.label` is the member name in lower case, translated at report time."""
    path = package / "diagnostics.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    labels = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Severity":
            for statement in node.body:
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        if isinstance(target, ast.Name):
                            labels.append((target.id.lower(), path.relative_to(package.parent.parent).as_posix()))
    return labels


def extract(package: Path = PACKAGE) -> tuple[list[Entry], list[str]]:
    """Every `N_("literal")` under the package, in file order, merged by msgid; plus the problems
    (an N_ call whose argument is not one string literal)."""
    entries: dict[str, Entry] = {}
    problems: list[str] = []
    base = package.parent.parent

    order: dict[str, tuple[str, int]] = {}

    def add(msgid: str, reference: str, comment: str | None = None, line: int = 0) -> None:
        order.setdefault(msgid, (reference, line))
        entry = entries.setdefault(msgid, Entry(msgid, flags=["python-brace-format"] if placeholders(msgid) else []))
        if reference not in entry.references:
            entry.references.append(reference)
        if comment and comment not in entry.comments:
            entry.comments.append(comment)

    for path in sorted(package.rglob("*.py")):
        if "locale" in path.relative_to(package).parts:
            continue
        relative = path.relative_to(base).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"):
                continue
            if len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                try:
                    placeholders(node.args[0].value)
                except ValueError as error:
                    problems.append(f"{relative}:{node.lineno}: N_ template is not a valid format string: {error}")
                add(node.args[0].value, relative, line=node.lineno)
            else:
                problems.append(f"{relative}:{node.lineno}: N_() needs exactly one string literal")
    for label, relative in _severity_labels(package):
        add(label, relative, "severity label (Severity.label), e.g. `[error]` in text output")
    return sorted(entries.values(), key=lambda e: order[e.msgid]), problems


# --------------------------------------------------------------------------- .po / .pot text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _unescape(text: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), text)


def _quoted(keyword: str, text: str, width: int = 78) -> list[str]:
    escaped = _escape(text)
    if len(keyword) + len(escaped) + 3 <= width and "\\n" not in escaped[:-2]:
        return [f'{keyword} "{escaped}"']
    chunks: list[str] = []
    for line in re.split(r"(?<=\\n)", escaped):
        current = ""
        for word in re.split(r"(?<= )", line):
            if current and len(current) + len(word) > width - 2:
                chunks.append(current)
                current = ""
            current += word
        if current:
            chunks.append(current)
    return [f'{keyword} ""'] + [f'"{chunk}"' for chunk in chunks]


def format_catalog(entries: list[Entry], header: dict[str, str], header_comments: list[str] = ()) -> str:
    lines = [f"# {c}" if c else "#" for c in header_comments]
    lines += ['msgid ""', 'msgstr ""']
    lines += [f'"{_escape(f"{k}: {v}")}\\n"' for k, v in header.items()]
    for entry in entries:
        lines.append("")
        prefix = "#~ " if entry.obsolete else ""
        lines += [f"# {c}" for c in entry.translator_comments]
        lines += [f"#. {c}" for c in entry.comments]
        lines += [f"#: {r}" for r in entry.references]
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        lines += [prefix + line for line in _quoted("msgid", entry.msgid)]
        lines += [prefix + line for line in _quoted("msgstr", entry.msgstr)]
    return "\n".join(lines) + "\n"


def parse_catalog(text: str) -> tuple[dict[str, str], list[Entry], list[str]]:
    """(header fields, entries, header comments) of a .po or .pot file."""
    entries: list[Entry] = []
    current = Entry("")
    keyword: str | None = None
    values: dict[str, list[str]] = {}
    header_comments: list[str] = []

    def finish() -> None:
        nonlocal current, values, keyword
        if "msgid" in values:
            current.msgid = "".join(values["msgid"])
            current.msgstr = "".join(values.get("msgstr", []))
            entries.append(current)
        current, values, keyword = Entry(""), {}, None

    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            current.obsolete = True
        if not line:
            continue
        if line.startswith("#"):
            if "msgid" in values:
                finish()
            if line.startswith("#:"):
                current.references += line[2:].split()
            elif line.startswith("#,"):
                current.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#."):
                current.comments.append(line[2:].strip())
            elif not line.startswith("#|"):
                current.translator_comments.append(line[2:] if line.startswith("# ") else "")
            continue
        match = re.match(r'(msgid|msgstr|msgctxt)\s+"(.*)"$', line)
        if match:
            if match.group(1) == "msgid" and "msgid" in values:
                finish()
                if obsolete:
                    current.obsolete = True
            keyword = match.group(1)
            values.setdefault(keyword, []).append(_unescape(match.group(2)))
            continue
        if line.startswith('"') and line.endswith('"') and keyword:
            values[keyword].append(_unescape(line[1:-1]))
            continue
        raise ValueError(f"cannot parse catalog line: {raw!r}")
    finish()
    header: dict[str, str] = {}
    if entries and entries[0].msgid == "":
        header_entry = entries.pop(0)
        header_comments = header_entry.translator_comments
        for field_line in header_entry.msgstr.splitlines():
            name, _, value = field_line.partition(":")
            if name:
                header[name.strip()] = value.strip()
    return header, entries, header_comments


# --------------------------------------------------------------------------- .mo


def mo_bytes(translations: dict[str, str], header: dict[str, str]) -> bytes:
    """A GNU .mo file (little-endian, no hash table) holding the header and the translations."""
    messages = dict(translations)
    messages[""] = "".join(f"{k}: {v}\n" for k, v in header.items())
    keys = sorted(messages, key=lambda k: k.encode("utf-8"))
    ids = [k.encode("utf-8") for k in keys]
    strs = [messages[k].encode("utf-8") for k in keys]
    count = len(keys)
    originals_offset = 7 * 4
    translations_offset = originals_offset + count * 8
    data_offset = translations_offset + count * 8
    table_originals, table_translations, data = [], [], b""
    for encoded in ids:
        table_originals.append((len(encoded), data_offset + len(data)))
        data += encoded + b"\0"
    for encoded in strs:
        table_translations.append((len(encoded), data_offset + len(data)))
        data += encoded + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, originals_offset, translations_offset, 0, data_offset)
    for length, offset in table_originals + table_translations:
        out += struct.pack("<2I", length, offset)
    return out + data


def compile_po(po_path: Path) -> bytes:
    header, entries, _ = parse_catalog(po_path.read_text(encoding="utf-8"))
    translated = {e.msgid: e.msgstr for e in entries if e.msgstr and not e.fuzzy and not e.obsolete}
    return mo_bytes(translated, header)


def po_files(locale: Path = LOCALE) -> list[Path]:
    return sorted(locale.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# --------------------------------------------------------------------------- rule pages


def _import_layerlint():
    sys.path.insert(0, str(ROOT / "src"))
    from layerlint import i18n
    from layerlint.static.rules import ALL_RULES

    return i18n, ALL_RULES


def headings(markdown: str) -> list[str]:
    """The `## ` headings outside code blocks, as written."""
    found, in_code = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.append(line.strip())
    return found


def code_blocks(markdown: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```[^\n]*\n(.*?)```", markdown, re.DOTALL)]


def inline_code(markdown: str) -> list[str]:
    without_blocks = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    return sorted(set(re.findall(r"`([^`\n]+)`", without_blocks)))


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def rule_page_problems(locale: Path = LOCALE) -> list[str]:
    """Each translated rule page: present for every rule, translated from the current docstring,
    with the English page's code blocks and inline code unchanged and one heading per English heading."""
    i18n, rules = _import_layerlint()
    problems = []
    for language_dir in sorted(p.parent for p in locale.glob("*/rules")):
        for rule in rules:
            path = language_dir / "rules" / f"{rule.code}.md"
            english = rule.documentation()
            if not path.is_file():
                problems.append(f"{_show(path)}: missing (run `scripts/i18n.py rule-page "
                                f"{language_dir.name} {rule.code}` and translate it)")
                continue
            text = path.read_text(encoding="utf-8")
            match = re.match(r"<!--\s*source-sha256:\s*([0-9a-f]{64})\s*-->\n", text)
            if not match:
                problems.append(f"{_show(path)}: first line must be <!-- source-sha256: HASH -->")
                continue
            if match.group(1) != i18n.source_hash(english):
                problems.append(f"{_show(path)}: the English documentation of {rule.code} changed "
                                f"since it was translated; update the translation, then run "
                                f"`scripts/i18n.py rule-page {language_dir.name} {rule.code}`")
            body = text[match.end():]
            if code_blocks(body) != code_blocks(english):
                problems.append(f"{_show(path)}: code blocks differ from the English documentation")
            if inline_code(body) != inline_code(english):
                problems.append(f"{_show(path)}: inline `code` differs from the English documentation: "
                                f"{sorted(set(inline_code(body)) ^ set(inline_code(english)))}")
            if len(headings(body)) != len(headings(english)):
                problems.append(f"{_show(path)}: {len(headings(body))} headings, the English "
                                f"documentation has {len(headings(english))}")
        for path in sorted((language_dir / "rules").glob("*.md")):
            if path.stem not in {rule.code for rule in rules}:
                problems.append(f"{_show(path)}: no rule has this code")
    return problems


# --------------------------------------------------------------------------- commands


def write_pot(path: Path = POT, package: Path = PACKAGE) -> list[str]:
    entries, problems = extract(package)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_catalog(entries, HEADER, ["Messages of layerlint.", "Generated by scripts/i18n.py "
                                                     "extract: do not edit; translate the .po files."]),
                    encoding="utf-8")
    return problems


def update(locale: Path = LOCALE) -> None:
    _, template, _ = parse_catalog((locale / f"{DOMAIN}.pot").read_text(encoding="utf-8"))
    for po in po_files(locale):
        header, entries, comments = parse_catalog(po.read_text(encoding="utf-8"))
        old = {e.msgid: e for e in entries if not e.obsolete}
        merged = []
        for entry in template:
            previous = old.pop(entry.msgid, None)
            if previous is not None:
                entry.msgstr = previous.msgstr
                entry.translator_comments = previous.translator_comments
                entry.flags = entry.flags + [f for f in previous.flags if f == "fuzzy"]
            merged.append(entry)
        for gone in old.values():
            if gone.msgstr:
                gone.obsolete, gone.references = True, []
                merged.append(gone)
        po.write_text(format_catalog(merged, header, comments), encoding="utf-8")
        print(f"{po.relative_to(ROOT)}: {sum(1 for e in merged if not e.msgstr and not e.obsolete)} untranslated")


def catalog_problems(locale: Path = LOCALE, package: Path = PACKAGE) -> list[str]:
    entries, problems = extract(package)
    expected = {e.msgid for e in entries}
    for po in po_files(locale):
        _, translations, _ = parse_catalog(po.read_text(encoding="utf-8"))
        found = {e.msgid: e for e in translations if not e.obsolete}
        name = _show(po)
        for msgid in sorted(expected - found.keys()):
            problems.append(f"{name}: missing {msgid!r} (run `scripts/i18n.py extract update`)")
        for msgid in sorted(expected & found.keys()):
            entry = found[msgid]
            if not entry.msgstr or entry.fuzzy:
                problems.append(f"{name}: {'fuzzy' if entry.fuzzy else 'untranslated'}: {msgid!r}")
                continue
            try:
                if placeholders(entry.msgstr) != placeholders(msgid):
                    problems.append(f"{name}: placeholders differ for {msgid!r}: {entry.msgstr!r}")
            except ValueError as error:
                problems.append(f"{name}: translation of {msgid!r} is not a valid format string: {error}")
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.read_bytes() != compile_po(po):
            problems.append(f"{_show(mo)}: out of date "
                            "(run `scripts/i18n.py compile`)")
    return problems


def rule_page(language: str, code: str) -> None:
    i18n, rules = _import_layerlint()
    rule = next(r for r in rules if r.code == code.upper())
    path = LOCALE / language / "rules" / f"{rule.code}.md"
    english = rule.documentation()
    marker = f"<!-- source-sha256: {i18n.source_hash(english)} -->\n"
    if path.is_file():
        body = re.sub(r"\A<!--.*?-->\n", "", path.read_text(encoding="utf-8"))
        print(f"{path.relative_to(ROOT)}: hash set to the current English documentation")
    else:
        body = english + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"{path.relative_to(ROOT)}: created from the English documentation; translate it")
    path.write_text(marker + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commands", nargs="+", metavar="COMMAND",
                        help="extract, update, compile, check, or rule-page LANG CODE")
    args = parser.parse_args(argv)
    commands = list(args.commands)
    status = 0
    while commands:
        command = commands.pop(0)
        if command == "extract":
            for problem in write_pot():
                print(problem, file=sys.stderr)
                status = 1
            print(f"{POT.relative_to(ROOT)}: {len(extract()[0])} messages")
        elif command == "update":
            update()
        elif command == "compile":
            for po in po_files():
                po.with_suffix(".mo").write_bytes(compile_po(po))
                print(f"{po.with_suffix('.mo').relative_to(ROOT)}: written")
        elif command == "check":
            problems = catalog_problems() + rule_page_problems()
            pot_current = POT.is_file() and POT.read_text(encoding="utf-8") == format_catalog(
                extract()[0], HEADER, parse_catalog(POT.read_text(encoding="utf-8"))[2])
            if not pot_current:
                problems.append(f"{POT.relative_to(ROOT)}: out of date (run `scripts/i18n.py extract`)")
            for problem in problems:
                print(problem, file=sys.stderr)
            status = max(status, 1 if problems else 0)
            if not problems:
                print("catalogs and rule pages are complete and up to date")
        elif command == "rule-page":
            if len(commands) < 2:
                parser.error("rule-page needs LANG CODE")
            rule_page(commands.pop(0), commands.pop(0))
        else:
            parser.error(f"unknown command {command!r}")
    return status


if __name__ == "__main__":
    sys.exit(main())
