"""The pages' colours, from the deployment profile's branding, made readable: every colour that carries text (or
that text sits on) is darkened until it has a contrast of at least 4.5:1 (WCAG 2.1 AA) with what it meets."""

from __future__ import annotations

import colorsys
import hashlib
import re
from functools import lru_cache

WHITE = "#ffffff"
INK = "#1d2733"
PAGE = "#f6f8fb"          # the page's background (app.css --bg)
AA = 4.5
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def rgb(colour: str) -> tuple[int, int, int]:
    m = _HEX.match(colour.strip())
    if not m:
        raise ValueError(f"not a colour: {colour!r}")
    h = m.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def hexa(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in (r, g, b))


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, amount: float) -> str:
    """The colour with its HLS lightness lowered by ``amount`` (0-1), hue and saturation kept."""
    r, g, b = rgb(colour)
    h, lightness, s = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    r2, g2, b2 = colorsys.hls_to_rgb(h, max(0.0, lightness - amount), s)
    return hexa(r2 * 255, g2 * 255, b2 * 255)


def mix(colour: str, other: str, weight: float) -> str:
    """``weight`` of ``colour`` and the rest of ``other``."""
    a, b = rgb(colour), rgb(other)
    return hexa(*(weight * x + (1 - weight) * y for x, y in zip(a, b, strict=True)))


def readable(colour: str, *against: str, ratio: float = AA) -> str:
    """The colour, darkened in small steps until it reaches ``ratio`` with every colour of ``against``."""
    out = colour
    for _ in range(100):
        if all(contrast(out, other) >= ratio for other in against):
            return out
        out = darken(out, 0.02)
    return "#000000"


def on(colour: str) -> str:
    """The text colour for a surface of ``colour``: the page's ink, or white when ink does not reach 4.5:1."""
    return INK if contrast(INK, colour) >= contrast(WHITE, colour) else WHITE


@lru_cache(maxsize=16)
def theme(primary: str = "#0b5394", accent: str = "#f39c12") -> dict:
    """The CSS custom properties of the theme (app.css maps Bootstrap's and the project's classes onto them)."""
    try:
        rgb(primary)
    except ValueError:
        primary = "#0b5394"
    try:
        rgb(accent)
    except ValueError:
        accent = "#f39c12"
    p = readable(primary, WHITE, PAGE)                 # links, buttons with white text, the navigation bar
    subtle = mix(p, WHITE, 0.1)
    p_text_on_subtle = readable(p, subtle)
    accent_text = readable(accent, WHITE, PAGE)        # the accent used as text or as a thin mark beside text
    return {
        "primary": p, "primary_rgb": ", ".join(map(str, rgb(p))), "primary_hover": darken(p, 0.07),
        "primary_subtle": subtle, "primary_on_subtle": p_text_on_subtle,
        "accent": accent, "accent_rgb": ", ".join(map(str, rgb(accent))), "on_accent": on(accent),
        "accent_text": accent_text,
    }


def css(branding: dict) -> str:
    t = theme(branding.get("primary_color") or "#0b5394", branding.get("accent_color") or "#f39c12")
    return (f":root{{--primary:{t['primary']};--primary-rgb:{t['primary_rgb']};--primary-hover:{t['primary_hover']};"
            f"--primary-subtle:{t['primary_subtle']};--primary-on-subtle:{t['primary_on_subtle']};"
            f"--accent:{t['accent']};--accent-rgb:{t['accent_rgb']};--on-accent:{t['on_accent']};"
            f"--accent-text:{t['accent_text']}}}")


@lru_cache(maxsize=16)
def cover_palette(primary: str) -> tuple[str, ...]:
    """Backgrounds for generated course covers: the primary's hue turned round the colour wheel in eight steps, each
    dark enough for white text (4.5:1 or more)."""
    base = readable(primary, WHITE)
    r, g, b = rgb(base)
    h, lightness, s = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    out = []
    for step in range(8):
        r2, g2, b2 = colorsys.hls_to_rgb((h + step / 8) % 1.0, min(lightness, 0.32), min(max(s, 0.45), 0.72))
        out.append(readable(hexa(r2 * 255, g2 * 255, b2 * 255), WHITE, ratio=5.0))
    return tuple(out)


def cover_colours(key: str, primary: str) -> tuple[str, str]:
    """A generated cover's background and its darker band, picked by a hash of the course id (stable across
    processes, unlike hash())."""
    palette = cover_palette(primary)
    n = int(hashlib.blake2s(key.encode(), digest_size=4).hexdigest(), 16)
    bg = palette[n % len(palette)]
    return bg, darken(bg, 0.08)
