"""The one position model (`layerlint.text`): lines as Python's parser counts them, and round trips
between characters, UTF-8 bytes (ast) and LSP code units, on random Unicode text with every kind of
line break and the separators `str.splitlines` wrongly treats as breaks."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from layerlint.text import UTF8, UTF16, UTF32, SourceText, characters, split_lines, units

BREAKS = st.sampled_from(["\n", "\r\n", "\r"])
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\"\\\x00"), max_size=8)
OTHER_SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(WORDS, BREAKS), min_size=1, max_size=12))
def test_ast_positions_land_on_the_node(lines):
    """Every line is `x = "<words>"  # <separators>`: the Name `x` must be found at each ast position."""
    text = "".join(f'x = "{words}"  # {OTHER_SEPARATORS}{brk}' for words, brk in lines)
    positions = SourceText(text)
    names = [node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)]
    assert len(names) == len(lines) == positions.line_count - 1
    for node in names:
        offset = positions.offset_of_ast(node.lineno, node.col_offset)
        assert text[offset] == "x" and positions.position(offset) == (node.lineno, 0)
        end = positions.offset_of_ast(node.end_lineno, node.end_col_offset)
        assert text[offset:end] == "x"
    assert len(split_lines(text)) == positions.line_count


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.data())
def test_columns_round_trip_between_characters_bytes_and_units(text, data):
    text = text.replace("\ud800", "")
    positions = SourceText(text)
    line = data.draw(st.integers(1, positions.line_count))
    content = positions.line(line)
    column = data.draw(st.integers(0, len(content)))
    assert positions.char_column(line, positions.utf8_column(line, column)) == column
    assert positions.position(positions.offset(line, column)) == (line, column)
    for encoding in (UTF8, UTF16, UTF32):
        assert characters(content, units(content[:column], encoding), encoding) == column


def test_a_line_break_is_only_cr_lf_or_crlf():
    assert split_lines("a\u2028b\x0cc\r\nd\re\nf") == ["a\u2028b\x0cc", "d", "e", "f"]
    assert SourceText("é\n😀x").char_column(2, len("😀".encode())) == 1
