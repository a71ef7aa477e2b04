"""HTML and PDF from one template: the preview page includes `_body.html`, the PDF wraps it in `pdf.html`.

The PDF is written by WeasyPrint as PDF/UA-1 (tagged, language and title set, bookmarks from the headings)
into a temporary file next to the target and moved into place with os.replace, so a failure never leaves
a half-written report where a download could find it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.template.loader import render_to_string

from .document import Document

FONTS = (
    Path(__file__).resolve().parent.parent
    / "core"
    / "static"
    / "vendor"
    / "bootstrap-italia"
    / "fonts"
    / "Titillium_Web"
)


def pdf_html(doc: Document, generated=None, superseded=()) -> str:
    return render_to_string(
        "reports/pdf.html",
        {"doc": doc, "fonts": FONTS.as_uri(), "generated": generated, "superseded": list(superseded)},
    )


def write_pdf(html: str, target: Path) -> dict:
    """Render and atomically write the PDF; returns its size, SHA-256 and page count."""
    from weasyprint import HTML

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=target.parent)
    os.close(fd)
    try:
        document = HTML(string=html, base_url=str(FONTS)).render()
        document.write_pdf(tmp, pdf_variant="pdf/ua-1")
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"size": target.stat().st_size, "checksum": digest, "pages": len(document.pages)}
