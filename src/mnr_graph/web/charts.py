r"""Charts as server-rendered SVG, beside a table of the same figures.

They read without JavaScript, and each page shows a table of the same figures beside them (the chart
is an image with a title and a description; the table is what a screen reader reads).

Four kinds, all of maturity phases (1..4): :func:`bar_chart` (a value per labelled bar, bars in
groups: a country's phase per capability by domain; two countries side by side),
:func:`line_chart` (a value per year: a country's trend), :func:`stacked_chart` (how many
countries are at each phase, per capability) and :func:`heatmap` (countries x capabilities).
Colours come from the stylesheet (classes ``p1``..``p4``), with the same colours as attributes for
an SVG opened on its own; every value is also written as text.

>>> svg = bar_chart("c", "Phases", [("D1", [("C01", 3.0, "3"), ("C02", None, "none")])])
>>> svg.count("<rect"), "<title id=\"c-title\">Phases</title>" in svg
(1, True)
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

__all__ = ["PHASE_COLOURS", "bar_chart", "heatmap", "line_chart", "stacked_chart"]

#: The fill of each phase (light to dark: the higher the phase, the darker).
PHASE_COLOURS = {1: "#deebf7", 2: "#9ecae1", 3: "#4292c6", 4: "#08519c"}
#: The most phases on the scale.
_TOP = 4
_WIDTH = 720
_LABEL = 300
_ROW = 22


def _short(label: str, most: int) -> str:
    """A label cut to fit beside the bars (the table beside the chart has it whole)."""
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _phase(value: float | None) -> int:
    return max(1, min(_TOP, round(value))) if value is not None else 0


def _text_colour(phase: int) -> str:
    return "#fff" if phase >= 3 else "#1a1a1a"


def _open(chart_id: str, title: str, description: str, height: int, width: int = _WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'id="{escape(chart_id)}"><title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _axis(top: int, bottom: int, left: int, span: int) -> str:
    parts = []
    for tick in range(_TOP + 1):
        x = left + span * tick / _TOP
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" class="grid" '
            f'stroke="#ccc"/><text x="{x:.1f}" y="{top - 4}" text-anchor="middle" '
            f'class="tick">{tick}</text>'
        )
    return "".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    groups: Sequence[tuple[str, Sequence[tuple[str, float | None, str]]]],
    *,
    description: str = "Maturity phase (0 to 4) per bar; a bar without a value is not assessed.",
) -> Markup:
    """Horizontal bars (0..4), in titled groups; each bar ``(label, value or None, text)``."""
    rows = sum(1 + len(bars) for _, bars in groups)
    height = 30 + rows * _ROW
    span = _WIDTH - _LABEL - 40
    out = [_open(chart_id, title, description, height), _axis(20, height, _LABEL, span)]
    y = 26
    for group, bars in groups:
        out.append(f'<text x="4" y="{y + 15}" class="group">{escape(group)}</text>')
        y += _ROW
        for label, value, text in bars:
            out.append(
                f'<text x="12" y="{y + 15}" class="label">{escape(_short(label, 40))}</text>'
            )
            phase = _phase(value)
            if value is not None and value > 0:
                width = span * min(value, _TOP) / _TOP
                out.append(
                    f'<rect x="{_LABEL}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 6}" '
                    f'class="p{phase}" fill="{PHASE_COLOURS[phase]}"/>'
                )
                out.append(
                    f'<text x="{_LABEL + width + 4:.1f}" y="{y + 15}" class="value">'
                    f"{escape(text)}</text>"
                )
            else:
                out.append(
                    f'<text x="{_LABEL + 4}" y="{y + 15}" class="value">{escape(text)}</text>'
                )
            y += _ROW
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape)


def line_chart(
    chart_id: str, title: str, points: Sequence[tuple[str, float]], *, description: str
) -> Markup:
    """A line of values (0..4) over labelled steps (years)."""
    height, left, right, top, bottom = 240, 40, 20, 20, 200
    span = _WIDTH - left - right
    out = [_open(chart_id, title, description, height)]
    for tick in range(_TOP + 1):
        y = bottom - (bottom - top) * tick / _TOP
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{_WIDTH - right}" y2="{y:.1f}" class="grid" '
            f'stroke="#ccc"/><text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="tick">{tick}</text>'
        )
    step = span / (len(points) - 1) if len(points) > 1 else 0.0
    placed = [
        (
            label,
            value,
            left + (step * index if len(points) > 1 else span / 2),
            bottom - (bottom - top) * min(value, _TOP) / _TOP,
        )
        for index, (label, value) in enumerate(points)
    ]
    if len(placed) > 1:
        coords = " ".join(f"{x:.1f},{y:.1f}" for _, _, x, y in placed)
        out.append(
            f'<polyline points="{coords}" class="line" fill="none" stroke="#08519c" '
            f'stroke-width="2"/>'
        )
    for label, value, x, y in placed:
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="point" fill="#08519c"/>'
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" class="value">'
            f"{value:.2f}</text>"
            f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="middle" class="tick">'
            f"{escape(label)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape)


def stacked_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[int]]], *, description: str
) -> Markup:
    """Per labelled row, how many are at phase 1, 2, 3 and 4 (a bar of the whole, in parts)."""
    height = 50 + len(rows) * _ROW
    span = _WIDTH - _LABEL - 20
    most = max((sum(counts) for _, counts in rows), default=0) or 1
    out = [_open(chart_id, title, description, height)]
    for phase in range(1, _TOP + 1):  # the legend
        legend = _LABEL + (phase - 1) * 90
        out.append(
            f'<rect x="{legend}" y="6" width="14" height="14" class="p{phase}" '
            f'fill="{PHASE_COLOURS[phase]}" stroke="#666"/><text x="{legend + 18}" y="18" '
            f'class="tick">phase {phase}</text>'
        )
    y = 30
    for label, counts in rows:
        out.append(f'<text x="4" y="{y + 15}" class="label">{escape(label[:46])}</text>')
        x = float(_LABEL)
        for phase, count in enumerate(counts, start=1):
            if not count:
                continue
            width = span * count / most
            out.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 6}" '
                f'class="p{phase}" fill="{PHASE_COLOURS[phase]}"/>'
                f'<text x="{x + width / 2:.1f}" y="{y + 15}" text-anchor="middle" '
                f'class="value" fill="{_text_colour(phase)}">{count}</text>'
            )
            x += width
        y += _ROW
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape)


def heatmap(
    chart_id: str,
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int | None]]],
    *,
    description: str,
) -> Markup:
    """A grid: a row per label, a cell per column, coloured and written by phase (empty: none)."""
    cell, left, top = 28, 160, 30
    width = left + cell * len(columns) + 10
    height = top + cell * len(rows) + 10
    out = [_open(chart_id, title, description, height, width)]
    for index, name in enumerate(columns):
        x = left + index * cell + cell / 2
        out.append(
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" class="tick">'
            f"{escape(name)}</text>"
        )
    for r, (label, values) in enumerate(rows):
        y = top + r * cell
        out.append(f'<text x="4" y="{y + 18}" class="label">{escape(label[:22])}</text>')
        for c, value in enumerate(values):
            x = left + c * cell
            phase = value or 0
            fill = PHASE_COLOURS.get(phase, "#fff")
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'class="p{phase}" fill="{fill}" stroke="#999"/>'
                f'<text x="{x + (cell - 2) / 2:.1f}" y="{y + 18}" text-anchor="middle" '
                f'class="value" fill="{_text_colour(phase)}">{value if value else "–"}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape)
