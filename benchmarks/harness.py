"""The benchmark's pure parts: one result row, its ratio and verdict, the table, and the
parsing of `wrk` output and of an EXPLAIN plan. No Django, no servers: tested in CI."""

import re
import statistics
from dataclasses import dataclass


@dataclass
class Row:
    """One figure: ours against the reference (same stack, same run), and its target.

    `target_ratio`: ours / reference must reach it. `target_max`: ours must stay below it
    (for times, where smaller is better). `target_min`: ours must reach it. Without any of
    them the row is informative only.
    """

    figure: str
    ours: float | None
    reference: float | None = None
    unit: str = ""
    target_ratio: float | None = None
    target_max: float | None = None
    target_min: float | None = None
    note: str = ""

    @property
    def ratio(self):
        if self.ours is None or not self.reference:
            return None
        return self.ours / self.reference

    @property
    def passed(self):
        """True/False against the target; None when there is no target or no figure."""
        if self.ours is None:
            return None
        if self.target_ratio is not None:
            return None if self.ratio is None else self.ratio >= self.target_ratio
        if self.target_max is not None:
            return self.ours < self.target_max
        if self.target_min is not None:
            return self.ours >= self.target_min
        return None

    @property
    def target(self):
        if self.target_ratio is not None:
            return f"ratio ≥ {self.target_ratio:g}"
        if self.target_max is not None:
            return f"< {number(self.target_max)} {self.unit}".rstrip()
        if self.target_min is not None:
            return f"≥ {number(self.target_min)} {self.unit}".rstrip()
        return "—"


def number(value):
    """Thousands separators, and as many decimals as a figure of that size needs."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def verdict(passed):
    return {True: "pass", False: "**FAIL**", None: "—"}[passed]


def table(rows):
    """The Markdown table of the README and of benchmarks/results/latest.md."""
    lines = [
        "| figure | ours | reference | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        unit = f" {row.unit}" if row.unit else ""
        ours = f"{number(row.ours)}{unit}" if row.ours is not None else "not measured"
        reference = f"{number(row.reference)}{unit}" if row.reference is not None else "—"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
        figure = f"{row.figure} ({row.note})" if row.note else row.figure
        lines.append(
            f"| {figure} | {ours} | {reference} | {ratio} | {row.target} | {verdict(row.passed)} |"
        )
    return "\n".join(lines) + "\n"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * _UNITS[match[2]] if match else None


def parse_wrk(output):
    """From `wrk --latency` output: requests/s, p50 and p99 in ms, non-2xx/3xx and errors."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors:.*?connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": float(rps[1]) if rps else None,
        "p50_ms": _ms(p50[1]) if p50 else None,
        "p99_ms": _ms(p99[1]) if p99 else None,
        "non2xx": int(non2xx[1]) if non2xx else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


_SCANS = "Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan"


def unindexed_scans(plan, table):
    """How many times an EXPLAIN plan reads `table` without an index condition: a sequential
    scan, or an index scan that walks the whole index (no "Index Cond" of its own)."""
    lines = plan.splitlines()
    count = 0
    for n, line in enumerate(lines):
        node = re.search(
            rf"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan) .*?\bon {re.escape(table)}\b",
            line,
        )
        if not node:
            continue
        if node[1] == "Seq Scan":
            count += 1
            continue
        if node[1] == "Bitmap Heap Scan":
            continue  # its Bitmap Index Scan child always has an Index Cond
        details = []
        for following in lines[n + 1 :]:
            if "->" in following:
                break
            details.append(following)
        if not any("Index Cond:" in detail for detail in details):
            count += 1
    return count
