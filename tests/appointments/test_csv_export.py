"""The one CSV writer: cells a spreadsheet would run as formulas are neutralised."""

import io

import pytest

from appointments import csv_export

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_starts_like_a_formula_is_quoted(value):
    assert csv_export.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Aydın", "", "2026-11-10", "-2,5", "+3", "-7", 12, None, "a=b"])
def test_text_and_plain_numbers_stay_as_they_are(value):
    assert csv_export.safe_cell(value) == value


def test_the_writer_starts_with_a_bom_and_neutralises_every_cell():
    buffer = io.StringIO()
    writer = csv_export.writer(buffer)
    writer.writerow(["=cmd", "ok"])
    writer.writerows([["@x", 1]])
    assert buffer.getvalue() == "\ufeff'=cmd;ok\r\n'@x;1\r\n"
