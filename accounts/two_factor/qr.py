"""The otpauth:// URL as an inline SVG QR code (segno), readable in light and dark themes."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    # segno writes only the code's geometry (no text from `data`), so it is safe markup.
    svg = segno.make(data, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=False)
    return mark_safe(svg)  # noqa: S308
