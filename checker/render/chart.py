"""The executive summary's bar chart (score by domain) as a small SVG, drawn by hand.

No plotting library: a dozen rectangles and labels do not justify a dependency, and hand-made SVG is
byte-stable. Text gets an explicit font family because SVG text in WeasyPrint defaults to a serif
font. Every label is XML-escaped here; the caller inlines the result as trusted markup.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans"
_ROW = 11          # px per bar row
_LABEL_W = 190     # left column for domain names
_BAR_W = 250       # width of the 0-100 scale
_VALUE_W = 60      # right column for the figure
_TOP = 6
_AXIS_H = 18
_TICKS = (0, 25, 50, 75, 100)


def _fill(score: float) -> str:
    # One hue, darker for worse scores: the order survives grayscale printing, and the figure is
    # always printed next to the bar, so colour is never the only signal.
    if score < 30:
        return "#1f2d3d"
    if score < 60:
        return "#3d5a80"
    if score < 85:
        return "#7b96b8"
    return "#b9c9dc"


def domain_bar_chart(rows: list[tuple[str, float | None, str]], none_label: str, alt: str = "") -> str:
    """rows: (domain label, score or None, score as text). Returns an <svg> element as a string.

    `alt` is the chart's text alternative (role="img" + aria-label + <title>), read by screen readers
    and written into the tagged PDF."""
    width = _LABEL_W + _BAR_W + _VALUE_W
    height = _TOP + _ROW * max(len(rows), 1) + _AXIS_H
    font = quoteattr(FONT)
    label = f' role="img" aria-label={quoteattr(alt)}' if alt else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={font} font-size="9"{label}>'
    ]
    if alt:
        parts.append(f"<title>{escape(alt)}</title>")
    plot_bottom = _TOP + _ROW * len(rows)
    for tick in _TICKS:
        x = _LABEL_W + _BAR_W * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP - 2}" x2="{x:.1f}" y2="{plot_bottom}" '
                     f'stroke="#c8c8c8" stroke-width="0.6" stroke-dasharray="2,2"/>')
        parts.append(f'<text x="{x:.1f}" y="{plot_bottom + 12}" text-anchor="middle" '
                     f'font-family={font} font-size="8" fill="#555555">{tick}</text>')
    for i, (label, score, score_text) in enumerate(rows):
        y = _TOP + i * _ROW
        mid = y + _ROW / 2 + 3
        parts.append(f'<text x="{_LABEL_W - 6}" y="{mid:.1f}" text-anchor="end" font-family={font} '
                     f'fill="#222222">{escape(label)}</text>')
        if score is None:
            parts.append(f'<text x="{_LABEL_W + 4}" y="{mid:.1f}" font-family={font} font-style="italic" '
                         f'fill="#666666">{escape(none_label)}</text>')
            continue
        w = max(_BAR_W * max(0.0, min(score, 100.0)) / 100, 0.8)
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 1.25}" width="{w:.1f}" height="{_ROW - 2.5}" '
                     f'fill="{_fill(score)}" stroke="#1f2d3d" stroke-width="0.5"/>')
        parts.append(f'<text x="{_LABEL_W + _BAR_W + 6}" y="{mid:.1f}" font-family={font} '
                     f'font-weight="bold" fill="#222222">{escape(score_text)}</text>')
    parts.append(f'<line x1="{_LABEL_W}" y1="{_TOP - 2}" x2="{_LABEL_W}" y2="{plot_bottom}" '
                 f'stroke="#444444" stroke-width="0.8"/>')
    parts.append("</svg>")
    return "".join(parts)
