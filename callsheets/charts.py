"""Server-side SVG bar charts for the program page: no JavaScript, no CDN, readable on a projector.

Each function returns safe SVG markup with a title, labelled axes and units. Colours are the
Okabe–Ito palette, which stays distinguishable for colour-blind viewers and on washed-out projectors.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE, ORANGE, GREEN, VERMILLION, GREY, SKY, PURPLE, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#8C8C8C",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif"


@dataclass
class Series:
    name: str
    values: list[float | None]
    color: str


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high], steps of 1, 2 or 5 × 10^k.

    `integer`: an axis of counts (calls, flags, promises) steps by whole numbers, never 0.2 of a call.
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    if integer:
        raw = max(raw, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 10 else f"{value:.1f}"
    return f"{text}{unit}" if unit == "%" else text


def _text(x, y, content, size=14, anchor="start", weight="normal", fill="#212529", extra=""):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def _frame(title: str, width: int, height: int, body: list[str], legend: list[Series]) -> SafeString:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="{escape(FONT)}" class="chart">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(12, 26, title, size=19, weight="600"),
    ]
    x = 12
    for series in legend:
        parts.append(f'<rect x="{x}" y="40" width="14" height="14" rx="2" fill="{series.color}"/>')
        parts.append(_text(x + 20, 52, series.name, size=14))
        x += 34 + 8.2 * len(series.name)
    parts.extend(body)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def column_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    y_label: str,
    unit: str = "",
    stacked: bool = False,
    x_label: str = "",
    y_max: float | None = None,
    counts: bool = False,
) -> SafeString:
    """Vertical bars per category, side by side or stacked; negative values hang below zero.

    `counts`: the values are whole numbers, so the axis ticks are too.
    """
    width, height = 960, 420
    left, right, top, bottom = 78, 20, 70, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v or 0 for s in series for v in s.values]
    if stacked:
        sums = [sum((s.values[i] or 0) for s in series) for i in range(len(categories))]
        low, high = 0, max(sums or [0])
    else:
        low, high = min([0, *values]), max([0, *values])
    if y_max is not None:
        high = max(high, y_max)
    ticks = nice_ticks(low, high if high > low else low + 1, integer=counts)
    lo, hi = ticks[0], ticks[-1]

    def y_of(v):
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    body = []
    for tick in ticks:
        y = y_of(tick)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        body.append(_text(left - 8, y + 5, _fmt(tick, unit), size=14, anchor="end", fill="#495057"))
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" stroke="#495057" stroke-width="1.5"/>'
    )
    axis_y = top + plot_h / 2
    body.append(
        _text(
            18,
            axis_y,
            y_label,
            size=14,
            anchor="middle",
            fill="#495057",
            extra=f' transform="rotate(-90 18 {axis_y:.1f})"',
        )
    )
    n = max(len(categories), 1)
    slot = plot_w / n
    groups = 1 if stacked else max(len(series), 1)
    bar_w = min(slot * 0.8 / groups, 60)
    label_every = max(1, math.ceil(n / 14))
    show_values = bar_w >= 22
    for i, category in enumerate(categories):
        x0 = left + slot * i + (slot - bar_w * groups) / 2
        base = 0.0
        for j, s in enumerate(series):
            v = s.values[i]
            if v is None:
                continue
            x = x0 if stacked else x0 + j * bar_w
            v0, v1 = (base, base + v) if stacked else (0, v)
            y_top, y_bottom = sorted((y_of(v0), y_of(v1)))
            body.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w - 2:.1f}" height="{max(y_bottom - y_top, 0.5):.1f}" '
                f'fill="{s.color}"><title>{escape(f"{s.name}, {category}: {_fmt(v, unit)}")}</title></rect>'
            )
            if show_values and v and (not stacked or y_bottom - y_top >= 18):
                ty = (y_top + 15) if stacked else (y_top - 5 if v >= 0 else y_bottom + 15)
                fill = "#ffffff" if stacked else "#212529"
                body.append(_text(x + (bar_w - 2) / 2, ty, _fmt(v, unit), size=13, anchor="middle", fill=fill))
            base += v if stacked else 0
        if i % label_every == 0:
            body.append(_text(left + slot * (i + 0.5), top + plot_h + 22, category, size=14, anchor="middle"))
    if x_label:
        body.append(_text(left + plot_w / 2, height - 14, x_label, size=14, anchor="middle", fill="#495057"))
    return _frame(title, width, height, body, series if len(series) > 1 else [])


def bar_chart(
    title: str,
    categories: list[str],
    values: list[float | None],
    *,
    x_label: str,
    unit: str = "",
    color: str = BLUE,
    x_max: float | None = None,
    notes: list[str] | None = None,
) -> SafeString:
    """Horizontal bars, one per category (an executive, a group); `notes` go after each value."""
    row = 40
    width = 960
    left, right, top, bottom = 220, 150, 50, 60
    height = top + bottom + row * max(len(categories), 1)
    plot_w = width - left - right
    known = [v for v in values if v is not None]
    low = min([0, *known])
    high = max([0, *known, x_max or 0])
    ticks = nice_ticks(low, high if high > low else low + 1)
    lo, hi = ticks[0], ticks[-1]

    def x_of(v):
        return left + (v - lo) / (hi - lo) * plot_w

    body = []
    plot_bottom = top + row * max(len(categories), 1)
    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{plot_bottom}" stroke="#dee2e6"/>')
        body.append(_text(x, plot_bottom + 20, _fmt(tick, unit), size=14, anchor="middle", fill="#495057"))
    body.append(
        f'<line x1="{x_of(0):.1f}" x2="{x_of(0):.1f}" y1="{top}" y2="{plot_bottom}" stroke="#495057" stroke-width="1.5"/>'
    )
    for i, category in enumerate(categories):
        y = top + row * i
        label = category if len(category) <= 26 else category[:25] + "…"
        body.append(_text(left - 10, y + row / 2 + 5, label, size=15, anchor="end"))
        v = values[i]
        note = (notes or [""] * len(categories))[i]
        if v is None:
            body.append(_text(x_of(0) + 6, y + row / 2 + 5, f"no data {note}".strip(), size=14, fill="#6c757d"))
            continue
        x_start, x_end = sorted((x_of(0), x_of(v)))
        body.append(
            f'<rect x="{x_start:.1f}" y="{y + 7}" width="{max(x_end - x_start, 0.5):.1f}" height="{row - 14}" fill="{color}">'
            f"<title>{escape(f'{category}: {_fmt(v, unit)} {note}'.strip())}</title></rect>"
        )
        body.append(_text(x_end + 6, y + row / 2 + 5, f"{_fmt(v, unit)} {note}".strip(), size=14))
    body.append(_text(left + plot_w / 2, height - 14, x_label, size=14, anchor="middle", fill="#495057"))
    return _frame(title, width, height, body, [])


def mini_column_chart(title: str, categories: list[str], values: list[int], *, color: str = BLUE) -> SafeString:
    """A small column chart of counts (a topic's mentions per week): whole-number ticks, first and last label."""
    width, height = 360, 130
    left, right, top, bottom = 34, 8, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(0, max([1, *values]), count=2, integer=True)
    hi = ticks[-1]

    def y_of(v):
        return top + plot_h - v / hi * plot_h

    body = []
    for tick in ticks:
        y = y_of(tick)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        body.append(_text(left - 5, y + 4, _fmt(tick, ""), size=11, anchor="end", fill="#495057"))
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.75, 24), 1)
    for i, (category, v) in enumerate(zip(categories, values, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        if v:
            body.append(
                f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{bar_w:.1f}" height="{y_of(0) - y_of(v):.1f}" '
                f'fill="{color}"><title>{escape(f"{category}: {v}")}</title></rect>'
            )
    if categories:
        body.append(_text(left, height - 6, categories[0], size=11, fill="#495057"))
        if len(categories) > 1:
            body.append(_text(width - right, height - 6, categories[-1], size=11, anchor="end", fill="#495057"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="{escape(FONT)}" class="chart chart-mini">',
        f"<title>{escape(title)}</title>",
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every text above went through escape()
