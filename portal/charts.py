"""A server-rendered SVG bar chart of runs per hour (no JavaScript, no CDN)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from portal.selectors import HourBar

WIDTH, HEIGHT, PAD = 720, 140, 18
SUCCESS, FAILURE = "#1f7a3a", "#a32020"


def _n(value: float) -> str:
    # format_html escapes its arguments to strings first, so numbers are formatted here.
    return f"{value:.1f}"


def runs_chart(bars: list[HourBar]) -> SafeString:
    """Stacked bars (successes under failures), one per hour, labelled every 6 hours."""
    peak = max((bar.success + bar.failure for bar in bars), default=0) or 1
    slot = WIDTH / max(len(bars), 1)
    scale = (HEIGHT - 2 * PAD) / peak
    shapes = []
    for i, bar in enumerate(bars):
        x = i * slot + 2
        ok_h, fail_h = bar.success * scale, bar.failure * scale
        base = HEIGHT - PAD
        title = f"{bar.hour:%H}:00 — {bar.success} succeeded, {bar.failure} failed"
        shapes.append(
            format_html(
                '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}"/><rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}"/></g>',
                title,
                _n(x),
                _n(base - ok_h),
                _n(slot - 4),
                _n(ok_h),
                SUCCESS,
                _n(x),
                _n(base - ok_h - fail_h),
                _n(slot - 4),
                _n(fail_h),
                FAILURE,
            )
        )
        if i % 6 == 0:
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" fill="currentColor">{}</text>',
                    _n(x),
                    HEIGHT - 4,
                    f"{bar.hour:%H}:00",
                )
            )
    return format_html(
        '<svg class="glue-chart" viewBox="0 0 {} {}" role="img" '
        'aria-label="Sync runs per hour, last 24 hours">'
        '<text x="0" y="12" font-size="10" fill="currentColor">max {} / hour</text>{}</svg>',
        WIDTH,
        HEIGHT,
        peak,
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )
