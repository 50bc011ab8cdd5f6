"""A line chart as inline SVG: drawn on the server, so the page needs no script or CDN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 170, 16, 32


def line_chart(years: Sequence[int], series: Mapping[str, Sequence[float | None]]) -> str:
    """One line per series over `years`; a year without the figure breaks the line."""
    if not years or not series:
        return ""
    top = max((v for values in series.values() for v in values if v is not None), default=0)
    top = top or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(years) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - v / top * plot_h

    parts = [
        f'<svg class="nianbao-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{top:g}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, year in enumerate(years):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="11">{year}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {years[i]}: {v:g}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(run)}"/>'
                )
        ly = TOP + 14 + n * 18
        parts.append(
            f'<rect x="{WIDTH - RIGHT + 12}" y="{ly - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{WIDTH - RIGHT + 28}" y="{ly}" font-size="12" '
            f'class="series">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
