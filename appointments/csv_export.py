"""The one CSV writer of every export (day list, reports, invitation batches): UTF-8 with a
BOM so Excel shows umlauts, and no cell a spreadsheet would run as a formula (CSV injection:
residents and staff type the names and notes that end up in the cells)."""

import csv
import re

BOM = "\ufeff"
# A cell starting with one of these is a formula (or becomes one after Excel trims it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ...except a plain number such as "-2,5" (a report's change in points), which stays a number.
NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*")


def safe_cell(value):
    """`value` as it may go into a cell: text that starts like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer that neutralises every cell it writes."""

    def __init__(self, stream, *, delimiter=";", **options):
        self._writer = csv.writer(stream, delimiter=delimiter, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, *, delimiter=";", bom=True, **options):
    """A SafeWriter on `stream` (a file, StringIO or HttpResponse), writing the BOM first."""
    if bom:
        stream.write(BOM)
    return SafeWriter(stream, delimiter=delimiter, **options)
