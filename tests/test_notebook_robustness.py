"""Notebook items of the robustness review (D2, D6, H5, E4-E7, X6, rows 96-114) and the user
trial's `--diff` leak: each test is built from the review's reproduction."""

from __future__ import annotations

import ast
import codecs
import json
from pathlib import Path

import pytest

from layerlint.cli import main
from layerlint.static import ipython, notebook
from layerlint.static.source import UnreadableSource

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text()
HEAD, BODY = ARTICLE.split("class FeatureExtractor", 1)
BODY = "class FeatureExtractor" + BODY
BUGGY_CALL = "        x = self.batchnorm(x)  # LL001: built for 6 channels, gets 16"


def cell(source, **extra) -> dict:
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source, **extra}


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def document(*cells: dict, metadata: dict | None = None) -> dict:
    return {"cells": list(cells), "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def write(path: Path, doc: dict, newline: str = "\n", bom: bool = False) -> bytes:
    data = (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").replace("\n", newline).encode()
    data = (codecs.BOM_UTF8 if bom else b"") + data
    path.write_bytes(data)
    return data


def sources(path: Path) -> list:
    return [c.get("source") for c in json.loads(path.read_bytes().decode("utf-8-sig"))["cells"]]


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def assert_fixed(source) -> None:
    text = "".join(source) if isinstance(source, list) else source
    assert "self.batchnorm_2 = BatchNormalization()" in text and "self.batchnorm_2(x)" in text


# D2: markers and placeholders cannot collide with the user's lines


def test_d2_user_line_like_a_cell_marker_does_not_move_code_between_cells(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    body = BODY.replace("        return x", "# %% layerlint cell 1\n        return x")
    before = document(cell(lines(HEAD)), cell(lines(body)))
    write(path, before)
    code, _ = run(capsys, "check", "--fix", "--no-cache", str(path))
    assert code == 0
    after = sources(path)
    assert after[0] == before["cells"][0]["source"]
    fixed = "".join(after[1])
    assert_fixed(after[1])
    assert "# %% layerlint cell 1\n        return x\n" in fixed
    for source in after:
        ast.parse("".join(source))  # each cell is still Python on its own


def test_d2_user_line_like_a_magic_placeholder_without_magics_no_index_error(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    write(path, document(cell(lines(HEAD + "# layerlint magic 0\n")), cell(lines(BODY))))
    code, out = run(capsys, "check", "--fix", "--no-cache", str(path))
    assert code == 0, out
    after = sources(path)
    assert "# layerlint magic 0\n" in after[0]
    assert_fixed(after[1])


def test_d2_user_line_like_a_magic_placeholder_is_not_replaced_by_the_magic(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    write(path, document(cell(["%matplotlib inline\n", *lines(HEAD), "# layerlint magic 0\n"]), cell(lines(BODY))))
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    first = "".join(sources(path)[0])
    assert first.count("%matplotlib inline") == 1 and "# layerlint magic 0\n" in first


def test_d2_markers_carry_a_token_absent_from_the_notebook():
    data = json.dumps(document(cell(lines(HEAD)), cell(lines(BODY)))).encode()
    first, second = notebook.load(data), notebook.load(data)
    assert first.token and first.token != second.token
    assert first.token not in data.decode() and first.text.count(first.token) == 2


def test_d2_fixed_text_with_markers_out_of_place_is_refused_not_written():
    book = notebook.load(json.dumps(document(cell(""), cell("b = 2\n"))).encode())
    first, second = [line for line in book.text.splitlines() if "layerlint cell" in line]
    with pytest.raises(notebook.LayoutError):
        notebook.fixed_bytes(book, book.text.replace(second, "c = 3"), b"")
    with pytest.raises(notebook.LayoutError):
        notebook.fixed_diff(book, book.text.replace(second, first), "nb.ipynb")


# D6: a fix rewrites only the changed cells, in the file's own bytes


def test_d6_crlf_notebook_stays_crlf_and_only_the_fixed_source_changes(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    before = document(cell(lines(HEAD)), cell(lines(BODY)))
    data = write(path, before, newline="\r\n")
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    after = path.read_bytes()
    assert after != data and after.count(b"\n") == after.count(b"\r\n")
    assert_fixed(sources(path)[1])
    head_end = data.index(b'"source"', data.index(b'"source"') + 1)  # up to cell 2's source
    assert after[:head_end] == data[:head_end]
    tail = data[data.index(b"\r\n   ]", head_end):]  # from the end of cell 2's source on
    assert after.endswith(tail)


def test_d6_bom_is_kept(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    write(path, document(cell(lines(HEAD)), cell(lines(BODY))), bom=True)
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    assert_fixed(sources(path)[1])


def test_d6_cells_without_a_fix_keep_crlf_form_feeds_and_u2028_exactly(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    crlf = HEAD.replace("\n", "\r\n") + "\x0c\r\nseparator = 'a\u2028b'\r\n"
    untouched = [cell(crlf), cell(lines(crlf)), cell("y = 1\x0c\nz = 2")]
    write(path, document(*untouched, cell(lines(BODY))))
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    after = sources(path)
    assert after[:3] == [c["source"] for c in untouched]
    assert_fixed(after[3])


def test_d6_a_fixed_cell_keeps_its_line_endings_and_open_last_line():
    body = BODY.rstrip("\n").replace("\n", "\r\n")
    data = json.dumps(document(cell(lines(HEAD)), cell(lines(body)))).encode()
    book = notebook.load(data)
    fixed_text = _fixed_text(book)
    new = json.loads(notebook.fixed_bytes(book, fixed_text, data))["cells"]
    assert new[0]["source"] == lines(HEAD)
    assert_fixed(new[1]["source"])
    assert all(piece.endswith("\r\n") for piece in new[1]["source"][:-1])
    assert new[1]["source"][-1] == "# run: FeatureExtractor() on (2, 28, 28, 1)"  # no newline was there: none added


def test_d6_null_and_object_sources_are_left_alone(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    odd = [cell(None), cell({"text": "import keras"})]
    write(path, document(*odd, cell(lines(HEAD)), cell(lines(BODY))))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and f"{path}:cell 4:14:13: LL001" in out
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    after = sources(path)
    assert after[:2] == [None, {"text": "import keras"}]
    assert_fixed(after[3])


def test_d6_fixed_bytes_keeps_minified_layout_and_escapes():
    doc = document(cell(lines(HEAD)), cell(lines(BODY)), metadata={"n": 1.0e10, "big": 10**30})
    data = json.dumps(doc, separators=(",", ":"), ensure_ascii=True).replace("10000000000.0", "1.0E10").encode()
    book = notebook.load(data)
    out = notebook.fixed_bytes(book, _fixed_text(book), data)
    assert b"\n" not in out and b"1.0E10" in out and out.isascii()
    assert out.startswith(data[: data.index(b'"source"', data.index(b'"source"') + 1)])
    assert_fixed(json.loads(out)["cells"][1]["source"])


def test_d6_nothing_changed_gives_the_same_bytes():
    data = b'{"cells": [{"cell_type": "code", "source": "x = 1\\r\\n"}], "nbformat": 4, "metadata": {}}'
    book = notebook.load(data)
    assert notebook.fixed_bytes(book, book.text, data) == data
    assert notebook.fixed_diff(book, book.text, "nb.ipynb") == ""


# User trial: `--diff` showed `# %% layerlint cell 4` and `# layerlint magic 1`


def test_diff_of_a_fix_is_per_cell_without_internal_markers():
    doc = document(cell(["%matplotlib inline\n", *lines(HEAD)]), cell(lines(BODY)),
                   cell("!echo done"), metadata={"kernelspec": {"language": "python"}})
    book = notebook.load(json.dumps(doc).encode())
    diff = notebook.fixed_diff(book, _fixed_text(book), "nb.ipynb")
    assert diff.startswith("--- a/nb.ipynb:cell 2\n+++ b/nb.ipynb:cell 2\n@@ -")
    assert "layerlint cell" not in diff and "layerlint magic" not in diff and book.token not in diff
    assert "+        self.batchnorm_2 = BatchNormalization()\n" in diff
    assert "-        x = self.batchnorm(x)  # LL001" in diff
    assert "cell 1" not in diff and "cell 3" not in diff


def _fixed_text(book: notebook.Notebook) -> str:
    """The article's fix applied by hand to the joined text (the engine's job, not tested here)."""
    text = book.text.replace("        self.batchnorm = BatchNormalization()\n",
                             "        self.batchnorm = BatchNormalization()\n"
                             "        self.batchnorm_2 = BatchNormalization()\n")
    return text.replace(BUGGY_CALL, BUGGY_CALL.replace("self.batchnorm(", "self.batchnorm_2("))


# H5: malformed sources are LL902, not a traceback


@pytest.mark.parametrize("source", [[1, 2], ["x = 1\n", None], 5, True])
def test_h5_source_that_is_not_text_is_a_broken_notebook(capsys, tmp_path, source):
    write(tmp_path / "nb.ipynb", document(cell(source)))
    (tmp_path / "model.py").write_text(ARTICLE)
    code, out = run(capsys, "check", "--no-cache", str(tmp_path))
    assert code == 2
    assert "nb.ipynb:1:1: LL902 [error] cannot read the file: broken notebook: the source of cell 1 is not text" in out
    assert "model.py:19:13: LL001" in out


def test_h5_fix_of_a_malformed_source_is_a_message_not_a_traceback(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    data = write(path, document(cell([1, 2])))
    code, out = run(capsys, "check", "--fix", "--no-cache", str(path))
    assert code == 2 and "broken notebook" in out and path.read_bytes() == data


# E4: continuation lines are Python, not magics


def test_e4_continuation_lines_starting_with_bang_equal_or_percent_are_python(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    continued = "ok = (1\n      != 2)\nrest = [10\n        % 3]\nsum_ = 1 + \\\n    2\n"
    write(path, document(cell(continued), cell(lines(HEAD)), cell(lines(BODY))))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and "LL901" not in out
    assert f"{path}:cell 3:14:13: LL001" in out


def test_e4_only_lines_starting_a_statement_can_be_magics():
    cell_lines = ["%time f()", "x = (1,", "%2)", '"""', "%not a magic", '"""', "!ls \\", "  -l",
                  "y = 1 \\", "  !=2", "files = !ls", "for i in x:", "    %time g(i)", "z = x != y"]
    assert ipython.special_lines(cell_lines) == {0: "", 6: "", 7: "", 10: "", 12: "    "}


def test_e4_a_magic_as_the_only_line_of_a_block_still_parses(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    write(path, document(cell("for i in range(2):\n    !echo $i\n"), cell(lines(HEAD)), cell(lines(BODY))))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and "LL901" not in out and f"{path}:cell 3:14:13: LL001" in out


# E5: `?` ending a comment is not help syntax


def test_e5_comment_ending_with_question_mark_keeps_the_line(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    body = BODY.replace(BUGGY_CALL, "        x = self.batchnorm(x)  # same layer again?")
    write(path, document(cell(["model?\n", *lines(HEAD)]), cell(lines(body))))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and "LL901" not in out
    assert f"{path}:cell 2:14:13: LL001" in out


def test_e5_help_syntax_is_only_outside_comments_and_strings():
    cell_lines = ["obj?", "obj??  # help", "x = 1  # why?", 's = "why?"', "t = '''", "why?", "'''", "?obj"]
    assert set(ipython.special_lines(cell_lines)) == {0, 1, 7}


# E6: only \n, \r\n and \r break lines


def test_e6_u2028_and_other_separators_in_a_string_do_not_split_lines(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    odd = 's = "a\u2028b\u2029c\x85d\x0be\x1cf"\n'
    write(path, document(cell(lines(HEAD)), cell(odd + BODY)))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and "LL901" not in out
    assert f"{path}:cell 2:15:13: LL001" in out
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    fixed = sources(path)[1]
    assert fixed.startswith(odd) and "self.batchnorm_2(x)" in fixed


# E7: notebooks of other languages are not checked


@pytest.mark.parametrize("metadata", [
    {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}},
    {"language_info": {"name": "R"}},
])
def test_e7_r_kernel_notebook_is_skipped(capsys, tmp_path, metadata):
    path = tmp_path / "nb.ipynb"
    r_code = "library(keras)\nmodel <- keras_model_sequential() %>%\n  layer_dense(units = 16)\n"
    data = write(path, document(cell(r_code), cell(lines(BODY)), metadata=metadata))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 0 and "LL9" not in out
    assert run(capsys, "check", "--fix", "--no-cache", str(path))[0] == 0
    assert path.read_bytes() == data


def test_e7_python_kernels_are_still_checked(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    metadata = {"kernelspec": {"language": "python"}, "language_info": {"name": "python"}}
    write(path, document(cell(lines(HEAD)), cell(lines(BODY)), metadata=metadata))
    assert run(capsys, "check", "--no-cache", str(path))[0] == 1


# X6: nbformat 3


def test_x6_nbformat_3_says_it_is_not_supported(capsys, tmp_path):
    path = tmp_path / "old.ipynb"
    v3 = {"metadata": {"name": ""}, "nbformat": 3, "nbformat_minor": 0,
          "worksheets": [{"cells": [{"cell_type": "code", "input": ARTICLE, "language": "python"}]}]}
    path.write_text(json.dumps(v3))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 2
    assert "old.ipynb:1:1: LL902 [error] cannot read the file: nbformat 3 is not supported" in out
    with pytest.raises(UnreadableSource, match="nbformat 3 is not supported"):
        notebook.load(b'{"worksheets": []}')
    with pytest.raises(UnreadableSource, match="nbformat 2 is not supported"):
        notebook.load(b'{"nbformat": 2, "cells": []}')


# Rows 96 and 113: what was already right stays right


@pytest.mark.parametrize("data", [b"", b"[]", b'{"cells": {}}', b"{", "{}".encode("utf-16"), b"[" * 100000])
def test_row96_unreadable_notebooks_are_broken_not_a_crash(data):
    with pytest.raises(UnreadableSource, match="broken notebook"):
        notebook.load(data)


def test_positions_in_crlf_cells_with_magics_are_counted_within_the_cell(capsys, tmp_path):
    path = tmp_path / "nb.ipynb"
    body = "!nvidia-smi\r\n" + BODY.replace("\n", "\r\n")
    write(path, document(cell(["%matplotlib inline\r\n", *lines(HEAD.replace("\n", "\r\n"))]), cell(body)))
    code, out = run(capsys, "check", "--no-cache", str(path))
    assert code == 1 and f"{path}:cell 2:15:13: LL001" in out and f"{path}:cell 2:12:13: first call" in out


def test_d6_a_new_line_among_lone_cr_endings_does_not_merge_with_an_empty_line():
    data = json.dumps(document(cell("a = 1\rb = 2\r\n\n"))).encode()
    book = notebook.load(data)
    fixed = book.text.replace("b = 2\n", "b = 2\nadded = 3\n")
    source = json.loads(notebook.fixed_bytes(book, fixed, data))["cells"][0]["source"]
    assert notebook._split(source)[0] == ["a = 1", "b = 2", "added = 3", ""]
    assert source.startswith("a = 1\rb = 2\r\n")


def test_d6_notebook_without_code_cells_round_trips():
    data = json.dumps(document({"cell_type": "markdown", "source": "# title"})).encode()
    book = notebook.load(data)
    assert book.text == "" and notebook.fixed_bytes(book, "", data) == data


def test_row113_nan_duplicate_keys_and_escapes_outside_the_fixed_source_are_kept_byte_for_byte():
    body = json.dumps(lines(BODY))
    data = ('{"metadata": {"x": NaN, "y": 1E400, "k": 1, "k": 2, "s": "\\u00e9\\/"},\n "cells": [\n'
            f'  {{"cell_type": "code", "source": "old", "source": {json.dumps(HEAD)}}},\n'
            f'  {{"cell_type": "code", "source": {body}, "outputs": [{{"text": "caf\\u00e9"}}]}}\n'
            ' ], "nbformat": 4, "nbformat": 4}\n').encode()
    book = notebook.load(data)
    out = notebook.fixed_bytes(book, _fixed_text(book), data)
    start = data.index(body.encode())
    assert out[:start] == data[:start] and out.endswith(data[start + len(body):])
    assert_fixed(json.loads(out)["cells"][1]["source"])


def test_diff_of_a_notebook_fix_shows_cells_not_internal_markers(tmp_path):
    """User trial: `check --diff` on a notebook showed `# %% layerlint cell 4` and magic placeholders."""
    import subprocess
    import sys

    article = (Path(__file__).resolve().parent.parent / "examples" / "keras" / "article_buggy.py").read_text()
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
             for source in ("%matplotlib inline\n", article)]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--diff", str(path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert f"--- a/{path}:cell 2" in result.stdout and "+        self.batchnorm_2 = BatchNormalization()" in result.stdout
    assert "layerlint cell" not in result.stdout and "layerlint magic" not in result.stdout
