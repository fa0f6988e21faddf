"""Scores realworld findings against hand-triaged labels.

A label names one finding by corpus, path (inside the checked package's parent folder), line and
code, with a verdict and a one-line reason:

    TRUE         a crash, or accidental sharing a careful reviewer wants to hear about
    INTENTIONAL  sharing that is the design of the model
    FALSE        wrong: the calls cannot both run, the layer is not shared, ...

Every warning and error is scored, and so is every info finding that the severity policy demoted
(an LL003 whose message says "looks intended"): a demoted finding labelled TRUE is a missed bug.
Precision = TRUE / (TRUE + INTENTIONAL + FALSE) over warnings and errors.

A corpus pinned at a release with a publicly reported bug names the report (`reported_bug`); a TRUE
label that is that bug says so (`"bug": "owner/repo#N"`), and the table says whether a warning or an
error found it: a release whose reported bug the checker misses is a miss, not just a quiet corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

VERDICTS = ("TRUE", "INTENTIONAL", "FALSE")
DEMOTED_MARK = "looks intended"


def load_labels(path: Path) -> dict[tuple[str, str, int, str], dict]:
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    labels = {}
    for label in document["labels"]:
        if label["verdict"] not in VERDICTS or not label.get("reason"):
            raise ValueError(f"label needs a verdict in {VERDICTS} and a reason: {label}")
        labels[(label["corpus"], label["path"], label["line"], label["code"])] = label
    return labels


def scored(finding: dict) -> str | None:
    """"reported" for a warning or error, "demoted" for a demoted info, None for the rest."""
    if finding["severity"] in ("warning", "error"):
        return "reported"
    if finding["code"] == "LL003" and DEMOTED_MARK in finding["message"]:
        return "demoted"
    return None


def score_corpus(result: dict, labels: dict) -> dict:
    row = {"corpus": result["corpus"], "requirement": result.get("requirement", ""), "files": result["files"],
           "seconds": result["seconds"], "reported": 0, "errors": 0, "demoted": 0, "missed": 0,
           "errors_false": 0, "unlabelled": [], "reported_bug": result.get("reported_bug", ""), "bugs_found": []}
    row.update({verdict: 0 for verdict in VERDICTS})
    for finding in result["findings"]:
        group = scored(finding)
        if group is None:
            continue
        where = finding["location"]
        key = (result["corpus"], where["path"], where["line"], finding["code"])
        label = labels.get(key)
        if label is None:
            row["unlabelled"].append(f"{where['path']}:{where['line']}: {finding['code']} [{finding['severity']}] "
                                     f"{finding['message']}")
            continue
        if group == "demoted":
            row["demoted"] += 1
            row["missed"] += label["verdict"] == "TRUE"
            continue
        row["reported"] += 1
        row[label["verdict"]] += 1
        if label["verdict"] == "TRUE" and label.get("bug"):
            row["bugs_found"].append(label["bug"])
        if finding["severity"] == "error":
            row["errors"] += 1
            row["errors_false"] += label["verdict"] == "FALSE"
    return row


def precision(true: int, total: int) -> str:
    return "n/a" if total == 0 else f"{true / total:.2f}"


def render(rows: list[dict]) -> str:
    header = ("| corpus | files | warnings+errors | TRUE | INTENTIONAL | FALSE | precision | errors judged FALSE "
              "| demoted to info | demoted TRUE (missed) | time (s) | reported bug found |")
    lines = [header, "|" + "---|" * 12]
    total = {key: 0 for key in ("files", "reported", "TRUE", "INTENTIONAL", "FALSE", "errors_false", "demoted",
                                "missed", "seconds")}
    for row in rows:
        lines.append(f"| {row['requirement'] or row['corpus']} | {row['files']} | {row['reported']} | {row['TRUE']} "
                     f"| {row['INTENTIONAL']} | {row['FALSE']} | {precision(row['TRUE'], row['reported'])} "
                     f"| {row['errors_false']} | {row['demoted']} | {row['missed']} | {row['seconds']} "
                     f"| {_bug_found(row)} |")
        for key in total:
            total[key] += row[key]
    lines.append(f"| **all** | {total['files']} | {total['reported']} | {total['TRUE']} | {total['INTENTIONAL']} "
                 f"| {total['FALSE']} | {precision(total['TRUE'], total['reported'])} | {total['errors_false']} "
                 f"| {total['demoted']} | {total['missed']} | {round(total['seconds'], 1)} "
                 f"| {_bugs_found(rows)} |")
    unlabelled = [f"  {row['corpus']}: {item}" for row in rows for item in row["unlabelled"]]
    if unlabelled:
        lines.append(f"\n{len(unlabelled)} finding(s) without a label:")
        lines.extend(unlabelled)
    return "\n".join(lines)


def _bug_found(row: dict) -> str:
    bug = row.get("reported_bug")
    if not bug:
        return "-"
    return f"yes ({bug})" if bug in row.get("bugs_found", []) else f"**no** ({bug})"


def _bugs_found(rows: list[dict]) -> str:
    known = [row for row in rows if row.get("reported_bug")]
    return f"{sum(row['reported_bug'] in row.get('bugs_found', []) for row in known)} of {len(known)}"
