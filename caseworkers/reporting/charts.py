"""Charts as inline SVG geometry for the templates (no script, no external asset); every chart
has the table with its figures beside it."""

import math

from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .markup import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 40


def _y_scale(values, target):
    low = min([*values, target]) if values else target
    floor = max(0, math.floor((low - 10) / 10) * 10)

    def y(value):
        return round(TOP + (100 - value) / (100 - floor) * (HEIGHT - TOP - BOTTOM), 1)

    grid = [{"y": y(v), "label": f"{v} %"} for v in range(floor, 101, 10 if floor >= 50 else 20)]
    return y, grid


def line_chart(rows, *, target, title):
    """Termintreue per row as a line (gaps where nothing happened), with the target."""
    values = [row["termintreue"] for row in rows if row["termintreue"] is not None]
    y, grid = _y_scale(values, target)
    step = (WIDTH - LEFT - RIGHT) / max(len(rows) - 1, 1)
    points, segments, current = [], [], []
    for i, row in enumerate(rows):
        x, value = round(LEFT + i * step, 1), row["termintreue"]
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        current.append(f"{x},{y(value)}")
        points.append({"x": x, "y": y(value), "title": f"{row['label']}: {percent_label(value)}"})
    if current:
        segments.append(" ".join(current))
    chart = {
        "kind": "line",
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": grid,
        "target_y": y(target),
        "target_label": _("Target %(target)s %%") % {"target": target},
        "segments": segments,
        "points": points,
        "xlabels": [
            {"x": round(LEFT + i * step, 1), "label": row.get("short", row["label"])}
            for i, row in enumerate(rows)
            if i % math.ceil(len(rows) / 8) == 0
        ],
        "label_y": HEIGHT - BOTTOM + 18,
    }
    return _with_marks(chart)


def bar_chart(rows, *, target, title):
    """Termintreue per row as bars, with the target line."""
    values = [row["termintreue"] for row in rows if row["termintreue"] is not None]
    y, grid = _y_scale(values, target)
    slot = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)
    width = round(slot * 0.7, 1)
    bars = []
    for i, row in enumerate(rows):
        x = round(LEFT + i * slot + (slot - width) / 2, 1)
        value = row["termintreue"]
        top = y(value) if value is not None else HEIGHT - BOTTOM
        bars.append(
            {
                "x": x,
                "y": top,
                "width": width,
                "height": round(HEIGHT - BOTTOM - top, 1),
                "center": round(x + width / 2, 1),
                "label": row["label"],
                "value": "–" if value is None else formats.number_format(value, decimal_pos=0),
                "value_y": round(top - 4, 1),
                "title": f"{row['label']}: {percent_label(value)}",
            }
        )
    chart = {
        "kind": "bar",
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": grid,
        "target_y": y(target),
        "target_label": _("Target %(target)s %%") % {"target": target},
        "bars": bars,
        "label_y": HEIGHT - BOTTOM + 18,
    }
    return _with_marks(chart)


def percent_label(value):
    if value is None:
        return "–"
    return f"{formats.number_format(value, decimal_pos=1)} %"


def _with_marks(chart):
    """The chart with its grid, bars, lines, points and axis labels as SVG (the template's
    _chart.html places them): a chart has dozens of marks. Numbers as with {% localize off %}."""
    left, right, label_y = chart["left"], chart["right"], chart["label_y"]
    chart["grid_svg"] = mark_safe(  # noqa: S308 - every text is escaped
        "".join(
            f'\n  <line x1="{left}" x2="{right}" y1="{line["y"]}" y2="{line["y"]}" '
            'stroke="#ced4da" stroke-width="1"/>\n'
            f'  <text x="{left - 6}" y="{line["y"]}" dy="4" text-anchor="end" fill="#343a40">'
            f"{escape(line['label'])}</text>\n  "
            for line in chart["grid"]
        )
    )
    chart["bars_svg"] = mark_safe(  # noqa: S308 - every text is escaped
        "".join(
            f'\n    <rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" '
            f'height="{bar["height"]}" fill="#0b4f8a"><title>{escape(bar["title"])}</title></rect>'
            f'\n    <text x="{bar["center"]}" y="{bar["value_y"]}" text-anchor="middle" '
            f'fill="#212529">{escape(bar["value"])}</text>'
            f'\n    <text x="{bar["center"]}" y="{label_y}" text-anchor="middle" '
            f'fill="#343a40">{escape(bar["label"])}</text>\n    '
            for bar in chart.get("bars", ())
        )
    )
    chart["segments_svg"] = mark_safe(  # noqa: S308 - points are numbers
        "".join(
            f'<polyline points="{segment}" fill="none" stroke="#0b4f8a" stroke-width="2.5"/>'
            for segment in chart.get("segments", ())
        )
    )
    chart["points_svg"] = mark_safe(  # noqa: S308 - every text is escaped
        "".join(
            f'<circle cx="{point["x"]}" cy="{point["y"]}" r="3.5" fill="#0b4f8a">'
            f"<title>{escape(point['title'])}</title></circle>"
            for point in chart.get("points", ())
        )
    )
    chart["xlabels_svg"] = mark_safe(  # noqa: S308 - every text is escaped
        "".join(
            f'<text x="{label["x"]}" y="{label_y}" text-anchor="middle" fill="#343a40">'
            f"{escape(label['label'])}</text>"
            for label in chart.get("xlabels", ())
        )
    )
    return chart
