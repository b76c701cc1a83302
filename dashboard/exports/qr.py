"""QR codes to the page a slide or a statement comes from, through segno (pure Python, no
image library needed for SVG, PNG written by its own encoder)."""

from __future__ import annotations

import io

import segno

from dashboard.core.config import public_url

# Where the QR codes of a file made away from a request point (a deck downloaded, a
# statement) when LINGKARAN_PUBLIC_URL is not set: the address `lingkaran demo` serves.
DEFAULT_BASE = "http://localhost:8501"


def base_address() -> str:
    return public_url() or DEFAULT_BASE


def code(address: str) -> segno.QRCode:
    """Error correction M (15%): still read from a projector's screen at an angle."""
    return segno.make_qr(address, error="m")


def svg(address: str) -> str:
    """The code as an inline <svg> element with a viewBox (sized by its page's CSS), no XML
    declaration, nothing external."""
    return code(address).svg_inline(omitsize=True, border=2, dark="#111827", light="#ffffff")


def png(address: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    code(address).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
