"""No cell of a download runs as a formula: text that a spreadsheet would evaluate gets a single quote in front,
numbers stay numbers."""

import csv
import io

from openpyxl import load_workbook

from saksham.core.exports import cell_text, csv_lines, write_xlsx

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", '=HYPERLINK("http://x")', "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"]


def test_a_formula_is_written_as_text_and_anything_else_as_it_is():
    for text in FORMULAS:
        assert cell_text(text) == "'" + text
    for value in ["Asha Kumari", "", "2+3", "-2", "+919876543210", "-1.5", -2, -2.5, 0, None]:
        assert cell_text(value) == value


def test_csv_lines_neutralise_text_cells_only():
    rows = [["name", "hours"], *[[text, -2.5] for text in FORMULAS]]
    text = "".join(csv_lines(rows)).lstrip("\ufeff")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["name", "hours"]
    assert [r[0] for r in read[1:]] == ["'" + t for t in FORMULAS]
    assert {r[1] for r in read[1:]} == {"-2.5"}


def test_xlsx_neutralises_text_cells_only(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [["name", "hours"], *[[text, -2.5] for text in FORMULAS]])
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in FORMULAS]
    assert {r[1] for r in rows[1:]} == {-2.5}            # still a number
