"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing the CSP must allow.

Only presentation attributes are used (``fill``, ``font-size``), never ``style``, so the
strict Content-Security-Policy holds. Every chart has a <title> and <desc> and sits next
to the table with the same numbers, which is what screen readers and exports use.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

from markupsafe import Markup

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999")
BAR = "#0b5cad"
INK = "#1b1b1f"
GRID = "#c9ccd1"


def _num(value) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def hbar(title: str, items: Sequence[tuple[str, float]], *, unit: str = "", chart_id: str = "c") -> Markup:
    """Horizontal bars, one per item, with the label on the left and the value at the bar's end."""
    rows = [(str(label), _num(value), value) for label, value in items]
    label_w, bar_w, row_h, top = 230, 360, 26, 8
    width = label_w + bar_w + 70
    height = top * 2 + row_h * max(1, len(rows))
    peak = max((v for _, v, _ in rows), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape("; ".join(f"{l}: {shown}" for l, _, shown in rows) or "Sin datos")}</desc>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="24" font-size="14" fill="{INK}">Sin datos en el periodo</text>')
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * row_h
        length = 0 if value <= 0 else max(2, bar_w * value / peak)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="{INK}">'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 17}" font-size="13" fill="{INK}">'
                     f'{escape(str(shown))}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(title: str, columns: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
                    chart_id: str = "s") -> Markup:
    """Vertical stacked columns (e.g. months), one colour per series (e.g. category), with a legend."""
    count = max(1, len(columns))
    col_w, gap, chart_h, left, top = 44, 14, 220, 40, 22
    width = max(left + count * (col_w + gap) + 10, 420)
    legend_h = 22 * len(series)
    height = top + chart_h + 40 + legend_h
    totals = [sum(_num(values[i]) for _, values in series) for i in range(len(columns))]
    peak = max(totals, default=0) or 1
    desc = "; ".join(f"{col}: " + ", ".join(f"{name} {values[i]}" for name, values in series)
                     for i, col in enumerate(columns))
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc or "Sin datos")}</desc>',
        f'<line x1="{left}" y1="{top + chart_h}" x2="{width}" y2="{top + chart_h}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end" fill="{INK}">{int(peak)}</text>',
        f'<text x="{left - 6}" y="{top + chart_h}" font-size="11" text-anchor="end" fill="{INK}">0</text>',
    ]
    for i, column in enumerate(columns):
        x = left + i * (col_w + gap) + gap / 2
        y = top + chart_h
        for s, (_, values) in enumerate(series):
            value = _num(values[i])
            if value <= 0:
                continue
            h = chart_h * value / peak
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                         f'fill="{PALETTE[s % len(PALETTE)]}" stroke="#ffffff" stroke-width="1"/>')
        if totals[i]:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                         f'fill="{INK}">{int(totals[i])}</text>')
        parts.append(f'<text x="{x + col_w / 2:.1f}" y="{top + chart_h + 16}" font-size="11" text-anchor="middle" '
                     f'fill="{INK}">{escape(column)}</text>')
    for s, (name, _) in enumerate(series):
        y = top + chart_h + 34 + s * 22
        parts.append(f'<rect x="{left}" y="{y}" width="14" height="14" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + 20}" y="{y + 12}" font-size="13" fill="{INK}">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
